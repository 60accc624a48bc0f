"""Writing output files atomically: a briefing never finds a half-written map or chart."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds.

    The file gets the permissions a plain ``open(path, "w")`` would give (``0o666`` less the umask), not the
    owner-only mode of :func:`tempfile.mkstemp`, so a map written for a briefing can be shared.
    """
    path = Path(path)
    # The whole suffix (".shp.zip"): some writers (GDAL) choose the format from it.
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix="".join(path.suffixes), dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_file_set(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Like :func:`atomic_path` for formats that write several files (a Shapefile's ``.shp``, ``.dbf``, ...).

    Yields ``path``'s name inside a fresh temporary folder beside it; if the block succeeds, every file the
    block wrote there replaces its namesake beside ``path``, ``path`` itself last (so a reader that finds the
    ``.shp`` finds its ``.dbf``). Nothing is left behind if the block fails.
    """
    path = Path(path)
    folder = Path(tempfile.mkdtemp(prefix=f".{path.stem}.", dir=path.parent))
    try:
        yield folder / path.name
        written = sorted(folder.iterdir(), key=lambda p: (p.name == path.name, p.name))
        for part in written:
            os.chmod(part, 0o666 & ~_umask())
            os.replace(part, path.parent / part.name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
