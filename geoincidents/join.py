"""Put every incident on a site of the gazetteer: by the name the report gives, or by distance.

Distances are geodesic metres on the WGS84 ellipsoid (:class:`pyproj.Geod`), never degrees. The region spans
UTM zones 37N and 38N, so no single projected CRS is exact; geopandas' ``sjoin_nearest`` in EPSG:4326 measures
in degrees (and warns), and returns several rows when two sites tie. Here each incident gets exactly one row.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ._geo import EARTH_RADIUS_M, drop_geometry, positions
from .gazetteer import Gazetteer, default_gazetteer
from .matching import DEFAULT_MAX_DISTANCE_M, FUZZY_THRESHOLD, match_distinct

if TYPE_CHECKING:
    import geopandas
    import pandas

__all__ = ["join_sites", "JoinSummary", "JOIN_COLUMNS", "NAME_CONFLICT_MARGIN_M", "DISTANCE_TARGETS"]

#: Columns :func:`join_sites` adds (``site_id`` is filled in place when the incidents already have one).
JOIN_COLUMNS = ("site_id", "site_name", "match_method", "match_score", "distance_m", "match_candidates",
                "match_warning")
NAME_CONFLICT_MARGIN_M = 10_000.0
"""How far (metres) beyond a site's ``uncertainty_m`` an incident's own exact point may lie before its name
match is flagged as a conflict (``match_warning``): the same allowance as the country check
(:data:`geoincidents.incidents.COUNTRY_TOLERANCE_M`), for points placed at the nearest town."""
DISTANCE_TARGETS = ("us_coalition",)
"""Targets whose incidents the distance fallback may put on a site: a base is where attacks on US/coalition
forces happen, not where every nearby air strike or IED does."""
_HOW = ("auto", "name", "distance")
# Nearest-site search (see _nearest): candidates on the sphere, exact geodesic distances for them only.
_THREAD_MIN_PAIRS = 100_000  # geodesic distances per thread, at least
_CELL_ROWS, _CELL_COLUMNS = 180, 360  # 1-degree cells: 64 800 of them, numbered in 16 bits
_SPHERE_MARGIN = 1.02
"""Geodesic over spherical distance lies within [0.9944, 1.0045]; 1.02 covers the ratio of two of them."""
_DOT_SLACK = 1e-12
"""Rounding of the dot products (a few 1e-16) with room to spare; 1e-12 of 1 - cos is about 9 m."""
_METHODS = ("given", "exact", "alias", "fuzzy", "distance", "ambiguous")


@dataclass(frozen=True)
class JoinSummary:
    """How the incidents of a join were matched: counts per method, and the unmatched and ambiguous rows."""

    total: int
    matched: int
    unmatched: int
    ambiguous: int
    by_method: dict[str, int] = field(default_factory=dict)
    conflicts: int = 0
    """Name matches whose incident's own point lies far from the site (``match_warning`` set)."""
    distance_skipped: int = 0
    """Incidents with a point but no site that the distance fallback left alone (their target is not
    among the ``distance_targets``)."""

    @classmethod
    def of(cls, joined: pandas.DataFrame) -> JoinSummary:
        """Compute the summary of a table returned by :func:`join_sites`."""
        methods = joined["match_method"]
        counts = methods.value_counts(dropna=True)
        by_method = {str(k): int(v) for k, v in sorted(counts.items())}
        ambiguous = int(by_method.get("ambiguous", 0))
        matched = int(joined["site_id"].notna().sum())
        conflicts = int(joined["match_warning"].notna().sum()) if "match_warning" in joined else 0
        skipped = int(joined.attrs.get("distance_skipped", 0))
        return cls(len(joined), matched, len(joined) - matched - ambiguous, ambiguous, by_method, conflicts,
                   skipped)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        methods = ", ".join(f"{k} {v}" for k, v in self.by_method.items() if k != "ambiguous")
        return (
            f"{self.total} incidents: {self.matched} matched ({methods or 'none'}), "
            f"{self.ambiguous} ambiguous, {self.unmatched} unmatched, {self.conflicts} name/point "
            f"conflicts, {self.distance_skipped} not placed by distance (not targeting US/coalition forces)"
        )


def join_sites(
    incidents: pandas.DataFrame,
    gazetteer: Gazetteer | None = None,
    *,
    how: str = "auto",
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    min_score: float = FUZZY_THRESHOLD,
    distance_targets: tuple[str, ...] | None = DISTANCE_TARGETS,
) -> geopandas.GeoDataFrame:
    """Match each incident to a gazetteer site.

    Parameters
    ----------
    incidents : pandas.DataFrame
        An incident table (see :func:`geoincidents.read_incidents`); needs ``location`` for name matching and
        ``lat``/``lon`` (or a point geometry) for distance matching. A ``country`` column is used as a hint,
        a ``date`` column as the day of each incident (see :func:`geoincidents.geocode`'s ``date``).
        A ``site_id`` already given is kept (method ``"given"``) and must exist in the gazetteer.
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.
    how : {"auto", "name", "distance"}, default "auto"
        ``"name"`` geocodes the ``location`` text; ``"distance"`` takes the nearest site within
        ``max_distance_m`` of the incident's point; ``"auto"`` tries the name first and falls back to
        distance for incidents whose name gives no site (or an ambiguous one) but which have a point.
    max_distance_m : float, default 25 000
        Largest geodesic distance for a distance match.
    min_score : float, default 85
        Lowest fuzzy score for a name match.
    distance_targets : tuple of str or None, default ("us_coalition",)
        Only incidents with one of these ``target`` values are placed by distance (see
        :data:`DISTANCE_TARGETS`); None places every incident. A table without ``target`` is placed as before.

    Returns
    -------
    geopandas.GeoDataFrame
        The incidents, same rows, same order, same index, every column kept, plus ``site_id``, ``site_name``,
        ``match_method`` (``given``, ``exact``, ``alias``, ``fuzzy``, ``distance``, ``ambiguous`` or NA),
        ``match_score`` (0-100), ``distance_m`` (geodesic metres from the incident's own point to its site),
        ``match_candidates`` (site ids joined by ``|`` when ambiguous) and a point ``geometry`` in EPSG:4326:
        the incident's own point when it has one, else its site's point, else empty (None). Ambiguous names
        are flagged, not guessed. ``match_warning`` is set on a name match whose incident has its own exact
        point (``location_precision`` exact or site, or no such column) farther from the site than its
        ``uncertainty_m`` plus :data:`NAME_CONFLICT_MARGIN_M`; the match is kept and flagged.
        ``.attrs["join_summary"]`` holds the :class:`JoinSummary` as a dict.

    Raises
    ------
    ValueError
        For an unknown ``how``, missing columns, or a given ``site_id`` that the gazetteer lacks.

    Examples
    --------
    >>> import geoincidents
    >>> joined = geoincidents.join_sites(geoincidents.example_incidents())
    >>> str(joined.crs)
    'EPSG:4326'
    """
    import geopandas as gpd
    import pandas as pd
    from geopandas.array import GeometryArray

    if how not in _HOW:
        raise ValueError(f"how must be one of {', '.join(_HOW)}, not {how!r}")
    if not max_distance_m > 0:
        raise ValueError("max_distance_m must be positive")
    if not isinstance(incidents, pd.DataFrame):
        raise TypeError(f"incidents must be a DataFrame (see read_incidents), not {type(incidents).__name__}")
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    lat, lon = positions(incidents)
    has_point = np.isfinite(lat) & np.isfinite(lon)
    if how == "name" and "location" not in incidents.columns:
        raise ValueError("how='name' needs a 'location' column")
    if how == "distance" and "lat" not in incidents.columns and not has_point.any():
        raise ValueError("how='distance' needs 'lat' and 'lon' columns or point geometries")

    # Work on integer codes (site position in the gazetteer, method position in _METHODS); strings are built
    # once at the end by a take over the few distinct values.
    n = len(incidents)
    distance_skipped = 0
    ids = gaz.site_ids
    site = _given_sites(incidents, gaz)
    method = np.where(site >= 0, _METHODS.index("given"), -1)
    score = np.where(site >= 0, 100.0, np.nan)
    candidates = np.full(n, -1, dtype=np.int64)
    candidate_labels: list[str] = []
    distance = np.full(n, np.nan)

    todo = site < 0
    if how in ("auto", "name") and "location" in incidents.columns and todo.any():
        rows = np.flatnonzero(todo)
        names = incidents["location"].iloc[rows].reset_index(drop=True)
        hints = (
            incidents["country"].iloc[rows].reset_index(drop=True) if "country" in incidents.columns else None
        )
        # The incident's day settles ties between sites in use at different times (see geocode's date).
        days = incidents["date"].iloc[rows].reset_index(drop=True) if "date" in incidents.columns else None
        inverse, results = match_distinct(names, hints, gaz, min_score, days)
        position = {sid: i for i, sid in enumerate(ids)}
        d_site = np.array([position[r.site_id] if r and r.site_id else -1 for r in results], dtype=np.int64)
        d_method = np.array(
            [
                -1 if r is None else _METHODS.index("ambiguous" if r.site_id is None else r.method)
                for r in results
            ],
            dtype=np.int64,
        )
        d_score = np.array([r.score if r else np.nan for r in results], dtype="float64")
        candidate_labels = sorted(
            {"|".join(c[0] for c in r.candidates) for r in results if r and r.candidates}
        )
        d_cand = np.array(
            [
                candidate_labels.index("|".join(c[0] for c in r.candidates)) if r and r.candidates else -1
                for r in results
            ],
            dtype=np.int64,
        )
        site[rows], method[rows] = d_site[inverse], d_method[inverse]
        score[rows], candidates[rows] = d_score[inverse], d_cand[inverse]

    if how in ("auto", "distance"):
        # Distance decides where the name gave no site and the incident has a point. For an ambiguous name
        # only its candidates are eligible: the point settles the tie, it does not bring in a third site.
        undecided = (site < 0) & has_point
        if distance_targets is not None and "target" in incidents.columns:
            allowed_target = incidents["target"].isin(list(distance_targets)).to_numpy(dtype=bool)
            distance_skipped = int((undecided & ~allowed_target).sum())
            undecided &= allowed_target
        eligible = [(np.flatnonzero(undecided & (candidates < 0)), np.arange(len(ids)))]
        for c, label in enumerate(candidate_labels):
            eligible.append(
                (
                    np.flatnonzero(undecided & (candidates == c)),
                    np.array([ids.index(sid) for sid in label.split("|")]),
                )
            )
        all_lat = np.array([s.lat for s in gaz], dtype="float64")
        all_lon = np.array([s.lon for s in gaz], dtype="float64")
        for rows, allowed in eligible:
            if not rows.size:
                continue
            idx, dist = _nearest(lat[rows], lon[rows], all_lat[allowed], all_lon[allowed], max_distance_m)
            hit = rows[idx >= 0]
            site[hit] = allowed[idx[idx >= 0]]
            method[hit] = _METHODS.index("distance")
            score[hit] = np.round(100.0 * (1.0 - dist[idx >= 0] / max_distance_m), 1)
            distance[hit] = dist[idx >= 0]
            candidates[hit] = -1

    # Geometry: the incident's own point, else its site's point. Distance from own point to a named site.
    matched = site >= 0
    site_lat = np.append(np.array([s.lat for s in gaz], dtype="float64"), np.nan)[site]
    site_lon = np.append(np.array([s.lon for s in gaz], dtype="float64"), np.nan)[site]
    need = matched & has_point & np.isnan(distance)
    if need.any():
        from pyproj import Geod

        _, _, d = Geod(ellps="WGS84").inv(lon[need], lat[need], site_lon[need], site_lat[need])
        distance[need] = d
    warning_texts, warning = _name_conflicts(incidents, gaz, site, method, distance, has_point)
    geometry = _point_geometries(
        np.where(has_point, lon, site_lon), np.where(has_point, lat, site_lat), has_point, site
    )

    out = drop_geometry(incidents).copy(deep=False)  # new columns go to this frame, not to the incidents
    out["site_id"] = _labels(ids, site)
    out["site_name"] = _labels([s.name for s in gaz], site)
    out["match_method"] = _labels(list(_METHODS), method)
    out["match_score"] = score
    out["distance_m"] = distance
    out["match_candidates"] = _labels(candidate_labels, candidates)
    out["match_warning"] = _labels(warning_texts, warning)
    # `out` is this function's own frame: no copy of the incidents' columns for the GeoDataFrame
    out["geometry"] = GeometryArray(geometry, crs="EPSG:4326")
    joined = gpd.GeoDataFrame(out, geometry="geometry", copy=False)
    joined.attrs["distance_skipped"] = distance_skipped
    joined.attrs["join_summary"] = JoinSummary.of(joined).to_dict()
    return joined


# -- helpers -------------------------------------------------------------------------------------------------
def _name_conflicts(incidents: pandas.DataFrame, gaz: Gazetteer, site: np.ndarray, method: np.ndarray,
                    distance: np.ndarray, has_point: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Warnings for the name matches whose own exact point is farther than the site's radius + margin.

    Returns the distinct texts and, for every row, the position of its text (-1: none), for :func:`_labels`.
    """
    named = np.isin(method, [_METHODS.index(m) for m in ("exact", "alias", "fuzzy")])
    exact = np.ones(len(site), dtype=bool)
    if "location_precision" in incidents.columns:
        exact = incidents["location_precision"].isin(["exact", "site"]).to_numpy(dtype=bool)
    radius = np.append(np.array([s.uncertainty_m for s in gaz], dtype="float64"), np.nan)[site]
    with np.errstate(invalid="ignore"):
        far = np.flatnonzero(named & exact & has_point & (distance > radius + NAME_CONFLICT_MARGIN_M))
    texts = [
        f"conflict: the incident's point is {distance[i] / 1000:.1f} km from the site (uncertainty "
        f"{radius[i] / 1000:g} km + margin {NAME_CONFLICT_MARGIN_M / 1000:g} km)"
        for i in far
    ]
    codes = np.full(len(site), -1, dtype=np.int64)
    codes[far] = np.arange(far.size)
    return texts, codes


def _given_sites(incidents: pandas.DataFrame, gaz: Gazetteer) -> np.ndarray:
    """Gazetteer position of each incident's own ``site_id`` (-1 where none); unknown ids raise."""
    import pandas as pd

    if "site_id" not in incidents.columns:
        return np.full(len(incidents), -1, dtype=np.int64)
    column = incidents["site_id"].astype("str")
    given = column.notna() & (column.str.strip() != "")
    codes = pd.Index(gaz.site_ids).get_indexer(pd.Index(column.where(given)))
    bad = given.to_numpy() & (codes < 0)
    if bad.any():
        rows = np.flatnonzero(bad)
        unknown = list(dict.fromkeys(column.iloc[rows].tolist()))
        listed = ", ".join(f"{u!r}" for u in unknown[:10])
        raise ValueError(
            f"{len(rows)} incident(s) carry a site_id the gazetteer lacks ({listed}; first at "
            f"position {rows[0]}); add the site to the gazetteer or clear the id"
        )
    return codes.astype(np.int64)


def _labels(values: list[str], codes: np.ndarray):
    """Strings for integer codes (-1 = missing), built by a take over the distinct values."""
    import pandas as pd

    return pd.array(list(values), dtype="str").take(codes, allow_fill=True)


def _point_geometries(x: np.ndarray, y: np.ndarray, own: np.ndarray, site: np.ndarray) -> np.ndarray:
    """Points for every row; rows placed at their site share that site's Point object (created once)."""
    import shapely

    if own.all():
        with _collector_paused():
            return np.asarray(shapely.points(np.column_stack((x, y))), dtype=object)
    geometry = np.full(len(x), None, dtype=object)
    if own.any():
        with _collector_paused():
            geometry[own] = shapely.points(np.column_stack((x[own], y[own])))
    at_site = ~own & (site >= 0)
    if at_site.any():
        codes, first = np.unique(site[at_site], return_index=True)
        rows = np.flatnonzero(at_site)
        shared = shapely.points(x[rows[first]], y[rows[first]])
        geometry[rows] = shared[np.searchsorted(codes, site[rows])]
    return geometry


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while making many objects that cannot form cycles.

    Each shapely geometry is a tracked object; a million of them trigger full collections over and over,
    which more than doubles the time :func:`shapely.points` takes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _nearest(
    lat: np.ndarray, lon: np.ndarray, site_lat: np.ndarray, site_lon: np.ndarray, max_distance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Index of the nearest site (-1 if none within ``max_distance_m``) and its geodesic distance in metres.

    The answer is that of a brute force over every site with :class:`pyproj.Geod` (WGS84), ties going to the
    site that comes first, so every incident gets one site. It is found in two steps.

    Candidates, on the sphere: a geodesic on the ellipsoid is within 0.6 % of the great circle between the
    same coordinates (the radii of curvature lie between 0.9944 and 1.0045 times the mean radius), so a site
    can be the nearest only if its spherical distance is within :data:`_SPHERE_MARGIN` of the spherical
    distance of the nearest one, and a point has a site within ``max_distance_m`` only if its nearest one is
    within that distance times the margin. Points are bucketed by 1-degree cell (a counting sort), each cell
    is compared with the few sites that can be that close to any point in it, by dot products of unit
    vectors. Then the exact geodesic distance, for the candidates only: usually one per point, since sites
    sharing a coordinate are measured once, for the first of them.
    """
    best_idx = np.full(len(lat), -1, dtype=np.int64)
    best_dist = np.full(len(lat), np.inf)
    if not len(site_lat) or not len(lat):
        return best_idx, best_dist
    # One column per distinct coordinate, in order of first appearance: the first site there represents it.
    _, first = np.unique(np.column_stack((site_lat, site_lon)), axis=0, return_index=True)
    order = np.sort(first)
    distinct_lat, distinct_lon = site_lat[order], site_lon[order]
    sx, sy, sz = _unit_vectors(distinct_lat, distinct_lon)
    angle = min(np.pi, max_distance_m * _SPHERE_MARGIN / EARTH_RADIUS_M)
    reach = 1.0 - np.cos(angle) + _DOT_SLACK  # 1 - cos of the angle between unit vectors
    margin = _SPHERE_MARGIN**2  # on 1 - cos, which grows at most as the squared angle

    cell = _cells(lat, lon)
    by_cell = np.argsort(cell, kind="stable")  # a radix sort on 16-bit cells: linear
    sizes = np.bincount(cell, minlength=_CELL_ROWS * _CELL_COLUMNS)
    occupied = np.flatnonzero(sizes)
    ends = np.cumsum(sizes)[occupied]
    reachable = _cell_sites(occupied, distinct_lat, distinct_lon, angle)
    x, y, z = _unit_vectors(lat[by_cell], lon[by_cell])
    # Pairs (point, site) to measure: first the points with one candidate, then those with several.
    one_rows: list[np.ndarray] = []
    one_cols: list[np.ndarray] = []
    many_rows: list[np.ndarray] = []
    many_cols: list[np.ndarray] = []
    for c, stop, columns in zip(occupied, ends, reachable, strict=True):
        if not columns.size:
            continue
        start = stop - sizes[c]
        px, py, pz = x[start:stop, None], y[start:stop, None], z[start:stop, None]
        dots = px * sx[columns] + py * sy[columns] + pz * sz[columns]  # points x sites of the cell
        if columns.size == 1:
            rows = np.flatnonzero(dots[:, 0] >= 1.0 - reach)
            one_rows.append(rows + start)
            one_cols.append(np.full(rows.size, columns[0]))
            continue
        gap = 1.0 - dots.max(axis=1)
        limit = np.where(gap <= reach, 1.0 - (gap * margin + _DOT_SLACK), np.inf)
        candidate = dots >= limit[:, None]
        count = candidate.sum(axis=1)
        rows = np.flatnonzero(count == 1)
        one_rows.append(rows + start)
        one_cols.append(columns[candidate[rows].argmax(axis=1)])
        rows, cols = np.nonzero(candidate[count > 1])  # row-major: each row's columns ascending
        many_rows.append(np.flatnonzero(count > 1)[rows] + start)
        many_cols.append(columns[cols])
    ones = sum(r.size for r in one_rows)
    rows = by_cell[np.concatenate([*one_rows, *many_rows, np.zeros(0, dtype=np.int64)])]
    cols = np.concatenate([*one_cols, *many_cols, np.zeros(0, dtype=np.int64)])
    if not rows.size:
        return best_idx, best_dist

    dist = _geodesic_distances(lon[rows], lat[rows], distinct_lon[cols], distinct_lat[cols])
    chosen = np.concatenate([np.arange(ones), ones + _first_minimum(rows[ones:], dist[ones:])])
    best_idx[rows[chosen]] = order[cols[chosen]]
    best_dist[rows[chosen]] = dist[chosen]
    best_idx[best_dist > max_distance_m] = -1
    return best_idx, best_dist


def _geodesic_distances(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """WGS84 geodesic distances (metres) between pairs of points; many in threads (pyproj frees the GIL)."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    parts = min(os.cpu_count() or 1, 4, lon1.size // _THREAD_MIN_PAIRS)
    if parts < 2:
        return np.asarray(geod.inv(lon1, lat1, lon2, lat2)[2])
    bounds = np.linspace(0, lon1.size, parts + 1).astype(np.int64)
    with ThreadPoolExecutor(parts) as pool:
        pieces = pool.map(lambda a, b: geod.inv(lon1[a:b], lat1[a:b], lon2[a:b], lat2[a:b])[2],
                          bounds[:-1], bounds[1:])
        return np.concatenate([np.asarray(d) for d in pieces])


def _cells(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """The 1-degree cell of each point, numbered row by row from (-90, -180), as uint16."""
    row = np.minimum(np.floor(lat + 90.0), _CELL_ROWS - 1).astype(np.uint16)
    col = np.minimum(np.floor(lon + 180.0), _CELL_COLUMNS - 1).astype(np.uint16)
    return row * np.uint16(_CELL_COLUMNS) + col


def _cell_sites(
    cells: np.ndarray, site_lat: np.ndarray, site_lon: np.ndarray, angle: float
) -> list[np.ndarray]:
    """For each cell, the (ascending) sites within ``angle`` radians of some point of the cell, or more.

    A site at angular distance ``r`` from a point differs from it by at most ``r`` in latitude and, by the
    haversine formula, by ``2 asin(sin(r/2) / cos(phi))`` in longitude, where ``phi`` bounds both latitudes.
    """
    slack = angle + 1e-6  # a little more: the cells' own rounding
    lat0 = (cells // _CELL_COLUMNS).astype("float64") - 90.0
    lon0 = (cells % _CELL_COLUMNS).astype("float64") - 180.0
    dlat = np.degrees(slack)
    phi = np.radians(np.minimum(np.maximum(np.abs(lat0), np.abs(lat0 + 1.0)) + dlat, 90.0))
    with np.errstate(divide="ignore"):
        ratio = np.sin(min(slack, np.pi) / 2) / np.cos(phi)
    dlon = np.where(ratio < 1.0, np.degrees(2 * np.arcsin(np.minimum(ratio, 1.0))), 360.0)
    in_lat = (site_lat[None, :] >= lat0[:, None] - dlat) & (site_lat[None, :] <= lat0[:, None] + 1.0 + dlat)
    # longitude distance from each site to the cell's interval [lon0, lon0 + 1], around the antimeridian
    offset = (site_lon[None, :] - lon0[:, None]) % 360.0
    outside = np.minimum(np.maximum(offset - 1.0, 0.0), 360.0 - offset)
    near = in_lat & (outside <= dlon[:, None])
    return [np.flatnonzero(row) for row in near]


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates x, y, z of the unit vectors of latitudes and longitudes in degrees, on the sphere."""
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)


def _first_minimum(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Position of the smallest value of each run of equal ``rows`` (the first of equal ones)."""
    if not rows.size:
        return rows
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    if starts.size == rows.size:  # one candidate per row: the common case
        return starts
    run = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, rows.size]))
    at_min = np.flatnonzero(values == np.minimum.reduceat(values, starts)[run])
    return at_min[np.r_[True, run[at_min[1:]] != run[at_min[:-1]]]]
