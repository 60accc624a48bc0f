"""The ``geoincidents`` command line (also ``python -m geoincidents``).

Commands live in :mod:`geoincidents.commands` (one module each, with ``add_parser`` and ``run``; the incident
commands ``weekly``, ``map``, ``chart`` and ``demo`` share :mod:`geoincidents.commands.incidents`) and are
registered in :func:`_build_parser`. Exit codes: :data:`geoincidents.commands.EXIT_CODES` (0 success,
1 nothing found, 2 bad input or usage, 3 a missing optional extra); 130 interrupted (Ctrl-C: one line on
stderr, no traceback, no partial output file).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

# Only the standard library at import time: the heavy modules load inside main(), where a Ctrl-C that lands
# while they load is caught like any other (a `python -m geoincidents.cli` interrupted at start-up would
# otherwise print an import traceback).

__all__ = ["main"]


EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells expect."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code.

    ``argv`` None (the ``geoincidents`` script, ``python -m geoincidents``) means the program's own
    arguments. Interrupted then, the process ends at once with :data:`EXIT_INTERRUPTED` (``os._exit``, after
    the output files were cleaned up): the interpreter's shutdown, which would wait for worker threads and
    could die of a late signal, is skipped. Called with ``argv``, it returns the code and puts the caller's
    Ctrl-C handler back.
    """
    interrupted = threading.Event()
    previous = _on_interrupt(interrupted)
    try:
        try:
            code = _run(argv, interrupted)
        except KeyboardInterrupt:  # at any point: while modules load, the parser is built or a command works
            code = _interrupted()
            interrupted.set()
        if code == EXIT_INTERRUPTED and argv is None:
            _end_now(code)
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _run(argv: Sequence[str] | None, interrupted: threading.Event) -> int:
    from ._cli_selection import cli_message, plain_warnings
    from .commands.common import CommandError
    from .fileformats import MissingExtraError

    args = _build_parser().parse_args(argv)
    try:
        with plain_warnings():
            return args.handler(args)
    except BrokenPipeError:  # piped into `head`: not an error (and an OSError, so caught first)
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except MissingExtraError as exc:
        print(f"geoincidents: error: {exc}", file=sys.stderr)
        return 3
    except (CommandError, ValueError, OSError) as exc:  # OSError: unreadable input, unwritable output
        if interrupted.is_set():  # a library turned the interrupt into its own error: never blame the input
            return _interrupted()
        # Validation errors carry file, row and column in their message.
        print(f"geoincidents: error: {cli_message(str(exc))}", file=sys.stderr)
        return 2


def _on_interrupt(flag: threading.Event) -> Any:
    """Record Ctrl-C in ``flag`` before raising KeyboardInterrupt (main thread only); the old handler.

    Only the first Ctrl-C raises: a second KeyboardInterrupt would escape while the first is being handled.
    """
    if threading.current_thread() is not threading.main_thread():
        return None

    def handle(signum: int, frame: Any) -> None:
        if flag.is_set():
            return
        flag.set()
        raise KeyboardInterrupt

    return signal.signal(signal.SIGINT, handle)


def _interrupted() -> int:
    print("geoincidents: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def _end_now(code: int) -> None:
    """End the process with ``code`` without the interpreter's shutdown (streams flushed first)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            stream.flush()
    os._exit(code)


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__, cli_briefing
    from .commands import exit_codes_text
    from .commands import gazetteer as gazetteer_command
    from .commands import geocode as geocode_command
    from .commands import incidents as incident_commands  # weekly, map, chart, demo
    from .commands import join as join_command
    from .commands import validate as validate_command
    from .extraction.commands import add_parser as add_extraction_commands  # extract, merge
    from .service import add_parser as add_serve  # the HTTP service: geoincidents/service/

    parser = argparse.ArgumentParser(
        prog="geoincidents",
        description="Attacks on bases hosting US and coalition troops in Iraq, Syria, Jordan and the Gulf, "
        "on a map. Wherever a file is read or written, '-' means standard input or output.",
        epilog=exit_codes_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"geoincidents {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (geocode_command.add_parser, gazetteer_command.add_parser, incident_commands.add_parser,
                join_command.add_parser, validate_command.add_parser, add_serve):
        add(sub)
    cli_briefing.add_parser(sub, add_input=incident_commands.add_incident_input,
                            load=incident_commands.load_joined)
    add_extraction_commands(sub)
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
