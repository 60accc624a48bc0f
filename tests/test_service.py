"""The Nominatim-compatible HTTP service: formats, validation, batch, CORS, rate limit, real clients, the
command, and a bounded load test. Servers run on 127.0.0.1 on ephemeral ports; nothing reaches the
internet."""

from __future__ import annotations

import asyncio
import json
import math
import re
import signal
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
httpx = pytest.importorskip("httpx")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.service_helpers import running  # noqa: E402

with warnings.catch_warnings():  # Starlette 1.x would rather have httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import geoincidents  # noqa: E402
from geoincidents import Gazetteer, geocode, geocode_all, load_gazetteer  # noqa: E402
from geoincidents.service import create_app, make_server  # noqa: E402
from geoincidents.service.app import MAX_QUERY_LENGTH  # noqa: E402

JSON_ORDER = [
    "place_id", "licence", "lat", "lon", "class", "type", "place_rank", "importance", "addresstype", "name",
    "display_name", "boundingbox", "geoincidents",
]  # fmt: skip
AMBIGUOUS = "Victory Base"  # marked ambiguous in gazetteer/aliases.csv: the airport and the diplomatic centre
GAZ = load_gazetteer()


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture(scope="module")
def live():
    with running(create_app()) as url:
        yield url


def _site_of(result: dict):
    return GAZ[result["geoincidents"]["site_id"]]


# -- /search formats -----------------------------------------------------------------------------------------
def test_search_json_fields_order_and_types(client):
    r = client.get("/search", params={"q": "Ayn al Asad airbase", "format": "json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json; charset=utf-8"
    [place] = r.json()
    assert list(place) == JSON_ORDER
    site = _site_of(place)
    assert site.site_id == geocode("Ayn al Asad airbase").site_id
    assert isinstance(place["place_id"], int)
    assert isinstance(place["lat"], str) and float(place["lat"]) == pytest.approx(site.lat)
    assert isinstance(place["lon"], str) and float(place["lon"]) == pytest.approx(site.lon)
    assert (place["class"], place["type"]) == ("military", "airfield")
    box = place["boundingbox"]
    assert len(box) == 4 and all(isinstance(v, str) for v in box)
    min_lat, max_lat, min_lon, max_lon = map(float, box)
    assert min_lat < site.lat < max_lat and min_lon < site.lon < max_lon
    # The box is the circle of the uncertainty radius: 2 r tall, and as wide on the ground.
    assert (max_lat - min_lat) * 111_320 == pytest.approx(2 * site.uncertainty_m, rel=1e-3)
    assert (max_lon - min_lon) * 111_320 * math.cos(math.radians(site.lat)) == pytest.approx(
        2 * site.uncertainty_m, rel=1e-3
    )
    extra = place["geoincidents"]
    match = geocode("Ayn al Asad airbase")
    assert (extra["score"], extra["method"], extra["alias"]) == (match.score, match.method, match.alias)
    assert place["importance"] == match.score / 100
    assert extra["uncertainty_m"] == site.uncertainty_m and extra["coord_source"] == site.coord_source
    assert extra["ambiguous"] is False and extra["candidates"] == []
    assert place["display_name"].startswith(site.name) and place["display_name"].endswith("Iraq")


def test_search_jsonv2_says_category(client):
    [place] = client.get("/search", params={"q": "al-Tanf", "format": "jsonv2"}).json()
    assert "class" not in place and place["category"] == "military"
    assert list(place)[:6] == ["place_id", "licence", "lat", "lon", "category", "type"]


def test_search_geojson_and_geocodejson(client):
    r = client.get("/search", params={"q": "Erbil", "format": "geojson"})
    assert r.headers["content-type"].startswith("application/geo+json")
    data = r.json()
    [feature] = data["features"]
    site = GAZ["erbil"]
    assert data["type"] == "FeatureCollection" and feature["geometry"]["coordinates"] == [site.lon, site.lat]
    min_lon, min_lat, max_lon, max_lat = feature["bbox"]
    assert min_lon < site.lon < max_lon and min_lat < site.lat < max_lat
    assert feature["properties"]["geoincidents"]["site_id"] == "erbil"
    data = client.get("/search", params={"q": "Erbil", "format": "geocodejson"}).json()
    assert data["geocoding"]["query"] == "Erbil"
    geo = data["features"][0]["properties"]["geocoding"]
    assert geo["label"] == "Erbil, Erbil, Iraq" and geo["country_code"] == "iq" and geo["type"] == "city"


def test_ambiguous_name_returns_every_candidate_with_its_score(client):
    match = geocode(AMBIGUOUS)
    assert match.ambiguous
    places = client.get("/search", params={"q": AMBIGUOUS, "limit": 1}).json()
    ids = sorted(c.site_id for c in match.candidates)
    assert sorted(p["geoincidents"]["site_id"] for p in places) == ids  # a tie is never cut by limit
    for place in places:
        extra = place["geoincidents"]
        assert extra["ambiguous"] is True
        assert sorted(c["site_id"] for c in extra["candidates"]) == ids
        assert all(c["score"] == match.score for c in extra["candidates"])


def test_countrycodes_restrict_the_search(client):
    assert client.get("/search", params={"q": "Erbil", "countrycodes": "sy"}).json() == []
    [place] = client.get("/search", params={"q": "Erbil", "countrycodes": "iq,sy"}).json()
    assert place["geoincidents"]["site_id"] == "erbil"
    assert client.get("/search", params={"q": "Erbil", "countrycodes": "fr"}).json() == []
    # A tie between countries is settled by the country, as geocode(country=...) settles it.
    for iso2 in ("iq", "sy", "jo"):
        expected = geocode("Tanf", iso2)
        got = client.get("/search", params={"q": "Tanf", "countrycodes": iso2}).json()
        assert [p["geoincidents"]["site_id"] for p in got] == ([expected.site_id] if expected else [])


def test_accept_language_arabic_gives_the_arabic_name(client):
    site = GAZ["erbil"]
    [place] = client.get("/search", params={"q": "Erbil", "accept-language": "ar,en;q=0.5"}).json()
    assert place["name"] == site.name_ar
    [place] = client.get("/search", params={"q": "Erbil"}, headers={"Accept-Language": "en-GB"}).json()
    assert place["name"] == site.name


def test_structured_query_and_addressdetails(client):
    [place] = client.get("/search", params={"city": "Erbil", "country": "Iraq", "addressdetails": 1}).json()
    assert place["address"] == {"city": "Erbil", "state": "Erbil", "country": "Iraq", "country_code": "iq"}
    assert client.get("/search", params={"city": "Erbil", "country": "Syria"}).json() == []


def test_unknown_name_is_an_empty_list(client):
    assert client.get("/search", params={"q": "Springfield"}).json() == []


def test_concurrent_searches_answer_as_one_at_a_time(monkeypatch):
    # Searches arriving together are matched in one geocode_all call: the answers must not change.
    names = [s.name for s in GAZ] + [a for a, _, _ in GAZ.aliases[::7]]
    queries = [{"q": n + typo} for n in names for typo in ("", "x")] + [
        {"q": AMBIGUOUS}, {"q": "Springfield"}, {"q": "Tanf", "countrycodes": "sy"},
        {"q": "Tanf", "countrycodes": "jo"}, {"q": "Erbil", "countrycodes": "sy"}, {"q": "Erbil base"},
    ]  # fmt: skip
    with TestClient(create_app()) as c:
        one_by_one = [c.get("/search", params=q).json() for q in queries]

    import geoincidents.service.app as service_app

    batches: list[int] = []

    def recording(names, *args, **kwargs):
        batches.append(len(names))
        return geocode_all(names, *args, **kwargs)

    monkeypatch.setattr(service_app, "geocode_all", recording)

    async def together():
        transport = httpx.ASGITransport(app=create_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            answers = await asyncio.gather(*(client.get("/search", params=q) for q in queries))
            return [a.json() for a in answers]

    assert asyncio.run(together()) == one_by_one
    assert batches and max(batches) >= 8  # they were matched together
    assert any(len(a) > 1 for a in one_by_one) and any(a == [] for a in one_by_one)


# -- /reverse, /status, /sites -------------------------------------------------------------------------------
def test_reverse(client):
    place = client.get("/reverse", params={"lat": 33.80, "lon": 42.44, "format": "jsonv2"}).json()
    nearest = geoincidents.nearest_site(33.80, 42.44)
    assert place["geoincidents"]["site_id"] == nearest.site_id
    assert place["geoincidents"]["distance_m"] == pytest.approx(nearest.distance_m, abs=0.1)
    assert "address" in place  # Nominatim's /reverse gives the address by default
    assert client.get("/reverse", params={"lat": 0, "lon": 0}).json() == {"error": "Unable to geocode"}
    empty = client.get("/reverse", params={"lat": 0, "lon": 0, "format": "geojson"}).json()
    assert empty["features"] == []


def test_status(client):
    r = client.get("/status")
    assert (r.status_code, r.text, r.headers["content-type"]) == (200, "OK", "text/plain; charset=utf-8")
    status = client.get("/status", params={"format": "json"}).json()
    assert status["status"] == 0 and status["message"] == "OK"
    assert status["geoincidents"]["sites"] == len(GAZ)


def test_sites_is_the_gazetteer_as_geojson(client):
    data = client.get("/sites").json()
    assert [f["id"] for f in data["features"]] == GAZ.site_ids
    first = data["features"][0]
    site = GAZ[first["id"]]
    assert first["geometry"]["coordinates"] == [site.lon, site.lat]
    assert first["properties"]["coord_source"] == site.coord_source
    for feature, s in zip(data["features"], GAZ, strict=True):  # dates as ISO text, every other field as is
        for key, value in s.to_dict().items():
            if key not in ("lat", "lon"):
                expected = value.isoformat() if hasattr(value, "isoformat") else value
                assert feature["properties"][key] == expected, (s.site_id, key)
    syria = client.get("/sites", params={"countrycodes": "sy"}).json()["features"]
    assert {f["properties"]["country"] for f in syria} == {"SYR"}
    assert len(syria) == sum(s.country == "SYR" for s in GAZ)


def test_openapi(client):
    spec = client.get("/openapi.json").json()
    assert {"/search", "/reverse", "/status", "/sites", "/geocode"} <= set(spec["paths"])
    assert client.get("/docs").json() == spec


# -- bad input -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/search", {}, "q"),
        ("/search", {"q": "  "}, "q"),
        ("/search", {"q": "x" * (MAX_QUERY_LENGTH + 1)}, "q"),
        ("/search", {"q": "Erbil", "limit": "0"}, "limit"),
        ("/search", {"q": "Erbil", "limit": "many"}, "limit"),
        ("/search", {"q": "Erbil", "format": "xml"}, "format"),
        ("/search", {"q": "Erbil", "format": "html"}, "format"),
        ("/search", {"q": "Erbil", "countrycodes": "xx"}, "countrycodes"),
        ("/search", {"q": "Erbil", "countrycodes": "Iraq"}, "countrycodes"),
        ("/search", {"q": "Erbil", "json_callback": "alert"}, "json_callback"),
        ("/search", {"q": "Erbil", "addressdetails": "maybe"}, "addressdetails"),
        ("/search", {"q": "Erbil", "city": "Erbil"}, "city"),
        ("/search", {"q": "Erbil", "nonsense": "1"}, "nonsense"),
        ("/reverse", {"lat": "91", "lon": "0"}, "lat"),
        ("/reverse", {"lat": "33"}, "lon"),
        ("/reverse", {"lat": "nan", "lon": "0"}, "lat"),
        ("/reverse", {"lat": "33", "lon": "44", "zoom": "40"}, "zoom"),
        ("/status", {"format": "xml"}, "format"),
        ("/sites", {"countrycodes": "zz"}, "countrycodes"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, path, params, parameter):
    r = client.get(path, params=params)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    error = r.json()["error"]
    assert error["code"] == 400 and error["parameter"] == parameter and parameter in error["message"]


def test_repeated_parameter_is_400(client):
    r = client.get("/search?q=Erbil&q=Tanf")
    assert r.status_code == 400 and r.json()["error"]["parameter"] == "q"


def test_unknown_endpoint_and_method_are_json(client):
    r = client.get("/search/../../etc/passwd")
    assert r.status_code == 404 and r.json()["error"]["code"] == 404
    r = client.post("/search", data={"q": "Erbil"})
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/json")


def test_query_is_never_reflected_as_html(client):
    q = '<img src=x onerror="alert(1)"><script>alert(2)</script>&amp;'
    for fmt in ("json", "geocodejson"):
        r = client.get("/search", params={"q": q, "format": fmt})
        assert r.status_code == 200 and "<" not in r.text and ">" not in r.text
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in r.headers["content-security-policy"]
    assert client.get("/search", params={"q": q, "format": "geocodejson"}).json()["geocoding"]["query"] == q
    r = client.get("/search", params={"q": "Erbil", "<b>": "1"})
    assert r.status_code == 400 and "<" not in r.text and r.json()["error"]["parameter"] == "<b>"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/search", "/reverse", "/status", "/sites", "/geocode"]),
    params=st.dictionaries(
        st.sampled_from(["q", "format", "limit", "countrycodes", "lat", "lon", "zoom", "city", "x"]),
        st.text(max_size=40),
        max_size=4,
    ),
)
def test_any_query_gets_json_and_never_a_server_error(client, path, params):
    r = client.get(path, params=params)
    assert r.status_code in (200, 400, 405)
    assert r.headers["content-type"].split(";")[0] in (
        "application/json",
        "application/geo+json",
        "text/plain",
    )
    assert "Traceback" not in r.text and "<" not in r.text
    if r.status_code == 400:
        assert r.json()["error"]["parameter"]


# -- POST /geocode -------------------------------------------------------------------------------------------
NAMES = ["Erbil", "al-Tanf", None, "Springfield", AMBIGUOUS, "Ayn al Asad", "Erbil", "<b>x</b>"]


def _expected(names, country=None):
    return json.loads(geocode_all(names, country).to_json(orient="records", force_ascii=False))


def test_batch_json_list_equals_geocode_all(client):
    r = client.post("/geocode", json=NAMES)
    assert r.status_code == 200 and "<" not in r.text
    answer = r.json()
    assert answer["count"] == len(NAMES) and answer["results"] == _expected(NAMES)
    indexed = client.post("/geocode", params={"layout": "indexed"}, json=NAMES).json()
    rebuilt = [None if i is None else dict(zip(indexed["columns"], indexed["distinct"][i], strict=True))
               for i in indexed["index"]]  # fmt: skip
    assert [r and r["site_id"] for r in rebuilt] == [
        r["site_id"] if r["query"] else None for r in answer["results"]
    ]


def test_batch_objects_and_csv_with_countries(client):
    rows = [{"name": "Tanf", "country": "SYR"}, {"name": "Tanf", "country": "Jordan"}, {"name": "Tanf"}]
    expected = _expected([r["name"] for r in rows], [r.get("country") for r in rows])
    assert client.post("/geocode", json=rows).json()["results"] == expected
    body = "name,country\nTanf,SYR\nTanf,Jordan\nTanf,\n"
    r = client.post("/geocode", content=body, headers={"content-type": "text/csv"})
    assert r.json()["results"] == expected
    r = client.post("/geocode", params={"country": "IRQ"}, json=["Erbil", "Tanf"])
    assert r.json()["results"] == _expected(["Erbil", "Tanf"], "IRQ")


@pytest.mark.parametrize(
    ("body", "ctype", "status", "parameter", "message"),
    [
        (b"[1, 2]", "application/json", 400, "body", "item 0"),
        (b'["Erbil", ["x"]]', "application/json", 400, "body", "item 1"),
        (b'{"names": []}', "application/json", 400, "body", "list"),
        (b"[", "application/json", 400, "body", "not JSON"),
        (b'[{"name": "Erbil", "where": "x"}]', "application/json", 400, "body", "where"),
        (b'[{"name": "Erbil", "country": "Narnia"}]', "application/json", 400, "body", "Narnia"),
        (json.dumps(["x" * (MAX_QUERY_LENGTH + 1)]).encode(), "application/json", 400, "body", "longer"),
        (b"place\nErbil\n", "text/csv", 400, "body", "line 1"),
        (b"name,country\nErbil\n", "text/csv", 400, "body", "line 2"),
        (b"name\n\xff\n", "text/csv", 400, "body", "UTF-8"),
        (b"Erbil", "text/plain", 415, "content-type", "text/csv"),
    ],
)
def test_batch_bad_bodies(client, body, ctype, status, parameter, message):
    r = client.post("/geocode", content=body, headers={"content-type": ctype})
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["parameter"] == parameter and message in error["message"]


def test_batch_limits():
    with TestClient(create_app(max_batch_rows=3, max_body_bytes=200)) as c:
        assert c.post("/geocode", json=["a", "b", "c"]).status_code == 200
        r = c.post("/geocode", json=["a", "b", "c", "d"])
        assert r.status_code == 400 and "at most 3" in r.json()["error"]["message"]
        r = c.post("/geocode", json=["Erbil" * 20] * 3)
        assert r.status_code == 413 and r.json()["error"]["parameter"] == "body"
    with TestClient(create_app()) as c:
        r = c.post("/geocode", params={"country": "Narnia"}, json=["Erbil"])
        assert r.status_code == 400 and r.json()["error"]["parameter"] == "country"
        r = c.post("/geocode", params={"country": "IRQ"}, json=[{"name": "Erbil", "country": "IRQ"}])
        assert r.status_code == 400 and r.json()["error"]["parameter"] == "country"


# -- CORS and rate limit -------------------------------------------------------------------------------------
def test_cors_is_off_by_default_and_configurable(client):
    origin = {"Origin": "http://maps.example.org"}
    assert "access-control-allow-origin" not in client.get("/search?q=Erbil", headers=origin).headers
    with TestClient(create_app(cors_origins=["http://maps.example.org"])) as c:
        r = c.get("/search?q=Erbil", headers=origin)
        assert r.headers["access-control-allow-origin"] == "http://maps.example.org"
        other = c.get("/search?q=Erbil", headers={"Origin": "http://evil.example.net"})
        assert "access-control-allow-origin" not in other.headers


def test_rate_limit_per_client():
    app = create_app(rate_limit=2)
    with TestClient(app) as c:
        codes = [c.get("/status").status_code for _ in range(4)]
        assert codes[:2] == [200, 200] and 429 in codes[2:]
        r = c.get("/status")
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["parameter"] == "client"
    transport = httpx.ASGITransport(app=app, client=("10.0.0.2", 1234))  # another client has its own budget

    async def other():
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            return (await c.get("/status")).status_code

    assert asyncio.run(other()) == 200
    with pytest.raises(ValueError, match="rate_limit"):
        create_app(rate_limit=0)


# -- a custom gazetteer and the fallback ---------------------------------------------------------------------
def _upstream_gazetteer(folder: Path) -> Path:
    gaz = Gazetteer()
    gaz.add_site(
        site_id="testville", name="Testville", name_ar="تستفيل", kind="city", country="IRQ", admin1="Anbar",
        lat=33.1, lon=42.1, uncertainty_m=1000, coord_source="test fixture",
    )  # fmt: skip
    return gaz.to_files(folder)


def test_fallback_answers_names_the_gazetteer_lacks(tmp_path):
    from geopy.geocoders import Nominatim

    upstream = create_app(Gazetteer.from_files(_upstream_gazetteer(tmp_path)))
    with running(upstream) as upstream_url:
        fallback = Nominatim(domain=upstream_url.removeprefix("http://"), scheme="http", user_agent="test")
        with TestClient(create_app(fallback=fallback)) as c:
            [place] = c.get("/search", params={"q": "Testville"}).json()
            assert place["geoincidents"]["method"] == "fallback" and place["geoincidents"]["site_id"] is None
            assert (float(place["lat"]), float(place["lon"])) == (33.1, 42.1)
            assert place["licence"].startswith("geoincidents gazetteer")  # the upstream's own licence, kept
            [known] = c.get("/search", params={"q": "Erbil"}).json()
            assert known["geoincidents"]["method"] == "exact"
            # With countrycodes the fallback is not asked (it would be asked with the name alone).
            assert c.get("/search", params={"q": "Testville", "countrycodes": "iq"}).json() == []
            assert c.get("/status?format=json").json()["geoincidents"]["fallback"] == "Nominatim"


def test_unreadable_fallback_answer_is_502_json():
    from geopy.geocoders import Nominatim
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def garbage(request):
        return JSONResponse([{"lat": "north", "lon": "east", "display_name": "<b>x</b>"}])

    with running(Starlette(routes=[Route("/search", garbage)])) as upstream_url:
        fallback = Nominatim(domain=upstream_url.removeprefix("http://"), scheme="http", user_agent="test")
        with TestClient(create_app(fallback=fallback)) as c:
            r = c.get("/search", params={"q": "Testville"})
            assert r.status_code == 502 and "unreadable" in r.json()["error"]["message"]


def test_fallback_failure_is_502_json():
    from geopy.geocoders import Nominatim

    with socket.socket() as sock:  # a free port, closed again: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fallback = Nominatim(domain=f"127.0.0.1:{port}", scheme="http", user_agent="test", timeout=2)
    with TestClient(create_app(fallback=fallback)) as c:
        r = c.get("/search", params={"q": "Testville"})
        assert r.status_code == 502 and r.json()["error"]["parameter"] == "q"


# -- real clients on a real socket ---------------------------------------------------------------------------
def test_geopy_nominatim_client_unchanged(live):
    from geopy.geocoders import Nominatim

    coder = Nominatim(domain=live.removeprefix("http://"), scheme="http", user_agent="geoincidents-test")
    location = coder.geocode("Ayn al Asad airbase")
    site = GAZ[geocode("Ayn al Asad airbase").site_id]
    assert (location.latitude, location.longitude) == pytest.approx((site.lat, site.lon))
    assert location.address == f"{site.name}, {site.admin1}, Iraq"
    assert location.raw["geoincidents"]["site_id"] == site.site_id
    candidates = coder.geocode(AMBIGUOUS, exactly_one=False)
    assert sorted(c.raw["geoincidents"]["site_id"] for c in candidates) == sorted(
        c.site_id for c in geocode(AMBIGUOUS).candidates
    )
    assert coder.geocode("Springfield") is None
    assert coder.geocode("Erbil", country_codes="sy") is None
    assert coder.geocode({"city": "Erbil", "country": "Iraq"}).raw["geoincidents"]["site_id"] == "erbil"
    back = coder.reverse((33.80, 42.44))
    assert back.raw["geoincidents"]["site_id"] == geoincidents.nearest_site(33.80, 42.44).site_id
    assert coder.reverse("0, 0") is None
    arabic = coder.geocode("Erbil", language="ar")
    assert arabic.raw["name"] == GAZ["erbil"].name_ar


def test_real_socket_requests_do_not_fail(live):
    names = [s.name for s in GAZ] + [a for a, _, _ in GAZ.aliases]
    with httpx.Client(base_url=live) as c:
        for i in range(2_000):
            r = c.get("/search", params={"q": names[i % len(names)], "format": "jsonv2"})
            assert r.status_code == 200 and r.json(), names[i % len(names)]


# -- the command ---------------------------------------------------------------------------------------------
def _start(*args: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "geoincidents.cli", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
    if not found:
        proc.kill()
        pytest.fail(f"no address: {line}{proc.stderr.read()}")
    return proc, int(found.group(1))


def test_command_serves_and_stops_gracefully_on_sigterm(tmp_path):
    folder = _upstream_gazetteer(tmp_path / "gaz")
    proc, port = _start("--gazetteer", str(folder), "--cors-origin", "http://maps.example.org")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            [place] = c.get("/search", params={"q": "Testville"}).json()
            assert place["geoincidents"]["site_id"] == "testville"
            assert c.get("/search", params={"q": "Erbil"}).json() == []  # only the given gazetteer
            r = c.get("/status", params={"format": "json"}, headers={"Origin": "http://maps.example.org"})
            assert r.headers["access-control-allow-origin"] == "http://maps.example.org"
            assert str(folder) in r.json()["database_version"]

            # SIGTERM while a batch is being uploaded: the request under way is still answered in full.
            def upload():
                yield b'["Testville"'
                proc.send_signal(signal.SIGTERM)
                yield b', "Testville"' * 999 + b"]"

            r = c.post("/geocode", content=upload(), headers={"content-type": "application/json"})
            assert r.status_code == 200 and r.json()["count"] == 1_000
            assert {row["site_id"] for row in r.json()["results"]} == {"testville"}
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None and "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_command_errors(tmp_path):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "geoincidents.cli", "serve", *args],
            capture_output=True,
            text=True,
            timeout=60,
        )

    done = run("--gazetteer", str(tmp_path / "missing"))
    assert done.returncode == 2 and "--gazetteer" in done.stderr and "Traceback" not in done.stderr
    done = run("--port", "70000")
    assert done.returncode == 2 and "--port" in done.stderr
    done = run("--rate-limit", "-1")
    assert done.returncode == 2 and "--rate-limit" in done.stderr
    assert "--fallback" in run("--help").stdout


def test_binding_beyond_loopback_warns(capsys):
    # 192.0.2.1 (TEST-NET-1) is on no interface: the bind fails after the warning, nothing is exposed.
    with pytest.raises(OSError):
        make_server(create_app(), "192.0.2.1", 0)
    assert "not loopback" in capsys.readouterr().err
    server, sock = make_server(create_app(), "127.0.0.1", 0)
    sock.close()
    assert "not loopback" not in capsys.readouterr().err


# -- load: 100,000 requests in process, bounded in count and time --------------------------------------------
def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to read the memory in use")
def test_load_100k_requests_no_failure_no_memory_growth():
    app = create_app()
    names = [s.name for s in GAZ] + [a for a, _, _ in GAZ.aliases]
    # More distinct queries than the answer cache holds (typos, unknown places, formats), and bad requests.
    queries = [
        (f"q={n}{suffix}&format={fmt}".encode(), 200)
        for n in names
        for suffix in ("", "x", " base", "zz1")
        for fmt in ("json", "jsonv2", "geojson", "geocodejson")
    ] + [(b"q=&format=json", 400), (b"limit=0&q=Erbil", 400)]
    reverse = [(f"lat={33 + i / 997:.4f}&lon={42 + i / 991:.4f}".encode(), 200) for i in range(500)]

    async def call(path: str, query: bytes) -> int:
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
            "root_path": "", "headers": [(b"host", b"test")], "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }  # fmt: skip
        status = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(scope, receive, send)
        return status[0]

    async def run(count: int, offset: int) -> list[str]:
        failures = []
        for i in range(offset, offset + count):
            path, (query, expected) = (
                ("/reverse", reverse[i % len(reverse)])
                if i % 10 == 0
                else ("/search", queries[i % len(queries)])
            )
            status = await call(path, query)
            if status != expected:
                failures.append(f"{path}?{query.decode()}: {status}")
        return failures

    failures = asyncio.run(run(30_000, 0))  # warm-up: caches fill, the allocator settles
    before = _rss_mb()
    failures += asyncio.run(run(70_000, 30_000))
    grown = _rss_mb() - before
    assert failures == []
    assert grown < 8.0, f"memory grew by {grown:.1f} MB over 70,000 requests"


def test_indexed_batch_rows_equal_geocode_all_with_countries_and_missing_names(client):
    rows = [{"name": "Tanf", "country": "SYR"}, {"name": "Tanf", "country": "Jordan"}, {"name": "Tanf"},
            {"name": None}, {"name": "Erbil"}, {"name": "ERBIL"}, {"name": "Springfield"}]  # fmt: skip
    answer = client.post("/geocode", params={"layout": "indexed"}, json=rows).json()
    assert answer["count"] == len(rows) and "query" not in answer["columns"]
    expected = _expected([r["name"] for r in rows], [r.get("country") for r in rows])
    assert answer["index"][3] is None
    for i, want in enumerate(expected):
        if i == 3:
            continue
        got = dict(zip(answer["columns"], answer["distinct"][answer["index"][i]], strict=True))
        assert got == {k: v for k, v in want.items() if k != "query"}
    # each distinct answer is sent once: Erbil and ERBIL share one
    assert answer["index"][4] == answer["index"][5]
    assert len(answer["distinct"]) == len({json.dumps(d) for d in answer["distinct"]})
