"""``geoincidents validate``: check an incident table and print the rejected rows; exit 0 or 2 by result."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from .._cli_selection import add_read_arguments, read_options
from .common import add_input_format, read_input

__all__ = ["add_parser", "run", "REPORT_LIMIT"]

REPORT_LIMIT = 1_000_000
"""Problems printed in the ``table`` report (all of them, in practice)."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="check an incident table; print the rejected rows (exit 2 if any)",
        description="Check every row of an incident table. Prints the rejected rows (nothing when every row "
        "is valid) and a summary on stderr; exit code 0 when every row is valid, 2 otherwise.",
    )
    p.add_argument("input", help="incident table (any format read_incidents reads); '-' for stdin")
    p.add_argument("--format", default="table", choices=("table", "csv", "json"),
                   help="the report: table (one line per problem, default), csv (one row per rejected row "
                   "with its raw values) or json (a list of those rows)")
    p.add_argument("--strict", action="store_true",
                   help="also reject unknown vocabulary values and points outside their country")
    add_input_format(p)
    add_read_arguments(p, errors=False)  # validate always reports
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..incidents import IncidentWarning
    from ..incidents.problems import problem_lines

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", IncidentWarning)
        result = read_input(args.input, args.input_format, strict=args.strict,
                            **{**read_options(args), "errors": "report"})
    rejected = result.rejected
    if args.format == "csv":
        if len(rejected):
            sys.stdout.write(rejected.to_csv(index=False, lineterminator="\n"))
    elif args.format == "json":
        records = json.loads(rejected.to_json(orient="records", force_ascii=False))
        print(json.dumps(records, ensure_ascii=False))
    else:
        for line in problem_lines(result.problems, REPORT_LIMIT):
            print(line)
    for warning in caught:
        if issubclass(warning.category, IncidentWarning):
            print(f"geoincidents: warning: {warning.message}", file=sys.stderr)
    total = len(result.incidents) + len(rejected)
    verdict = "OK" if not len(rejected) else f"{len(rejected)} rejected"
    print(f"{result.file}: {total} rows, {len(result.incidents)} valid, {verdict}", file=sys.stderr)
    return 0 if not len(rejected) else 2
