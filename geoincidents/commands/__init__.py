"""The subcommands of the ``geoincidents`` command line, one module each.

A command module has two functions, and ``geoincidents/cli.py`` registers it with two lines::

    def add_parser(subparsers) -> None:   # adds its parser, sets handler=run
    def run(args: argparse.Namespace) -> int:   # does the work, returns the exit code

Shared plumbing lives in :mod:`~geoincidents.commands.common` (``-`` for standard input and output, the
``--input-format``/``--format`` conventions, :class:`~geoincidents.commands.common.CommandError`) and
:mod:`~geoincidents.commands.progress` (a progress bar on a terminal only).

Exit codes
----------
Every command uses the codes of :data:`EXIT_CODES`; the command line's ``--help`` and ``docs/cli.md`` show
the same table.
"""

from __future__ import annotations

__all__ = ["EXIT_CODES", "exit_codes_text"]

EXIT_CODES: tuple[tuple[int, str], ...] = (
    (0, "success (validate: every row is valid)"),
    (1, "nothing found: geocode NAME matches no site; gazetteer validate finds problems"),
    (2, "bad input or usage (one paragraph on stderr naming file, row and column; no partial output); "
        "validate: rows were rejected"),
    (3, "an optional extra is missing; the message names it (install geoincidents[parquet])"),
)
"""Exit code -> meaning, for every command."""


def exit_codes_text() -> str:
    """The exit codes as the lines shown at the end of ``geoincidents --help``.

    Examples
    --------
    >>> exit_codes_text().splitlines()[0]
    'exit codes:'
    """
    return "\n".join(["exit codes:", *(f"  {code}  {meaning}" for code, meaning in EXIT_CODES)])
