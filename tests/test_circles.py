"""Site points of site_counts(geometry=True) and the sites' geodesic uncertainty circles."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod
from shapely import Point

import geoincidents as gi
from geoincidents.gazetteer import Gazetteer, Site, load_gazetteer

GAZ = load_gazetteer()
GEOD = Geod(ellps="WGS84")


def test_site_counts_with_geometry_puts_each_site_at_its_gazetteer_point():
    joined = gi.join_sites(gi.example_incidents())
    plain = gi.site_counts(joined)
    points = gi.site_counts(joined, geometry=True)
    assert points.crs.to_epsg() == 4326
    assert points.drop(columns="geometry").equals(plain)  # same table, a geometry added
    for site_id, point in zip(points["site_id"], points.geometry, strict=True):
        if site_id in GAZ:
            assert (point.x, point.y) == (GAZ[site_id].lon, GAZ[site_id].lat)
        else:  # "unknown": no position
            assert point is None


def test_circles_are_geodesic_at_every_latitude():
    circles = gi.site_circles()
    assert list(circles.index) == GAZ.site_ids
    assert circles.crs.to_epsg() == 4326
    for site_id in ("tower-22", "erbil", GAZ.site_ids[-1]):
        site = GAZ[site_id]
        ring = np.asarray(circles.loc[site_id, "geometry"].exterior.coords)
        n = len(ring)
        _, _, dist = GEOD.inv(np.full(n, site.lon), np.full(n, site.lat), ring[:, 0], ring[:, 1])
        assert np.allclose(dist, site.uncertainty_m, rtol=1e-9)
        assert circles.loc[site_id, "uncertainty_m"] == site.uncertainty_m
        assert circles.loc[site_id, "geometry"].contains(Point(site.lon, site.lat))


def test_circles_of_a_custom_gazetteer_and_chosen_sites():
    site = Site("camp-x", "Camp X", "", "outpost", "IRQ", "Anbar", 33.0, 42.0, 500.0, "test")
    circles = gi.site_circles(Gazetteer([site]), segments=8)
    assert len(np.asarray(circles.geometry.iloc[0].exterior.coords)) == 9  # closed ring
    subset = gi.site_circles(site_ids=["erbil", "tower-22"])
    assert list(subset.index) == ["erbil", "tower-22"]
    with pytest.raises(KeyError, match="nowhere"):
        gi.site_circles(site_ids=["nowhere"])
    with pytest.raises(ValueError, match="segments"):
        gi.site_circles(segments=3)
