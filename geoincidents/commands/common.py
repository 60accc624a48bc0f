"""What the commands share: ``-`` for standard input and output, format options, user-facing errors.

Conventions
-----------
* ``-`` as an input reads standard input; its format comes from ``--input-format`` or from its first bytes.
  Problems name the file ``<stdin>``, the row and the column, as they would a file.
* ``-`` as an output (``-o -``) writes standard output; its format comes from ``--format`` (a file's format
  comes from its suffix unless ``--format`` is given).
* Files are written atomically (:func:`geoincidents._files.atomic_path`): a failing command leaves none.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._files import atomic_path

__all__ = [
    "STDIO", "CommandError", "add_input_format", "read_input", "kept_rows", "read_raw_input", "output_file",
    "check_output",
]

STDIO = "-"
"""The file name that means standard input (as an input) or standard output (as an output)."""


class CommandError(Exception):
    """A user-facing failure: printed as one paragraph, exit code 2."""


def add_input_format(parser: argparse.ArgumentParser) -> None:
    """Add ``--input-format`` (needed only when neither a suffix nor the first bytes tell the format)."""
    from ..fileformats import FORMATS

    parser.add_argument("--input-format", choices=FORMATS,
                        help="format of the input (default: from its suffix; for '-', from its first bytes)")


def read_input(name: str, input_format: str | None = None, **options: Any) -> Any:
    """``read_incidents`` of a file or of standard input (``-``); options go to ``read_incidents``."""
    from ..incidents import read_incidents

    if name == STDIO:
        return read_incidents(sys.stdin.buffer, file_format=input_format, **options)
    path = Path(name)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    return read_incidents(path, file_format=input_format, **options)


def kept_rows(result: Any) -> Any:
    """The incidents of a ``read_incidents`` answer: a table as it is; of a ``ReadResult`` (``--errors
    report``) its valid rows, saying on stderr how many were rejected."""
    from ..incidents import ReadResult

    if not isinstance(result, ReadResult):
        return result
    print(f"warning: {len(result.rejected)} row(s) rejected, {len(result.incidents)} kept", file=sys.stderr)
    return result.incidents


def read_raw_input(name: str, input_format: str | None = None) -> Any:
    """The raw table (any format, cells as the file has them) of a file or standard input."""
    from ..incidents import read_raw

    if name == STDIO:
        return read_raw(sys.stdin.buffer, input_format)
    path = Path(name)
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    return read_raw(path, input_format)


def check_output(target: str | Path, suffixes: tuple[str, ...]) -> None:
    """Refuse an output whose suffix is not in ``suffixes`` or whose folder is missing (``-`` is fine)."""
    if str(target) == STDIO:
        return
    path = Path(target)
    if not path.name.lower().endswith(suffixes):
        raise CommandError(f"{path}: the output must end with {' or '.join(suffixes)}")
    if not path.parent.exists():
        raise CommandError(f"{path}: folder {path.parent} does not exist")


@contextlib.contextmanager
def output_file(target: str | Path, suffix: str) -> Iterator[Path]:
    """A path to write to: a temporary file that replaces ``target``, or whose bytes go to stdout (``-``)."""
    if str(target) != STDIO:
        with atomic_path(target) as tmp:
            yield tmp
        return
    folder = tempfile.mkdtemp(prefix=".geoincidents-")
    try:
        tmp = Path(folder) / f"output{suffix}"
        yield tmp
        with open(tmp, "rb") as fh:
            shutil.copyfileobj(fh, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
