"""Tests for the geopy adapter GazetteerGeocoder, with a loopback Nominatim stand-in."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point
from pyproj import Geod

from geoincidents.gazetteer import load_gazetteer
from geoincidents.geocoders import GazetteerGeocoder

GAZ = load_gazetteer()


# ------------------------------------------------------------------------------ loopback Nominatim
class FakeNominatim:
    """A tiny HTTP server answering like Nominatim's /search, recording every request."""

    def __init__(self):
        self.answers: dict[str, list[dict]] = {}
        self.status = 200
        self.requests: list[tuple[str, dict[str, list[str]], float]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                url = urlparse(self.path)
                params = parse_qs(url.query)
                fake.requests.append((url.path, params, time.monotonic()))
                if fake.status != 200:
                    self.send_response(fake.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = json.dumps(fake.answers.get(params.get("q", [""])[0], [])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def place(self, q: str, lat: float, lon: float, name: str) -> None:
        self.answers[q] = [
            {
                "place_id": 4242,
                "licence": "Data (c) test",
                "osm_type": "node",
                "osm_id": 99,
                "lat": f"{lat}",
                "lon": f"{lon}",
                "display_name": name,
                "class": "place",
                "type": "village",
                "importance": 0.4,
                "boundingbox": [f"{lat - 0.01}", f"{lat + 0.01}", f"{lon - 0.01}", f"{lon + 0.01}"],
            }
        ]

    def queries(self) -> list[str]:
        return [params.get("q", [""])[0] for _, params, _ in self.requests]


@pytest.fixture()
def nominatim(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    fake = FakeNominatim()
    fake.thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def _fallback(fake: FakeNominatim) -> Nominatim:
    return Nominatim(
        domain=f"127.0.0.1:{fake.port}", scheme="http", user_agent="geoincidents-tests", timeout=5
    )


# ------------------------------------------------------------------------------ gazetteer answers
def test_is_a_geopy_geocoder():
    assert isinstance(GazetteerGeocoder(), Geocoder)


def test_geocode_returns_location_with_site_raw():
    coder = GazetteerGeocoder()
    loc = coder.geocode("Ayn al Asad")
    assert isinstance(loc, Location)
    site = GAZ["ain-al-asad-airbase"]
    assert loc.raw["site_id"] == "ain-al-asad-airbase"
    assert (loc.latitude, loc.longitude) == (site.lat, site.lon)
    assert loc.address == site.name
    assert loc.raw["method"] == "alias" and loc.raw["score"] == 100


def test_exactly_one_false_gives_a_list():
    coder = GazetteerGeocoder()
    locs = coder.geocode("Irbil", exactly_one=False)
    assert isinstance(locs, list) and [loc.raw["site_id"] for loc in locs] == ["erbil"]
    assert coder.geocode("Kabul", exactly_one=False) == []
    assert coder.geocode("Kabul") is None


def test_ambiguous_name_lists_candidates_and_never_picks_one():
    coder = GazetteerGeocoder()
    assert coder.geocode("Rmelan") is None
    locs = coder.geocode("Rmelan", exactly_one=False)
    assert {loc.raw["site_id"] for loc in locs} == {"rmelan", "rumalyn-landing-zone"}
    for loc in locs:
        site = GAZ[loc.raw["site_id"]]
        assert (loc.latitude, loc.longitude) == (site.lat, site.lon)
        assert loc.address == site.name
        assert loc.raw["ambiguous"] is True


def test_country_hint_constructor_and_per_query():
    assert GazetteerGeocoder(country="SYR").geocode("Erbil") is None
    assert GazetteerGeocoder(country="SYR").geocode("Erbil", country="IRQ").raw["site_id"] == "erbil"
    assert GazetteerGeocoder().geocode("Tanf", country="JOR") is None


def test_custom_gazetteer_is_used():
    gaz = load_gazetteer().add_site(
        site_id="camp-example",
        name="Camp Example",
        name_ar="معسكر مثال",
        kind="base",
        country="IRQ",
        admin1="Anbar",
        lat=33.4,
        lon=42.4,
        uncertainty_m=5000,
        coord_source="test",
        aliases=["Exemplar"],
    )
    assert GazetteerGeocoder(gaz).geocode("Exemplar").raw["site_id"] == "camp-example"
    assert GazetteerGeocoder().geocode("Exemplar") is None


def test_non_str_query_raises():
    with pytest.raises(TypeError):
        GazetteerGeocoder().geocode(42)  # type: ignore[arg-type]


def test_bad_fallback_or_cache_size_raise():
    with pytest.raises(TypeError, match="fallback"):
        GazetteerGeocoder(fallback=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cache_size"):
        GazetteerGeocoder(cache_size=-1)


T22 = GAZ["tower-22"]


@pytest.mark.parametrize("query", [(T22.lat, T22.lon), f"{T22.lat}, {T22.lon}", Point(T22.lat, T22.lon)])
def test_reverse_accepts_tuple_string_and_point(query):
    loc = GazetteerGeocoder().reverse(query)
    assert loc.raw["site_id"] == "tower-22"
    assert loc.raw["method"] == "nearest"
    assert loc.raw["distance_m"] == pytest.approx(0, abs=1e-3)


def test_reverse_distance_limit_and_list():
    site = GAZ["harir-airbase"]
    lon, lat, _ = Geod(ellps="WGS84").fwd(site.lon, site.lat, 90, 3000)
    coder = GazetteerGeocoder()
    assert coder.reverse((lat, lon)).raw["site_id"] == "harir-airbase"
    assert coder.reverse((lat, lon), max_distance_m=2000) is None
    assert coder.reverse((lat, lon), exactly_one=False, max_distance_m=2000) == []
    [loc] = coder.reverse((lat, lon), exactly_one=False)
    assert loc.raw["distance_m"] == pytest.approx(3000, abs=0.01)


def test_works_with_rate_limiter():
    geocode = RateLimiter(GazetteerGeocoder().geocode, min_delay_seconds=0)
    assert [geocode(n).raw["site_id"] for n in ("Irbil", "al-Tanf", "T22")] == [
        "erbil",
        "al-tanf-garrison",
        "tower-22",
    ]
    assert geocode("Irbil").address == "Erbil"


def test_works_with_geopandas_geocode():
    geopandas_tools = pytest.importorskip("geopandas.tools")
    names = ["Irbil", "At Tanf", "Kabul", "Tower 22"]
    gdf = geopandas_tools.geocode(names, provider=GazetteerGeocoder)
    assert gdf.crs.to_epsg() == 4326
    for i, sid in [(0, "erbil"), (1, "al-tanf-garrison"), (3, "tower-22")]:
        site = GAZ[sid]
        assert (gdf.geometry.iloc[i].x, gdf.geometry.iloc[i].y) == (site.lon, site.lat)
        assert gdf["address"].iloc[i] == site.name
    assert gdf.geometry.iloc[2].is_empty
    # geopandas builds the geocoder as provider(**kwargs): constructor options pass through
    gdf = geopandas_tools.geocode(["Erbil"], provider=GazetteerGeocoder, country="SYR")
    assert gdf.geometry.iloc[0].is_empty


# ------------------------------------------------------------------------------ fallback
def test_gazetteer_name_never_hits_fallback(nominatim):
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    for name in ("Ain al-Asad", "Irbil", "Ain al-Asda", "Erbil base"):
        assert coder.geocode(name).raw["method"] != "fallback"
    assert nominatim.requests == []


def test_unknown_name_asks_fallback_once_and_caches(nominatim):
    nominatim.place("Al-Hol", 36.3833, 41.1500, "Al-Hol, Al-Hasakah, Syria")
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    loc = coder.geocode("Al-Hol")
    assert nominatim.queries() == ["Al-Hol"]
    path, params, _ = nominatim.requests[0]
    assert path == "/search" and params["format"] == ["json"]
    assert (loc.latitude, loc.longitude) == (36.3833, 41.15)
    assert loc.address == "Al-Hol, Al-Hasakah, Syria"
    assert loc.raw["method"] == "fallback" and loc.raw["site_id"] is None
    assert loc.raw["fallback"] == "Nominatim"
    assert loc.raw["fallback_raw"]["place_id"] == 4242
    # asked again (also as a list): answered from the cache
    again = coder.geocode("Al-Hol")
    assert (again.latitude, again.longitude) == (36.3833, 41.15)
    assert [x.address for x in coder.geocode("Al-Hol", exactly_one=False)] == ["Al-Hol, Al-Hasakah, Syria"]
    assert len(nominatim.requests) == 1
    # clear_cache forgets it
    coder.clear_cache()
    coder.geocode("Al-Hol")
    assert len(nominatim.requests) == 2


def test_ambiguous_name_never_hits_fallback(nominatim):
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    assert coder.geocode("Rmelan") is None
    assert len(coder.geocode("Green Zone", exactly_one=False)) == 2
    assert nominatim.requests == []


def test_empty_fallback_answer_gives_none_and_is_cached(nominatim):
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    assert coder.geocode("Nowhere Special") is None
    assert coder.geocode("Nowhere Special", exactly_one=False) == []
    assert nominatim.queries() == ["Nowhere Special"]


def test_cache_size_zero_and_lru_eviction(nominatim):
    nominatim.place("A-place", 35.0, 40.0, "A")
    nominatim.place("B-place", 35.1, 40.1, "B")
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0, cache_size=0)
    coder.geocode("A-place")
    coder.geocode("A-place")
    assert nominatim.queries() == ["A-place", "A-place"]
    nominatim.requests.clear()
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0, cache_size=1)
    coder.geocode("A-place")
    coder.geocode("B-place")  # evicts A
    coder.geocode("B-place")
    coder.geocode("A-place")
    assert nominatim.queries() == ["A-place", "B-place", "A-place"]


def test_min_delay_between_fallback_requests(nominatim):
    nominatim.place("A-place", 35.0, 40.0, "A")
    nominatim.place("B-place", 35.1, 40.1, "B")
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0.2)
    coder.geocode("A-place")
    coder.geocode("B-place")
    coder.geocode("Irbil")  # gazetteer hit: no request, no wait needed
    assert nominatim.queries() == ["A-place", "B-place"]
    gap = nominatim.requests[1][2] - nominatim.requests[0][2]
    # The limiter spaces the *calls* 0.2 s apart; arrival times can differ from call times by the first
    # request's connection set-up, hence a small allowance.
    assert gap >= 0.2 - 0.02


def test_fallback_error_is_not_cached_as_a_miss(nominatim):
    nominatim.place("Al-Hol", 36.3833, 41.15, "Al-Hol")
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    nominatim.status = 500
    with pytest.raises(GeopyError):  # the failure is reported, not turned into "not found"
        coder.geocode("Al-Hol")
    nominatim.status = 200
    loc = coder.geocode("Al-Hol")
    assert loc is not None and loc.latitude == 36.3833


# ------------------------------------------------------------------------------ fallback under hostile use
def test_country_hint_is_passed_to_the_fallback_and_checked(nominatim):
    # Springfield, Illinois: the fallback finds it, but it is not in Iraq.
    nominatim.place("Springfield", 39.7817, -89.6501, "Springfield, Illinois")
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    assert coder.geocode("Springfield", country="IRQ") is None
    _, params, _ = nominatim.requests[-1]
    assert params["countrycodes"] == ["iq"]
    assert coder.geocode("Springfield").latitude == 39.7817  # no hint: no restriction
    # an answer inside the hinted country is kept
    nominatim.place("Al-Hol", 36.3833, 41.15, "Al-Hol, Syria")
    assert coder.geocode("Al-Hol", country="Syria").raw["country"] == "SYR"


def test_fallback_cache_is_per_country(nominatim):
    nominatim.place("Al-Hol", 36.3833, 41.15, "Al-Hol, Syria")
    coder = GazetteerGeocoder(fallback=_fallback(nominatim), fallback_min_delay_seconds=0)
    assert coder.geocode("Al-Hol", country="SYR") is not None
    assert coder.geocode("Al-Hol", country="IRQ") is None  # not the cached Syrian answer
    assert coder.geocode("Al-Hol", country="SYR") is not None
    assert nominatim.queries().count("Al-Hol") == 2  # the second SYR call came from the cache


class _Scripted(Geocoder):
    """A fallback that returns (or sleeps before returning) what the test says."""

    def __init__(self, answer=None, delay=0.0):
        super().__init__(user_agent="t")
        self.answer, self.delay, self.calls = answer, delay, 0
        self.lock = threading.Lock()

    def geocode(self, query, *, exactly_one=True, timeout=None):
        with self.lock:
            self.calls += 1
        time.sleep(self.delay)
        if self.answer == "echo":
            return Location(query, (36.0 + len(query) % 7 / 10, 41.0), {"q": query})
        return self.answer


@pytest.mark.parametrize("bad", ["Springfield", {"lat": 1}, [1, 2], 42])
def test_fallback_returning_a_non_location_raises_naming_it(bad):
    from geoincidents.geocoders import FallbackGeocoderError

    coder = GazetteerGeocoder(fallback=_Scripted(bad), fallback_min_delay_seconds=0)
    with pytest.raises(FallbackGeocoderError, match="_Scripted returned a"):
        coder.geocode("Nowhere-in-particular")
    assert isinstance(FallbackGeocoderError("x"), GeopyError)


def test_timeout_bounds_a_hanging_fallback():
    from geopy.exc import GeocoderTimedOut

    coder = GazetteerGeocoder(fallback=_Scripted("echo", delay=3.0), fallback_min_delay_seconds=0)
    start = time.monotonic()
    with pytest.raises(GeocoderTimedOut, match="_Scripted did not answer within 0.2 s"):
        coder.geocode("Qaryat-Bayda", timeout=0.2)
    assert time.monotonic() - start < 2.0
    # the constructor's timeout applies when the call gives none
    slow = _Scripted("echo", delay=3.0)
    coder = GazetteerGeocoder(fallback=slow, fallback_min_delay_seconds=0, timeout=0.2)
    with pytest.raises(GeocoderTimedOut):
        coder.geocode("Qaryat-Bayda")


def test_fallback_cache_is_thread_safe_with_a_small_cache():
    from concurrent.futures import ThreadPoolExecutor

    fallback = _Scripted("echo")
    coder = GazetteerGeocoder(fallback=fallback, fallback_min_delay_seconds=0, cache_size=2)
    names = [f"Village-{i % 9}" for i in range(400)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(coder.geocode, names))
    assert [a.address for a in answers] == names
    assert len(coder._cache) <= 2
