"""The ``geoincidents brief`` command, and the PNG/SVG output of ``geoincidents map``.

``cli.py`` registers them: :func:`add_parser` adds ``brief`` (given the shared input options and the loader
of the joined table), :func:`run_static_map` draws ``map ... -o map.png``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run", "run_static_map"]

Loader = Callable[[argparse.Namespace], Any]


def add_parser(sub: Any, *, add_input: Callable[[argparse.ArgumentParser], None], load: Loader) -> None:
    """Add ``brief INPUT -o brief.html`` to the command line.

    Parameters
    ----------
    sub : argparse subparsers
        From ``ArgumentParser.add_subparsers``.
    add_input : callable
        Adds the input argument and the ``--country``/``--since``/``--until`` filters.
    load : callable
        Reads, filters and joins the input named by the parsed arguments.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> sub = parser.add_subparsers()
    >>> add_parser(sub, add_input=lambda p: p.add_argument("input"), load=lambda a: None)
    >>> parser.parse_args(["brief", "in.csv", "-o", "b.html"]).output
    PosixPath('b.html')
    """
    p = sub.add_parser(
        "brief",
        help="write a one-file HTML briefing (map, weekly chart, tables, sources)",
        description="Write one self-contained HTML briefing of the incidents: the map, the weekly chart, "
        "tables per week and per site, reported totals beside the mapped counts, sources and methods. "
        "It opens without any network and prints on A4.",
    )
    add_input(p)
    p.add_argument("-o", "--output", required=True, type=Path, help="the HTML file to write")
    p.add_argument("--title", help="title of the briefing")
    p.add_argument(
        "--by",
        default="country",
        choices=["country", "weapon", "site", "event_type"],
        help="how the weekly chart and table are split",
    )
    p.add_argument("--color-by", default="country", choices=["country", "weapon"], help="map circle colour")
    p.set_defaults(handler=lambda args: run(args, load))


def run(args: argparse.Namespace, load: Loader) -> int:
    """Write the briefing named by ``args``; returns the exit code."""
    from .briefings import briefing
    from .commands.common import STDIO, CommandError, check_output

    if str(args.output) == STDIO:
        raise CommandError("brief writes a file: give -o brief.html")
    check_output(args.output, (".html", ".htm"))
    joined = load(args)
    briefing(joined, args.output, title=args.title, by=args.by, map_options={"color_by": args.color_by})
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes, {len(joined)} incidents)")
    return 0


def run_static_map(args: argparse.Namespace, joined: Any) -> int:
    """Draw ``map ... -o map.png`` (or ``.svg``) with matplotlib; returns the exit code."""
    from .maps.static import static_map

    static_map(joined, args.output, title=args.title, color_by=args.color_by)
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes, {len(joined)} incidents)")
    return 0
