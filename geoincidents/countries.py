"""Country codes and country outlines.

- :func:`to_iso3` turns an ISO 3166-1 code (alpha-3 or alpha-2) or an English country name into an
  ISO 3166-1 alpha-3 code, exactly (no fuzzy guessing).
- :func:`country_outlines` returns the Natural Earth 1:10m admin-0 outlines shipped with the package
  (``geoincidents/data/countries.geojson``; see ``COUNTRIES.md`` there for the source and caveats).
- :func:`point_in_country` and :func:`country_at` test many points against those outlines at once.

The outlines cover the region only: ARE, BHR, EGY, IRN, IRQ, ISR, JOR, KWT, LBN, OMN, PSE, QAT, SAU, SYR,
TUR and YEM. Their accuracy along borders is a few hundred metres; use ``tolerance_m`` for points close
to a border.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

if TYPE_CHECKING:  # pragma: no cover
    import geopandas
    from numpy.typing import ArrayLike, NDArray

__all__ = ["to_iso3", "country_outlines", "country_codes", "country_names", "point_in_country", "country_at"]

# Common English names and spellings that pycountry's name / official_name / common_name fields do not
# carry. Keys are compared after _fold_name (case, accents, punctuation and spacing ignored).
_COMMON_NAMES: dict[str, str] = {
    "syria": "SYR",
    "turkey": "TUR",
    "turkiye": "TUR",
    "republic of turkey": "TUR",
    "republic of turkiye": "TUR",
    "iran": "IRN",
    "persia": "IRN",
    "jordan": "JOR",
    "kingdom of jordan": "JOR",
    "kingdom of saudi arabia": "SAU",
    "ksa": "SAU",
    "state of kuwait": "KWT",
    "lebanese republic": "LBN",
    "state of israel": "ISR",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "palestinian territories": "PSE",
    "occupied palestinian territory": "PSE",
    "west bank and gaza": "PSE",
    "egypt": "EGY",
    "uae": "ARE",
    "emirates": "ARE",
    "russia": "RUS",
    "usa": "USA",
    "us": "USA",
    "america": "USA",
    "united states": "USA",
    "united states of america": "USA",
    "uk": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "united kingdom": "GBR",
    "south korea": "KOR",
    "north korea": "PRK",
    "vietnam": "VNM",
    "laos": "LAO",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "moldova": "MDA",
    "czech republic": "CZE",
    "czechia": "CZE",
    "ivory coast": "CIV",
    "cape verde": "CPV",
    "the netherlands": "NLD",
    "holland": "NLD",
    "macedonia": "MKD",
    "swaziland": "SWZ",
    "burma": "MMR",
    "brunei": "BRN",
    "micronesia": "FSM",
    "vatican": "VAT",
    "vatican city": "VAT",
    "taiwan": "TWN",
    "kosovo": "XKX",  # user-assigned code in common use (EU, IMF); not in ISO 3166-1
    # UCDP GED's own spellings ("DR Congo (Zaire)", "Macedonia, FYR"; seen in GED 23.1)
    "dr congo": "COD",
    "zaire": "COD",
    "macedonia fyr": "MKD",
}


# ---------------------------------------------------------------------------------------------------------
# Codes and names
# ---------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def to_iso3(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-3 code for a country code or English country name.

    Accepted, case-insensitively and ignoring surrounding spaces: alpha-3 codes (``"IRQ"``), alpha-2 codes
    (``"IQ"``), and English names as pycountry knows them (``name``, ``official_name``, ``common_name``,
    e.g. ``"Syrian Arab Republic"``, ``"Hashemite Kingdom of Jordan"``, ``"Iran, Islamic Republic of"``)
    plus a small table of common forms pycountry lacks (``"Syria"``, ``"Turkey"``, ``"Iran"``,
    ``"Palestine"``, ``"USA"``, ...). Names are compared with accents, punctuation and repeated spaces
    ignored, so ``"Türkiye"`` and ``"Turkiye"`` both give ``"TUR"``. Nothing is guessed: misspellings
    return None.

    Parameters
    ----------
    value : str
        A code or a name.

    Returns
    -------
    str or None
        The alpha-3 code (upper case), or None when the value is not a known code or name (including the
        empty string).

    Raises
    ------
    TypeError
        If `value` is not a string.

    Examples
    --------
    >>> to_iso3("iq"), to_iso3("Syria"), to_iso3("Hashemite Kingdom of Jordan"), to_iso3("Narnia")
    ('IRQ', 'SYR', 'JOR', None)
    >>> to_iso3("Democratic Republic of Congo"), to_iso3("Republic of Congo"), to_iso3("Yemen (North Yemen)")
    ('COD', 'COG', 'YEM')
    >>> to_iso3("DR Congo (Zaire)"), to_iso3("Macedonia, FYR")
    ('COD', 'MKD')
    """
    if not isinstance(value, str):
        raise TypeError(f"to_iso3 expects a string, got {type(value).__name__}: {value!r}")
    text = " ".join(value.split())
    if not text:
        return None
    codes2, codes3, names = _code_index()
    upper = text.upper()
    if len(upper) == 3 and upper in codes3:
        return upper
    if len(upper) == 2 and upper in codes2:
        return codes2[upper]
    folded = _fold_name(text)
    found = names.get(folded) or _COMMON_NAMES.get(folded) or names.get(_bare_name(folded))
    if found is None and "(" in text:  # UCDP: "Yemen (North Yemen)"; ACLED: "Congo (Brazzaville)"
        head = text.split("(", 1)[0].strip()
        found = to_iso3(head) if head else None
    return found


def _bare_name(folded: str) -> str:
    """A folded name without articles and joining words: ACLED's "Democratic Republic of Congo" and
    pycountry's "The Democratic Republic of the Congo" meet as "democratic republic congo"."""
    return " ".join(w for w in folded.split() if w not in _JOINING_WORDS)


_JOINING_WORDS = frozenset({"the", "of", "and"})


def _fold_name(text: str) -> str:
    """Lower-case, strip accents, turn punctuation into spaces and collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w]+", " ", bare).split())


@functools.lru_cache(maxsize=1)
def _code_index() -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    """alpha-2 -> alpha-3, the set of alpha-3 codes, and folded English name -> alpha-3, from pycountry."""
    import pycountry  # imported lazily: loading its database takes a moment

    codes2: dict[str, str] = {}
    codes3: set[str] = set()
    names: dict[str, str] = {}
    for country in pycountry.countries:
        codes2[country.alpha_2] = country.alpha_3
        codes3.add(country.alpha_3)
        for attr in ("name", "official_name", "common_name"):
            name = getattr(country, attr, None)
            if name:
                forms = [name]
                # "Iran, Islamic Republic of" -> also "Islamic Republic of Iran"
                if ", " in name:
                    head, _, tail = name.partition(", ")
                    forms.append(f"{tail} {head}")
                for form in forms:
                    names.setdefault(_fold_name(form), country.alpha_3)
                    names.setdefault(_bare_name(_fold_name(form)), country.alpha_3)
    # Kosovo has no ISO 3166-1 entry but XK/XKX are the codes in general use.
    codes2.setdefault("XK", "XKX")
    codes3.add("XKX")
    return codes2, frozenset(codes3), names


# ---------------------------------------------------------------------------------------------------------
# Outlines
# ---------------------------------------------------------------------------------------------------------


def country_outlines() -> geopandas.GeoDataFrame:
    """Return the country outlines shipped with the package.

    Natural Earth 1:10m admin-0 outlines (version 4.1.0, public domain) of the countries of the region,
    read once from ``geoincidents/data/countries.geojson`` and cached; each call returns a fresh copy, so
    the caller may modify it.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso3`` (str), ``name`` (str) and ``geometry`` (Polygon or MultiPolygon), CRS EPSG:4326,
        one row per country sorted by ``iso3``, with a default RangeIndex.

    Examples
    --------
    >>> outlines = country_outlines()
    >>> "IRQ" in set(outlines["iso3"])
    True
    """
    import geopandas

    records = _outline_records()
    return geopandas.GeoDataFrame(
        {
            "iso3": [r[0] for r in records],
            "name": [r[1] for r in records],
        },
        geometry=[r[2] for r in records],
        crs="EPSG:4326",
    )


def country_codes() -> tuple[str, ...]:
    """Return the ISO3 codes of the countries that have an outline, sorted.

    Returns
    -------
    tuple of str
        e.g. ``("EGY", "IRN", "IRQ", ...)``.
    """
    return tuple(r[0] for r in _outline_records())


def country_names() -> dict[str, str]:
    """Return the short English name of every country that has an outline, by ISO3 code.

    Returns
    -------
    dict
        e.g. ``{"EGY": "Egypt", ..., "IRQ": "Iraq", ...}``, sorted by code.

    Examples
    --------
    >>> country_names()["SYR"]
    'Syria'
    """
    return {code: name for code, name, _ in _outline_records()}


@functools.lru_cache(maxsize=1)
def _outline_records() -> tuple[tuple[str, str, shapely.Geometry], ...]:
    """(iso3, name, prepared geometry) per feature of the packaged GeoJSON, sorted by iso3.

    Read with json + shapely rather than geopandas so that the point tests do not import geopandas.
    The geometries are shapely objects (immutable); they are prepared in place for fast predicates.
    """
    resource = importlib.resources.files("geoincidents") / "data" / "countries.geojson"
    collection = json.loads(resource.read_text(encoding="utf-8"))
    records = []
    for feature in collection["features"]:
        props = feature["properties"]
        geom = shapely.from_geojson(json.dumps(feature["geometry"]))
        shapely.prepare(geom)
        records.append((str(props["iso3"]), str(props["name"]), geom))
    records.sort(key=lambda r: r[0])
    return tuple(records)


@functools.lru_cache(maxsize=1)
def _geometry_by_code() -> dict[str, tuple[shapely.Geometry, tuple[float, float, float, float]]]:
    """iso3 -> (prepared geometry, bounds)."""
    return {code: (geom, tuple(shapely.bounds(geom))) for code, _, geom in _outline_records()}


@functools.lru_cache(maxsize=64)
def _buffered(code: str, tolerance_m: float) -> tuple[shapely.Geometry, tuple[float, float, float, float]]:
    """The outline of `code` grown by `tolerance_m` metres, in EPSG:4326, prepared, with its bounds.

    Why this way: degrees are not metres (one degree of longitude is ~93 km at 33 N, ~111 km at the
    equator), so the outline is buffered in metres in an azimuthal equidistant projection centred on the
    country. Over the extent of the largest country here (Iran/Turkey, ~1,000 km from centre to edge) the
    projection's scale error stays below ~1 %, i.e. < 20 m on a 2 km tolerance. Long straight edges in
    lon/lat (desert borders run hundreds of km) are densified before projecting, and the buffer is
    densified before projecting back, so that no edge bends away from where it should be.
    """
    from pyproj import CRS, Transformer

    geom, (minx, miny, maxx, maxy) = _geometry_by_code()[code]
    lon0, lat0 = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0:.6f} +lon_0={lon0:.6f} +datum=WGS84 +units=m +no_defs")
    forward = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    backward = Transformer.from_crs(local, "EPSG:4326", always_xy=True)

    def _apply(transformer: Any, g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))

    projected = _apply(forward, shapely.segmentize(geom, 0.01))  # 0.01 deg ~ 1 km
    grown = shapely.buffer(projected, tolerance_m, quad_segs=8)
    result = _apply(backward, shapely.segmentize(grown, max(tolerance_m / 4.0, 250.0)))
    result = shapely.make_valid(result)
    shapely.prepare(result)
    return result, tuple(shapely.bounds(result))


# ---------------------------------------------------------------------------------------------------------
# Point tests
# ---------------------------------------------------------------------------------------------------------


def point_in_country(
    lat: ArrayLike, lon: ArrayLike, iso3: str | ArrayLike, tolerance_m: float = 0.0
) -> NDArray[np.bool_]:
    """Test whether points lie inside (or within `tolerance_m` metres of) a country's outline.

    Vectorised: `lat`, `lon` and `iso3` are broadcast together (NumPy rules), so one country can be
    tested for many points, or each point against its own country.

    Parameters
    ----------
    lat, lon : float or array-like of float
        WGS84 latitude and longitude in degrees. NaN gives False.
    iso3 : str or array-like of str
        ISO 3166-1 alpha-3 code(s), any case, of countries that have an outline (see
        :func:`country_codes`).
    tolerance_m : float, default 0.0
        Also accept points up to this many metres outside the outline (measured on the ground, not in
        degrees). Use a few hundred metres to a few km for sites near a border: the outlines are accurate
        to a few hundred metres.

    Returns
    -------
    numpy.ndarray of bool
        The broadcast shape of the inputs; a 0-d array when all inputs are scalars (use ``bool(result)``
        or ``result.item()``). Points exactly on the outline count as inside.

    Raises
    ------
    ValueError
        If a code has no outline (the message names it), if a latitude is outside [-90, 90] or a
        longitude outside [-180, 180], if `tolerance_m` is negative or not finite, or if the shapes do
        not broadcast.

    Examples
    --------
    >>> bool(point_in_country(33.31, 44.36, "IRQ"))   # Baghdad
    True
    >>> point_in_country([33.31, 33.51], [44.36, 36.29], ["IRQ", "IRQ"]).tolist()   # Baghdad, Damascus
    [True, False]
    """
    tol = _check_tolerance(tolerance_m)
    lat_a, lon_a = _check_coordinates(lat, lon)
    codes = np.asarray(iso3, dtype=object)
    try:
        shape = np.broadcast_shapes(lat_a.shape, codes.shape)
    except ValueError as exc:
        raise ValueError(
            f"lat/lon shape {lat_a.shape} and iso3 shape {codes.shape} do not broadcast"
        ) from exc
    lat_b = np.broadcast_to(lat_a, shape).ravel()
    lon_b = np.broadcast_to(lon_a, shape).ravel()
    available = _geometry_by_code()

    if codes.ndim == 0:
        code = _check_code(codes.item(), available)
        out = _test_one(code, tol, lon_b, lat_b)
        return out.reshape(shape)

    codes_b = np.broadcast_to(codes, shape).ravel()
    uniques, inverse = np.unique(codes_b.astype(str), return_inverse=True)
    checked = [_check_code(c, available) for c in uniques]
    out = np.zeros(lat_b.shape, dtype=bool)
    for k, code in enumerate(checked):
        idx = np.flatnonzero(inverse == k)
        out[idx] = _test_one(code, tol, lon_b[idx], lat_b[idx])
    return out.reshape(shape)


def country_at(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.object_]:
    """Return the ISO3 code of the outline containing each point, or None.

    Parameters
    ----------
    lat, lon : float or array-like of float
        WGS84 latitude and longitude in degrees, broadcast together. NaN gives None.

    Returns
    -------
    numpy.ndarray of object
        ISO3 codes (str) or None, in the broadcast shape of the inputs (0-d for scalars; use
        ``result.item()``). A point exactly on a shared border gets the code that sorts first.

    Raises
    ------
    ValueError
        If a latitude is outside [-90, 90] or a longitude outside [-180, 180], or the shapes do not
        broadcast.

    Examples
    --------
    >>> country_at([33.31, 31.95, 35.0], [44.36, 35.93, 20.0]).tolist()   # Baghdad, Amman, the sea
    ['IRQ', 'JOR', None]
    """
    lat_a, lon_a = _check_coordinates(lat, lon)
    shape = lat_a.shape
    lat_f, lon_f = lat_a.ravel(), lon_a.ravel()
    out = np.full(lat_f.shape, None, dtype=object)
    todo = np.arange(lat_f.size)
    for code, (geom, bounds) in _geometry_by_code().items():  # sorted by iso3
        if todo.size == 0:
            break
        grid = _cell_grid(code, 0.0) if todo.size >= _GRID_POINTS else None
        hit = _intersects(geom, bounds, lon_f[todo], lat_f[todo], grid)
        out[todo[hit]] = code
        todo = todo[~hit]
    return out.reshape(shape)


def _check_tolerance(tolerance_m: float) -> float:
    """Validate the tolerance in metres and return it as a float."""
    try:
        tol = float(tolerance_m)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"tolerance_m must be a number of metres, got {tolerance_m!r}") from exc
    if not math.isfinite(tol) or tol < 0:
        raise ValueError(f"tolerance_m must be finite and >= 0, got {tolerance_m!r}")
    return tol


def _check_coordinates(lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert to float arrays broadcast to one shape and check the ranges (NaN allowed)."""
    try:
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"lat and lon must be numbers or arrays of numbers: {exc}") from exc
    try:
        lat_a, lon_a = np.broadcast_arrays(lat_a, lon_a)
    except ValueError as exc:
        raise ValueError(f"lat shape {lat_a.shape} and lon shape {lon_a.shape} do not broadcast") from exc
    with np.errstate(invalid="ignore"):
        bad_lat = np.abs(lat_a) > 90
        bad_lon = np.abs(lon_a) > 180
    if bad_lat.any():
        raise ValueError(f"latitude out of range [-90, 90]: {lat_a[bad_lat].ravel()[0]!r}")
    if bad_lon.any():
        raise ValueError(f"longitude out of range [-180, 180]: {lon_a[bad_lon].ravel()[0]!r}")
    return lat_a, lon_a


def _check_code(code: Any, available: dict[str, Any]) -> str:
    """Upper-case a code and make sure an outline exists for it."""
    key = code.strip().upper() if isinstance(code, str) else code
    if key not in available:
        raise ValueError(
            f"no country outline for iso3 code {code!r}; available: {', '.join(sorted(available))}"
        )
    return key


def _test_one(code: str, tol: float, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Points (flat arrays) inside the outline of `code`, grown by `tol` metres when tol > 0."""
    geom, bounds = _buffered(code, tol) if tol > 0 else _geometry_by_code()[code]
    grid = _cell_grid(code, tol) if lon.size >= _GRID_POINTS else None
    return _intersects(geom, bounds, lon, lat, grid)


_GRID_POINTS = 20_000
"""From this many points on, a test first looks each point up in the outline's :func:`_cell_grid`."""
_GRID_CELLS = 64
"""Cells of a :func:`_cell_grid` along each side of the outline's bounding box."""


@functools.lru_cache(maxsize=64)
def _cell_grid(code: str, tol: float) -> tuple[NDArray[np.int8], float, float]:
    """The outline's bounding box cut into cells: 1 where a cell lies wholly inside the outline (its points
    are inside), 0 where it lies wholly outside, 2 where the border crosses it (its points are tested
    exactly); with the cells' width and height. Each cell is classified a hair larger than it is, so a
    point rounded into the next cell still gets the right answer."""
    geom, (minx, miny, maxx, maxy) = _buffered(code, tol) if tol > 0 else _geometry_by_code()[code]
    width, height = (maxx - minx) / _GRID_CELLS, (maxy - miny) / _GRID_CELLS
    ix, iy = np.meshgrid(np.arange(_GRID_CELLS), np.arange(_GRID_CELLS), indexing="ij")
    pad = 1e-6 * max(width, height)
    boxes = shapely.box(minx + ix * width - pad, miny + iy * height - pad,
                        minx + (ix + 1) * width + pad, miny + (iy + 1) * height + pad)
    status = np.full(boxes.shape, 2, dtype=np.int8)
    status[shapely.contains_properly(geom, boxes)] = 1
    status[shapely.disjoint(geom, boxes)] = 0
    return status, width, height


def _intersects(
    geom: shapely.Geometry,
    bounds: tuple[float, float, float, float],
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    grid: tuple[NDArray[np.int8], float, float] | None = None,
) -> NDArray[np.bool_]:
    """shapely.intersects_xy on the points inside the bounding box only (cheap NumPy pre-filter); with a
    :func:`_cell_grid`, only on the points in cells the border crosses."""
    minx, miny, maxx, maxy = bounds
    out = np.zeros(lon.shape, dtype=bool)
    # NaN compares False, so NaN points are never candidates.
    candidate = np.flatnonzero((lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy))
    if candidate.size and grid is not None and grid[1] > 0 and grid[2] > 0:
        status, width, height = grid
        last = status.shape[0] - 1
        cx = np.minimum(((lon[candidate] - minx) / width).astype(np.intp), last)
        cy = np.minimum(((lat[candidate] - miny) / height).astype(np.intp), last)
        cell = status[cx, cy]
        out[candidate[cell == 1]] = True
        candidate = candidate[cell == 2]
    if candidate.size:
        out[candidate] = shapely.intersects_xy(geom, lon[candidate], lat[candidate])
    return out
