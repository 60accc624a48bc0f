"""The incident commands ``weekly``, ``map``, ``chart`` and ``demo``, and the input options they share.

They read one incident table the same way (:func:`add_incident_input`, :func:`load_joined`: format, country
and date filters, ``--event-type``/``--target``) and so live together; ``brief`` reuses both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .._cli_selection import add_selection_arguments, read_options, selection
from .._files import atomic_path
from .common import CommandError, add_input_format, check_output, kept_rows, output_file, read_input

__all__ = [
    "add_parser", "add_incident_input", "load_joined", "run_weekly", "run_map", "run_chart", "run_demo"
]


def add_parser(sub: Any) -> None:
    """Add ``weekly``, ``map``, ``chart`` and ``demo`` to the command line's subparsers."""
    for add in (_add_weekly, _add_map, _add_chart, _add_demo):
        add(sub)


def add_incident_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", help="incident table: CSV, GeoJSON, GeoPackage, FlatGeobuf, Shapefile, "
                   "GeoParquet, Excel or an ACLED export; '-' for stdin")
    add_input_format(p)
    p.add_argument("--country", help="only these countries, comma-separated (e.g. IRQ,SYR)")
    p.add_argument("--since", help="only incidents on or after this date (YYYY-MM-DD)")
    p.add_argument("--until", help="only incidents on or before this date (YYYY-MM-DD)")
    add_selection_arguments(p)


def _add_weekly(sub: Any) -> None:
    p = sub.add_parser(
        "weekly",
        help="count attacks per ISO week",
        description="Count attacks on US and coalition forces per ISO week and group.",
    )
    add_incident_input(p)
    p.add_argument("--by", default="country", choices=["country", "site", "weapon", "event_type"])
    p.add_argument("--format", default="table", choices=["table", "csv", "json", "markdown"])
    p.set_defaults(handler=run_weekly)


def _add_map(sub: Any) -> None:
    p = sub.add_parser(
        "map",
        help="write an HTML map of the incidents",
        description="Write an HTML map of the incidents, for a briefing.",
    )
    add_incident_input(p)
    p.add_argument("-o", "--output", required=True, type=Path,
                   help="HTML file (or .png/.svg for slides); '-' for HTML on stdout")
    p.add_argument("--offline", action="store_true", help="one self-contained file that needs no network")
    p.add_argument("--by", default="week", choices=["week", "country"], help="one layer per week or country")
    p.add_argument("--color-by", default="country", choices=["country", "weapon"])
    p.add_argument("--time-slider", action="store_true", help="add a time slider over the weeks")
    p.add_argument("--title", help="title shown on the map")
    p.set_defaults(handler=run_map)


def _add_chart(sub: Any) -> None:
    p = sub.add_parser(
        "chart",
        help="draw weekly attacks as a stacked bar chart (PNG or SVG)",
        description="Draw the weekly attack counts as a stacked bar chart.",
    )
    add_incident_input(p)
    p.add_argument("-o", "--output", required=True, type=Path, help="OUT.png or OUT.svg ('-': stdout)")
    p.add_argument("--format", choices=("png", "svg"), help="image format (needed for '-'; default: suffix)")
    p.add_argument("--by", default="country", choices=["country", "weapon", "site", "event_type"])
    p.add_argument("--title", help="chart title")
    p.set_defaults(handler=run_chart)


def _add_demo(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="map, chart and weekly table of the bundled example incidents",
        description="Write the map, chart and weekly table of the bundled example incidents.",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("build/demo"), help="folder to write into")
    p.set_defaults(handler=run_demo)


def load_joined(args: argparse.Namespace):
    """Read, filter and join the incidents named on the command line."""
    from ..join import join_sites

    incidents = kept_rows(read_input(args.input, getattr(args, "input_format", None), **read_options(args)))
    return join_sites(_filter(incidents, args))


def _filter(incidents, args: argparse.Namespace):
    import pandas as pd

    from ..countries import to_iso3

    keep = pd.Series(True, index=incidents.index)
    if getattr(args, "country", None):
        wanted = []
        for part in args.country.split(","):
            iso3 = to_iso3(part.strip())
            if iso3 is None:
                raise CommandError(
                    f"--country: unknown country {part.strip()!r} (give ISO3 codes such as IRQ,SYR)"
                )
            wanted.append(iso3)
        keep &= incidents["country"].isin(wanted)
    for option, compare in (("since", lambda d, x: d >= x), ("until", lambda d, x: d <= x)):
        value = getattr(args, option, None)
        if value:
            try:
                when = pd.Timestamp(value)
            except ValueError:
                raise CommandError(f"--{option}: {value!r} is not a date (use YYYY-MM-DD)") from None
            keep &= compare(incidents["date"], when)
    return incidents[keep.to_numpy()]


def run_weekly(args: argparse.Namespace) -> int:
    from ..aggregate import selection_label, weekly_counts

    event_types, targets = selection(args)
    table = weekly_counts(load_joined(args), by=args.by, event_types=event_types, targets=targets)
    print(f"counting {selection_label(event_types, targets)} (--event-type/--target select others)",
          file=sys.stderr)
    table = table.assign(week_start=table["week_start"].dt.strftime("%Y-%m-%d"))
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False, lineterminator="\n"))
    elif args.format == "json":
        print(json.dumps(table.to_dict(orient="records"), ensure_ascii=False, default=int))
    elif args.format == "markdown":
        print(_markdown(table))
    elif table.empty:  # pandas would print "Empty DataFrame ... Index: []"
        print("  ".join(table.columns))
        print("no incidents to count", file=sys.stderr)
    else:
        print(table.to_string(index=False))
    return 0


def run_map(args: argparse.Namespace) -> int:
    from ..aggregate import select_events, selection_label
    from ..cli_briefing import run_static_map
    from ..maps import incident_map, save_map

    check_output(args.output, (".html", ".htm", ".png", ".svg"))
    event_types, targets = selection(args)
    if args.output.suffix.lower() in (".png", ".svg"):
        return run_static_map(args, load_joined(args))
    joined = load_joined(args)
    if (event_types, targets) != selection(argparse.Namespace()):  # the map shows attacks and strikes
        joined = select_events(joined, event_types=event_types, targets=targets)
        if args.title is None:
            what = selection_label(event_types, targets)
            args.title = what[:1].upper() + what[1:]
    m = incident_map(
        joined,
        by=args.by,
        color_by=args.color_by,
        offline=args.offline,
        time_slider=args.time_slider,
        title=args.title,
        # the selected events are the circles ("all": every kind but strikes, which stay diamonds)
        event_types=event_types if event_types is not None else _non_strike_event_types(),
    )
    with output_file(args.output, ".html") as tmp:
        save_map(m, tmp)
        size = tmp.stat().st_size
    print(f"wrote {args.output} ({size:,} bytes, {len(joined)} incidents)", file=_report_stream(args.output))
    return 0


def _non_strike_event_types() -> tuple[str, ...]:
    from ..schema import EVENT_TYPE, STRIKE_EVENT_TYPES

    return tuple(v for v in EVENT_TYPE.values if v not in STRIKE_EVENT_TYPES)


def run_chart(args: argparse.Namespace) -> int:
    from ..charts import weekly_chart

    check_output(args.output, (".png", ".svg"))
    if str(args.output) == "-" and args.format is None:
        raise CommandError("-o -: give the image format with --format (png or svg)")
    suffix = f".{args.format}" if args.format else args.output.suffix.lower()
    joined = load_joined(args)
    with output_file(args.output, suffix) as tmp:
        event_types, targets = selection(args)
        weekly_chart(joined, by=args.by, path=tmp, title=args.title, event_types=event_types, targets=targets)
    print(f"wrote {args.output}", file=_report_stream(args.output))
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from ..aggregate import weekly_counts
    from ..charts import weekly_chart
    from ..examples import example_incidents
    from ..join import join_sites
    from ..maps import incident_map, save_map

    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    joined = join_sites(example_incidents())
    written = []
    for name, offline in (("example-map.html", False), ("example-map-offline.html", True)):
        save_map(incident_map(joined, offline=offline), out / name)
        written.append(out / name)
    # The chart shows the October-November 2023 wave; the two January 2022 weeks stay on the map.
    wave = joined[joined["date"] >= "2023-10-01"]
    for name in ("weekly-chart.png", "weekly-chart.svg"):
        with atomic_path(out / name) as tmp:
            weekly_chart(
                wave,
                by="country",
                path=tmp,
                title="Attacks on US and coalition forces by week, October-November 2023",
            )
        written.append(out / name)
    with atomic_path(out / "weekly-counts.csv") as tmp:
        weekly_counts(wave, by="country").to_csv(tmp, index=False, lineterminator="\n")
    written.append(out / "weekly-counts.csv")
    # Beside them, the bundled campaign of 17 Oct 2023 - Feb 2024 and its briefing.
    from ..briefings import briefing
    from ..examples import campaign_incidents, campaign_totals

    campaign = join_sites(campaign_incidents())
    title = "Attacks on US and coalition forces, 17 Oct 2023 - Feb 2024 (bundled campaign dataset)"
    save_map(incident_map(campaign, offline=True, time_slider=True, title=title), out / "campaign-map.html")
    briefing(campaign, out / "campaign-briefing.html", title=title, totals=campaign_totals())
    written += [out / "campaign-map.html", out / "campaign-briefing.html"]
    print(f"{len(joined)} example incidents from the seed articles, {len(campaign)} campaign incidents; "
          "wrote:")
    for path in written:
        print(f"  {path}")
    return 0


def _report_stream(output: Path):
    """Where "wrote ..." goes: stdout, unless the output itself is stdout."""
    return sys.stderr if str(output) == "-" else sys.stdout


def _markdown(table) -> str:
    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
