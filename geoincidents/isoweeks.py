"""ISO weeks: the Monday that starts each date's week and its ``YYYY-Www`` label, computed in one place.

Aggregation, maps and charts all group by these weeks, so the year end is handled the same everywhere
(2024-12-30 is in 2025-W01; 2021-01-03 is in 2020-W53).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["week_start_days", "week_start", "iso_week_label"]


def week_start_days(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 of the Monday that starts each date's ISO week (int64; dates must not be NaT).

    Examples
    --------
    >>> week_start_days(pd.Series(pd.to_datetime(["1970-01-05", "1970-01-11"]))).tolist()
    [4, 4]
    """
    days = pd.to_datetime(dates).to_numpy(dtype="datetime64[D]").astype(np.int64)
    return days - (days + 3) % 7  # 1970-01-01 was a Thursday: (days + 3) % 7 is 0 on Mondays


def week_start(dates: pd.Series) -> pd.Series:
    """The Monday (midnight, datetime64[ns]) that starts each date's ISO week, NaT for NaT.

    Examples
    --------
    >>> week_start(pd.Series(pd.to_datetime(["2023-10-17", "2023-10-22"]))).dt.strftime("%Y-%m-%d").tolist()
    ['2023-10-16', '2023-10-16']
    """
    dates = pd.to_datetime(dates)
    return dates.dt.normalize() - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def iso_week_label(dates: pd.Series) -> pd.Series:
    """ISO week labels (``"2023-W42"``) of dates (any day of the week), each distinct date labelled once.

    Examples
    --------
    >>> iso_week_label(pd.Series(pd.to_datetime(["2021-01-03", "2024-12-30", "2023-10-17"]))).tolist()
    ['2020-W53', '2025-W01', '2023-W42']
    """
    if dates.empty:
        return pd.Series([], dtype="str", index=dates.index)
    codes, uniques = pd.factorize(pd.to_datetime(dates))
    iso = pd.Series(uniques).dt.isocalendar()
    labels = (iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)).to_numpy(dtype=object)
    return pd.Series(pd.array(labels.take(codes).tolist(), dtype="str"), index=dates.index)
