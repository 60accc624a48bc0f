"""Turn a joined incident table into what the map draws: one record per place (site or rounded point).

Markers are per place (and per place and week/country in the split layers), never per incident, so the HTML
grows with the number of places and weeks, not with the number of incidents. Popups list at most ``limit``
incidents (newest first); their rows live once, as compact JSON, in a shared :class:`RowTable`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._geo import drop_geometry, positions
from ..isoweeks import iso_week_label, week_start
from ..schema import ATTACK_EVENT_TYPES, STRIKE_EVENT_TYPES, is_missing
from ..style import OTHER_COLOR, UNKNOWN_COLOR, WEAPON_COLORS, country_color, country_name, vocabulary_label
from ._html import esc, source_items

MIN_RADIUS = 4.0
MAX_RADIUS = 22.0

_TEXT_COLUMNS = (
    "incident_id",
    "location",
    "site_id",
    "site_name",
    "country",
    "event_type",
    "weapon",
    "claimed_by",
    "claim_status",
    "outcome",
    "sources",
    "notes",
    "date_precision",
)
# The popup tables (index 0 of each is the empty value) and the frame columns a popup row is made of.
_TABLES = ("date", "what", "claim", "src", "note")
_ROW_COLUMNS = (
    "date_precision",
    "weapon",
    "kind",
    "event_type",
    "outcome",
    "claimed_by",
    "claim_status",
    "sources",
    "notes",
)


@dataclass
class Prepared:
    """The drawable incidents of a joined table.

    Attributes
    ----------
    frame : pandas.DataFrame
        Attacks and strikes with a location: the incident columns plus ``lat``, ``lon`` (place position),
        ``place`` (key), ``place_name``, ``kind`` (``attack``/``strike``), ``week``, ``week_start``.
    unlocated : int
        Attacks and strikes that have neither a site nor a point.
    weeks : list of (str, pandas.Timestamp)
        ISO weeks with attacks, in order, and their Mondays.
    attacks_by_country : dict
        ISO3 -> number of attacks (located or not).
    first, last : pandas.Timestamp or None
        Date span of the attacks and strikes.
    """

    frame: pd.DataFrame
    unlocated: int
    weeks: list[tuple[str, pd.Timestamp]]
    attacks_by_country: dict[str, int]
    first: pd.Timestamp | None
    last: pd.Timestamp | None


class RowTable:
    """Popup rows of the incidents the markers list, shipped once as compact JSON and built in the browser.

    Each incident a popup lists becomes one row of small integers (its position in :attr:`rows` is what a
    marker refers to), pointing into tables of distinct values: ``date`` texts, ``what`` (weapon,
    interception, outcome), ``claim`` texts, ``src`` (source lists) and ``note`` texts; index 0 of each is
    empty. A row is ``[date, what, claim, injured, killed, src, note]`` (casualties -1 when not reported;
    ``note`` left out when there is none). All values are plain text: the page's JS puts them into the DOM
    with ``textContent`` and links only ``http(s)`` URLs, which :func:`~geoincidents.maps._html.safe_url`
    already checked here.

    Parameters
    ----------
    frame : pandas.DataFrame
        :attr:`Prepared.frame`; rows are referred to by its index labels.
    """

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.rows: list[list[int | None]] = []
        self._index: dict[Any, int] = {}
        self._values: dict[str, dict[Any, int]] = {name: {} for name in _TABLES}
        self.tables: dict[str, list[Any]] = {name: [] for name in _TABLES}
        for name in _TABLES:
            self._value(name, None, "" if name != "src" else [])

    def ref(self, label: Any) -> int:
        """Position of the row of incident ``label`` (frame index), adding it on first use."""
        return self.refs([label])[0]

    def refs(self, labels: Sequence[Any]) -> list[int]:
        """Positions of the rows of incidents ``labels``; new ones are added in the order given."""
        new = [label for label in dict.fromkeys(labels) if label not in self._index]
        if new:
            self._add(new)
        index = self._index
        return [index[label] for label in labels]

    def payload(self) -> dict[str, Any]:
        """The tables and rows, ready for :func:`~geoincidents.maps._html.js_json`."""
        return {**self.tables, "rows": self.rows}

    def _value(self, table: str, key: Any, value: Any) -> int:
        """Index of ``key`` in ``table``, appending ``value`` on first use."""
        known = self._values[table]
        pos = known.get(key)
        if pos is None:
            if not value and self.tables[table]:
                pos = known[key] = 0  # every empty value is the table's first entry
            else:
                pos = known[key] = len(self.tables[table])
                self.tables[table].append(value)
        return pos

    def _add(self, labels: list[Any]) -> None:
        sub = self.frame.loc[labels]  # one lookup for all new rows, not one per incident
        date = sub["date"].dt.strftime("%Y-%m-%d").tolist()
        end = sub["date_end"]
        end = end.dt.strftime("%Y-%m-%d").where(end.notna(), None).tolist()
        cols = {c: _plain(sub[c]) for c in _ROW_COLUMNS}
        injured, killed = _casualty_ints(sub["injured"]), _casualty_ints(sub["killed"])
        for i, label in enumerate(labels):
            precision = cols["date_precision"][i] or ""
            dkey = (date[i], precision if precision in ("range", "week", "month") else "", end[i])
            d = self._values["date"].get(dkey)
            if d is None:
                d = self._value("date", dkey, _date_text(*dkey))
            wkey = (cols["weapon"][i], cols["kind"][i], cols["event_type"][i], cols["outcome"][i])
            w = self._values["what"].get(wkey)
            if w is None:
                w = self._value("what", wkey, _what_text(*wkey))
            ckey = (cols["claimed_by"][i], cols["claim_status"][i])
            c = self._values["claim"].get(ckey)
            if c is None:
                c = self._value("claim", ckey, _claim_text(*ckey))
            skey = cols["sources"][i]
            s = self._values["src"].get(skey)
            if s is None:
                s = self._value("src", skey, source_items(skey))
            nkey = cols["notes"][i]
            n = self._values["note"].get(nkey)
            if n is None:
                n = self._value("note", nkey, _note_text(nkey))
            row = [d, w, c, injured[i], killed[i], s]
            if n:
                row.append(n)
            self._index[label] = len(self.rows)
            self.rows.append(row)


def week_label(week: str, monday: pd.Timestamp) -> str:
    """Layer name of an ISO week, e.g. ``2023-W42 (16 Oct)``.

    Parameters
    ----------
    week : str
        ISO week as ``YYYY-Www``.
    monday : pandas.Timestamp
        First day of the week.

    Returns
    -------
    str

    Examples
    --------
    >>> week_label("2023-W42", pd.Timestamp("2023-10-16"))
    '2023-W42 (16 Oct)'
    """
    return f"{week} ({monday.day} {monday.strftime('%b')})"


def marker_radius(count: int, scale_max: int) -> float:
    """Circle radius (pixels, one decimal) of a marker for ``count`` incidents: the area grows with the count,
    from :data:`MIN_RADIUS` for one up to :data:`MAX_RADIUS` at ``scale_max`` and above.

    Examples
    --------
    >>> marker_radius(1, 1), marker_radius(1, 4), marker_radius(9, 4)
    (22.0, 13.0, 22.0)
    """
    scale = max(int(scale_max), 1)
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(min(count, scale) / scale), 1)


def prepare(
    joined: pd.DataFrame,
    *,
    point_mode: str = "site",
    gazetteer: Any = None,
    event_types: Sequence[str] = ATTACK_EVENT_TYPES,
) -> Prepared:
    """Pick the drawable attacks and strikes of ``joined`` and give each a place.

    Parameters
    ----------
    joined : pandas.DataFrame or geopandas.GeoDataFrame
        The joined table (see DEVELOPERS.md); needs at least ``date`` and ``event_type``.
    point_mode : {"site", "point"}, default "site"
        Group by site (rounded point when there is none) or by the rounded point (site when there is none).
    gazetteer : Gazetteer, optional
        Sites are placed at its points (default: the bundled gazetteer); others at their incidents' median.
    event_types : sequence of str, default ``schema.ATTACK_EVENT_TYPES``
        The events drawn as circles (kind ``attack``); strikes not among them are drawn as diamonds.

    Returns
    -------
    Prepared
    """
    df = drop_geometry(joined)
    df = df.reset_index(drop=True)  # row labels index the popup table; they must be unique
    for col in _TEXT_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    for col in ("injured", "killed"):
        df[col] = pd.to_numeric(df[col], errors="coerce") if col in df.columns else np.nan
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    if df["date"].isna().any():
        bad = df.index[df["date"].isna()][:5].tolist()
        raise ValueError(f"joined has rows without a valid date (index {bad})")
    if "date_end" in df.columns:
        df["date_end"] = pd.to_datetime(df["date_end"], errors="coerce")
    else:
        df["date_end"] = pd.NaT
    if "incident_id" in joined.columns:
        df["incident_id"] = df["incident_id"].astype("string")
    else:
        df["incident_id"] = pd.Series(
            [f"row-{i + 1}" for i in range(len(df))], index=df.index, dtype="string"
        )

    lat, lon = positions(joined)
    df["lat"], df["lon"] = lat, lon
    event = df["event_type"].astype("string").str.strip().str.lower()
    df["kind"] = np.where(
        event.isin(list(event_types)), "attack", np.where(event.isin(STRIKE_EVENT_TYPES), "strike", "")
    )
    df = df[df["kind"] != ""]

    country = df["country"].astype("string")
    counted = country[df["kind"] == "attack"].fillna("").value_counts().sort_index()
    attacks_by_country = {str(k): int(v) for k, v in counted.items()}
    attacks_by_country.pop("", None)
    first = df["date"].min() if len(df) else None
    last = (
        max(df["date"].max(), df["date_end"].max())
        if len(df) and df["date_end"].notna().any()
        else (df["date"].max() if len(df) else None)
    )

    site = df["site_id"].astype("string").str.strip()
    site = site.mask(site == "")
    has_point = df["lat"].notna() & df["lon"].notna()
    located = site.notna() | has_point
    unlocated = int((~located).sum())
    df = df[located].copy()
    site = site[located]
    has_point = has_point[located]

    # Place key: the site when known, else the point rounded to 3 decimals (about 100 m).
    rlat, rlon = df["lat"].round(3), df["lon"].round(3)
    point_key = "pt:" + rlat.map("{:.3f}".format).astype(str) + "," + rlon.map("{:.3f}".format).astype(str)
    if point_mode == "point":
        df["place"] = point_key.where(has_point, "site:" + site).astype(str)
    else:
        df["place"] = ("site:" + site).fillna(point_key).astype(str)
    site_name = df["site_name"].astype("string").where(df["site_name"].notna(), site)
    location = df["location"].astype("string")
    df["place_name"] = site_name.where(site.notna(), location).fillna(df["place"])

    df = df.sort_values(["date", "incident_id"], kind="stable")
    # One position and one name per place: the first-listed name, the median position for sites (site points
    # dominate; incidents matched by distance have their own points), the rounded point otherwise.
    by_place = df.groupby("place", sort=True)
    names = by_place["place_name"].first()
    med_lat, med_lon = by_place["lat"].median(), by_place["lon"].median()
    # A site's marker stands on the gazetteer's point, not on the spread of incidents matched by distance.
    from ..gazetteer import default_gazetteer

    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    for place in med_lat.index:
        site_id = place[len("site:") :] if place.startswith("site:") else None
        if site_id is not None and site_id in gaz:
            med_lat[place], med_lon[place] = gaz[site_id].lat, gaz[site_id].lon
    df["place_name"] = df["place"].map(names)
    is_site = df["place"].str.startswith("site:")
    # (index-aligned: df was re-sorted since rlat/rlon were computed)
    df["lat"] = df["place"].map(med_lat).where(is_site, rlat)
    df["lon"] = df["place"].map(med_lon).where(is_site, rlon)
    # A site given by id but with no point anywhere cannot be drawn either.
    missing = df["lat"].isna() | df["lon"].isna()
    unlocated += int(missing.sum())
    df = df[~missing]

    df["week"] = iso_week_label(df["date"]).astype(str)
    df["week_start"] = week_start(df["date"])
    attack_weeks = (
        df.loc[df["kind"] == "attack", ["week", "week_start"]].drop_duplicates().sort_values("week_start")
    )
    pairs = zip(attack_weeks["week"], attack_weeks["week_start"], strict=True)
    weeks = [(str(w), pd.Timestamp(s)) for w, s in pairs]
    return Prepared(df, unlocated, weeks, attacks_by_country, first, last)


def place_records(
    frame: pd.DataFrame,
    keys: Sequence[str],
    table: RowTable,
    *,
    color_by: str,
    scale_max: int,
    limit: int,
    noun: str,
    country_names: dict[str, str] | None = None,
) -> dict[tuple[Any, ...], list[list[Any]]]:
    """Marker records per group of ``keys`` (plus the place), for the marker layers' JS.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows of :attr:`Prepared.frame` to draw (one kind).
    keys : sequence of str
        Columns splitting the markers into layers (``[]`` for one layer, ``["week"]``, ``["country"]``).
    table : RowTable
        Where popup rows go.
    color_by : {"country", "weapon"}
        Fill colour: the place's country or its most frequent weapon.
    scale_max : int
        Count drawn with :data:`MAX_RADIUS`.
    limit : int
        Most incidents listed in one popup.
    noun : str
        ``"attacks"`` or ``"US strikes"`` for tooltips.
    country_names : dict, optional
        ISO3 -> name.

    Returns
    -------
    dict
        Layer key tuple -> list of ``[lat, lon, radius, color, tooltip, header, row ids, more]``, ordered by
        place name and key.
    """
    out: dict[tuple[Any, ...], list[list[Any]]] = {}
    if frame.empty:
        return out
    cols = list(keys) + ["place"]
    # Newest first inside each marker, ties by incident id, so popups and row ids are stable.
    ordered = frame.sort_values(["date", "incident_id"], ascending=[False, True], kind="stable")
    ordered = ordered.assign(_rank=ordered.groupby(cols, sort=False).cumcount())
    grouped = ordered.groupby(cols, sort=True)
    stats = grouped.agg(
        n=("incident_id", "size"),
        injured=("injured", "sum"),
        killed=("killed", "sum"),
        lat=("lat", "first"),
        lon=("lon", "first"),
        name=("place_name", "first"),
    )
    colors = _colors(ordered, cols, color_by)
    countries = _mode(ordered, cols, "country")
    shown = ordered[ordered["_rank"] < limit]
    # Positions of each marker's listed incidents (in ``shown`` order: newest first), then one batch of rows.
    groups = shown.groupby(cols, sort=False).indices
    group_keys = sorted(groups, key=lambda k: k if isinstance(k, tuple) else (k,))
    labels = shown.index.to_numpy()
    listed = [labels[groups[k]].tolist() for k in group_keys]
    refs = table.refs([label for part in listed for label in part])
    row_ids: dict[tuple[Any, ...], list[int]] = {}
    start = 0
    for key, part in zip(group_keys, listed, strict=True):
        row_ids[key if isinstance(key, tuple) else (key,)] = refs[start : start + len(part)]
        start += len(part)
    stats = stats.reset_index().sort_values(list(keys) + ["name", "place"], kind="stable")
    for rec in stats.itertuples(index=False):
        full = tuple(getattr(rec, c) for c in cols)
        count = int(rec.n)  # type: ignore[arg-type]
        radius = marker_radius(count, scale_max)
        one = noun[:-1] if count == 1 and noun.endswith("s") else noun
        tooltip = f"{esc(rec.name)}: {count} {esc(one)}"
        header = _popup_header(
            rec.name, countries.get(full), count, one, rec.injured, rec.killed, country_names
        )
        ids = row_ids.get(full, [])
        out.setdefault(full[:-1], []).append(
            [
                round(float(rec.lat), 5),  # type: ignore[arg-type]
                round(float(rec.lon), 5),  # type: ignore[arg-type]
                radius,
                colors.get(full, UNKNOWN_COLOR),
                tooltip,
                header,
                ids,
                count - len(ids),
            ]
        )
    return out


def _mode(frame: pd.DataFrame, cols: list[str], column: str) -> dict[tuple[Any, ...], Any]:
    """Most frequent value of ``column`` per group (ties: alphabetical)."""
    values = frame[column].astype("string").fillna("")
    counts = (
        pd.DataFrame({**{c: frame[c] for c in cols}, "_v": values})
        .groupby(cols + ["_v"], sort=True)
        .size()
        .rename("_n")
        .reset_index()
        .sort_values(cols + ["_n", "_v"], ascending=[True] * len(cols) + [False, True], kind="stable")
        .drop_duplicates(cols)
    )
    return {tuple(row[:-2]): (row[-2] or None) for row in counts.itertuples(index=False)}


def _colors(frame: pd.DataFrame, cols: list[str], color_by: str) -> dict[tuple[Any, ...], str]:
    if color_by == "weapon":
        return {
            k: WEAPON_COLORS.get(v or "unknown", OTHER_COLOR) for k, v in _mode(frame, cols, "weapon").items()
        }
    return {
        k: country_color(v) for k, v in _mode(frame, cols, "country").items()
    }


def _int_or_none(value: Any) -> int | None:
    return None if is_missing(value) else int(value)


def _popup_header(
    name: Any,
    country: Any,
    count: int,
    noun: str,
    injured: Any,
    killed: Any,
    country_names: dict[str, str] | None,
) -> list[str]:
    """``[place name, country name, "N attacks · N injured · N killed"]``, plain text (the JS escapes)."""
    parts = [f"{count} {noun}"]
    inj, kil = _int_or_none(injured), _int_or_none(killed)
    if inj:
        parts.append(f"{inj} injured")
    if kil:
        parts.append(f"{kil} killed")
    where = country_name(country, country_names) if country else ""
    return ["" if is_missing(name) else str(name), where, " · ".join(parts)]


def _plain(column: pd.Series) -> list[Any]:
    """A column as a list of Python values, None for missing ones."""
    return column.astype(object).where(column.notna(), None).tolist()


def _casualty_ints(column: pd.Series) -> list[int | None]:
    """A casualty column as ints, None where not reported."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan).tolist()
    return [None if v != v else int(v) for v in values]  # v != v: NaN


def _date_text(date: str, precision: str, end: str | None) -> str:
    if precision == "range" and end is not None:
        return f"{date} – {end}"
    if precision in ("week", "month"):
        return f"{date} ({precision})"
    return date


def _what_text(weapon: Any, kind: Any, event_type: Any, outcome: Any) -> str:
    """Weapon, interception and outcome of an incident, joined with `` · ``."""
    parts = []
    if weapon is not None:
        parts.append(vocabulary_label("weapon", weapon))
    if kind == "attack" and str(event_type) == "interception":
        parts.append("interception")
    if outcome is not None and str(outcome) != "unknown":
        parts.append(str(outcome).replace("_", " "))
    return " · ".join(parts)


def _claim_text(claimed_by: Any, status: Any) -> str:
    status = "" if status is None else str(status).replace("_", " ")
    if claimed_by is not None and str(claimed_by).strip():
        return f"claimed by {claimed_by}" + (f" ({status})" if status else "")
    return status


def _note_text(notes: Any) -> str:
    if notes is None or not str(notes).strip():
        return ""
    text = str(notes).strip()
    if len(text) > 280:  # popups are a summary; the table has the full text
        text = text[:279].rstrip() + "…"
    return text
