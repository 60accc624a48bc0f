"""The ``geoincidents`` command line.

Exit codes: 0 success, 1 nothing found (``geocode``) or an invalid gazetteer (``gazetteer validate``),
2 bad input or usage (a one-paragraph message on stderr, no traceback, no partial output file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["main"]


class CommandError(Exception):
    """A user-facing failure: printed as one paragraph, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CommandError as exc:
        print(f"geoincidents: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError, UnicodeDecodeError) as exc:
        # Validation errors carry file, row and column in their message.
        print(f"geoincidents: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into `head`
        return 0


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="geoincidents",
        description="Attacks on bases hosting US and coalition troops in Iraq, Syria and Jordan, on a map.",
    )
    parser.add_argument("--version", action="version", version=f"geoincidents {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_geocode, _add_gazetteer):
        add(sub)
    return parser


# -- geocode --------------------------------------------------------------------------------------------------
def _add_geocode(sub: Any) -> None:
    p = sub.add_parser("geocode", help="find the site a place name refers to",
                       description="Find the gazetteer site a place name refers to.")
    p.add_argument("name", help='the place as written in a report, e.g. "Ain al-Asad"')
    p.add_argument("--country", help="only sites in this country (ISO3 code or name)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run_geocode)


def _run_geocode(args: argparse.Namespace) -> int:
    from .geocode import geocode

    match = geocode(args.name, args.country)
    if match is None:
        print(f"geoincidents: no site matches {args.name!r}"
              + (f" in {args.country}" if args.country else ""), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(match.to_dict(), ensure_ascii=False, sort_keys=True))
    elif match.ambiguous:
        print(f"{args.name!r} is ambiguous ({match.method}, score {match.score:.0f}); candidates:")
        for c in match.candidates:
            print(f"  {c.site_id}\t{c.name}\t{c.country}\t(via {c.alias!r})")
    else:
        print(f"{match.site_id}\t{match.name}\t{match.country}\t{match.province}\t"
              f"{match.lat:.5f}, {match.lon:.5f}\t±{match.uncertainty_m:.0f} m\t"
              f"score {match.score:.0f} ({match.method}, via {match.alias!r})")
    return 0


# -- gazetteer ------------------------------------------------------------------------------------------------
def _add_gazetteer(sub: Any) -> None:
    p = sub.add_parser("gazetteer", help="check, list or show the gazetteer's sites",
                       description="Check, list or show the gazetteer's sites.")
    p.add_argument("--sites", type=Path, help="a sites.csv (or a folder with sites.csv and aliases.csv) "
                   "to use instead of the bundled gazetteer")
    p.add_argument("--aliases", type=Path, help="the aliases.csv that goes with --sites")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("validate", help="check ids, aliases, coordinates and sources").set_defaults(
        handler=_run_gazetteer_validate)
    lister = actions.add_parser("list", help="list the sites")
    lister.add_argument("--country", help="only this country (ISO3 or name)")
    lister.set_defaults(handler=_run_gazetteer_list)
    show = actions.add_parser("show", help="show one site with its aliases and source")
    show.add_argument("site_id")
    show.set_defaults(handler=_run_gazetteer_show)


def _gazetteer(args: argparse.Namespace):
    from .gazetteer import Gazetteer, load_gazetteer

    if args.sites is None:
        return load_gazetteer()
    return Gazetteer.from_files(args.sites, args.aliases)


def _run_gazetteer_validate(args: argparse.Namespace) -> int:
    from .gazetteer import GazetteerError

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
    print(f"gazetteer OK: {len(gaz)} sites, {len(gaz.aliases)} aliases")
    return 0


def _run_gazetteer_list(args: argparse.Namespace) -> int:
    from .geocode import _country_hint

    gaz = _gazetteer(args)
    iso3 = _country_hint(args.country)
    for site in gaz:
        if iso3 is None or site.country == iso3:
            print(f"{site.site_id}\t{site.name}\t{site.kind}\t{site.country}\t{site.admin1}\t"
                  f"{site.lat:.5f}, {site.lon:.5f}\t±{site.uncertainty_m:.0f} m")
    return 0


def _run_gazetteer_show(args: argparse.Namespace) -> int:
    gaz = _gazetteer(args)
    if args.site_id not in gaz:
        raise CommandError(f"no site {args.site_id!r} in the gazetteer; `geoincidents gazetteer list` lists them")
    site = gaz[args.site_id]
    for key, value in site.to_dict().items():
        print(f"{key:>17}: {value}")
    print(f"{'aliases':>17}: " + "; ".join(a for a, sid, _ in gaz.aliases if sid == site.site_id))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
