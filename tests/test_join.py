"""Tests for geoincidents.join: join_sites and JoinSummary.

Distances are checked with pyproj.Geod (WGS84) directly, never with the module's own helpers; site
coordinates are read from the gazetteer.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geoincidents.gazetteer import load_gazetteer
from geoincidents.join import JoinSummary, join_sites

GEOD = Geod(ellps="WGS84")
GAZ = load_gazetteer()


def _site(site_id: str):
    return GAZ[site_id]


def _offset(site_id: str, distance_m: float, azimuth: float = 90.0) -> tuple[float, float]:
    """(lat, lon) of the point distance_m from a site along azimuth (degrees from north)."""
    s = _site(site_id)
    lon, lat, _ = GEOD.fwd(s.lon, s.lat, azimuth, distance_m)
    return float(lat), float(lon)


def _geodesic(lat1, lon1, lat2, lon2) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# ------------------------------------------------------------------------------------------------------------
# by name
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("location, country, site_id, method", [
    ("Ain al-Asad", "IRQ", "ain-al-asad-airbase", "alias"),       # alias
    ("Ayn al-Assad", None, "ain-al-asad-airbase", "alias"),        # another spelling
    ("عين الأسد", None, "ain-al-asad-airbase", "alias"),            # Arabic alias
    ("قاعدة التنف", "SYR", "al-tanf-garrison", "exact"),            # Arabic name of the site
    ("Al-Tanf Garrison", "SYR", "al-tanf-garrison", "exact"),      # preferred name
    ("Abu Hajr airport", "SYR", "abu-hajar-airport", "fuzzy"),     # typo
    ("Shaddadi", "SYR", "shaddadi-base", "alias"),
    ("التنف", "SYR", "al-tanf-garrison", "alias"),                # Arabic alias
])
def test_by_name(location, country, site_id, method):
    joined = join_sites(pd.DataFrame({"location": [location], "country": [country]}), how="name")
    row = joined.iloc[0]
    assert row["site_id"] == site_id
    assert row["match_method"] == method
    assert row["site_name"] == _site(site_id).name
    if method == "fuzzy":
        assert 85 <= row["match_score"] < 100
    else:
        assert row["match_score"] >= 95
    # geometry of a name match without coordinates is the site's point
    assert (row.geometry.x, row.geometry.y) == (_site(site_id).lon, _site(site_id).lat)
    assert pd.isna(row["distance_m"])
    assert pd.isna(row["match_candidates"])


def test_country_column_is_a_hint():
    frame = pd.DataFrame({"location": ["Tanf", "Tanf", "Tanf"], "country": ["SYR", "IRQ", None]})
    joined = join_sites(frame, how="name")
    # al-Tanf is in Syria: a row saying Iraq does not get it; no hint finds it.
    assert joined["site_id"].iloc[0] == "al-tanf-garrison"
    assert pd.isna(joined["site_id"].iloc[1]) and pd.isna(joined["match_method"].iloc[1])
    assert joined["site_id"].iloc[2] == "al-tanf-garrison"


def test_unknown_country_hint_is_an_error():
    with pytest.raises(ValueError, match="Narnia"):
        join_sites(pd.DataFrame({"location": ["Tanf"], "country": ["Narnia"]}))


# ------------------------------------------------------------------------------------------------------------
# ambiguous names
# ------------------------------------------------------------------------------------------------------------
def test_ambiguous_name_without_point_is_flagged_not_guessed():
    frame = pd.DataFrame({"location": ["Rmelan", "Victory Base"], "country": ["SYR", "IRQ"]})
    joined = join_sites(frame)
    assert joined["match_method"].tolist() == ["ambiguous", "ambiguous"]
    assert joined["site_id"].isna().all()
    assert joined["site_name"].isna().all()
    assert set(joined["match_candidates"].iloc[0].split("|")) == {"rmelan", "rumalyn-landing-zone"}
    assert set(joined["match_candidates"].iloc[1].split("|")) == {
        "baghdad-airport", "baghdad-diplomatic-support-center"}
    assert joined.geometry.isna().all()
    assert joined.attrs["join_summary"]["ambiguous"] == 2
    assert joined.attrs["join_summary"]["matched"] == 0


def test_ambiguous_name_settled_by_point_only_among_its_candidates():
    abu = _site("abu-hajar-airport")
    rmelan = _site("rmelan")
    far_lat, far_lon = _offset("ain-al-asad-airbase", 1000)
    frame = pd.DataFrame({
        "location": ["Rmelan", "Rmelan", "Rmelan", "", ],
        "lat": [abu.lat, rmelan.lat + 0.001, far_lat, abu.lat],
        "lon": [abu.lon, rmelan.lon, far_lon, abu.lon],
    })
    joined = join_sites(frame, how="auto")
    # At the Abu Hajar airstrip point: abu-hajar-airport and rumalyn-landing-zone share the point, but
    # "Rmelan" can only be rmelan or the landing zone, so the landing zone it is.
    assert joined["site_id"].iloc[0] == "rumalyn-landing-zone"
    assert joined["match_method"].iloc[0] == "distance"
    assert joined["distance_m"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert pd.isna(joined["match_candidates"].iloc[0])
    # Near the town: the town.
    assert joined["site_id"].iloc[1] == "rmelan"
    assert joined["distance_m"].iloc[1] == pytest.approx(
        _geodesic(rmelan.lat + 0.001, rmelan.lon, rmelan.lat, rmelan.lon), abs=0.01)
    # Far from both candidates (next to Ain al-Asad): stays ambiguous, does not become Ain al-Asad.
    assert joined["match_method"].iloc[2] == "ambiguous"
    assert pd.isna(joined["site_id"].iloc[2])
    assert set(joined["match_candidates"].iloc[2].split("|")) == {"rmelan", "rumalyn-landing-zone"}
    # its geometry is its own point
    assert (joined.geometry.iloc[2].x, joined.geometry.iloc[2].y) == (far_lon, far_lat)
    # No name at all: any site is eligible and the result is one of the two sites at that point.
    assert joined["site_id"].iloc[3] in {"abu-hajar-airport", "rumalyn-landing-zone"}


# ------------------------------------------------------------------------------------------------------------
# by distance
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("max_distance_m", [25_000.0, 5_000.0])
def test_distance_just_inside_and_just_outside(max_distance_m):
    # Al-Tanf is isolated (Tower 22 is ~10 km away to the east-north-east): go due west.
    inside = _offset("al-tanf-garrison", max_distance_m - 50, azimuth=270)
    outside = _offset("al-tanf-garrison", max_distance_m + 50, azimuth=270)
    frame = pd.DataFrame({"location": ["", ""], "lat": [inside[0], outside[0]],
                          "lon": [inside[1], outside[1]]})
    joined = join_sites(frame, how="distance", max_distance_m=max_distance_m)
    assert joined["site_id"].iloc[0] == "al-tanf-garrison"
    assert joined["match_method"].iloc[0] == "distance"
    assert joined["distance_m"].iloc[0] == pytest.approx(max_distance_m - 50, abs=0.01)
    assert 0 < joined["match_score"].iloc[0] <= 100
    assert pd.isna(joined["site_id"].iloc[1])
    assert pd.isna(joined["match_method"].iloc[1])
    assert pd.isna(joined["distance_m"].iloc[1])
    # unmatched rows keep their own point
    assert joined.geometry.iloc[1].x == pytest.approx(outside[1])
    assert joined.geometry.iloc[1].y == pytest.approx(outside[0])


def test_distance_is_geodesic_metres():
    sites = ["ain-al-asad-airbase", "tower-22", "harir-airbase", "shaddadi-base", "muwaffaq-salti-airbase"]
    rng = np.random.default_rng(7)
    lats, lons, expected = [], [], []
    for sid in sites:
        lat, lon = _offset(sid, float(rng.uniform(100, 900)), azimuth=float(rng.uniform(0, 360)))
        lats.append(lat), lons.append(lon)
        expected.append(_geodesic(lat, lon, _site(sid).lat, _site(sid).lon))
    joined = join_sites(pd.DataFrame({"lat": lats, "lon": lons}), how="distance")
    assert joined["site_id"].tolist() == sites
    np.testing.assert_allclose(joined["distance_m"].to_numpy(), expected, atol=0.01)
    # not degrees
    assert (joined["distance_m"] > 50).all()


def test_name_match_with_point_reports_geodesic_distance_to_the_named_site():
    lat, lon = _offset("harir-airbase", 3000, azimuth=30)
    joined = join_sites(pd.DataFrame({"location": ["Harir air base"], "lat": [lat], "lon": [lon]}))
    row = joined.iloc[0]
    assert row["site_id"] == "harir-airbase" and row["match_method"] != "distance"
    assert row["distance_m"] == pytest.approx(3000, abs=0.01)
    # geometry is the incident's own point, not the site's
    assert (row.geometry.x, row.geometry.y) == (lon, lat)


def test_auto_uses_name_first_then_distance_for_rows_whose_name_fails():
    near_tanf = _offset("al-tanf-garrison", 800)
    near_erbil_ab = _offset("erbil-airbase", 500)
    frame = pd.DataFrame({
        "location": ["Ain al-Asad", "a farm road", "Ain al-Asad", None],
        "lat": [near_tanf[0], near_tanf[0], np.nan, near_erbil_ab[0]],
        "lon": [near_tanf[1], near_tanf[1], np.nan, near_erbil_ab[1]],
    })
    joined = join_sites(frame, how="auto")
    # the name wins even though the point is at al-Tanf
    assert joined["site_id"].iloc[0] == "ain-al-asad-airbase"
    assert joined["match_method"].iloc[0] == "alias"
    assert joined["site_id"].iloc[1] == "al-tanf-garrison"
    assert joined["match_method"].iloc[1] == "distance"
    assert joined["site_id"].iloc[2] == "ain-al-asad-airbase"
    assert joined["site_id"].iloc[3] == "erbil-airbase"
    by_name = join_sites(frame, how="name")
    assert by_name["site_id"].isna().tolist() == [False, True, False, True]
    by_distance = join_sites(frame, how="distance")
    assert by_distance["site_id"].tolist()[:2] == ["al-tanf-garrison", "al-tanf-garrison"]
    assert pd.isna(by_distance["site_id"].iloc[2])


def test_tie_between_two_sites_at_the_same_point_gives_one_row():
    # conoco-gas-field and mss-euphrates share one coordinate.
    conoco, mss = _site("conoco-gas-field"), _site("mss-euphrates")
    assert (conoco.lat, conoco.lon) == (mss.lat, mss.lon)
    lat, lon = _offset("conoco-gas-field", 2000, azimuth=180)
    frame = pd.DataFrame({"incident_id": ["a"], "location": [""], "lat": [lat], "lon": [lon]})
    joined = join_sites(frame, how="distance")
    assert len(joined) == 1
    # documented: ties go to the site that comes first in the gazetteer
    first = min(("conoco-gas-field", "mss-euphrates"), key=GAZ.site_ids.index)
    assert joined["site_id"].iloc[0] == first
    assert joined["distance_m"].iloc[0] == pytest.approx(2000, abs=0.01)
    # geopandas' sjoin_nearest returns both tied sites for the same incident
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # geographic CRS warning
        nearest = gpd.sjoin_nearest(points, GAZ.to_geodataframe())
    assert len(nearest) == 2


# ------------------------------------------------------------------------------------------------------------
# rows, index, columns, geometry
# ------------------------------------------------------------------------------------------------------------
def _mixed_frame() -> pd.DataFrame:
    near_tower = _offset("tower-22", 400)
    return pd.DataFrame({
        "incident_id": ["i1", "i2", "i3", "i4", "i5"],
        "location": ["Ain al-Asad", "somewhere in the desert", "Rmelan", "a field", "Tanf"],
        "lat": [np.nan, np.nan, np.nan, near_tower[0], np.nan],
        "lon": [np.nan, np.nan, np.nan, near_tower[1], np.nan],
        "country": ["IRQ", "IRQ", "SYR", "JOR", "SYR"],
        "extra_int": [5, 4, 3, 2, 1],
        "extra_obj": [{"k": 1}, None, "x", 2.5, [1]],
        "injured": pd.array([1, None, 2, None, 0], dtype="Int64"),
    }, index=pd.Index([40, 10, 30, 20, 99], name="my_index"))


def test_same_rows_order_index_and_values():
    frame = _mixed_frame()
    before = frame.copy(deep=True)
    joined = join_sites(frame)
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    assert isinstance(joined, gpd.GeoDataFrame)
    assert joined.index.equals(frame.index) and joined.index.name == "my_index"
    # every input column, with the same values and dtypes
    pd.testing.assert_frame_equal(pd.DataFrame(joined[list(frame.columns)]), frame)
    for col in ("site_id", "site_name", "match_method", "match_score", "distance_m", "match_candidates"):
        assert col in joined.columns
    assert joined.geometry.name == "geometry"
    assert joined.crs.to_epsg() == 4326
    assert joined["site_id"].tolist()[:1] == ["ain-al-asad-airbase"]
    assert pd.isna(joined.loc[10, "site_id"]) and joined.loc[10, "geometry"] is None
    assert joined.loc[30, "match_method"] == "ambiguous"
    assert joined.loc[20, "site_id"] == "tower-22" and joined.loc[20, "match_method"] == "distance"
    assert joined.loc[99, "site_id"] == "al-tanf-garrison"


def test_join_summary():
    joined = join_sites(_mixed_frame())
    summary = joined.attrs["join_summary"]
    assert summary == JoinSummary.of(joined).to_dict()
    assert summary["total"] == 5
    assert summary["matched"] == 3 and summary["ambiguous"] == 1 and summary["unmatched"] == 1
    assert summary["total"] == summary["matched"] + summary["ambiguous"] + summary["unmatched"]
    assert summary["by_method"] == {"alias": 2, "ambiguous": 1, "distance": 1}
    text = str(JoinSummary.of(joined))
    assert "5 incidents" in text and "1 ambiguous" in text and "1 unmatched" in text


def test_given_site_id_is_kept():
    frame = pd.DataFrame({
        "location": ["Baghdad", "Tanf", "x"],
        "site_id": ["erbil", None, ""],   # a given id wins over the name
        "lat": [np.nan, np.nan, np.nan], "lon": [np.nan, np.nan, np.nan],
    }, index=["a", "b", "c"])
    joined = join_sites(frame)
    assert joined.loc["a", "site_id"] == "erbil" and joined.loc["a", "match_method"] == "given"
    assert joined.loc["a", "match_score"] == 100
    point = joined.loc["a", "geometry"]
    assert (point.x, point.y) == (_site("erbil").lon, _site("erbil").lat)
    assert joined.loc["b", "site_id"] == "al-tanf-garrison" and joined.loc["b", "match_method"] == "alias"
    assert pd.isna(joined.loc["c", "site_id"])
    assert joined.attrs["join_summary"]["by_method"]["given"] == 1


def test_unknown_given_site_id_raises_naming_it():
    frame = pd.DataFrame({"location": ["Baghdad", "Tanf"], "site_id": ["baghdad", "fort-nowhere"]})
    with pytest.raises(ValueError, match="fort-nowhere"):
        join_sites(frame)


def test_geodataframe_input_with_point_geometry():
    tanf = _offset("al-tanf-garrison", 1500)
    asad = _offset("ain-al-asad-airbase", 700)
    gdf = gpd.GeoDataFrame({"location": ["an outpost", "Rmelan"], "n": [1, 2]},
                           geometry=[shapely.Point(tanf[1], tanf[0]), shapely.Point(asad[1], asad[0])],
                           crs="EPSG:4326", index=[7, 3])
    joined = join_sites(gdf)
    assert joined.index.tolist() == [7, 3]
    assert joined["site_id"].iloc[0] == "al-tanf-garrison"
    assert joined["distance_m"].iloc[0] == pytest.approx(1500, abs=0.01)
    assert joined["match_method"].iloc[1] == "ambiguous"  # Ain al-Asad is not a candidate of "Rmelan"
    assert list(joined.columns).count("geometry") == 1
    assert joined.geometry.iloc[0].equals(shapely.Point(tanf[1], tanf[0]))
    # a projected CRS is read as the same points
    projected = join_sites(gdf.to_crs(3857))
    assert projected["site_id"].iloc[0] == "al-tanf-garrison"
    assert projected["distance_m"].iloc[0] == pytest.approx(1500, abs=0.5)
    assert projected.crs.to_epsg() == 4326


def test_bad_arguments():
    frame = pd.DataFrame({"location": ["Tanf"], "lat": [33.5], "lon": [38.6]})
    for how in ("nearest", "AUTO", ""):
        with pytest.raises(ValueError, match="how"):
            join_sites(frame, how=how)
    for value in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="max_distance_m"):
            join_sites(frame, max_distance_m=value)
    with pytest.raises(ValueError, match="location"):
        join_sites(pd.DataFrame({"lat": [33.5], "lon": [38.6]}), how="name")
    with pytest.raises(ValueError, match="lat"):
        join_sites(pd.DataFrame({"location": ["Tanf"]}), how="distance")
    with pytest.raises(TypeError):
        join_sites([{"location": "Tanf"}])


def test_custom_gazetteer_is_used():
    gaz = load_gazetteer().add_site(
        site_id="camp-example", name="Camp Example", name_ar="معسكر مثال", kind="base", country="IRQ",
        admin1="Anbar", lat=32.5, lon=41.5, uncertainty_m=5000, coord_source="test", aliases=["Example base"])
    lon, lat, _ = GEOD.fwd(41.5, 32.5, 45, 1234)
    frame = pd.DataFrame({"location": ["Example base", "", "Tanf"], "lat": [np.nan, lat, np.nan],
                          "lon": [np.nan, lon, np.nan]})
    joined = join_sites(frame, gaz)
    assert joined["site_id"].tolist() == ["camp-example", "camp-example", "al-tanf-garrison"]
    assert joined["site_name"].iloc[0] == "Camp Example"
    assert joined["distance_m"].iloc[1] == pytest.approx(1234, abs=0.01)
    # the bundled gazetteer is not changed
    assert "camp-example" not in load_gazetteer()
    assert join_sites(frame)["site_id"].isna().tolist() == [True, True, False]


# ------------------------------------------------------------------------------------------------------------
# many rows: vectorised nearest against brute force
# ------------------------------------------------------------------------------------------------------------
def _brute_nearest(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sites = list(GAZ)
    d = np.empty((len(lat), len(sites)))
    for j, s in enumerate(sites):
        d[:, j] = GEOD.inv(lon, lat, np.full(len(lat), s.lon), np.full(len(lat), s.lat))[2]
    return d, d.min(axis=1)


def test_100k_distance_join_matches_brute_force_on_a_sample():
    rng = np.random.default_rng(2024)
    n = 100_000
    site_lat = np.array([s.lat for s in GAZ])
    site_lon = np.array([s.lon for s in GAZ])
    k = rng.integers(0, len(site_lat), n)
    lat = site_lat[k] + rng.uniform(-0.35, 0.35, n)
    lon = site_lon[k] + rng.uniform(-0.35, 0.35, n)
    joined = join_sites(pd.DataFrame({"lat": lat, "lon": lon}), how="distance")
    assert len(joined) == n
    sample = rng.choice(n, 200, replace=False)
    d, best = _brute_nearest(lat[sample], lon[sample])
    ids = GAZ.site_ids
    got = joined["site_id"].to_numpy()[sample]
    got_d = joined["distance_m"].to_numpy()[sample]
    problems = []
    for i, r in enumerate(sample):
        if best[i] > 25_000:
            if not pd.isna(got[i]):
                problems.append((r, got[i], "beyond max distance"))
            continue
        if pd.isna(got[i]):
            problems.append((r, None, best[i]))
            continue
        # same site, or one at the same (minimal) distance when two sites share a point
        if abs(d[i, ids.index(got[i])] - best[i]) > 1e-6 or abs(got_d[i] - best[i]) > 1e-6:
            problems.append((r, got[i], ids[int(np.argmin(d[i]))], got_d[i], best[i]))
    assert not problems, problems


def test_nearest_site_behind_two_sites_sharing_a_point():
    # Found by comparing a 100k-point join with brute force: ~20 in 100k points get a farther site.
    lat, lon = 33.27655636287736, 44.357336853635765
    d, best = _brute_nearest(np.array([lat]), np.array([lon]))
    assert GAZ.site_ids[int(np.argmin(d[0]))] == "baghdad"
    joined = join_sites(pd.DataFrame({"lat": [lat], "lon": [lon]}), how="distance")
    assert joined["site_id"].iloc[0] == "baghdad", (joined["site_id"].iloc[0], joined["distance_m"].iloc[0],
                                                    best[0])


# ------------------------------------------------------------------------------------------------------------
# the fast nearest-site search against a plain pyproj.Geod brute force
# ------------------------------------------------------------------------------------------------------------
def _geod_brute_force(lat: np.ndarray, lon: np.ndarray, max_distance_m: float) -> tuple[np.ndarray, ...]:
    """Site id (None beyond max_distance_m) and geodesic distance of each point: every site, first on ties."""
    sites = list(GAZ)
    d = np.empty((len(lat), len(sites)))
    for j, s in enumerate(sites):
        d[:, j] = GEOD.inv(lon, lat, np.full(len(lat), s.lon), np.full(len(lat), s.lat))[2]
    best = d.argmin(axis=1)  # the first of equal minima
    dist = d[np.arange(len(lat)), best]
    ids = np.array([s.site_id for s in sites], dtype=object)[best]
    ids[dist > max_distance_m] = None
    return ids, np.where(dist > max_distance_m, np.nan, dist)


def _hard_points(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points near sites, near-ties between two sites, and far from every site (the whole globe)."""
    sites = list(GAZ)
    s_lat = np.array([s.lat for s in sites])
    s_lon = np.array([s.lon for s in sites])
    k = rng.integers(0, len(sites), 6000)
    near_lat, near_lon = s_lat[k] + rng.uniform(-0.4, 0.4, k.size), s_lon[k] + rng.uniform(-0.4, 0.4, k.size)
    # near-ties: the geodesic midpoint of two distinct sites less than 120 km apart, nudged by up to 1 m
    tie_lat, tie_lon = [], []
    for i in range(len(sites)):
        for j in range(i + 1, len(sites)):
            az, _, d = GEOD.inv(s_lon[i], s_lat[i], s_lon[j], s_lat[j])
            if 0 < d < 120_000:
                for nudge in (0.0, 1e-3, -1e-3, 1.0):
                    lo, la, _ = GEOD.fwd(s_lon[i], s_lat[i], az, d / 2 + nudge)
                    tie_lon.append(lo)
                    tie_lat.append(la)
    far_lat, far_lon = rng.uniform(-89.9, 89.9, 2000), rng.uniform(-180, 180, 2000)
    lat = np.concatenate([near_lat, np.array(tie_lat), far_lat, s_lat])
    lon = np.concatenate([near_lon, np.array(tie_lon), far_lon, s_lon])
    assert len(tie_lat) > 20  # the gazetteer has sites that close
    return lat, lon


@pytest.mark.parametrize("max_distance_m", [25_000.0, 3_000.0, 400_000.0])
def test_distance_join_equals_geod_brute_force(max_distance_m):
    lat, lon = _hard_points(np.random.default_rng(16))
    want_site, want_d = _geod_brute_force(lat, lon, max_distance_m)
    joined = join_sites(pd.DataFrame({"lat": lat, "lon": lon}), how="distance", max_distance_m=max_distance_m)
    got_site = joined["site_id"].astype(object).where(joined["site_id"].notna(), None).to_numpy()
    differ = np.flatnonzero(got_site != want_site)
    assert not differ.size, [(i, got_site[i], want_site[i], want_d[i]) for i in differ[:5]]
    # the same geodesic distances, to the bit (pyproj from the point to the site)
    np.testing.assert_array_equal(joined["distance_m"].to_numpy(), want_d)
    assert 0 < int(np.isnan(want_d).sum()) < len(lat)  # some points beyond max_distance_m, most not


def test_point_exactly_at_max_distance_is_matched_and_a_hair_beyond_is_not():
    lat, lon = _offset("ain-al-asad-airbase", 7000, azimuth=200)
    exact = _geodesic(lat, lon, _site("ain-al-asad-airbase").lat, _site("ain-al-asad-airbase").lon)
    frame = pd.DataFrame({"lat": [lat], "lon": [lon]})
    at = join_sites(frame, how="distance", max_distance_m=exact)
    assert at["site_id"].iloc[0] == "ain-al-asad-airbase" and at["distance_m"].iloc[0] == exact
    assert at["match_score"].iloc[0] == 0.0
    beyond = join_sites(frame, how="distance", max_distance_m=float(np.nextafter(exact, 0)))
    assert pd.isna(beyond["site_id"].iloc[0]) and pd.isna(beyond["distance_m"].iloc[0])
