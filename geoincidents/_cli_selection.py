"""Command-line options of ``weekly``, ``map``, ``chart`` and ``brief`` (what to read, what to count) and of
``join`` and ``validate`` (what to read).

``--event-type``/``--target`` select events (default: attacks on US/coalition forces, and the commands say
so on stderr); ``--source``, ``--errors``, ``--dayfirst``/``--monthfirst`` go to
:func:`geoincidents.read_incidents`. Warnings print as one plain line each, and messages written for Python
callers name the command-line flags instead.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from .schema import ATTACK_EVENT_TYPES, EVENT_TYPE, TARGET

__all__ = [
    "add_selection_arguments", "add_read_arguments", "read_options", "selection", "plain_warnings",
    "cli_message",
]

_PYTHON_TO_CLI = (
    ("use errors='report' to keep the valid rows", "use --errors report to keep the valid rows"),
    ("pass dayfirst=True or dayfirst=False", "pass --dayfirst or --monthfirst"),
    (" (command line: --dayfirst or --monthfirst)", ""),
    ("strict=True rejects them", "they are kept"),
)


def add_selection_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--event-type``, ``--target``, ``--source``, ``--errors``, ``--dayfirst``/``--monthfirst``."""
    p.add_argument("--event-type", help="event types to count, comma-separated, or 'all' (default: "
                   f"{','.join(ATTACK_EVENT_TYPES)}, attacks on US/coalition forces; "
                   f"values: {', '.join(EVENT_TYPE.values)})")
    p.add_argument("--target", help=f"only these targets, comma-separated ({', '.join(TARGET.values)})")
    add_read_arguments(p)


def add_read_arguments(p: argparse.ArgumentParser, *, errors: bool = True) -> None:
    """Add ``--source``, ``--errors`` (unless ``errors=False``) and ``--dayfirst``/``--monthfirst``."""
    p.add_argument("--source", choices=["acled", "ucdp", "table"], help="force the data source (default: "
                   "detected from the columns)")
    if errors:
        p.add_argument("--errors", default="raise", choices=["raise", "report"],
                       help="report: skip bad rows (counted on stderr) instead of stopping")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True,
                       help="all-number dates are day/month/year")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="all-number dates are month/day/year")


def read_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`geoincidents.read_incidents` from the parsed flags."""
    return {"errors": getattr(args, "errors", "raise"), "source": getattr(args, "source", None),
            "dayfirst": getattr(args, "dayfirst", None)}


def selection(args: argparse.Namespace) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """``(event_types, targets)`` from ``--event-type``/``--target`` (None: every value)."""
    event_types: tuple[str, ...] | None = ATTACK_EVENT_TYPES
    raw = getattr(args, "event_type", None)
    if raw:
        every = raw.strip().lower() == "all"
        event_types = None if every else _values(raw, EVENT_TYPE.values, "--event-type")
    raw_target = getattr(args, "target", None)
    targets = _values(raw_target, TARGET.values, "--target") if raw_target else None
    return event_types, targets


@contextlib.contextmanager
def plain_warnings() -> Iterator[None]:
    """Print every warning raised inside as one line, ``warning: <message>``, on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                print(f"warning: {cli_message(str(w.message))}", file=sys.stderr)


def cli_message(text: str) -> str:
    """A message written for Python callers, with the command-line flags instead of the arguments.

    Examples
    --------
    >>> cli_message("x.csv: 1 problem(s) in 1 of 2 row(s); use errors='report' to keep the valid rows")
    'x.csv: 1 problem(s) in 1 of 2 row(s); use --errors report to keep the valid rows'
    """
    for python, cli in _PYTHON_TO_CLI:
        text = text.replace(python, cli)
    return text


def _values(raw: str, allowed: tuple[str, ...], flag: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in raw.split(",") if v.strip())
    unknown = [v for v in values if v not in allowed]
    if unknown or not values:
        listed = ", ".join(unknown) or repr(raw)
        raise ValueError(f"{flag}: unknown value(s) {listed} (allowed: {', '.join(allowed)})")
    return values
