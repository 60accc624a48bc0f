"""A progress bar on standard error for the steps that take more than a few seconds, only on a terminal.

In a pipe or a file (``2> log``) nothing is drawn, so scripts and logs stay clean. The bar (tqdm) appears only
after :data:`DELAY_S` seconds, so quick runs never show one.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["DELAY_S", "progress_bar"]

DELAY_S = 2.0
"""Seconds a step runs before its bar is drawn."""


def progress_bar(total: int, description: str, unit: str = "step") -> Any:
    """A tqdm bar on stderr (a context manager with ``update(n)``), disabled unless stderr is a terminal.

    Parameters
    ----------
    total : int
        Units of work.
    description : str
        What the bar counts, shown before it.
    unit : str, default "step"

    Examples
    --------
    >>> with progress_bar(2, "reading") as bar:  # stderr is not a terminal here: nothing is drawn
    ...     bar.update(2)
    """
    from tqdm import tqdm

    stream = sys.stderr
    terminal = bool(getattr(stream, "isatty", lambda: False)())
    return tqdm(total=total, desc=description, unit=unit, file=stream, disable=not terminal,
                delay=DELAY_S, leave=False, dynamic_ncols=True)
