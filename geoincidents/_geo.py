"""Geometry <-> latitude/longitude: the one place that decides what an incident's position is.

Policy
------
* Only a Point carries a position. A missing or empty geometry has none (NaN). Any other geometry (a line, a
  polygon, a multi-point, a collection) has none either: its centroid would be a place nobody reported.
  :func:`latlon_from_geometry` says which rows held such a geometry so that a reader can report them
  (:func:`geoincidents.read_incidents` does: "geometry is not a Point"); the join and the maps simply find no
  position there.
* Geometries in another CRS are converted to EPSG:4326 first.
* Where a table has ``lat``/``lon`` columns as well as a geometry, the columns win where both are given and
  the Point geometry fills the rows where they are not (:func:`positions`).
* Points are made from ``lat``/``lon`` with :func:`points_from_latlon`; a row missing either gets ``None``.

Everything here is vectorised (shapely 2 array functions); geopandas is imported only when the input is a
GeoDataFrame, which means geopandas is already loaded.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "EARTH_RADIUS_M",
    "great_circle_m",
    "GEOMETRY_TYPE_NAMES",
    "geometry_name",
    "drop_geometry",
    "latlon_from_geometry",
    "latlon_columns",
    "positions",
    "points_from_latlon",
]

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres: the sphere of every great-circle distance here."""


def great_circle_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle (haversine) distance in metres on the mean sphere: for thresholds of tens of km, where
    the ellipsoid (``pyproj.Geod``) is not needed. Plain numbers give a float; arrays broadcast.

    Examples
    --------
    >>> round(great_circle_m(33.0, 44.0, 33.0, 45.0))
    93256
    >>> great_circle_m(33.0, 44.0, np.array([33.0, 34.0]), np.array([45.0, 44.0])).round().tolist()
    [93256.0, 111195.0]
    """
    if all(isinstance(v, float | int) for v in (lat1, lon1, lat2, lon2)):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dlon = math.radians(lon2 - lon1)
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
        return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlons = np.radians(np.subtract(lon2, lon1))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlons / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


GEOMETRY_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
"""shapely's geometry type ids and their names (as messages print them)."""


def geometry_name(frame: Any) -> str | None:
    """The name of the active geometry column of a GeoDataFrame, or None (plain frame, or none active).

    Examples
    --------
    >>> import pandas as pd
    >>> geometry_name(pd.DataFrame({"lat": [1.0]})) is None
    True
    """
    geopandas = sys.modules.get("geopandas")  # a GeoDataFrame exists only if geopandas is loaded
    if geopandas is None or not isinstance(frame, geopandas.GeoDataFrame):
        return None
    try:
        name = frame.geometry.name
    except AttributeError:  # a GeoDataFrame with no active geometry column
        return None
    return str(name) if name in frame.columns else None


def drop_geometry(frame: pd.DataFrame) -> pd.DataFrame:
    """A plain DataFrame without the active geometry column (the frame itself when it has none)."""
    name = geometry_name(frame)
    if name is None:
        return pd.DataFrame(frame)
    return pd.DataFrame(frame.drop(columns=name))


def latlon_from_geometry(geometry: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitude, longitude and a mask of non-Point geometries, from a GeoSeries.

    Parameters
    ----------
    geometry : geopandas.GeoSeries
        Any CRS (converted to EPSG:4326); missing and empty geometries give NaN and are not flagged.

    Returns
    -------
    lat, lon : numpy.ndarray of float64
        NaN where the geometry is not a non-empty Point.
    not_point : numpy.ndarray of bool
        True where a geometry is present but is not a Point.
    """
    import shapely

    if geometry.crs is not None and not geometry.crs.equals("EPSG:4326"):
        geometry = geometry.to_crs("EPSG:4326")
    arr = np.asarray(geometry.array, dtype=object)
    type_id = shapely.get_type_id(arr)  # -1 for None
    point = (type_id == 0) & ~shapely.is_empty(arr)
    lon = np.where(point, shapely.get_x(arr), np.nan).astype("float64")
    lat = np.where(point, shapely.get_y(arr), np.nan).astype("float64")
    return lat, lon, type_id > 0


def latlon_columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The ``lat`` and ``lon`` columns as float64 arrays (NaN where missing, unreadable or absent)."""
    n = len(frame)
    out = []
    for name in ("lat", "lon"):
        if name in frame.columns:
            values = pd.to_numeric(frame[name], errors="coerce")
            out.append(np.asarray(values, dtype="float64"))
        else:
            out.append(np.full(n, np.nan))
    return out[0], out[1]


def positions(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude of every row, by the module's policy.

    ``lat``/``lon`` columns where both are given, else the row's Point geometry; NaN for rows with neither
    (and for coordinates out of range).

    Examples
    --------
    >>> import pandas as pd
    >>> lat, lon = positions(pd.DataFrame({"lat": [33.8, None], "lon": [42.4, 40.0]}))
    >>> lat.tolist(), lon.tolist()
    ([33.8, nan], [42.4, nan])
    """
    lat, lon = latlon_columns(frame)
    missing = np.isnan(lat) | np.isnan(lon)
    name = geometry_name(frame)
    if name is not None and missing.any():
        glat, glon, _ = latlon_from_geometry(frame[name])
        lat = np.where(missing, glat, lat)
        lon = np.where(missing, glon, lon)
    with np.errstate(invalid="ignore"):
        bad = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    both = np.isnan(lat) | np.isnan(lon) | bad
    lat = np.where(both, np.nan, lat)
    lon = np.where(both, np.nan, lon)
    return lat, lon


def points_from_latlon(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """shapely Points (x = longitude) for every row; ``None`` where either coordinate is missing.

    Examples
    --------
    >>> import numpy as np
    >>> points = points_from_latlon(np.array([33.8, np.nan]), np.array([42.4, 1.0]))
    >>> [None if p is None else p.wkt for p in points]
    ['POINT (42.4 33.8)', None]
    """
    import shapely

    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    points = np.asarray(shapely.points(lon, lat), dtype=object)
    points[np.isnan(lat) | np.isnan(lon)] = None
    return points
