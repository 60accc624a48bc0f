"""``geoincidents gazetteer``: validate, list (table, CSV or JSON) or show the gazetteer's sites."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .common import CommandError

__all__ = ["add_parser", "run_validate", "run_list", "run_show"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "gazetteer",
        help="check, list or show the gazetteer's sites",
        description="Check, list or show the gazetteer's sites.",
    )
    p.add_argument(
        "--sites",
        type=Path,
        help="a sites.csv (or a folder with sites.csv and aliases.csv) "
        "to use instead of the bundled gazetteer",
    )
    p.add_argument("--aliases", type=Path, help="the aliases.csv that goes with --sites")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("validate", help="check ids, aliases, coordinates and sources").set_defaults(
        handler=run_validate
    )
    lister = actions.add_parser("list", help="list the sites")
    lister.add_argument("--country", help="only this country (ISO3 or name)")
    lister.add_argument("--format", default="table", choices=("table", "csv", "json"),
                        help="table (tab-separated, default), csv (every field) or json (a list of objects)")
    lister.set_defaults(handler=run_list)
    show = actions.add_parser("show", help="show one site with its aliases and source")
    show.add_argument("site_id")
    show.set_defaults(handler=run_show)


def _gazetteer(args: argparse.Namespace):
    from ..gazetteer import Gazetteer, load_gazetteer

    if args.sites is None:
        return load_gazetteer()
    return Gazetteer.from_files(args.sites, args.aliases)


def run_validate(args: argparse.Namespace) -> int:
    from ..gazetteer import GazetteerError

    try:
        gaz = _gazetteer(args)
    except GazetteerError as exc:
        print(exc, file=sys.stderr)
        return 1
    problems = gaz.validate()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in the gazetteer", file=sys.stderr)
        return 1
    from ..references import check_report

    report = check_report(gaz)  # stand-ins, missing checks and disagreements with the references
    print("\n".join(report))
    if any(line.startswith("DISAGREES") for line in report):
        return 1
    print(f"gazetteer OK: {len(gaz)} sites, {len(gaz.aliases)} aliases")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from ..matching import country_hint

    gaz = _gazetteer(args)
    iso3 = country_hint(args.country)
    sites = [site for site in gaz if iso3 is None or site.country == iso3]
    if args.format == "json":
        print(json.dumps([site.to_json_dict() for site in sites], ensure_ascii=False))
    elif args.format == "csv":
        frame = gaz.to_frame().reset_index()
        frame = frame[frame["site_id"].isin([s.site_id for s in sites])]
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
    else:
        for site in sites:
            print(
                f"{site.site_id}\t{site.name}\t{site.kind}\t{site.country}\t{site.admin1}\t"
                f"{site.lat:.5f}, {site.lon:.5f}\t±{site.uncertainty_m:.0f} m"
            )
    return 0


def run_show(args: argparse.Namespace) -> int:
    gaz = _gazetteer(args)
    if args.site_id not in gaz:
        raise CommandError(
            f"no site {args.site_id!r} in the gazetteer; `geoincidents gazetteer list` lists them"
        )
    site = gaz[args.site_id]
    for key, value in site.to_dict().items():
        print(f"{key:>17}: {value}")
    print(f"{'aliases':>17}: " + "; ".join(a for a, sid, _ in gaz.aliases if sid == site.site_id))
    return 0
