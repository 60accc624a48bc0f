"""Counting attacks by ISO week, country, site, weapon or event type.

Weeks are ISO 8601 weeks: they start on Monday and are labelled by their ISO year, so 1 January 2024 (a
Monday) opens 2024-W01 and 31 December 2023 (a Sunday) closes 2023-W52. The grouping is done on integer codes
with :func:`numpy.bincount`, so a million incidents take a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .isoweeks import iso_week_label, week_start_days
from .schema import ATTACK_EVENT_TYPES

if TYPE_CHECKING:
    import geopandas
    import pandas

    from .gazetteer import Gazetteer

__all__ = [
    "weekly_counts", "site_counts", "summary", "combine_weekly_counts", "select_events", "selection_label"
]

#: Event types counted as attacks on US and coalition forces unless told otherwise.
# Short names accepted for `by`.
_BY_ALIASES = {"site": "site_id", "week": "week"}
_MISSING_LABEL = "unknown"


def weekly_counts(
    joined: pandas.DataFrame,
    by: str | Sequence[str] | None = "country",
    *,
    event_types: Sequence[str] | None = ATTACK_EVENT_TYPES,
    targets: Sequence[str] | None = None,
    fill: bool = True,
) -> pandas.DataFrame:
    """Count incidents per ISO week and group.

    Parameters
    ----------
    joined : pandas.DataFrame
        Incidents, usually from :func:`geoincidents.join_sites`; needs ``date``, and ``injured``/``killed``
        when present are summed.
    by : str, list of str or None, default "country"
        Column(s) to group by besides the week: ``"country"``, ``"site"`` (``site_id``), ``"weapon"``,
        ``"event_type"``, or any other column. ``None`` counts per week only.
    event_types : sequence of str or None, default ("attack", "interception")
        Which ``event_type`` values to count (by default attacks on US/coalition forces,
        :data:`geoincidents.schema.ATTACK_EVENT_TYPES`); ``None`` counts every incident.
    targets : sequence of str or None
        Which ``target`` values to count; ``None`` counts every target.
    fill : bool, default True
        Add the weeks without incidents inside the span (count 0) for every group, so a chart has no holes.

    Returns
    -------
    pandas.DataFrame
        Tidy table sorted by week then group: ``week_start`` (the Monday, datetime64), ``week`` (e.g.
        ``"2023-W42"``), the ``by`` columns (missing values shown as ``"unknown"``), ``count``, ``injured``
        and ``killed`` (int64; unknown casualties count as 0).

    Examples
    --------
    >>> import geoincidents
    >>> table = geoincidents.weekly_counts(geoincidents.example_incidents(), by="country")
    >>> list(table.columns)
    ['week_start', 'week', 'country', 'count', 'injured', 'killed']
    """
    import pandas as pd

    keys = _group_columns(joined, by)
    # Integer codes for the whole table, then only the selected rows: no column is copied row by row.
    rows = _selected_rows(joined, event_types, targets)
    week_days = _week_start_days(joined, rows)
    first_week = int(week_days.min()) if rows.size else 0
    codes = [(week_days - first_week) // 7]
    labels: list[np.ndarray] = []
    for col in keys:
        col_codes, uniques = _label_codes(joined[col])
        codes.append(col_codes[rows])
        labels.append(uniques)
    sizes = tuple(int(c.max()) + 1 if len(c) else 0 for c in codes[:1]) + tuple(len(u) for u in labels)
    casualties = {col: _casualties(joined, col)[rows] for col in ("injured", "killed")}

    cells = np.zeros(0, dtype=np.int64)
    counts = np.zeros(0, dtype=np.int64)
    sums = {"injured": counts, "killed": counts}
    if rows.size:
        flat = np.ravel_multi_index(codes, sizes)
        total = int(np.prod(sizes))
        counts = np.bincount(flat, minlength=total)
        sums = {
            col: np.bincount(flat, weights=casualties[col], minlength=total).astype(np.int64)
            for col in ("injured", "killed")
        }
        if fill:  # every week of the span for every group that has incidents at all
            groups = np.flatnonzero(counts.reshape(sizes[0], -1).any(axis=0))
            cells = (np.arange(sizes[0])[:, None] * (total // sizes[0]) + groups[None, :]).ravel()
        else:
            cells = np.flatnonzero(counts)
    parts = np.unravel_index(cells, sizes) if rows.size else [cells] * len(sizes)

    out = pd.DataFrame(index=pd.RangeIndex(len(cells)))
    out["week_start"] = pd.to_datetime((first_week + parts[0] * 7).astype("datetime64[D]")).as_unit("ns")
    out["week"] = iso_week_label(out["week_start"])
    for col, part, values in zip(keys, parts[1:], labels, strict=True):
        out[col] = pd.array(values[part].tolist(), dtype="str")
    out["count"] = counts[cells].astype(np.int64)
    out["injured"] = sums["injured"][cells]
    out["killed"] = sums["killed"][cells]
    return out.sort_values(["week_start", *keys], kind="stable").reset_index(drop=True)


def site_counts(
    joined: pandas.DataFrame,
    *,
    event_types: Sequence[str] | None = ATTACK_EVENT_TYPES,
    targets: Sequence[str] | None = None,
    geometry: bool = False,
    gazetteer: Gazetteer | None = None,
) -> pandas.DataFrame:
    """Totals per site: incidents, casualties, first and last date.

    Parameters
    ----------
    joined : pandas.DataFrame
        Output of :func:`geoincidents.join_sites`.
    event_types : sequence of str or None, default ("attack", "interception")
        Which event types to count (by default attacks on US/coalition forces); ``None`` for all.
    targets : sequence of str or None
        Which targets to count; ``None`` for all.
    geometry : bool, default False
        Return a GeoDataFrame with each site's point (EPSG:4326) from the gazetteer, ready for
        ``to_file``; the "unknown" row and sites not in the gazetteer have no geometry.
    gazetteer : Gazetteer, optional
        Where the site points come from with ``geometry=True``; the bundled gazetteer by default.

    Returns
    -------
    pandas.DataFrame or geopandas.GeoDataFrame
        One row per site with incidents (unmatched incidents under ``site_id`` "unknown"): ``site_id``,
        ``site_name``, ``country``, ``count``, ``injured``, ``killed``, ``first_date``, ``last_date``
        (and ``geometry``); sorted by count (descending) then site id.

    Examples
    --------
    >>> import geoincidents
    >>> joined = geoincidents.join_sites(geoincidents.example_incidents())
    >>> int(site_counts(joined)["count"].sum()) > 0
    True
    >>> points = site_counts(joined, geometry=True)
    >>> points.crs.to_epsg(), points.geometry.iloc[0].geom_type
    (4326, 'Point')
    """
    import pandas as pd

    _require(joined, ("date", "site_id"))
    frame = _select(joined, event_types, targets,
                    ["site_id", "site_name", "country", "date", "injured", "killed"])
    table = pd.DataFrame(
        {
            "site_id": frame["site_id"].astype("str").fillna(_MISSING_LABEL),
            "site_name": (frame["site_name"] if "site_name" in frame else frame["site_id"])
            .astype("str")
            .fillna(_MISSING_LABEL),
            "country": (frame["country"] if "country" in frame else pd.Series(pd.NA, index=frame.index))
            .astype("str")
            .fillna(_MISSING_LABEL),
            "date": pd.to_datetime(frame["date"]),
            "injured": _casualties(frame, "injured"),
            "killed": _casualties(frame, "killed"),
        }
    )
    grouped = table.groupby("site_id", sort=True)
    out = pd.DataFrame(
        {
            "site_name": grouped["site_name"].first(),
            "country": grouped["country"].first(),
            "count": grouped.size().astype(np.int64),
            "injured": grouped["injured"].sum().astype(np.int64),
            "killed": grouped["killed"].sum().astype(np.int64),
            "first_date": grouped["date"].min(),
            "last_date": grouped["date"].max(),
        }
    ).reset_index()
    out = out.sort_values(["count", "site_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return _with_site_points(out, gazetteer) if geometry else out


def summary(joined: pandas.DataFrame) -> pandas.DataFrame:
    """One line per country and one for all: incidents by event type, sites hit, casualties, first/last date.

    Parameters
    ----------
    joined : pandas.DataFrame
        Incidents (joined or not); ``event_type`` and ``site_id`` are used when present.

    Returns
    -------
    pandas.DataFrame
        Indexed by country (ISO3) plus ``"all"``: ``incidents``, one column per event type, ``sites``
        (distinct sites with incidents), ``injured``, ``killed``, ``first_date``, ``last_date``.
    """
    import pandas as pd

    _require(joined, ("date",))
    frame = pd.DataFrame(
        {
            "country": (joined["country"] if "country" in joined else pd.Series(pd.NA, index=joined.index))
            .astype("str")
            .fillna(_MISSING_LABEL),
            "event_type": (
                joined["event_type"] if "event_type" in joined else pd.Series(pd.NA, index=joined.index)
            )
            .astype("str")
            .fillna(_MISSING_LABEL),
            "site_id": (joined["site_id"] if "site_id" in joined else pd.Series(pd.NA, index=joined.index)),
            "date": pd.to_datetime(joined["date"]),
            "injured": _casualties(joined, "injured"),
            "killed": _casualties(joined, "killed"),
        }
    )

    def line(part: pandas.DataFrame) -> dict[str, object]:
        row: dict[str, object] = {"incidents": len(part)}
        row.update({str(k): int(v) for k, v in part["event_type"].value_counts().sort_index().items()})
        row.update(
            sites=int(part["site_id"].nunique()),
            injured=int(part["injured"].sum()),
            killed=int(part["killed"].sum()),
            first_date=part["date"].min(),
            last_date=part["date"].max(),
        )
        return row

    rows = {country: line(part) for country, part in frame.groupby("country", sort=True)}
    rows["all"] = line(frame)
    out = pd.DataFrame.from_dict(rows, orient="index")
    types = sorted(frame["event_type"].unique())
    out[types] = out[types].fillna(0).astype(np.int64)
    out.index.name = "country"
    return out[["incidents", *types, "sites", "injured", "killed", "first_date", "last_date"]]


def combine_weekly_counts(
    partial: pandas.DataFrame, keys: Sequence[str], *, fill: bool = True
) -> pandas.DataFrame:
    """Sum partial :func:`weekly_counts` tables (``fill=False``) into one, as :func:`weekly_counts` gives it.

    The seam of the distributed path (:mod:`geoincidents.dask`): partitions are counted apart, their counts
    added here, and the empty weeks filled once on the total.

    Parameters
    ----------
    partial : pandas.DataFrame
        Rows of ``week_start``, the ``keys`` columns, ``count``, ``injured``, ``killed`` (any order, repeated
        cells allowed; a ``week`` column is ignored).
    keys : sequence of str
        The group columns (as :func:`weekly_counts` names them: ``site`` is ``site_id``).
    fill : bool, default True
        Add the weeks without incidents inside the span for every group.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import geoincidents
    >>> table = geoincidents.example_incidents()
    >>> halves = [weekly_counts(part, by="country", fill=False) for part in (table[:10], table[10:])]
    >>> import pandas as pd
    >>> combine_weekly_counts(pd.concat(halves), ["country"]).equals(weekly_counts(table, by="country"))
    True
    """
    import pandas as pd

    keys = list(keys)
    values = ["count", "injured", "killed"]
    if partial.empty:
        out = pd.DataFrame(
            {"week_start": pd.Series([], dtype="datetime64[ns]"), "week": pd.Series([], dtype="str")}
        )
        for col in keys:
            out[col] = pd.Series([], dtype="str")
        for col in values:
            out[col] = pd.Series([], dtype=np.int64)
        return out
    summed = partial.groupby(["week_start", *keys], sort=True, dropna=False)[values].sum().reset_index()
    if fill:
        weeks = pd.date_range(summed["week_start"].min(), summed["week_start"].max(), freq="7D", unit="ns")
        groups = summed[keys].drop_duplicates() if keys else pd.DataFrame(index=[0])
        grid = pd.DataFrame({"week_start": weeks}).merge(groups, how="cross")
        summed = grid.merge(summed, on=["week_start", *keys], how="left")
        summed[values] = summed[values].fillna(0)
    out = pd.DataFrame({"week_start": pd.to_datetime(summed["week_start"]).astype("datetime64[ns]")})
    out["week"] = iso_week_label(out["week_start"])
    for col in keys:
        out[col] = pd.array(summed[col].astype(str).tolist(), dtype="str")
    for col in values:
        out[col] = summed[col].to_numpy(dtype=np.int64)
    return out.sort_values(["week_start", *keys], kind="stable").reset_index(drop=True)


# -- helpers -------------------------------------------------------------------------------------------------
def _with_site_points(table: pandas.DataFrame, gazetteer: Gazetteer | None) -> geopandas.GeoDataFrame:
    """The table with the gazetteer point of each site (None where the site is unknown)."""
    import geopandas as gpd

    from ._geo import points_from_latlon
    from .gazetteer import default_gazetteer

    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    known = [site_id in gaz for site_id in table["site_id"]]
    lat = np.array([gaz[s].lat if k else np.nan for s, k in zip(table["site_id"], known, strict=True)])
    lon = np.array([gaz[s].lon if k else np.nan for s, k in zip(table["site_id"], known, strict=True)])
    return gpd.GeoDataFrame(table, geometry=points_from_latlon(lat, lon), crs="EPSG:4326")


def select_events(
    incidents: pandas.DataFrame,
    *,
    event_types: str | Sequence[str] | None = ATTACK_EVENT_TYPES,
    targets: str | Sequence[str] | None = None,
) -> pandas.DataFrame:
    """The incidents of the given event types and targets (by default: attacks on US/coalition forces).

    Parameters
    ----------
    incidents : pandas.DataFrame
        An incident table (joined or not).
    event_types : str, sequence of str or None, default :data:`geoincidents.schema.ATTACK_EVENT_TYPES`
        ``event_type`` values to keep; None keeps all.
    targets : str, sequence of str or None
        ``target`` values to keep; None keeps all.

    Returns
    -------
    pandas.DataFrame
        The selected rows, index kept.

    Raises
    ------
    ValueError
        For a value outside the vocabulary.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"event_type": ["attack", "other_conflict_event"],
    ...                   "target": ["us_coalition", "civilians"]})
    >>> len(select_events(t)), len(select_events(t, event_types=None, targets="civilians"))
    (1, 1)
    """
    keep = _event_mask(incidents, event_types, targets)
    return incidents if keep is None else incidents[keep]


def _event_mask(incidents: pandas.DataFrame, event_types: str | Sequence[str] | None,
                targets: str | Sequence[str] | None) -> np.ndarray | None:
    """The rows :func:`select_events` keeps, as a boolean mask (None: all of them)."""
    from .schema import EVENT_TYPE, TARGET

    keep = None
    for column, wanted, vocab in (("event_type", event_types, EVENT_TYPE), ("target", targets, TARGET)):
        if wanted is None or column not in incidents.columns:
            continue
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        unknown = [v for v in values if v not in vocab.values]
        if unknown:
            raise ValueError(f"{column}: unknown value(s) {unknown} (allowed: {', '.join(vocab.values)})")
        hit = incidents[column].isin(values).to_numpy(dtype=bool)
        keep = hit if keep is None else keep & hit
    return keep


def selection_label(event_types: str | Sequence[str] | None = ATTACK_EVENT_TYPES,
                    targets: str | Sequence[str] | None = None) -> str:
    """What :func:`select_events` selects, in words, for titles, legends and command-line output.

    Examples
    --------
    >>> selection_label()
    'attacks on US and coalition forces'
    >>> selection_label(["strike"], ["armed_group"])
    'US/coalition strike events, target armed group'
    >>> selection_label(None)
    'all events'
    """
    from .schema import ATTACK_DESCRIPTION
    from .style import vocabulary_label

    types = [event_types] if isinstance(event_types, str) else event_types
    if types is None:
        text = "all events"
    elif sorted(types) == sorted(ATTACK_EVENT_TYPES):
        text = ATTACK_DESCRIPTION
    else:
        text = ", ".join(vocabulary_label("event_type", t) for t in types) + " events"
    if targets is not None:
        wanted = [targets] if isinstance(targets, str) else list(targets)
        text += ", target " + ", ".join(vocabulary_label("target", t) for t in wanted)
    return text


def _group_columns(joined: pandas.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    columns = [_BY_ALIASES.get(k, k) for k in keys]
    _require(joined, ("date", *[c for c in columns if c != "week"]))
    return [c for c in columns if c != "week"]


def _require(joined: pandas.DataFrame, columns: Sequence[str]) -> None:
    import pandas as pd

    if not isinstance(joined, pd.DataFrame):
        raise TypeError(f"expected a DataFrame of incidents, not {type(joined).__name__}")
    missing = [c for c in columns if c not in joined.columns]
    if missing:
        raise ValueError(
            f"column(s) {', '.join(map(repr, missing))} not in the table "
            f"(it has {', '.join(map(str, joined.columns))})"
        )


def _select(joined: pandas.DataFrame, event_types: Sequence[str] | None, targets: Sequence[str] | None,
            columns: Sequence[str]) -> pandas.DataFrame:
    """The selected events (see :func:`select_events`), with only those of ``columns`` the table has.

    Only the columns a count reads are taken row by row; a joined table has two dozen more.
    """
    import pandas as pd

    wanted = [c for c in dict.fromkeys(columns) if c in joined.columns]
    filters = [c for c in ("event_type", "target") if c in joined.columns and c not in wanted]
    frame = pd.DataFrame({c: joined[c] for c in [*wanted, *filters]}, index=joined.index)
    return select_events(frame, event_types=event_types, targets=targets)[wanted]


def _week_start_days(frame: pandas.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of the Monday that starts the ISO week of the incidents at ``rows``."""
    import pandas as pd

    dates = pd.to_datetime(frame["date"])
    missing = dates.isna().to_numpy()[rows]
    if missing.any():
        raise ValueError(f"{int(missing.sum())} incident(s) have no date; read them with read_incidents")
    return week_start_days(dates)[rows]  # rows not selected may be NaT: their (meaningless) days are dropped


def _selected_rows(table: pandas.DataFrame, event_types: Sequence[str] | None,
                   targets: Sequence[str] | None) -> np.ndarray:
    """Positions of the rows :func:`select_events` keeps."""
    keep = _event_mask(table, event_types, targets)
    return np.arange(len(table)) if keep is None else np.flatnonzero(keep)


def _label_codes(column: pandas.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes into sorted text labels of a column's values (missing ones labelled "unknown").

    Equal to factorising the column's text (``astype("str")``, missing as "unknown") with ``sort=True``,
    except that every label is kept, but the text is made once per distinct value, not per row.
    """
    import pandas as pd

    raw, uniques = pd.factorize(column)  # -1 for missing
    names = pd.Series(uniques).astype("str").fillna(_MISSING_LABEL).tolist() + [_MISSING_LABEL]
    merged, labels = pd.factorize(np.array(names, dtype=object), sort=True)
    return merged.astype(np.int64)[raw], np.asarray(labels, dtype=object)  # raw -1 takes the last: missing


def _casualties(frame: pandas.DataFrame, column: str) -> np.ndarray:
    import pandas as pd

    if column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64)
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = pd.to_numeric(values, errors="coerce")
    return values.fillna(0).to_numpy(dtype=np.int64)
