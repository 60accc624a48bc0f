"""The example data shipped with the package: a small curated incident table and reported totals.

The files live in ``geoincidents/data/`` (see its README for sources and reasoning):

* ``example_incidents.csv``: the incident schema columns except ``sources``;
* ``example_sources.csv``: one row per article (``incident_id, publisher, published, url, title``), from
  which the ``sources`` column is built;
* ``campaign_incidents.csv``, ``campaign_sources.csv`` and ``campaign_totals.csv``: the same three layouts
  for the 2023-2024 campaign dataset (see ``CAMPAIGN.md``);
* ``reported_totals.csv``: totals as officials or media reported them
  (``as_of, scope, metric, value, period_start, source_publisher, source_published, notes``).

The loaders validate through the same code as user files and cache the result; callers get copies.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["campaign_incidents", "campaign_totals", "example_incidents", "reported_totals"]

_SOURCE_COLUMNS = ("incident_id", "publisher", "published", "url", "title")
_TOTALS_COLUMNS = (
    "as_of", "scope", "metric", "value", "period_start", "source_publisher", "source_published", "notes",
)


def example_incidents() -> pd.DataFrame:
    """Return the curated example incident table.

    Built from ``example_incidents.csv`` with a ``sources`` column made from ``example_sources.csv`` (one
    entry per article, in file order: ``publisher``, ``date`` = ``published``, ``url``), and validated with
    :func:`geoincidents.read_incidents` rules in strict mode.

    Returns
    -------
    pandas.DataFrame
        The incident table (columns and dtypes as in ``DEVELOPERS.md``); a fresh copy on every call.

    Raises
    ------
    geoincidents.IncidentValidationError
        If the shipped data does not validate (a packaging bug).

    Examples
    --------
    >>> table = example_incidents()
    >>> bool(table["incident_id"].is_unique), str(table["date"].dtype)
    (True, 'datetime64[ns]')
    """
    return _bundled_incidents("example_incidents.csv", "example_sources.csv").copy(deep=True)


def campaign_incidents() -> pd.DataFrame:
    """Return the bundled dataset of the 2023-2024 campaign against US forces in Iraq, Syria and Jordan.

    Attacks from 17 October 2023 to the pause of early February 2024 and the US strikes of that period, built
    from ``campaign_incidents.csv`` and ``campaign_sources.csv`` exactly as :func:`example_incidents` builds
    the example table (see ``geoincidents/data/CAMPAIGN.md`` for sources, method and completeness).

    Returns
    -------
    pandas.DataFrame
        One row per campaign incident, with the columns and dtypes of :func:`example_incidents`; each call
        returns a new copy.

    Raises
    ------
    geoincidents.IncidentValidationError
        If ``campaign_incidents.csv`` or ``campaign_sources.csv`` fails strict validation (a packaging bug).

    Examples
    --------
    >>> table = campaign_incidents()
    >>> bool(table["incident_id"].is_unique), str(table["date"].min().date()) >= "2023-10-17"
    (True, True)
    """
    return _bundled_incidents("campaign_incidents.csv", "campaign_sources.csv").copy(deep=True)


def reported_totals() -> pd.DataFrame:
    """Return the reported totals table (attack, injury and death counts as officials or media gave them).

    Returns
    -------
    pandas.DataFrame
        Columns ``as_of``, ``period_start``, ``source_published`` (datetime64[ns], NaT when blank),
        ``scope``, ``metric``, ``source_publisher``, ``notes`` (string), ``value`` (Int64 when every value
        is whole, else float64), in the file's column order; a fresh copy on every call.

    Raises
    ------
    ValueError
        If the shipped file lacks a column or has an unreadable date or value (a packaging bug).

    Examples
    --------
    >>> totals = reported_totals()
    >>> list(totals.columns[:4])
    ['as_of', 'scope', 'metric', 'value']
    """
    return _bundled_totals("reported_totals.csv").copy(deep=True)


def campaign_totals() -> pd.DataFrame:
    """Return the running counts officials gave during the 2023-2024 campaign (``campaign_totals.csv``).

    Same columns and dtypes as :func:`reported_totals`.

    Returns
    -------
    pandas.DataFrame
        One row per reported figure (a count, its scope, the day it refers to and who reported it); each call
        returns a new copy.

    Raises
    ------
    ValueError
        If ``campaign_totals.csv`` misses a column or holds a date or number that cannot be read.

    Examples
    --------
    >>> totals = campaign_totals()
    >>> bool((totals["metric"] == "attacks").any())
    True
    """
    return _bundled_totals("campaign_totals.csv").copy(deep=True)


# ---------------------------------------------------------------------------------------------------------


def _data_file(name: str) -> Path:
    """A file in geoincidents/data, through importlib.resources (works from a wheel or a checkout)."""
    resource = importlib.resources.files("geoincidents").joinpath("data", name)
    with importlib.resources.as_file(resource) as path:
        return Path(path)


@functools.cache
def _bundled_incidents(incidents_name: str, sources_name: str) -> pd.DataFrame:
    from .incidents import read_raw, validate
    from .schema import format_sources

    raw = read_raw(_data_file(incidents_name))
    sources = pd.read_csv(_data_file(sources_name), dtype=str, keep_default_na=False)
    missing = [c for c in _SOURCE_COLUMNS if c not in sources.columns]
    if missing:
        raise ValueError(f"{sources_name} lacks columns {missing}")
    unknown = sorted(set(sources["incident_id"]) - set(raw.frame["incident_id"]))
    if unknown:
        raise ValueError(f"{sources_name} names incidents not in {incidents_name}: {unknown}")
    by_incident = {
        incident: format_sources(
            {"publisher": r.publisher, "date": r.published, "url": r.url} for r in group.itertuples()
        )
        for incident, group in sources.groupby("incident_id", sort=False)
    }
    frame = raw.frame.copy()
    frame["sources"] = frame["incident_id"].map(by_incident).fillna("[]")
    raw.frame = frame
    table = validate(raw, errors="raise", strict=True)
    assert isinstance(table, pd.DataFrame)
    return table


@functools.cache
def _bundled_totals(name: str) -> pd.DataFrame:
    from .incidents.parsing import parse_dates

    path = _data_file(name)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in _TOTALS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    n = len(frame)
    out = {}
    for name in frame.columns:
        column = frame[name]
        if name in ("as_of", "period_start", "source_published"):
            dates, bad = parse_dates(column, n)
            if bad.any():
                row = int(np.flatnonzero(bad)[0]) + 2
                bad_value = column.iloc[row - 2]
                raise ValueError(f"{path}:{row}: column {name!r} value {bad_value!r}: unparseable date")
            out[name] = dates
        elif name == "value":
            numbers = pd.to_numeric(column.str.strip().replace("", None), errors="coerce")
            bad = numbers.isna().to_numpy() & (column.str.strip() != "").to_numpy()
            if bad.any():
                row = int(np.flatnonzero(bad)[0]) + 2
                raise ValueError(f"{path}:{row}: column 'value' value {column.iloc[row - 2]!r}: not a number")
            whole = numbers.dropna()
            out[name] = numbers.astype("Int64") if (whole == np.floor(whole)).all() else numbers.astype(float)
        else:
            text = column.astype("string")
            out[name] = text.mask((text.str.strip() == "").to_numpy())
    return pd.DataFrame(out)
