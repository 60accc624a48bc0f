"""Uncertainty circles of the gazetteer's sites: where the true facility may be, as geodesic buffers.

Each site's point is the gazetteer's best estimate; ``uncertainty_m`` says how far the real base may be from
it. :func:`site_circles` draws that distance on the ellipsoid (WGS84, with :class:`pyproj.Geod`) in every
direction from the point, so a 8 km circle is 8 km wide at any latitude, unlike a buffer in degrees.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import geopandas

    from .gazetteer import Gazetteer

__all__ = ["site_circles"]


def site_circles(
    gazetteer: Gazetteer | None = None, *, site_ids: Iterable[str] | None = None, segments: int = 64
) -> geopandas.GeoDataFrame:
    """The uncertainty circle of every site: a polygon of the points ``uncertainty_m`` away on the ellipsoid.

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.
    site_ids : iterable of str, optional
        Only these sites (in this order); every site by default.
    segments : int, default 64
        Points on each circle (at least 8).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by ``site_id``: ``name``, ``country``, ``uncertainty_m`` and the circle as a Polygon in
        EPSG:4326.

    Raises
    ------
    KeyError
        If a site id is not in the gazetteer.
    ValueError
        If ``segments`` is below 8.

    Examples
    --------
    >>> circles = site_circles(site_ids=["tower-22"])
    >>> circles.geometry.iloc[0].geom_type, float(circles["uncertainty_m"].iloc[0]) > 0
    ('Polygon', True)
    """
    import geopandas as gpd
    import pandas as pd
    import shapely
    from pyproj import Geod

    from .gazetteer import default_gazetteer

    if not isinstance(segments, int) or segments < 8:
        raise ValueError(f"segments must be a whole number of at least 8, got {segments!r}")
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    ids = list(gaz.site_ids if site_ids is None else site_ids)
    unknown = [s for s in ids if s not in gaz]
    if unknown:
        raise KeyError(f"not in the gazetteer: {', '.join(map(repr, unknown))}")
    sites = [gaz[s] for s in ids]
    lat = np.array([s.lat for s in sites], dtype="float64")
    lon = np.array([s.lon for s in sites], dtype="float64")
    radius = np.array([s.uncertainty_m for s in sites], dtype="float64")
    # Every (site, azimuth) pair at once; the ring is closed by repeating its first point.
    azimuths = np.linspace(0.0, 360.0, segments, endpoint=False)
    n = len(sites)
    rim_lon, rim_lat, _ = Geod(ellps="WGS84").fwd(
        np.repeat(lon, segments), np.repeat(lat, segments), np.tile(azimuths, n), np.repeat(radius, segments)
    )
    rings = np.stack([np.reshape(rim_lon, (n, segments)), np.reshape(rim_lat, (n, segments))], axis=-1)
    rings = np.concatenate([rings, rings[:, :1]], axis=1)
    polygons = shapely.polygons(rings) if n else np.array([], dtype=object)
    frame = gpd.GeoDataFrame(
        {
            "name": [s.name for s in sites],
            "country": [s.country for s in sites],
            "uncertainty_m": radius,
        },
        geometry=polygons,
        crs="EPSG:4326",
        index=pd.Index(ids, name="site_id", dtype="object"),
    )
    return frame
