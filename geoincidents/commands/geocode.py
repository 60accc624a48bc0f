"""``geoincidents geocode``: one name (printed), or a whole column of a table (``--input``, written out)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .common import STDIO, CommandError, add_input_format, check_output, output_file, read_raw_input
from .progress import progress_bar

__all__ = ["add_parser", "run", "BATCH_PREFIX", "CHUNK"]

BATCH_PREFIX = "match_"
"""Prefix of the columns a batch adds to the input (``match_site_id``, ``match_score``, ...)."""

CHUNK = 20_000
"""Distinct names geocoded per progress-bar step."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "geocode",
        help="find the site a place name (or a column of names) refers to",
        description="Find the gazetteer site a place name refers to; with --input, every name of a column.",
    )
    p.add_argument("name", nargs="?", help='the place as written in a report, e.g. "Ain al-Asad"')
    p.add_argument("--country", help="only sites in this country (ISO3 code or name)")
    p.add_argument("--json", action="store_true", help="print one JSON object (one name)")
    batch = p.add_argument_group("batch (a table of names)")
    batch.add_argument("--input", help="table of names (CSV, GeoJSON, ...; '-' for stdin)")
    batch.add_argument("--column", help="the column holding the names")
    batch.add_argument("--country-column", help="a column of country hints (ISO3 or names)")
    batch.add_argument("-o", "--output", default=STDIO, help="OUT.csv or OUT.json ('-', the default: stdout)")
    batch.add_argument("--format", choices=("csv", "json"),
                       help="output format (default: from the suffix; csv)")
    add_input_format(p)
    p.set_defaults(handler=run, usage_error=p.error)


def run(args: argparse.Namespace) -> int:
    if args.input is not None:
        if args.name is not None:
            args.usage_error("give a NAME or --input, not both")
        return _run_batch(args)
    if args.name is None:
        args.usage_error("give a NAME to geocode, or --input TABLE --column COLUMN for a batch")
    return _run_one(args)


def _run_one(args: argparse.Namespace) -> int:
    from ..matching import geocode

    match = geocode(args.name, args.country)
    if match is None:
        print(
            f"geoincidents: no site matches {args.name!r}" + (f" in {args.country}" if args.country else ""),
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(json.dumps(match.to_dict(), ensure_ascii=False, sort_keys=True))
    elif match.ambiguous:
        print(f"{args.name!r} is ambiguous ({match.method}, score {match.score:.0f}); candidates:")
        for c in match.candidates:
            print(f"  {c.site_id}\t{c.name}\t{c.country}\t(via {c.alias!r})")
    else:
        print(
            f"{match.site_id}\t{match.name}\t{match.country}\t{match.province}\t"
            f"{match.lat:.5f}, {match.lon:.5f}\t±{match.uncertainty_m:.0f} m\t"
            f"score {match.score:.0f} ({match.method}, via {match.alias!r})"
        )
    return 0


def _run_batch(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..matching import geocode_all

    if not args.column:
        raise CommandError("--input needs --column, the column holding the names")
    fmt = args.format or ("json" if str(args.output).lower().endswith(".json") else "csv")
    check_output(args.output, (".csv", ".json"))
    raw = read_raw_input(args.input, args.input_format)
    table = raw.frame
    for option, column in (("--column", args.column), ("--country-column", args.country_column)):
        if column is not None and column not in table.columns:
            raise CommandError(f"{raw.label}: {option} {column!r} is not a column (it has "
                               f"{', '.join(map(str, table.columns))})")
    names = table[args.column].astype(object)
    hints = None
    if args.country_column:  # an empty cell is no hint
        hints = table[args.country_column].astype(object)
        hints = hints.where(hints.astype("string").str.strip().fillna("") != "", None)
    if hints is None and args.country:
        hints = pd.Series(args.country, index=table.index, dtype=object)
    # Each distinct (name, hint) pair is matched once, in chunks so that the bar can move.
    pairs = pd.DataFrame({"name": names, "hint": hints if hints is not None else None})
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(pairs.astype("string").fillna("\0")))
    first = pd.Series(range(len(pairs))).groupby(codes).first().to_numpy()
    unique = pairs.iloc[first].reset_index(drop=True)
    parts = []
    with progress_bar(len(unique), "geocoding", unit="name") as bar:
        for start in range(0, len(unique), CHUNK):
            chunk = unique.iloc[start:start + CHUNK]
            parts.append(geocode_all(chunk["name"], None if hints is None else chunk["hint"]))
            bar.update(len(chunk))
    matches = pd.concat(parts, ignore_index=True) if parts else geocode_all([])
    matches = matches.take(codes).reset_index(drop=True).drop(columns=["query"])
    out = pd.concat([table.reset_index(drop=True), matches.add_prefix(BATCH_PREFIX)], axis=1)
    with output_file(args.output, f".{fmt}") as tmp:
        if fmt == "csv":
            out.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
        else:
            out.to_json(tmp, orient="records", force_ascii=False, lines=True)
    found = matches["site_id"].notna()
    ambiguous = matches["ambiguous"].fillna(False).astype(bool)
    print(f"{raw.label}: {len(out)} names, {int(found.sum())} matched, {int(ambiguous.sum())} ambiguous, "
          f"{int((~found & ~ambiguous).sum())} not found", file=sys.stderr)
    return 0
