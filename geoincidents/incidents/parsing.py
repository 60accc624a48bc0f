"""Cell parsers shared by the readers: text, dates and numbers, each distinct value parsed once.

They return arrays aligned with the input plus a mask of unreadable cells; what to say about those cells is
the validator's business (:mod:`geoincidents.incidents.validation`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date as _date
from datetime import datetime as _datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

__all__ = ["NA_TOKENS", "text_cells", "map_distinct", "parse_dates", "parse_numbers"]

NA_TOKENS = frozenset({"na", "n/a", "nan", "none", "null", "unknown", "-"})
"""Cells that mean "not given" in a number column (compared lower-case)."""

_ISO_DATE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y",
                 "%d-%B-%Y", "%Y/%m/%d", "%d %B, %Y", "%d %b, %Y")
_BAD = object()


def text_cells(values: pd.Series | None, n: int) -> pd.Series:
    """Stripped text (nullable string dtype); empty and missing cells are NA.

    Examples
    --------
    >>> text_cells(pd.Series([" Erbil ", "", None]), 3).tolist()
    ['Erbil', <NA>, <NA>]
    """
    if values is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    text = values.astype("string").str.strip()
    return text.mask((text == "").fillna(False).to_numpy())


def map_distinct(values: pd.Series, func: Callable[[Any], Any]) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for NA) and ``func`` applied once per distinct value: the fast path for big tables.

    Examples
    --------
    >>> codes, mapped = map_distinct(pd.Series(["a", "b", "a", None]), str.upper)
    >>> codes.tolist(), mapped
    ([0, 1, 0, -1], ['A', 'B'])
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, [func(u) for u in uniques]


def parse_dates(values: pd.Series | None, n: int) -> tuple[pd.Series, np.ndarray]:
    """datetime64[ns] at midnight (NaT when missing) and a mask of unparseable values.

    Accepts datetimes, ISO text (``2025-05-16``, with optional time; ``2025-05`` is the 1st) and English
    day-month-year or month-day-year text (``16 May 2025``, ``May 16, 2025``). Slash dates other than
    ``YYYY/MM/DD`` are ambiguous and rejected. Each distinct value is parsed once.

    Examples
    --------
    >>> dates, bad = parse_dates(pd.Series(["2024-01-28", "28 January 2024", "1/28/24", ""]), 4)
    >>> [str(d.date()) if not pd.isna(d) else None for d in dates], bad.tolist()
    (['2024-01-28', '2024-01-28', None, None], [False, False, True, False])
    """
    index = pd.RangeIndex(n)
    if values is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"), np.zeros(n, dtype=bool)
    if is_datetime64_any_dtype(values.dtype):
        d = values.reset_index(drop=True)
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        return d.dt.normalize().astype("datetime64[ns]"), np.zeros(n, dtype=bool)
    obj = values.astype(object) if not isinstance(values.dtype, np.dtype) else values
    codes, parsed = map_distinct(obj, _parse_one_date)
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
    text = text_cells(values, n)
    text = text.mask(text.str.lower().isin(NA_TOKENS).fillna(False).to_numpy())
    nums = pd.to_numeric(text, errors="coerce")
    out = np.asarray(pd.Series(nums).to_numpy(dtype="float64", na_value=np.nan))
    bad = text.notna().to_numpy() & np.isnan(out)
    return out, bad


def _parse_one_date(value: Any) -> Any:
    """A distinct input value -> midnight Timestamp, None (missing) or _BAD."""
    ts: pd.Timestamp | None = None
    if isinstance(value, pd.Timestamp | _datetime | _date | np.datetime64):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            return None
        if _ISO_DATE.match(text) or _ISO_MONTH.match(text):
            try:
                ts = pd.Timestamp(text)
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
