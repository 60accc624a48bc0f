"""What reading found wrong: the error and warning types, the report object, and the problem log.

Every problem names the file (its path, or :data:`FRAME_LABEL`), the row (numbered as in the file, header =
line 1) and the input column as the input spells it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "FRAME_LABEL",
    "IncidentValidationError",
    "IncidentWarning",
    "ReadResult",
    "ProblemLog",
    "empty_problems",
    "problem_lines",
    "counted_values",
]

FRAME_LABEL = "<DataFrame>"
"""The file name problems give for in-memory input."""

REJECTED_HEAD = ["row", "column", "value", "reason"]
"""The first columns of a rejected-rows table; the input row's raw values follow."""


def empty_problems() -> pd.DataFrame:
    """An empty problem table with the documented columns and dtypes."""
    return pd.DataFrame(
        {"file": pd.Series(dtype=str), "row": pd.Series(dtype="int64"), "column": pd.Series(dtype=str),
         "value": pd.Series(dtype=str), "reason": pd.Series(dtype=str)}
    )


class IncidentValidationError(ValueError):
    """An incident table has problems.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem: ``file``, ``row``, ``column``, ``value``, ``reason`` (empty for file-level
        errors such as a missing required column, which name the file in the message).
    rejected : pandas.DataFrame
        One row per rejected input row, as in :attr:`ReadResult.rejected` (empty for file-level errors).
    """

    def __init__(
        self, message: str, problems: pd.DataFrame | None = None, rejected: pd.DataFrame | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else empty_problems()
        self.rejected = rejected if rejected is not None else pd.DataFrame(columns=REJECTED_HEAD)


class IncidentWarning(UserWarning):
    """Rows were kept but something in them was changed or looks doubtful (non-strict reading)."""


@dataclass(repr=False)
class ReadResult:
    """What :func:`read_incidents` returns with ``errors="report"``.

    Every input row is in exactly one of :attr:`incidents` and :attr:`rejected`.

    Attributes
    ----------
    incidents : pandas.DataFrame
        The valid rows, as the incident table.
    rejected : pandas.DataFrame
        One row per rejected input row: ``row`` (row number in the file), ``column``, ``value`` and
        ``reason`` (several problems of one row joined with ``"; "`` in the same order in each of the three),
        then the input row's raw values under the input's column names (prefixed ``input_`` if a name
        clashes with the first four).
    problems : pandas.DataFrame
        One row per problem: ``file``, ``row``, ``column``, ``value``, ``reason``.
    file : str
        The path read, or ``"<DataFrame>"``.
    warnings : tuple of str
        The :class:`IncidentWarning` messages issued while reading.
    """

    incidents: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    file: str = FRAME_LABEL
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        lines = [
            f"ReadResult(file={self.file!r}, incidents={len(self.incidents)} rows, "
            f"rejected={len(self.rejected)} rows, problems={len(self.problems)})"
        ]
        lines += ["  " + line for line in problem_lines(self.problems, 5)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>ReadResult</b> from <code>{html.escape(self.file)}</code>: "
            f"{len(self.incidents)} incidents, {len(self.rejected)} rejected rows, "
            f"{len(self.problems)} problems</p>"
        )
        if len(self.problems) == 0:
            return f"<div>{head}</div>"
        table = self.problems.head(20).to_html(index=False, escape=True)
        more = len(self.problems) - 20
        tail = f"<p>... and {more} more</p>" if more > 0 else ""
        return f"<div>{head}{table}{tail}</div>"


class ProblemLog:
    """Problems found while reading, kept as vectorised parts (row positions + column + values + reasons)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, column: str, values: pd.Series | None, reason: str | np.ndarray) -> None:
        """One problem for every row where ``mask`` is true, showing that row's input value."""
        pos = np.flatnonzero(mask)
        if len(pos) == 0:
            return
        shown = _display(values, pos)
        why = reason[pos] if isinstance(reason, np.ndarray) else np.full(len(pos), reason, dtype=object)
        self.parts.append(
            pd.DataFrame({"pos": pos, "column": column, "value": shown, "reason": why}, copy=False)
        )

    def add_listed(self, pos: np.ndarray, column: str, values: list[str], reason: str) -> None:
        """One problem for each position in ``pos``, with the values given."""
        if len(pos):
            self.parts.append(pd.DataFrame({"pos": pos, "column": column, "value": values, "reason": reason}))

    def frame(self, label: str, rows: np.ndarray) -> pd.DataFrame:
        """The problem table (plus the row position ``pos``), in row order, checks in column order per row."""
        if not self.parts:
            return empty_problems()
        allp = pd.concat(self.parts, ignore_index=True)
        allp = allp.sort_values("pos", kind="stable", ignore_index=True)
        out = pd.DataFrame(
            {
                "file": label,
                "row": rows[allp["pos"].to_numpy()],
                "column": allp["column"].astype(str).to_numpy(),
                "value": allp["value"].astype(str).to_numpy(),
                "reason": allp["reason"].astype(str).to_numpy(),
            }
        )
        out["pos"] = allp["pos"].to_numpy()
        return out


def problem_lines(problems: pd.DataFrame, limit: int) -> list[str]:
    """``file:row: column 'x' value 'v': reason`` lines, at most ``limit``, then ``... and N more``.

    Examples
    --------
    >>> table = pd.DataFrame({"file": ["a.csv"], "row": [3], "column": ["date"], "value": ["x"],
    ...                       "reason": ["unparseable date"]})
    >>> problem_lines(table, 5)
    ["a.csv:3: column 'date' value 'x': unparseable date"]
    """
    lines = []
    for rec in problems.head(limit).itertuples(index=False):
        value = str(rec.value)
        value = value if len(value) <= 80 else value[:77] + "..."
        lines.append(f"{rec.file}:{rec.row}: column {rec.column!r} value {value!r}: {rec.reason}")
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return lines


def counted_values(values: pd.Series, limit: int = 20) -> str:
    """The distinct values with their counts, most frequent first (ties in sorted order), for warnings.

    Examples
    --------
    >>> counted_values(pd.Series(["drone", "UAV", "drone"]))
    "'drone' (2), 'UAV' (1)"
    """
    counts = values.value_counts(sort=False)
    counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
    return ", ".join(f"{v!r} ({c})" for v, c in counts.head(limit).items())


def _display(values: pd.Series | None, pos: np.ndarray) -> np.ndarray:
    """Input values at ``pos`` as text for messages ("" for missing)."""
    if values is None:
        return np.full(len(pos), "", dtype=object)
    return values.iloc[pos].astype("string").fillna("").to_numpy(dtype=object)
