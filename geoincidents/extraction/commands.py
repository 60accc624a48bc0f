"""The ``geoincidents extract`` and ``geoincidents merge`` commands.

``extract`` reads report texts (files, or ``-`` for standard input) and writes their draft incidents;
``merge`` reads incident tables and writes one row per event. Both write through ``write_incidents`` into a
temporary file that replaces the output only when everything succeeded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._files import atomic_path

__all__ = ["add_parser", "run_extract", "run_merge"]


def add_parser(sub: Any) -> None:
    """Add the ``extract`` and ``merge`` subcommands to the CLI's subparsers."""
    p = sub.add_parser(
        "extract",
        help="propose draft incidents from report texts",
        description="Propose draft incidents (with evidence, confidence, review reasons) from report texts.",
    )
    p.add_argument("articles", nargs="+", help="plain-text reports; '-' reads standard input")
    p.add_argument(
        "--published", help="publication date (YYYY-MM-DD) of every text; else read from each text"
    )
    p.add_argument("--publisher", help="publisher put in each draft's sources")
    p.add_argument("--url", help="http(s) address put in each draft's sources")
    p.add_argument("-o", "--output", type=Path, required=True, help="drafts file (.csv, .geojson, .parquet)")
    p.add_argument("--totals", type=Path, help="also write the aggregate statements (CSV)")
    p.set_defaults(handler=run_extract)
    m = sub.add_parser(
        "merge",
        help="merge reports of one event from several incident tables",
        description="Merge reports of the same event from several incident tables into one row per event.",
    )
    m.add_argument("tables", nargs="+", type=Path, help="incident tables (e.g. drafts of several articles)")
    m.add_argument("--window-days", type=int, default=1, help="days two reports of one event may differ (1)")
    m.add_argument("--radius-m", type=float, default=0.0, help="extra distance for one place, metres (0)")
    m.add_argument("-o", "--output", type=Path, required=True, help="merged file (.csv, .geojson, .parquet)")
    m.set_defaults(handler=run_merge)


def run_extract(args: argparse.Namespace) -> int:
    """Extract drafts from every text named on the command line; exit code 0."""
    import pandas as pd

    from ..incidents import write_incidents
    from . import extract_incidents, extract_totals

    drafts, totals = [], []
    stdin_used = False
    for name in args.articles:
        if name == "-":
            if stdin_used:
                raise ValueError("'-' (standard input) can be given only once")
            stdin_used = True
            text = sys.stdin.read()
        else:
            text = Path(name).read_text(encoding="utf-8")
        drafts.append(
            extract_incidents(text, published=args.published, publisher=args.publisher, url=args.url)
        )
        if args.totals:
            totals.append(extract_totals(text, published=args.published, publisher=args.publisher))
    table = pd.concat(drafts, ignore_index=True)
    table["incident_id"] = _unique(table["incident_id"].tolist())
    with atomic_path(args.output) as tmp:
        write_incidents(table, tmp, file_format=_format(args.output))
    if args.totals:
        with atomic_path(args.totals) as tmp:
            pd.concat(totals, ignore_index=True).to_csv(tmp, index=False, date_format="%Y-%m-%d")
    print(
        f"{len(table)} draft incident(s) from {len(args.articles)} text(s) -> {args.output}", file=sys.stderr
    )
    return 0


def run_merge(args: argparse.Namespace) -> int:
    """Merge the tables named on the command line; exit code 0."""
    from ..incidents import write_incidents
    from ..merging import merge_incidents

    merged = merge_incidents(
        *[str(t) for t in args.tables], window_days=args.window_days, radius_m=args.radius_m
    )
    with atomic_path(args.output) as tmp:
        write_incidents(merged, tmp, file_format=_format(args.output))
    print(f"{len(merged)} incident(s) from {len(args.tables)} table(s) -> {args.output}", file=sys.stderr)
    return 0


def _format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return {
        ".csv": "csv",
        ".geojson": "geojson",
        ".json": "geojson",
        ".parquet": "parquet",
        ".geoparquet": "parquet",
    }.get(suffix)


def _unique(ids: list[str]) -> list[str]:
    """Draft ids made unique across texts ("-2", "-3" for repeats), in order."""
    seen: dict[str, int] = {}
    out = []
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
        out.append(i if seen[i] == 1 else f"{i}-{seen[i]}")
    return out
