"""Cell parsers shared by the readers: text, dates and numbers, each distinct value parsed once.

They return arrays aligned with the input plus a mask of unreadable cells; what to say about those cells is
the validator's business (:mod:`geoincidents.incidents.validation`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as _date
from datetime import datetime as _datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

__all__ = ["NA_TOKENS", "DateOrderError", "DistinctText", "distinct_text", "surely_distinct", "text_cells",
           "parse_dates", "parse_numbers"]

NA_TOKENS = frozenset({"na", "n/a", "nan", "none", "null", "unknown", "-"})
"""Cells that mean "not given" in a number column (compared lower-case)."""

_ISO_DATE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
# Month-name forms are never ambiguous. "%y" reads a two-digit year by the POSIX rule: 69-99 -> 1969-1999,
# 00-68 -> 2000-2068 (ACLED's exports "9-May-20", "05-Jan-22" are 2020 and 2022).
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y",
                 "%d-%B-%Y", "%d-%b-%y", "%d-%B-%y", "%d %b %y", "%d/%b/%Y", "%d/%b/%y", "%Y/%m/%d",
                 "%d %B, %Y", "%d %b, %Y")
# All-number dates: day and month may come in either order ("31-12-19", "12/31/2019").
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$")
_BAD = object()
TWO_DIGIT_YEAR_PIVOT = 69
"""A two-digit year ``yy`` is 19yy when ``yy >= 69``, else 20yy (the POSIX ``strptime`` rule)."""


class DateOrderError(ValueError):
    """A column of all-number dates whose day/month order the values do not decide (or contradict).

    Attributes
    ----------
    example : str
        A value that reads both ways (or, for a contradiction, one value of each order).
    readings : tuple of str
        Its two readings, day first then month first (ISO dates).
    """

    def __init__(self, message: str, example: str, readings: tuple[str, str]):
        super().__init__(message)
        self.example = example
        self.readings = readings


def text_cells(values: pd.Series | None, n: int) -> pd.Series:
    """Stripped text (nullable string dtype); empty and missing cells are NA.

    Examples
    --------
    >>> text_cells(pd.Series([" Erbil ", "", None]), 3).tolist()
    ['Erbil', <NA>, <NA>]
    """
    if values is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    text = values.astype("string")
    stripped = text.str.strip()
    empty = (stripped == "").fillna(False).to_numpy(dtype=bool)
    if empty.any():
        return stripped.mask(empty)
    return stripped


@dataclass(frozen=True)
class DistinctText:
    """A column as :func:`text_cells` would give it, held as codes into its distinct values.

    Checks and conversions then run once per distinct value (a few hundred for most columns of a million
    rows) and are spread back to the rows through :attr:`codes`.

    Attributes
    ----------
    codes : numpy.ndarray
        intp, one per row: the position of the row's text in :attr:`values`, -1 where the cell is missing
        (NA, empty or white space).
    values : pandas.Series
        The distinct stripped texts (nullable string dtype, no NA), in order of first appearance (after
        :meth:`masked`, also values no row refers to any more).
    same : pandas.Series or None
        The input column itself when :func:`text_cells` would not change a cell of it (nothing to strip,
        no empty cell), so that it can stand for the text without a copy; else None.
    """

    codes: np.ndarray
    values: pd.Series
    same: pd.Series | None = None

    @property
    def missing(self) -> np.ndarray:
        """Mask of the rows without text."""
        return self.codes < 0

    def masked(self, drop: np.ndarray) -> DistinctText:
        """The same column with the rows whose value is marked in ``drop`` (one bool per value) missing."""
        if not drop.any():
            return self
        codes = np.where(np.append(drop, False)[self.codes], -1, self.codes)
        return DistinctText(codes, self.values)

    def spread(self, per_value: Sequence[Any] | np.ndarray, missing: Any, dtype: Any = object) -> np.ndarray:
        """``per_value[code]`` for each row (``missing`` where the row has no text)."""
        lookup = np.empty(len(per_value) + 1, dtype=dtype)
        lookup[: len(per_value)] = per_value
        lookup[-1] = missing
        return lookup[self.codes]

    def text(self) -> pd.Series:
        """The column as :func:`text_cells` gives it (the input itself, retyped, when :attr:`same`)."""
        if self.same is not None:
            return self.same.astype("string").reset_index(drop=True)
        return pd.Series(self.values.array.take(self.codes, allow_fill=True))

    def spelled_as_input(self, per_value: Sequence[Any]) -> bool:
        """Whether a column of ``per_value[code]`` per row spells every cell exactly as the input does (every
        row has text, each value maps to itself), so that the input column can stand for it."""
        return self.same is not None and not self.missing.any() and list(per_value) == self.values.tolist()


def distinct_text(values: pd.Series | None, n: int) -> DistinctText:
    """``text_cells(values, n)`` as codes into its distinct values, each value stripped once.

    Examples
    --------
    >>> d = distinct_text(pd.Series([" Erbil", "Erbil", "", None, "Tower 22"]), 5)
    >>> d.codes.tolist(), d.values.tolist()
    ([0, 0, -1, -1, 1], ['Erbil', 'Tower 22'])
    """
    if values is None:
        return DistinctText(np.full(n, -1, dtype=np.intp), pd.Series([], dtype="string"))
    arrow = _arrow_text(values)
    if arrow is not None and len(arrow) and (arrow.null_count == len(arrow) or not _longest(arrow)):
        return DistinctText(np.full(n, -1, dtype=np.intp), pd.Series([], dtype="string"))  # all empty
    # Text dtypes are factorised as they are; others are made text first, cell by cell (1 and 1.0 differ).
    text = values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    raw = pd.Series(uniques, dtype="string").reset_index(drop=True)
    stripped = raw.str.strip()
    empty = (stripped == "").to_numpy(dtype=bool, na_value=False)
    if not empty.any() and bool((stripped == raw).all()):
        return DistinctText(codes.astype(np.intp, copy=False), stripped, values)
    stripped = stripped.mask(empty)
    sub, final = pd.factorize(stripped, use_na_sentinel=True)
    remap = np.append(sub, -1).astype(np.intp)
    return DistinctText(remap[codes], pd.Series(final, dtype="string").reset_index(drop=True))


def surely_distinct(values: pd.Series) -> bool:
    """Whether the cells of a pyarrow-backed text column all differ, told from a 64-bit hash of each cell.

    One vectorised pass and a sort, instead of a hash table of the strings: when no two hashes are equal,
    no two cells are. False means "cannot tell" (two hashes equal, NA cells, cells longer than
    :data:`_HASHED_BYTES`, other dtypes): compare the values themselves then.

    Examples
    --------
    >>> ids = pd.Series(["a1", "a2", "a10"], dtype="string[pyarrow]")
    >>> surely_distinct(ids), surely_distinct(pd.concat([ids, ids.iloc[:1]]))
    (True, False)
    """
    text = _arrow_text(values)
    if text is None or text.null_count:
        return False
    parts = []
    for chunk in text.chunks:
        if len(chunk):
            hashed = _hash_cells(chunk)
            if hashed is None:
                return False
            parts.append(hashed)
    if not parts:
        return True
    hashes = np.sort(np.concatenate(parts))
    return not bool((hashes[1:] == hashes[:-1]).any())


_HASHED_BYTES = 64
"""Longest cell (UTF-8 bytes) :func:`surely_distinct` hashes."""
_BYTE_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [2**64 - 1], dtype=np.uint64)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _hash_cells(chunk: Any) -> np.ndarray | None:
    """A uint64 hash of each cell of a pyarrow (large) string array, 8 bytes at a time: the length, then
    each word xor-ed in, multiplied by an odd constant and xor-shifted (both one-to-one, so cells of one
    length and up to 8 bytes never share a hash). None when a cell is longer than :data:`_HASHED_BYTES`."""
    import pyarrow as pa

    buffers = chunk.buffers()
    offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=offset_type)[chunk.offset : chunk.offset + len(chunk) + 1]
    offsets = offsets.astype(np.int64)
    lengths = np.diff(offsets)
    longest = int(lengths.max())
    if longest > _HASHED_BYTES:
        return None
    first, end = int(offsets[0]), int(offsets[-1])
    padded = np.zeros(end - first + 8, dtype=np.uint8)
    if end > first:
        padded[: end - first] = np.frombuffer(buffers[2], dtype=np.uint8)[first:end]
    # Every byte position as the start of a little-endian 64-bit word (a strided view, no copy).
    words = np.ndarray((len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    starts = offsets[:-1] - first
    last = len(words) - 1
    hashed = lengths.astype(np.uint64) * _GOLDEN
    for k in range(0, longest, 8):
        word = words[np.minimum(starts + k, last)] & _BYTE_MASKS[np.clip(lengths - k, 0, 8)]
        hashed = (hashed ^ word) * _GOLDEN
        hashed ^= hashed >> np.uint64(29)
    return hashed


def parse_dates(values: pd.Series | None, n: int, *, dayfirst: bool | None = None
                ) -> tuple[pd.Series, np.ndarray]:
    """datetime64[ns] at midnight (NaT when missing) and a mask of unparseable values.

    Accepts datetimes, ISO text (``2025-05-16``, with optional time; ``2025-05`` is the 1st), English
    month-name text (``16 May 2025``, ``May 16, 2025``, ``9-May-20``, ``05-Jan-22``) and all-number dates
    (``31-12-19``, ``12/31/2019``, ``31.12.2019``). A two-digit year is 19yy from 69 up, else 20yy
    (:data:`TWO_DIGIT_YEAR_PIVOT`). For all-number dates the day/month order is decided once for the whole
    column from all its values: a value with a first number above 12 means day first, a second number above
    12 means month first; ``dayfirst`` forces the order. Each distinct value is parsed once.

    Raises
    ------
    DateOrderError
        When the column's all-number dates all read both ways (and ``dayfirst`` is None), or some values
        need day first and others month first.

    Examples
    --------
    >>> dates, bad = parse_dates(pd.Series(["2024-01-28", "28 January 2024", "1/28/24", "", "x"]), 5)
    >>> [str(d.date()) if not pd.isna(d) else None for d in dates], bad.tolist()
    (['2024-01-28', '2024-01-28', '2024-01-28', None, None], [False, False, False, False, True])
    >>> dates, _ = parse_dates(pd.Series(["9-May-20", "31-12-19", "05-01-19"]), 3)
    >>> [str(d.date()) for d in dates]
    ['2020-05-09', '2019-12-31', '2019-01-05']
    >>> try:
    ...     parse_dates(pd.Series(["03/04/2020"]), 1)
    ... except DateOrderError as exc:
    ...     exc.readings
    ('2020-04-03', '2020-03-04')
    """
    index = pd.RangeIndex(n)
    if values is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"), np.zeros(n, dtype=bool)
    if is_datetime64_any_dtype(values.dtype):
        d = values.reset_index(drop=True)
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        return d.dt.normalize().astype("datetime64[ns]"), np.zeros(n, dtype=bool)
    keep = isinstance(values.dtype, np.dtype | pd.StringDtype)  # text is factorised as it is (no copy)
    obj = values if keep else values.astype(object)
    codes, uniques = pd.factorize(obj, use_na_sentinel=True)
    order = _numeric_order(list(uniques), dayfirst)
    parsed = [_parse_one_date(u, order) for u in uniques]
    lookup = np.array(
        [p.to_datetime64() if isinstance(p, pd.Timestamp) else np.datetime64("NaT", "ns") for p in parsed]
        + [np.datetime64("NaT", "ns")],
        dtype="datetime64[ns]",
    )
    bad_lookup = np.array([p is _BAD for p in parsed] + [False], dtype=bool)
    return pd.Series(lookup[codes], index=index), bad_lookup[codes]


def parse_numbers(values: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN when missing or unreadable) and a mask of cells that are not numbers.

    Examples
    --------
    >>> nums, bad = parse_numbers(pd.Series(["33.8", "n/a", "north", ""]), 4)
    >>> nums.tolist(), bad.tolist()
    ([33.8, nan, nan, nan], [False, False, True, False])
    """
    if values is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan), np.zeros(n, dtype=bool)
    cast = _cast_numbers(values)
    if cast is not None:  # arrow text, every cell empty or a number pyarrow reads: no cell is bad
        return cast, np.zeros(n, dtype=bool)
    plain = _plain_numbers(values)
    if plain is not None:  # arrow text: plain decimals cast in C, only the other cells parsed below
        out, other = plain
        bad = np.zeros(n, dtype=bool)
        if other.any():
            out[other], bad[other] = _parse_number_text(values[other], int(other.sum()))
        return out, bad
    return _parse_number_text(values, n)


def _parse_number_text(values: pd.Series, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Stripped text, NA tokens as missing, the rest through ``pd.to_numeric``."""
    text = text_cells(values, n)
    text = text.mask(text.str.lower().isin(NA_TOKENS).fillna(False).to_numpy())
    nums = pd.to_numeric(text, errors="coerce")
    out = np.asarray(pd.Series(nums).to_numpy(dtype="float64", na_value=np.nan))
    bad = text.notna().to_numpy() & np.isnan(out)
    return out, bad


_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?$"
"""Cells pyarrow's cast reads exactly as ``pd.to_numeric`` does (both round correctly)."""


def _arrow_text(values: pd.Series) -> Any:
    """The pyarrow array behind a pyarrow-backed text column; None for other dtypes."""
    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        return None
    import pyarrow as pa

    return pa.chunked_array(pa.array(values.array))


def _longest(text: Any) -> int:
    """The longest cell of a pyarrow text array, in bytes (0 when all are empty or missing)."""
    import pyarrow.compute as pc

    return int(pc.max(pc.binary_length(text)).as_py() or 0)


def _cast_numbers(values: pd.Series) -> np.ndarray | None:
    """float64 of a pyarrow-backed text column whose every cell is empty, missing or a number pyarrow's cast
    reads (one pass in C); None when some cell is anything else (or reads as NaN: ``nan`` is a missing value
    to :data:`NA_TOKENS` but ``-nan`` is not a number) or for other dtypes."""
    text = _arrow_text(values)
    if text is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = pc.fill_null(pc.equal(text, ""), True)
    try:
        numbers = pc.cast(pc.if_else(missing, pa.scalar(None, text.type), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64")
    if int(np.count_nonzero(np.isnan(out))) != (pc.sum(missing).as_py() or 0):
        return None
    return out if out.flags.writeable else out.copy()


def _plain_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """For pyarrow-backed text: float64 of the plain decimal cells (NaN for empty ones and for the rest),
    and the mask of the rest (padded, NA tokens, not numbers); None for other dtypes."""
    text = _arrow_text(values)
    if text is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False)
    empty = pc.fill_null(pc.equal(text, ""), False)
    numbers = pc.cast(pc.if_else(plain, text, pa.scalar(None, text.type)), pa.float64())
    out = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype="float64").copy()
    other = ~(np.asarray(plain.to_numpy(zero_copy_only=False), dtype=bool)
              | np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool))
    return out, other


def _numeric_parts(value: Any) -> tuple[int, int, int] | None:
    """(first, second, year) of an all-number date, the year widened to four digits."""
    if not isinstance(value, str):
        return None
    match = _NUMERIC_DATE.match(value.strip())
    if match is None:
        return None
    year = int(match.group(4))
    if len(match.group(4)) == 2:
        year += 1900 if year >= TWO_DIGIT_YEAR_PIVOT else 2000
    return int(match.group(1)), int(match.group(3)), year


def _numeric_order(uniques: list[Any], dayfirst: bool | None) -> bool | None:
    """Day first (True) or month first (False) for the column's all-number dates; None when it has none."""
    parts = [(u, p) for u in uniques if (p := _numeric_parts(u)) is not None]
    if not parts or dayfirst is not None:
        return dayfirst
    day_first = [u for u, (a, b, _) in parts if a > 12 and b <= 12]
    month_first = [u for u, (a, b, _) in parts if b > 12 and a <= 12]
    if day_first and month_first:
        raise DateOrderError(
            f"day/month order contradicts itself: {str(day_first[0])!r} needs day first, "
            f"{str(month_first[0])!r} month first; pass dayfirst=True or dayfirst=False",
            str(day_first[0]), (str(day_first[0]), str(month_first[0])),
        )
    if day_first or month_first:
        return bool(day_first)
    both = [(u, p) for u, p in parts if p[0] != p[1]]
    if not both:
        return True  # every value has day == month: the order does not matter
    value, (a, b, year) = both[0]
    readings = (_iso(year, b, a), _iso(year, a, b))
    raise DateOrderError(
        f"day/month order is ambiguous: every all-number date reads both ways (e.g. {str(value)!r} is "
        f"{readings[0]} day first or {readings[1]} month first); pass dayfirst=True or dayfirst=False",
        str(value), readings,
    )


def _iso(year: int, month: int, day: int) -> str:
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}-{day:02d} (no such day)"


def _parse_one_date(value: Any, dayfirst: bool | None = None) -> Any:
    """A distinct input value -> midnight Timestamp, None (missing) or _BAD."""
    ts: pd.Timestamp | None = None
    if isinstance(value, pd.Timestamp | _datetime | _date | np.datetime64):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            return None
        numeric = _numeric_parts(text)
        if _ISO_DATE.match(text) or _ISO_MONTH.match(text):
            try:
                ts = pd.Timestamp(text)
            except ValueError:
                return _BAD
        elif numeric is not None:
            first, second, year = numeric
            day, month = (first, second) if dayfirst in (True, None) else (second, first)
            try:
                ts = pd.Timestamp(_datetime(year, month, day))
            except ValueError:
                return _BAD
        else:
            for fmt in _DATE_FORMATS:
                try:
                    ts = pd.Timestamp(_datetime.strptime(text, fmt))
                    break
                except ValueError:
                    continue
        if ts is None:
            return _BAD
    else:
        return _BAD
    assert ts is not None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # keep the local calendar day
    try:
        return ts.normalize().as_unit("ns")
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        return _BAD
