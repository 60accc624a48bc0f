"""One event, many reports: merge incident rows from several sources into one row per event.

Two rows are reports of one event when all of these hold:

* **place**: the same ``site_id``; or points (the site's point from the gazetteer, else ``lat``/``lon``)
  within ``radius_m`` or the larger site uncertainty radius of the two; rows with neither need the same
  normalised ``location`` and ``country``;
* **date**: their date intervals, widened by ``window_days`` on each side, overlap; the interval of a row is
  ``date``..``date_end`` for a range, the ISO week for ``week``, the month for ``month``, the day otherwise;
* **what**: compatible event types (``attack`` and ``interception`` are compatible; ``strike`` and ``other``
  only with themselves) and weapons (equal, or one ``unknown``);
* **sources**: the rows share no source (one report listing two rows means two events).

Rows are grouped greedily in a canonical order (by date, place, event, weapon, sources, then every other
value), each joining the first group whose every member it is compatible with, so the result does not depend
on the order of the tables or of their rows. Nothing is dropped: every input row is in exactly one output
row's ``merged_from``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ._geo import great_circle_m
from .gazetteer import Gazetteer, default_gazetteer
from .normalize import normalize_name
from .schema import COLUMN_NAMES, format_sources, parse_sources

if TYPE_CHECKING:
    import pandas

__all__ = ["merge_incidents", "MERGE_COLUMNS"]

#: Columns :func:`merge_incidents` adds after the incident columns (and the input's extra columns).
MERGE_COLUMNS = ("merged_from", "disagreements")

_COMPARED = (
    "date",
    "date_end",
    "site_id",
    "location",
    "weapon",
    "weapon_count",
    "claimed_by",
    "claim_status",
    "outcome",
    "injured",
    "killed",
    "event_type",
)
_OUTCOME_ORDER = ("intercepted", "impact", "no_damage", "unknown")


def merge_incidents(
    *tables: pandas.DataFrame | str,
    window_days: int = 1,
    radius_m: float = 0.0,
    gazetteer: Gazetteer | None = None,
) -> pandas.DataFrame:
    """Merge reports of the same event from several incident tables into one row per event.

    Parameters
    ----------
    *tables : pandas.DataFrame or path
        Incident tables (read and validated with :func:`geoincidents.read_incidents`), e.g. the drafts of
        :func:`geoincidents.extract_incidents` for several articles.
    window_days : int, default 1
        How many days apart two reports of one event may date it.
    radius_m : float, default 0
        Distance within which two points are one place, besides the sites' own uncertainty radii.
    gazetteer : Gazetteer, optional
        For the sites' points and radii; defaults to the bundled gazetteer.

    Returns
    -------
    pandas.DataFrame
        One row per event, sorted by date and place, in the incident schema (then any extra columns of the
        inputs, distinct values joined with ``" | "``), plus ``merged_from`` (JSON: the ``incident_id`` and
        sources of every report merged, and the rule that joined them) and ``disagreements`` (JSON object:
        for each field where the reports differ, each value with the publishers that gave it; NA when they
        agree). Merged values: the date interval covering all reports (precision ``range`` when they
        differ), the site most reports name, a known weapon, the largest count, ``claimed_and_confirmed``
        when one report has a claim and another a confirmation, the most definite outcome, all sources.

    Raises
    ------
    ValueError
        If no table is given or ``window_days``/``radius_m`` is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"date": ["2023-10-17"], "location": ["al-Asad"], "site_id": ["ain-al-asad-airbase"],
    ...                   "weapon": ["one_way_drone"], "sources": ["FDD"]})
    >>> b = pd.DataFrame({"date": ["2023-10-18"], "location": ["Ain al-Asad"],
    ...                   "site_id": ["ain-al-asad-airbase"],
    ...                   "claim_status": ["confirmed"], "sources": ["Newsweek"]})
    >>> merged = merge_incidents(a, b)
    >>> merged.loc[0, ["date", "date_end", "date_precision", "weapon"]].tolist()
    [Timestamp('2023-10-17 00:00:00'), Timestamp('2023-10-18 00:00:00'), 'range', 'one_way_drone']
    >>> sorted(json.loads(merged.loc[0, "disagreements"]))
    ['claim_status', 'date', 'location', 'weapon']
    """
    import pandas as pd

    from .incidents import read_incidents

    if not tables:
        raise ValueError("merge_incidents needs at least one table")
    if window_days < 0 or radius_m < 0:
        raise ValueError("window_days and radius_m must not be negative")
    frames = []
    for table in tables:
        frame = read_incidents(table)
        assert isinstance(frame, pd.DataFrame)
        frames.append(frame.reset_index(drop=True))
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for f in frames for r in f.to_dict("records")
    ]
    extras = sorted({c for f in frames for c in f.columns} - set(COLUMN_NAMES) - set(MERGE_COLUMNS))
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    prepared = sorted((_Row(r, gaz) for r in rows), key=lambda r: r.order)
    groups: list[list[_Row]] = []
    for row in prepared:
        for group in groups:
            if all(_same_event(row, other, window_days, radius_m) for other in group):
                group.append(row)
                break
        else:
            groups.append([row])
    merged = [_merge(g, extras, window_days) for g in groups]
    merged.sort(key=lambda r: (r["date"], str(r["site_id"] or ""), str(r["location"]), r["incident_id"]))
    _unique_ids(merged)
    out = pd.DataFrame(merged, columns=[*COLUMN_NAMES, *extras, *MERGE_COLUMNS])
    result = read_incidents(out[list(COLUMN_NAMES)])
    assert isinstance(result, pd.DataFrame)
    table = result
    for column in (*extras, *MERGE_COLUMNS):
        table[column] = pd.array(out[column].tolist(), dtype="string")
    if "weapon_count" in extras:
        table["weapon_count"] = pd.to_numeric(out["weapon_count"], errors="coerce").astype("Int64").array
    if "confidence" in extras:
        table["confidence"] = pd.to_numeric(out["confidence"], errors="coerce").astype("float64").array
    return table


class _Row:
    """An input row with what the comparison needs precomputed."""

    def __init__(self, record: dict[str, Any], gaz: Gazetteer):
        import pandas as pd

        self.record = record
        self.start, self.end = _interval(record)
        site_id = record["site_id"] if pd.notna(record["site_id"]) else None
        self.site_id = site_id
        site = gaz[site_id] if site_id is not None and site_id in gaz else None
        if site is not None:
            self.point: tuple[float, float] | None = (site.lat, site.lon)
            self.radius = float(site.uncertainty_m)
        elif pd.notna(record["lat"]) and pd.notna(record["lon"]):
            self.point, self.radius = (float(record["lat"]), float(record["lon"])), 0.0
        else:
            self.point, self.radius = None, 0.0
        self.place_key = (normalize_name(str(record["location"])), str(record["country"]))
        self.sources = parse_sources(record["sources"])
        self.source_keys = {(s["publisher"], s["date"], s["url"]) for s in self.sources}
        self.order = (
            self.start,
            self.end,
            site_id or "",
            self.place_key,
            str(record["event_type"]),
            str(record["weapon"]),
            str(record["sources"]),
            str(record["incident_id"]),
            json.dumps({k: _plain(v) for k, v in record.items()}, sort_keys=True, default=str),
        )


def _plain(value: Any) -> Any:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _interval(record: dict[str, Any]) -> tuple[Any, Any]:
    import pandas as pd

    start = record["date"]
    precision = record["date_precision"]
    if precision == "range" and pd.notna(record["date_end"]):
        return start, record["date_end"]
    if precision == "week":
        return start, start + timedelta(days=6)
    if precision == "month":
        return start, start + pd.offsets.MonthEnd(0)
    return start, start


def _same_event(a: _Row, b: _Row, window: int, radius_m: float) -> bool:
    if a.source_keys & b.source_keys:
        return False
    gap = timedelta(days=window)
    if a.start - gap > b.end or b.start - gap > a.end:
        return False
    events = {a.record["event_type"], b.record["event_type"]}
    if len(events) > 1 and events != {"attack", "interception"}:
        return False
    weapons = {a.record["weapon"], b.record["weapon"]} - {"unknown"}
    if len(weapons) > 1:
        return False
    if a.site_id is not None and a.site_id == b.site_id:
        return True
    if a.point is not None and b.point is not None:
        return _distance_m(a.point, b.point) <= max(radius_m, a.radius, b.radius)
    return a.point is None and b.point is None and a.place_key == b.place_key


def _distance_m(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Great-circle distance in metres (haversine; the radii it is compared with are kilometres wide)."""
    return float(great_circle_m(float(p[0]), float(p[1]), float(q[0]), float(q[1])))


def _publishers(row: _Row) -> str:
    return ", ".join(sorted({s["publisher"] or s["url"] or "unnamed source" for s in row.sources})) or (
        str(row.record["incident_id"])
    )


def _merge(group: Sequence[_Row], extras: list[str], window: int) -> dict[str, Any]:
    import pandas as pd

    records = [g.record for g in group]
    first = dict(records[0])
    disagreements: dict[str, list[dict[str, Any]]] = {}
    for name in _COMPARED:
        if name not in first:
            continue
        values: dict[str, list[str]] = {}
        for g in group:
            value = _plain(g.record.get(name))
            values.setdefault(json.dumps(value, default=str), []).append(_publishers(g))
        if len(values) > 1:
            disagreements[name] = [
                {"value": json.loads(k), "sources": sorted(set(v))} for k, v in sorted(values.items())
            ]
    out = dict(first)
    start = min(g.start for g in group)
    end = max(g.end for g in group)
    out["date"] = start
    if len(group) > 1 and ("date" in disagreements or "date_end" in disagreements):
        out["date_precision"], out["date_end"] = ("range", end) if end > start else ("day", pd.NaT)
    sites = [g.site_id for g in group if g.site_id is not None]
    if sites:
        site = sorted(set(sites), key=lambda s: (-sites.count(s), s))[0]
        chosen = next(g.record for g in group if g.site_id == site)
        for name in ("site_id", "location", "lat", "lon", "location_precision", "country"):
            out[name] = chosen[name]
    known = sorted({r["weapon"] for r in records} - {"unknown"})
    out["weapon"] = known[0] if known else "unknown"
    claims = {r["claim_status"] for r in records}
    claimed = bool(claims & {"claimed", "claimed_and_confirmed"})
    confirmed = bool(claims & {"confirmed", "claimed_and_confirmed"})
    out["claim_status"] = (
        "claimed_and_confirmed"
        if claimed and confirmed
        else "claimed"
        if claimed
        else "confirmed"
        if confirmed
        else "unverified"
    )
    groups = sorted({r["claimed_by"] for r in records if pd.notna(r["claimed_by"])})
    out["claimed_by"] = " / ".join(groups) if groups else None
    out["outcome"] = min((r["outcome"] for r in records), key=_OUTCOME_ORDER.index)
    for name in ("injured", "killed", "weapon_count"):
        if name in first:
            numbers = [
                int(v)
                for v in pd.to_numeric(pd.Series([r.get(name) for r in records]), errors="coerce").dropna()
            ]
            out[name] = max(numbers) if numbers else None
    event_types = {r["event_type"] for r in records}
    out["event_type"] = "attack" if event_types == {"attack", "interception"} else records[0]["event_type"]
    sources = sorted({json.dumps(s, sort_keys=True) for g in group for s in g.sources})
    out["sources"] = format_sources(json.loads(s) for s in sources)
    notes = sorted({str(r["notes"]) for r in records if pd.notna(r["notes"])})
    out["notes"] = " | ".join(notes) if notes else None
    ids = sorted(str(r["incident_id"]) for r in records)
    out["incident_id"] = ids[0]
    for name in extras:
        if name in ("weapon_count",):
            continue
        distinct = sorted({str(_plain(r.get(name))) for r in records if _plain(r.get(name)) is not None})
        out[name] = " | ".join(distinct) if distinct else None
    if "confidence" in extras:
        scores = pd.to_numeric(pd.Series([r.get("confidence") for r in records]), errors="coerce").dropna()
        out["confidence"] = float(scores.max()) if len(scores) else None
    reports = [
        {"incident_id": str(g.record["incident_id"]), "sources": [s["publisher"] for s in g.sources]}
        for g in sorted(group, key=lambda g: g.order)
    ]
    if len(group) == 1:
        rule = "single report"
    else:
        place = (
            f"site {sites[0]}"
            if len(set(sites)) == 1 and len(sites) == len(group)
            else "places within radius"
        )
        rule = (
            f"{len(group)} reports: {place}; dates within {window} day(s); compatible event type and weapon; "
            f"no shared source"
        )
    out["merged_from"] = json.dumps({"reports": reports, "rule": rule}, ensure_ascii=False, sort_keys=True)
    out["disagreements"] = (
        json.dumps(disagreements, ensure_ascii=False, sort_keys=True, default=str) if disagreements else None
    )
    for name in ("date", "date_end"):
        value = out[name]
        out[name] = None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()
    return out


def _unique_ids(rows: list[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for r in rows:
        base = r["incident_id"]
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            r["incident_id"] = f"{base}-{seen[base]}"
