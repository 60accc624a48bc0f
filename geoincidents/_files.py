"""Writing output files atomically: a briefing never finds a half-written map, chart or table.

Every file geoincidents writes goes through :func:`atomic_path`. The rules it keeps:

* The data goes to a temporary file beside the target (same folder, so the final rename is atomic), named
  ``.<name>.gi-tmp-<pid>-<random><suffix>``; only when the writer finished is it renamed over the target.
  A failure (or Ctrl-C) removes it. A process killed outright (SIGKILL, power loss) cannot clean up: the next
  write to the same target removes such leftovers whose process is gone.
* The target must be a regular file or not exist. A device (``/dev/null``), a FIFO, a socket or a folder is
  refused with :class:`OutputPathError`; nothing is replaced.
* A symbolic link is followed: the file it points to is replaced and the link stays. A link to something that
  is not a regular file, or a dangling link, is refused.
* An existing file keeps its permission bits (a ``0600`` file stays ``0600``); a new file gets what a plain
  ``open(path, "w")`` would give (``0o666`` less the umask), not :func:`tempfile.mkstemp`'s owner-only mode.
* Errors name the target, not the temporary file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["OutputPathError", "atomic_path", "atomic_file_set", "TEMP_MARKER"]

TEMP_MARKER = ".gi-tmp-"
"""What every temporary file name of ours contains (after the target's name)."""


class OutputPathError(OSError):
    """The output path cannot be written as a regular file (a device, a folder, a dangling link ...)."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` only if the block succeeds.

    Parameters
    ----------
    path : str or path-like
        The target file. Its folder must exist.

    Yields
    ------
    pathlib.Path
        Where to write; the suffix is the target's, so writers that look at it pick the right format.

    Raises
    ------
    OutputPathError
        The target exists and is not a regular file (or a link to one), or its folder does not exist.
    OSError
        Writing or renaming failed; the message names the target.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "table.csv"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> target.read_text(), sorted(p.name for p in target.parent.iterdir())
    ('a,b\\n', ['table.csv'])
    """
    target = _resolve_target(Path(path))
    _remove_stale_temp_files(target)
    mode = _mode_for(target)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}{TEMP_MARKER}{os.getpid()}-", suffix=_full_suffix(target),
            dir=target.parent,
        )
    except OSError as exc:
        raise _naming(exc, target) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        raise _naming(exc, target) from exc
    finally:
        tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_file_set(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Like :func:`atomic_path` for formats that write several files (a Shapefile's ``.shp``, ``.dbf``, ...).

    Yields ``path``'s name inside a fresh temporary folder beside it; if the block succeeds, every file the
    block wrote there replaces its namesake beside ``path``, ``path`` itself last (so a reader that finds the
    ``.shp`` finds its ``.dbf``). Nothing is left behind if the block fails.
    """
    target = _resolve_target(Path(path))
    try:
        prefix = f".{target.name}{TEMP_MARKER}{os.getpid()}-"
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    except OSError as exc:
        raise _naming(exc, target) from exc
    try:
        yield folder / target.name
        written = sorted(folder.iterdir(), key=lambda p: (p.name == target.name, p.name))
        for part in written:
            final = target.parent / part.name
            os.chmod(part, _mode_for(final))
            os.replace(part, final)
    except OSError as exc:
        raise _naming(exc, target) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _full_suffix(target: Path) -> str:
    """``.shp.zip`` for a zipped Shapefile (GDAL picks the format from it), else the last suffix."""
    return ".shp.zip" if target.name.lower().endswith(".shp.zip") else target.suffix


def _resolve_target(path: Path) -> Path:
    """The file to replace: the path, or where its symlink points; refuse anything but a regular file."""
    if path.is_symlink():
        real = Path(os.path.realpath(path))
        if not real.exists():
            raise OutputPathError(errno.ENOENT, f"{path} is a symbolic link to {real}, which does not exist")
        if not real.is_file():
            raise OutputPathError(
                errno.EINVAL, f"{path} is a symbolic link to {real}, which is not a regular file"
            )
        path = real
    if path.exists() and not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file (a device, FIFO or socket)"
        raise OutputPathError(errno.EINVAL, f"cannot write {path}: it is {kind}")
    if not path.parent.is_dir():
        raise OutputPathError(errno.ENOENT, f"cannot write {path}: folder {path.parent} does not exist")
    return path


def _mode_for(target: Path) -> int:
    """The permission bits the written file gets: the existing file's, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _remove_stale_temp_files(target: Path) -> None:
    """Remove our temporary files for ``target`` left by processes that no longer run."""
    pattern = re.compile(re.escape(f".{target.name}{TEMP_MARKER}") + r"(\d+)-")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        found = pattern.match(name)
        if found and not _process_alive(int(found.group(1))):
            with contextlib.suppress(OSError):
                (target.parent / name).unlink()


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _naming(exc: OSError, target: Path) -> OSError:
    """The same error, saying which output it was about (never the temporary name)."""
    if isinstance(exc, OutputPathError):
        return exc
    reason = exc.strerror or str(exc)
    if exc.errno:
        return type(exc)(exc.errno, f"cannot write {target}: {reason}")
    return OSError(f"cannot write {target}: {reason}")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
