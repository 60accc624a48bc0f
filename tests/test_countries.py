"""Tests for geoincidents.countries and the packaged country outlines."""

from __future__ import annotations

import importlib.resources
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from geoincidents.countries import country_at, country_codes, country_outlines, point_in_country, to_iso3

EXPECTED_CODES = {"ARE", "BHR", "EGY", "IRN", "IRQ", "ISR", "JOR", "KWT", "LBN", "OMN", "PSE", "QAT", "SAU"}
EXPECTED_CODES |= {"SYR", "TUR", "YEM"}
DATA_FILE = importlib.resources.files("geoincidents") / "data" / "countries.geojson"

# (lat, lon) of well-known places
BAGHDAD = (33.3128, 44.3615)
DAMASCUS = (33.5138, 36.2765)
AMMAN = (31.9539, 35.9106)
ERBIL = (36.1911, 44.0092)
BEIRUT = (33.8938, 35.5018)
KUWAIT_CITY = (29.3759, 47.9774)
AL_TANF = (33.50, 38.63)  # US garrison in Syria, ~19 km north of the Jordanian border
AR_RAMTHA = (32.5592, 36.0069)  # Jordanian town ~2.4 km south of the Syrian border (Daraa crossing)
MEDITERRANEAN = (34.0, 34.0)  # sea between Cyprus and Lebanon
PERSIAN_GULF = (28.0, 50.5)

# On the Iraq-Jordan border, the outline runs straight from (33.22838 N, 38.82099 E) to (33.10005 N,
# 38.86419 E). This point lies 1,000 m west-south-west of that segment's midpoint, i.e. in Jordan,
# 1 km outside Iraq (checked independently by test_one_km_point_is_one_km_outside_iraq).
ONE_KM_WEST_OF_IRAQ = (33.16176, 38.83229)


# --------------------------------------------------------------------------------------------- to_iso3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("IRQ", "IRQ"),
        ("irq", "IRQ"),
        ("  Syr ", "SYR"),
        ("IQ", "IRQ"),
        ("sy", "SYR"),
        ("JO", "JOR"),
        ("Iraq", "IRQ"),
        ("IRAQ", "IRQ"),
        ("Republic of Iraq", "IRQ"),
        ("Syria", "SYR"),
        ("Syrian Arab Republic", "SYR"),
        ("syrian  arab   republic", "SYR"),
        ("Jordan", "JOR"),
        ("Hashemite Kingdom of Jordan", "JOR"),
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Iran", "IRN"),
        ("Iran, Islamic Republic of", "IRN"),
        ("Islamic Republic of Iran", "IRN"),
        ("Kuwait", "KWT"),
        ("Saudi Arabia", "SAU"),
        ("Lebanon", "LBN"),
        ("Israel", "ISR"),
        ("Palestine", "PSE"),
        ("Palestine, State of", "PSE"),
        ("Egypt", "EGY"),
        ("United States", "USA"),
        ("USA", "USA"),
        ("US", "USA"),
        ("United Kingdom", "GBR"),
        ("Russia", "RUS"),
    ],
)
def test_to_iso3_known(value: str, expected: str) -> None:
    assert to_iso3(value) == expected


@pytest.mark.parametrize(
    "value",
    ["Narnia", "", "   ", "XX", "XXX", "ZZ", "Irak", "Syri", "Iraqi", "Kurdistan", "Baghdad", "Q", "IRQX"],
)
def test_to_iso3_unknown_is_none(value: str) -> None:
    assert to_iso3(value) is None


@pytest.mark.parametrize("value", [None, 368, 3.5, b"IRQ", ["IRQ"]])
def test_to_iso3_rejects_non_strings(value: object) -> None:
    with pytest.raises(TypeError):
        to_iso3(value)  # type: ignore[arg-type]


def test_to_iso3_is_cached() -> None:
    to_iso3.cache_clear()
    to_iso3("Iraq")
    to_iso3("Iraq")
    assert to_iso3.cache_info().hits >= 1


# ------------------------------------------------------------------------------------ country_outlines


def test_country_outlines_frame() -> None:
    outlines = country_outlines()
    assert list(outlines.columns) == ["iso3", "name", "geometry"]
    assert outlines.crs is not None and outlines.crs.to_epsg() == 4326
    assert list(outlines["iso3"]) == sorted(EXPECTED_CODES)
    assert outlines.geometry.is_valid.all()
    assert set(outlines.geom_type) <= {"Polygon", "MultiPolygon"}
    assert outlines.loc[outlines["iso3"] == "IRQ", "name"].item() == "Iraq"
    assert country_codes() == tuple(sorted(EXPECTED_CODES))


def test_country_outlines_returns_independent_copies() -> None:
    first = country_outlines()
    first.loc[0, "name"] = "changed"
    first["iso3"] = "XXX"
    second = country_outlines()
    assert len(second) == len(EXPECTED_CODES)
    assert "changed" not in set(second["name"])


def test_outlines_do_not_overlap() -> None:
    outlines = country_outlines()
    geoms = list(outlines.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            # shared borders are allowed, shared area is not (tiny quantisation slivers at most)
            assert shapely.area(shapely.intersection(geoms[i], geoms[j])) < 1e-6


# ------------------------------------------------------------------------------------ point_in_country


@pytest.mark.parametrize(
    ("place", "code"),
    [
        (BAGHDAD, "IRQ"),
        (ERBIL, "IRQ"),
        (DAMASCUS, "SYR"),
        (AL_TANF, "SYR"),
        (AMMAN, "JOR"),
        (AR_RAMTHA, "JOR"),
        (BEIRUT, "LBN"),
        (KUWAIT_CITY, "KWT"),
    ],
)
def test_real_places(place: tuple[float, float], code: str) -> None:
    lat, lon = place
    assert bool(point_in_country(lat, lon, code))
    assert country_at(lat, lon).item() == code
    others = sorted(EXPECTED_CODES - {code})
    assert not point_in_country(np.full(len(others), lat), np.full(len(others), lon), others).any()


def test_border_sites() -> None:
    assert bool(point_in_country(*AL_TANF, "SYR"))
    assert not bool(point_in_country(*AL_TANF, "JOR"))
    assert bool(point_in_country(*AR_RAMTHA, "JOR"))
    assert not bool(point_in_country(*AR_RAMTHA, "SYR"))


@pytest.mark.parametrize("place", [MEDITERRANEAN, PERSIAN_GULF])
def test_sea_is_in_no_country(place: tuple[float, float]) -> None:
    lat, lon = place
    assert country_at(lat, lon).item() is None
    assert not point_in_country(lat, lon, "IRQ")
    assert not point_in_country(lat, lon, "LBN")


def test_swapped_lat_lon_is_not_in_iraq() -> None:
    lat, lon = BAGHDAD
    assert bool(point_in_country(lat, lon, "IRQ"))
    assert not bool(point_in_country(lon, lat, "IRQ"))  # (44.36 N, 33.31 E) is in Ukraine/Black Sea


def test_one_km_point_is_one_km_outside_iraq() -> None:
    """The tolerance fixture really is ~1 km from Iraq's outline (geodesic distance, independent code)."""
    lat, lon = ONE_KM_WEST_OF_IRAQ
    iraq = country_outlines().set_index("iso3").geometry["IRQ"]
    xy = shapely.get_coordinates(shapely.segmentize(iraq.boundary, 0.0005))
    _, _, dist = Geod(ellps="WGS84").inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
    assert 950 < dist.min() < 1050


def test_tolerance() -> None:
    lat, lon = ONE_KM_WEST_OF_IRAQ
    assert not bool(point_in_country(lat, lon, "IRQ"))
    assert not bool(point_in_country(lat, lon, "IRQ", tolerance_m=0.0))
    assert not bool(point_in_country(lat, lon, "IRQ", tolerance_m=800))
    assert bool(point_in_country(lat, lon, "IRQ", tolerance_m=1200))
    assert bool(point_in_country(lat, lon, "IRQ", tolerance_m=2000))
    # inside points stay inside whatever the tolerance; far points stay out
    assert bool(point_in_country(*BAGHDAD, "IRQ", tolerance_m=2000))
    assert not bool(point_in_country(*AMMAN, "IRQ", tolerance_m=2000))
    assert bool(point_in_country(lat, lon, "JOR", tolerance_m=0))


def test_tolerance_is_metres_not_degrees() -> None:
    # 2000 "degrees" would swallow everything; 2000 m must not reach Damascus (~200 km from Iraq)
    assert not bool(point_in_country(*DAMASCUS, "IRQ", tolerance_m=2000))
    # a 1 km offset east-west and north-south behave the same (a degree of longitude is shorter)
    lat, lon = ONE_KM_WEST_OF_IRAQ
    assert bool(point_in_country(lat, lon, "IRQ", tolerance_m=1050))


def test_array_and_scalar_inputs() -> None:
    lats = [BAGHDAD[0], DAMASCUS[0], AMMAN[0], MEDITERRANEAN[0]]
    lons = [BAGHDAD[1], DAMASCUS[1], AMMAN[1], MEDITERRANEAN[1]]

    scalar = point_in_country(*BAGHDAD, "IRQ")
    assert isinstance(scalar, np.ndarray) and scalar.shape == () and scalar.dtype == bool

    one_code = point_in_country(lats, lons, "IRQ")
    assert one_code.dtype == bool and one_code.tolist() == [True, False, False, False]

    per_point = point_in_country(np.array(lats), np.array(lons), ["IRQ", "SYR", "JOR", "JOR"])
    assert per_point.tolist() == [True, True, True, False]

    lower_case = point_in_country(lats, lons, np.array(["irq", "syr", "jor", "jor"], dtype=object))
    assert lower_case.tolist() == [True, True, True, False]

    grid = point_in_country(np.array(lats).reshape(2, 2), np.array(lons).reshape(2, 2), "SYR")
    assert grid.shape == (2, 2) and grid.tolist() == [[False, True], [False, False]]

    assert point_in_country([], [], "IRQ").shape == (0,)
    assert point_in_country([np.nan, BAGHDAD[0]], [np.nan, BAGHDAD[1]], "IRQ").tolist() == [False, True]

    import pandas as pd

    series = point_in_country(pd.Series(lats), pd.Series(lons), pd.Series(["IRQ", "SYR", "JOR", "IRQ"]))
    assert series.tolist() == [True, True, True, False]


def test_country_at_arrays() -> None:
    result = country_at(
        [BAGHDAD[0], DAMASCUS[0], AMMAN[0], MEDITERRANEAN[0], np.nan],
        [BAGHDAD[1], DAMASCUS[1], AMMAN[1], MEDITERRANEAN[1], np.nan],
    )
    assert result.dtype == object
    assert result.tolist() == ["IRQ", "SYR", "JOR", None, None]
    assert country_at([], []).shape == (0,)


@pytest.mark.parametrize("code", ["XXX", "USA", "", "Iraq", None])
def test_unknown_iso3_raises(code: object) -> None:
    with pytest.raises(ValueError, match=repr(code) if code is not None else "None"):
        point_in_country(*BAGHDAD, code)  # type: ignore[arg-type]


def test_unknown_iso3_in_array_raises_naming_it() -> None:
    with pytest.raises(ValueError, match="'NOPE'"):
        point_in_country([BAGHDAD[0]] * 2, [BAGHDAD[1]] * 2, ["IRQ", "NOPE"])


@pytest.mark.parametrize(
    ("lat", "lon", "kwargs"),
    [
        (91.0, 44.0, {}),
        (33.0, 181.0, {}),
        ([33.0, 33.0], [44.0, 44.0, 44.0], {}),
        (33.0, 44.0, {"tolerance_m": -1}),
        (33.0, 44.0, {"tolerance_m": float("nan")}),
        (33.0, 44.0, {"tolerance_m": "far"}),
        ("north", 44.0, {}),
    ],
)
def test_bad_inputs_raise(lat: object, lon: object, kwargs: dict) -> None:
    with pytest.raises(ValueError):
        point_in_country(lat, lon, "IRQ", **kwargs)


def test_iso3_shape_mismatch_raises() -> None:
    with pytest.raises(ValueError, match="broadcast"):
        point_in_country([33.0, 34.0, 35.0], [44.0, 44.0, 44.0], ["IRQ", "SYR"])


@settings(max_examples=60, deadline=None)
@given(
    lat=st.lists(st.floats(28.0, 38.0), min_size=1, max_size=30),
    seed=st.integers(0, 2**32 - 1),
)
def test_point_in_country_agrees_with_country_at(lat: list[float], seed: int) -> None:
    lon = np.random.default_rng(seed).uniform(34.0, 49.0, len(lat))
    where = country_at(lat, lon)
    for code in ("IRQ", "SYR", "JOR"):
        inside = point_in_country(lat, lon, code)
        assert np.array_equal(inside, where == code)
        # growing the outline never loses a point
        assert np.all(point_in_country(lat, lon, code, tolerance_m=500)[inside])


@pytest.mark.parametrize("tolerance_m", [0.0, 10_000.0])
def test_many_points_answer_as_few_do(tolerance_m: float) -> None:
    # From 20,000 points on, a grid of cells wholly inside or outside answers most points without an exact
    # test: every answer must be the exact one, also for points on round coordinates (cell edges), on
    # borders and far outside.
    rng = np.random.default_rng(20261202)
    lat, lon = rng.uniform(28.0, 39.0, 60_000), rng.uniform(33.0, 50.0, 60_000)
    lat[:20_000], lon[:20_000] = np.round(lat[:20_000], 1), np.round(lon[:20_000], 1)
    outlines = country_outlines()
    syria = outlines.loc[outlines["iso3"] == "SYR", "geometry"].item()
    border = shapely.get_coordinates(shapely.boundary(syria))
    take = rng.choice(len(border), 5_000)
    lon[20_000:25_000], lat[20_000:25_000] = border[take, 0], border[take, 1]
    lat[-1], lon[-1] = np.nan, np.nan
    for code in ("SYR", "IRQ", "JOR", "KWT"):
        many = point_in_country(lat, lon, code, tolerance_m=tolerance_m)
        few = np.concatenate([point_in_country(lat[i : i + 5_000], lon[i : i + 5_000], code,
                                               tolerance_m=tolerance_m) for i in range(0, len(lat), 5_000)])
        assert np.array_equal(many, few)
        assert 0 < many.sum() < len(lat)
    many = country_at(lat, lon)
    few = np.concatenate([country_at(lat[i : i + 5_000], lon[i : i + 5_000])
                          for i in range(0, len(lat), 5_000)])
    assert many.tolist() == few.tolist()


# ------------------------------------------------------------------------------------------ data file


def test_data_file_contract() -> None:
    raw = DATA_FILE.read_bytes()
    assert len(raw) < 600_000
    collection = json.loads(raw)
    assert collection["type"] == "FeatureCollection"
    codes = [f["properties"]["iso3"] for f in collection["features"]]
    assert codes == sorted(codes)
    assert set(codes) == EXPECTED_CODES
    assert len(codes) == len(set(codes))
    for feature in collection["features"]:
        assert set(feature["properties"]) == {"iso3", "name"}
        geom = shapely.from_geojson(json.dumps(feature["geometry"]))
        assert geom.geom_type in {"Polygon", "MultiPolygon"}
        assert shapely.is_valid(geom), feature["properties"]["iso3"]
        coords = shapely.get_coordinates(geom)
        assert np.array_equal(coords, np.round(coords, 5))
        minx, miny, maxx, maxy = geom.bounds
        assert minx >= 24 and maxx <= 64 and miny >= 12 and maxy <= 43  # the Middle East, lon/lat order
        # RFC 7946: exterior rings counter-clockwise
        for poly in shapely.get_parts(geom):
            assert shapely.is_ccw(poly.exterior)


def test_data_file_has_enough_detail() -> None:
    """1:10m outlines, not 1:110m: Iraq alone has hundreds of vertices."""
    iraq = country_outlines().set_index("iso3").geometry["IRQ"]
    assert shapely.get_num_coordinates(iraq) > 300


def _load_builder():
    path = Path(__file__).resolve().parent.parent / "scripts" / "build_country_outlines.py"
    spec = importlib.util.spec_from_file_location("build_country_outlines", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_builder_cancels_out_and_back_arcs() -> None:
    builder = _load_builder()
    # Jordan's ring in world-atlas 2.0.2: arc 639 walked forward then back (~639 == -640)
    assert builder._cancel_spikes([-694, -1781, -1912, 2161, -641, -640, 639, -640, -646, -638]) == [
        -694,
        -1781,
        -1912,
        2161,
        -641,
        -640,
        -646,
        -638,
    ]
    assert builder._cancel_spikes([5, 1, 2, ~2, ~5]) == [1]
    assert builder._cancel_spikes([1, 2, 3]) == [1, 2, 3]
