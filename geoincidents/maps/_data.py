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

from .._geo import positions
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
# Text columns only shown in popups (not cleaned or compared here).
_POPUP_ONLY = ("weapon", "claimed_by", "claim_status", "outcome", "sources", "notes", "date_precision")
# The frame columns a popup row is made of.
_POPUP_COLUMNS = (
    "date",
    "date_end",
    "injured",
    "killed",
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


@dataclass
class Markers:
    """One marker layer as columns (one entry per marker), as the page's JS draws it.

    Attributes
    ----------
    place : numpy.ndarray
        Position of each marker's place in :attr:`RowTable.places`.
    count, injured, killed : numpy.ndarray
        Incidents at the marker and their reported casualties (sums).
    style : numpy.ndarray
        Position in :attr:`RowTable.styles` (the country shown in the popup and the fill colour).
    start : numpy.ndarray
        Global position (see :class:`RowTable`) of the first listed incident when the listed ones follow each
        other in that order, else -1 and the positions are in ``lists``.
    lists : dict
        Marker position -> global positions of its listed incidents (only where ``start`` is -1).
    noun : str
        ``"attacks"``, ``"events"`` or ``"US strikes"``.
    scale_max : int
        Count drawn with :data:`MAX_RADIUS`.
    limit : int
        Most incidents listed in one popup.
    """

    place: np.ndarray
    count: np.ndarray
    injured: np.ndarray
    killed: np.ndarray
    style: np.ndarray
    start: np.ndarray
    lists: dict[int, list[int]]
    noun: str = "attacks"
    scale_max: int = 1
    limit: int = 15

    @classmethod
    def empty(cls, noun: str = "attacks") -> Markers:
        """A layer without markers.

        Examples
        --------
        >>> len(Markers.empty())
        0
        """
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none, none, none, {}, noun)

    def __len__(self) -> int:
        return len(self.place)

    def listed(self, i: int) -> int:
        """Number of incidents the popup of marker ``i`` lists."""
        if self.start[i] < 0:
            return len(self.lists[int(i)])
        return int(min(self.count[i], self.limit))


class RowTable:
    """The places, marker styles and popup rows of a map, shipped once as compact JSON; markers point into it.

    The drawable incidents are put in one *global order* (kind, place, newest first, ties by incident id).
    A marker's popup lists its ``limit`` first incidents in that order; for a place, or a place in one week,
    they follow each other, so the marker needs only the position of the first. Only incidents that some
    popup lists are shipped, as columns of small integers (``d`` date, ``w`` weapon/interception/outcome,
    ``c`` claim, ``x`` casualties, ``s`` sources, ``n`` note) pointing into tables of distinct values
    (``date``, ``what``, ``claim``, ``cas`` as ``[injured, killed]`` with -1 for not reported, ``src``,
    ``note``). All values are plain text: the
    page's JS puts them into the DOM with ``textContent`` and links only ``http(s)`` URLs, which
    :func:`~geoincidents.maps._html.safe_url` already checked here. Place names come twice: plain (``names``,
    for popups) and escaped by :func:`~geoincidents.maps._html.esc` (``tips``, for tooltips, which Leaflet
    shows as HTML).

    Parameters
    ----------
    frame : pandas.DataFrame
        :attr:`Prepared.frame` (sorted by date and incident id).
    country_names : dict, optional
        ISO3 -> name, for the popups.

    Examples
    --------
    >>> RowTable(pd.DataFrame()).payload()["places"]
    {'lat': [], 'lon': [], 'name': []}
    """

    def __init__(self, frame: pd.DataFrame, country_names: dict[str, str] | None = None):
        self.frame = frame
        self.country_names = country_names
        self.styles: list[list[str]] = []
        self._style_index: dict[tuple[str, str], int] = {}
        n = len(frame)
        self._listed = np.zeros(n, dtype=bool)
        self._ship: tuple[int, np.ndarray] | None = None
        if n == 0 or "place" not in frame.columns:
            self.places = pd.DataFrame({"lat": [], "lon": [], "name": []})
            self.names: list[str] = []
            self._order = np.zeros(0, dtype=np.int64)
            self._rank = np.zeros(0, dtype=np.int64)
            self._place_code = np.zeros(0, dtype=np.int64)
            return
        # Places in name order (then key): layers list their markers in this order.
        place_codes, place_keys = pd.factorize(frame["place"].to_numpy(dtype=object))
        first = pd.DataFrame({"code": place_codes, "name": frame["place_name"].astype(str).to_numpy()})
        first = first.drop_duplicates("code").set_index("code").sort_index()
        lat = pd.Series(frame["lat"].to_numpy(dtype=float)).groupby(place_codes).first()
        lon = pd.Series(frame["lon"].to_numpy(dtype=float)).groupby(place_codes).first()
        info = pd.DataFrame(
            {"key": np.asarray(place_keys, dtype=object), "name": first["name"].to_numpy(),
             "lat": lat.to_numpy(), "lon": lon.to_numpy()}
        ).sort_values(["name", "key"], kind="stable")
        rank_of_code = np.empty(len(info), dtype=np.int64)
        rank_of_code[info.index.to_numpy()] = np.arange(len(info))
        row_place = rank_of_code[place_codes]
        name_codes, names = pd.factorize(info["name"].to_numpy(dtype=object))
        self.names = [str(v) for v in names]
        self.places = pd.DataFrame(
            {
                "lat": info["lat"].round(5).to_numpy(),
                "lon": info["lon"].round(5).to_numpy(),
                "name": name_codes,
            }
        )
        kind = (frame["kind"].to_numpy(dtype=object) == "strike").astype(np.int64)
        days = frame["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        # Global order: kind, place, newest first, ties by incident id (the frame's order: lexsort is stable).
        self._order = np.lexsort((-days, row_place, kind))  # frame positions, in global order
        self._rank = np.empty(n, dtype=np.int64)
        self._rank[self._order] = np.arange(n)
        self._place_code = row_place

    # -- layers -------------------------------------------------------------------------------------------
    def markers(
        self,
        part: pd.DataFrame,
        keys: Sequence[str],
        *,
        color_by: str,
        scale_max: int,
        limit: int,
        noun: str,
    ) -> dict[tuple[Any, ...], Markers]:
        """The markers of ``part`` per group of ``keys``, one per place, and mark the incidents they list.

        Parameters
        ----------
        part : pandas.DataFrame
            Rows of :attr:`frame` (one kind).
        keys : sequence of str
            Columns splitting the markers into layers (``[]`` for one layer, ``["week"]``, ``["country"]``).
        color_by : {"country", "weapon"}
            Fill colour: the marker's most frequent country or weapon (ties: alphabetical).
        scale_max : int
            Count drawn with :data:`MAX_RADIUS`.
        limit : int
            Most incidents listed in one popup (newest first).
        noun : str
            ``"attacks"``, ``"events"`` or ``"US strikes"``.

        Returns
        -------
        dict
            Layer key tuple (``()`` without keys) -> :class:`Markers`, markers in place-name order.
        """
        out: dict[tuple[Any, ...], Markers] = {}
        if part.empty:
            return out
        pos = self.frame.index.get_indexer(part.index)
        glob = np.sort(self._rank[pos])  # global positions of the part's incidents, in global order
        rows = self._order[glob]  # their frame positions
        place = self._place_code[rows]
        key_values: list[tuple[Any, ...]] = [()]
        key_code = np.zeros(len(rows), dtype=np.int64)
        if keys:
            key_code = np.zeros(len(rows), dtype=np.int64)
            decoded = []
            valid = np.ones(len(rows), dtype=bool)
            for key in keys:
                codes, uniques = pd.factorize(self.frame[key].iloc[rows], sort=True)
                valid &= codes >= 0  # rows without a key value are in no layer (as groupby drops them)
                key_code = key_code * len(uniques) + codes
                decoded.append([str(u) for u in uniques])
            glob, rows, place, key_code = glob[valid], rows[valid], place[valid], key_code[valid]
            if not len(rows):
                return out
            key_code, combos = pd.factorize(key_code, sort=True)
            key_values = [tuple(_unpack(combo, decoded)) for combo in combos.tolist()]
        n_places = len(self.places)
        group = key_code.astype(np.int64) * n_places + place
        by_group = np.argsort(group, kind="stable")  # global order inside each group
        group, glob, rows = group[by_group], glob[by_group], rows[by_group]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        counts = np.diff(np.r_[starts, len(group)])
        rank = np.arange(len(group)) - np.repeat(starts, counts)
        shown = rank < limit
        self._listed[glob[shown]] = True
        listed = np.minimum(counts, limit)
        first, last = glob[starts], glob[starts + listed - 1]
        together = last - first + 1 == listed
        injured = self._sums("injured", rows, starts)
        killed = self._sums("killed", rows, starts)
        country = self._mode("country", rows, group, starts)
        if color_by == "weapon":
            weapon = self._mode("weapon", rows, group, starts)
            colors = [WEAPON_COLORS.get(w or "unknown", OTHER_COLOR) for w in weapon]
        else:
            colors = [country_color(c) if c else UNKNOWN_COLOR for c in country]
        styles = [self._style(c, col) for c, col in zip(country, colors, strict=True)]
        style = np.array(styles, dtype=np.int64)
        start = np.where(together, first, -1)
        marker_key = group[starts] // n_places
        lists_all = {
            int(i): glob[starts[i] : starts[i] + listed[i]].tolist() for i in np.flatnonzero(~together)
        }
        bounds = np.flatnonzero(np.r_[True, marker_key[1:] != marker_key[:-1]])
        for b, e in zip(bounds, np.r_[bounds[1:], len(marker_key)], strict=True):
            out[key_values[marker_key[b]]] = Markers(
                place=group[starts[b:e]] % n_places,
                count=counts[b:e],
                injured=injured[b:e],
                killed=killed[b:e],
                style=style[b:e],
                start=start[b:e],
                lists={i - int(b): v for i, v in lists_all.items() if b <= i < e},
                noun=noun,
                scale_max=max(int(scale_max), 1),
                limit=limit,
            )
        return out

    def marker_js(self, markers: Markers) -> dict[str, Any]:
        """A layer's columns for the page, made small: ``p`` place and ``r`` first shipped row as differences
        from the marker before (both grow along a layer), or for ``r`` the list of shipped rows; ``n`` count;
        ``s`` style; ``i``/``k`` casualties as ``[marker, value, ...]`` pairs where not zero.

        Examples
        --------
        >>> RowTable(pd.DataFrame()).marker_js(Markers.empty())
        {'p': [], 'n': [], 's': [], 'r': []}
        """
        ship = self._shipped_index()
        together = markers.start >= 0
        first = ship[markers.start[together]] if together.any() else np.zeros(0, dtype=np.int64)
        steps = np.diff(np.r_[0, first]).tolist()
        r: list[Any] = [None] * len(markers)
        for i, step in zip(np.flatnonzero(together).tolist(), steps, strict=True):
            r[i] = step
        for i, listed in markers.lists.items():
            r[i] = ship[listed].tolist()
        out: dict[str, Any] = {
            "p": np.diff(np.r_[0, markers.place]).tolist(),
            "n": markers.count.tolist(),
            "s": markers.style.tolist(),
            "r": r,
        }
        for name, values in (("i", markers.injured), ("k", markers.killed)):
            hit = np.flatnonzero(values)
            if len(hit):
                out[name] = np.column_stack([hit, values[hit]]).ravel().tolist()
        return out

    def marker_rows(self, markers: Markers, i: int) -> list[int]:
        """Positions (in the shipped rows of :meth:`payload`) of the incidents marker ``i`` lists."""
        ship = self._shipped_index()
        if markers.start[i] < 0:
            return ship[markers.lists[int(i)]].tolist()
        return list(range(int(ship[markers.start[i]]), int(ship[markers.start[i]]) + markers.listed(i)))

    def describe(self, markers: Markers) -> list[list[Any]]:
        """What each marker shows, as the page's JS draws it (for inspection and tests; one Python step per
        marker, so not used to build the page).

        Returns
        -------
        list of list
            ``[lat, lon, radius, color, tooltip_html, [name, country, counts], row positions, n_more]`` per
            marker; row positions index the columns of ``payload()["rows"]``.
        """
        out = []
        for i in range(len(markers)):
            p, count = int(markers.place[i]), int(markers.count[i])
            name = self.names[int(self.places["name"].iloc[p])]
            noun = markers.noun[:-1] if count == 1 and markers.noun.endswith("s") else markers.noun
            country, color = self.styles[int(markers.style[i])]
            header = _popup_header(name, country, count, noun, markers.injured[i], markers.killed[i])
            out.append([
                float(self.places["lat"].iloc[p]),
                float(self.places["lon"].iloc[p]),
                marker_radius(count, markers.scale_max),
                color,
                f"{esc(name)}: {count} {esc(noun)}",
                header,
                self.marker_rows(markers, i),
                count - markers.listed(i),
            ])
        return out

    # -- payload ------------------------------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        """The tables, places, styles and shipped rows, ready for :func:`~geoincidents.maps._html.js_json`."""
        shipped = self._order[np.flatnonzero(self._listed)]
        out: dict[str, Any] = {"date": [], "what": [], "claim": [], "cas": [], "src": [], "note": []}
        rows: dict[str, list[int]] = {k: [] for k in ("d", "w", "c", "x", "s")}
        if len(shipped):
            sub = self.frame[list(_POPUP_COLUMNS)].iloc[shipped]
            rows["d"], out["date"] = _table(self._date_columns(sub), _date_text)
            what = [sub[c] for c in ("weapon", "kind", "event_type", "outcome")]
            rows["w"], out["what"] = _table(what, _what_text)
            rows["c"], out["claim"] = _table([sub["claimed_by"], sub["claim_status"]], _claim_text)
            casualties = [pd.Series(_casualty_ints(sub[c])) for c in ("injured", "killed")]
            rows["x"], out["cas"] = _table(casualties, lambda i, k: [int(i), int(k)])
            rows["s"], out["src"] = _table([sub["sources"]], source_items)
            notes, out["note"] = _table([sub["notes"]], _note_text)
            if any(out["note"]):
                rows["n"] = notes
        places = self.places
        return {
            **out,
            "rows": rows,
            "places": {"lat": places["lat"].tolist(), "lon": places["lon"].tolist(),
                       "name": places["name"].tolist()},
            "names": self.names,
            "tips": [esc(n) for n in self.names],
            "styles": self.styles,
        }

    # -- helpers ------------------------------------------------------------------------------------------
    def _shipped_index(self) -> np.ndarray:
        """Position among the shipped rows of each global position (cached until more rows are listed)."""
        count = int(self._listed.sum())
        if self._ship is None or self._ship[0] != count:
            self._ship = (count, np.cumsum(self._listed) - 1)
        return self._ship[1]

    def _style(self, country: str | None, color: str) -> int:
        key = (country or "", color)
        pos = self._style_index.get(key)
        if pos is None:
            pos = self._style_index[key] = len(self.styles)
            self.styles.append([country_name(country, self.country_names) if country else "", color])
        return pos

    def _sums(self, column: str, rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        values = pd.to_numeric(self.frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return np.add.reduceat(np.nan_to_num(values[rows]), starts).astype(np.int64)

    def _mode(self, column: str, rows: np.ndarray, group: np.ndarray, starts: np.ndarray) -> list[str | None]:
        """Most frequent value of ``column`` per group (ties: alphabetical; missing counts as ``""``)."""
        found, values = pd.factorize(self.frame[column].iloc[rows], sort=True)
        codes, uniques = found + 1, ["", *(str(v) for v in values)]  # missing first, as ""
        marker = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(rows)]))
        pair, counts = np.unique(marker * len(uniques) + codes, return_counts=True)
        who, code = pair // len(uniques), pair % len(uniques)
        best = np.lexsort((code, -counts, who))
        keep = best[np.r_[True, who[best][1:] != who[best][:-1]]]
        return [str(uniques[c]) or None for c in code[keep]]

    @staticmethod
    def _date_columns(sub: pd.DataFrame) -> list[pd.Series]:
        """Date, precision (only ``range``/``week``/``month`` matter) and end date, as texts."""
        precision = sub["date_precision"].astype("string")
        precision = precision.where(precision.isin(["range", "week", "month"]))
        date = sub["date"].to_numpy(dtype="datetime64[D]")
        end = sub["date_end"].to_numpy(dtype="datetime64[D]")
        # Dates as day numbers (few distinct), formatted once per distinct date by _date_text.
        return [pd.Series(date.astype(np.int64)), pd.Series(precision.to_numpy(dtype=object)),
                pd.Series(np.where(np.isnat(end), np.nan, end.astype(np.int64).astype(float)))]


def _table(columns: list[pd.Series], text: Any) -> tuple[list[int], list[Any]]:
    """Per row, the position of its distinct combination of ``columns`` (first-appearance order), and
    ``text(*values)`` of each combination (missing values as None)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    decoded: list[list[Any]] = []
    for column in columns:
        codes, uniques = pd.factorize(column)
        decoded.append([None, *(None if is_missing(u) else u for u in uniques)])
        key = key * (len(uniques) + 1) + (codes + 1)
    codes, firsts = pd.factorize(key)
    return codes.tolist(), [text(*_unpack(k, decoded)) for k in firsts.tolist()]


def _unpack(key: int, options: list[list[Any]]) -> list[Any]:
    """The values a combined key stands for: ``key`` is the positions in ``options`` in mixed radix."""
    parts = []
    for values in reversed(options):
        key, position = divmod(key, len(values))
        parts.append(values[position])
    return parts[::-1]


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
    # Only the columns the map shows: every filter below then copies a dozen columns, not the whole table.
    shown = [c for c in (*_TEXT_COLUMNS, "date", "date_end", "injured", "killed") if c in joined.columns]
    df = pd.DataFrame(joined[shown]).reset_index(drop=True)  # row labels must be unique
    for col in _POPUP_ONLY:
        if col in df.columns:  # few distinct values: filters and sorts then move integer codes
            df[col] = df[col].astype("category")
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
    kind_names = pd.array(["", "attack", "strike"], dtype="str")
    kind_codes = np.where(event.isin(list(event_types)), 1, np.where(event.isin(STRIKE_EVENT_TYPES), 2, 0))
    drawn = kind_codes != 0

    country = df["country"].astype("string")
    counted = country[kind_codes == 1].fillna("").value_counts().sort_index()
    attacks_by_country = {str(k): int(v) for k, v in counted.items()}
    attacks_by_country.pop("", None)
    dates = df["date"][drawn]
    ends = df["date_end"][drawn]
    first = dates.min() if len(dates) else None
    last = dates.max() if len(dates) else None
    if last is not None and ends.notna().any():
        last = max(last, ends.max())

    site_text = df["site_id"].astype("string").str.strip()
    site_ids = np.asarray(site_text.mask(site_text == ""), dtype=object)
    point_flags = (df["lat"].notna() & df["lon"].notna()).to_numpy(dtype=bool)
    located = ~pd.isna(site_ids) | point_flags
    unlocated = int((drawn & ~located).sum())
    # The drawn, located rows by date, then incident id (Python's sort of the ids is faster than pandas'
    # multi-column sort on text), taken from the table once.
    keep = np.flatnonzero(drawn & located)
    id_text = np.asarray(df["incident_id"].fillna(""), dtype=object)[keep]
    by_id = np.array(sorted(range(len(keep)), key=id_text.__getitem__), dtype=np.int64)
    days = np.asarray(df["date"], dtype="datetime64[ns]")[keep]
    take = keep[by_id[np.argsort(days[by_id], kind="stable")]]
    df = df.iloc[take].copy()
    df["kind"] = kind_names.take(kind_codes[take])
    site = pd.Series(site_ids[take], index=df.index, dtype="string")
    has_point = pd.Series(point_flags[take], index=df.index)

    # Place key: the site when known, else the point rounded to 3 decimals (about 100 m).
    rlat, rlon = df["lat"].round(3), df["lon"].round(3)
    point_key = _point_keys(rlat, rlon, has_point)
    if point_mode == "point":
        df["place"] = point_key.where(has_point, "site:" + site).astype(str)
    else:
        df["place"] = ("site:" + site).fillna(point_key).astype(str)
    site_name = df["site_name"].astype("string").where(df["site_name"].notna(), site)
    location = df["location"].astype("string")
    df["place_name"] = site_name.where(site.notna(), location).fillna(df["place"])
    # One position and one name per place: the first-listed name, the median position for sites (site points
    # dominate; incidents matched by distance have their own points), the rounded point otherwise.
    codes, places = pd.factorize(df["place"].to_numpy(dtype=object))
    names = df["place_name"].groupby(codes).first().reindex(range(len(places))).to_numpy(dtype=object)
    med_lat = df["lat"].groupby(codes).median().reindex(range(len(places))).to_numpy(dtype=float, copy=True)
    med_lon = df["lon"].groupby(codes).median().reindex(range(len(places))).to_numpy(dtype=float, copy=True)
    # A site's marker stands on the gazetteer's point, not on the spread of incidents matched by distance.
    from ..gazetteer import default_gazetteer

    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    place_is_site = np.array([str(p).startswith("site:") for p in places], dtype=bool)
    for i in np.flatnonzero(place_is_site):
        site_id = str(places[i])[len("site:") :]
        if site_id in gaz:
            med_lat[i], med_lon[i] = gaz[site_id].lat, gaz[site_id].lon
    # Each distinct name made a string once, then taken per row (not a million Python objects converted).
    df["place_name"] = pd.array(names, dtype="str").take(codes)
    is_site = place_is_site[codes]
    df["lat"] = np.where(is_site, med_lat[codes], rlat.to_numpy(dtype=float))
    df["lon"] = np.where(is_site, med_lon[codes], rlon.to_numpy(dtype=float))
    # A site given by id but with no point anywhere cannot be drawn either.
    missing = df["lat"].isna() | df["lon"].isna()
    if missing.any():
        unlocated += int(missing.sum())
        df = df[~missing]

    df["week"] = iso_week_label(df["date"]).astype("category")
    df["week_start"] = week_start(df["date"])
    attack_weeks = (
        df.loc[df["kind"] == "attack", ["week", "week_start"]].drop_duplicates().sort_values("week_start")
    )
    pairs = zip(attack_weeks["week"], attack_weeks["week_start"], strict=True)
    weeks = [(str(w), pd.Timestamp(s)) for w, s in pairs]
    return Prepared(df, unlocated, weeks, attacks_by_country, first, last)


def _point_keys(rlat: pd.Series, rlon: pd.Series, has_point: pd.Series) -> pd.Series:
    """``pt:<lat>,<lon>`` (3 decimals) per row with a point, else missing; each distinct point formatted
    once."""
    row_codes = np.full(len(rlat), -1, dtype=np.int64)
    texts: list[str] = []
    mask = has_point.to_numpy(dtype=bool)
    if mask.any():
        lat, lon = rlat.to_numpy(dtype=float)[mask], rlon.to_numpy(dtype=float)[mask]
        # Thousandths of a degree as one integer per point (latitude in [-90, 90], longitude in [-180, 180]).
        point = np.rint(lat * 1000).astype(np.int64) * 1_000_000 + np.rint(lon * 1000).astype(np.int64)
        codes, uniques = pd.factorize(point)
        first = np.unique(codes, return_index=True)[1]
        texts = [f"pt:{a:.3f},{b:.3f}" for a, b in zip(lat[first], lon[first], strict=True)]
        row_codes[mask] = codes
    # Each distinct key made a string once and taken per row; -1 (no point) is missing.
    keys = pd.array(texts, dtype="str").take(row_codes, allow_fill=True)
    return pd.Series(keys, index=rlat.index)


def _popup_header(name: str, country: str, count: int, noun: str, injured: Any, killed: Any) -> list[str]:
    """``[place name, country name, "N attacks · N injured · N killed"]``, plain text (the JS escapes)."""
    parts = [f"{count} {noun}"]
    if injured:
        parts.append(f"{int(injured)} injured")
    if killed:
        parts.append(f"{int(killed)} killed")
    return [name, country, " · ".join(parts)]


def _casualty_ints(column: pd.Series) -> list[int]:
    """A casualty column as ints, -1 where not reported."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(values), -1, np.nan_to_num(values)).astype(np.int64).tolist()


def _date_text(day: int, precision: str | None, end_day: float | None) -> str:
    """The popup's date of an incident from its day number (since 1970), precision and end day."""
    date = str(np.datetime64(int(day), "D"))
    end = None if end_day is None else str(np.datetime64(int(end_day), "D"))
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
