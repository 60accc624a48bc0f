"""``geoincidents join``: read an incident table, match every incident to a site, write the joined table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._cli_selection import add_read_arguments, read_options
from .common import STDIO, CommandError, add_input_format, check_output, kept_rows, read_input
from .progress import progress_bar

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    from ..fileformats import FILE_FORMATS, WRITABLE_FORMATS

    suffixes = ", ".join(FILE_FORMATS[f].suffixes[0] for f in WRITABLE_FORMATS)
    p = sub.add_parser(
        "join",
        help="match incidents to gazetteer sites and write the joined table",
        description="Match every incident to a gazetteer site and write the joined table "
        f"({suffixes}); the site columns (site_id, site_name, match_method, ...) follow the incident's.",
    )
    p.add_argument("input", help="incident table (CSV, GeoJSON, GeoPackage, FlatGeobuf, Shapefile, Parquet, "
                   "Excel, ACLED export); '-' for stdin")
    p.add_argument("-o", "--output", required=True, help=f"OUT with one of {suffixes}; '-' for stdout")
    p.add_argument("--format", choices=WRITABLE_FORMATS,
                   help="output format (needed for '-'; default: from the suffix)")
    add_input_format(p)
    add_read_arguments(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..fileformats import FILE_FORMATS, WRITABLE_FORMATS, format_of
    from ..incidents import write_incidents
    from ..join import join_sites

    if args.output == STDIO:
        if args.format is None:
            raise CommandError(f"-o -: give the output format with --format ({', '.join(WRITABLE_FORMATS)})")
    else:
        check_output(args.output, tuple(s for f in WRITABLE_FORMATS for s in FILE_FORMATS[f].suffixes))
    fmt = args.format or format_of(args.output)
    with progress_bar(3, "join") as bar:
        bar.set_postfix_str("reading")
        incidents = kept_rows(read_input(args.input, args.input_format, **read_options(args)))
        bar.update()
        bar.set_postfix_str("matching")
        joined = join_sites(incidents)
        bar.update()
        bar.set_postfix_str("writing")
        target = sys.stdout.buffer if args.output == STDIO else args.output
        write_incidents(joined, target, file_format=fmt)
        bar.update()
    matched = int(joined["site_id"].notna().sum())
    where = "stdout" if args.output == STDIO else args.output
    print(f"joined {len(joined)} incidents ({matched} matched to a site) -> {where}", file=sys.stderr)
    return 0
