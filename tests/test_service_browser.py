"""Leaflet Control Geocoder's own Nominatim provider, in headless Chromium, finds bases through the service.

The packages come from the npm registry (``make npm`` installs ``leaflet`` and ``leaflet-control-geocoder``
into ``build/npm``); the test page is served from 127.0.0.1 on one port, the service on another (with CORS
allowed for the page's origin only), and every other request of the browser is refused.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

from geoincidents import geocode, load_gazetteer  # noqa: E402
from geoincidents.service import create_app  # noqa: E402
from tests.browser_support import BROWSER_MARKS, browser_fixture  # noqa: E402, F401
from tests.service_helpers import running  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "build" / "npm" / "node_modules"
FILES = {
    "leaflet.js": NODE_MODULES / "leaflet" / "dist" / "leaflet.js",
    "leaflet.css": NODE_MODULES / "leaflet" / "dist" / "leaflet.css",
    "Control.Geocoder.js": NODE_MODULES / "leaflet-control-geocoder" / "dist" / "Control.Geocoder.js",
    "Control.Geocoder.css": NODE_MODULES / "leaflet-control-geocoder" / "dist" / "Control.Geocoder.css",
}
pytestmark = [
    *BROWSER_MARKS,  # and the `browser` fixture: tests/browser_support.py
    pytest.mark.skipif(
        not all(p.exists() for p in FILES.values()),
        reason="leaflet / leaflet-control-geocoder not in build/npm: run `make npm` (needs npm)",
    ),
]
PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="leaflet.css"><link rel="stylesheet" href="Control.Geocoder.css">
<script src="leaflet.js"></script><script src="Control.Geocoder.js"></script>
</head><body><div id="map" style="width: 800px; height: 500px"></div>
<script>
const map = L.map("map").setView([33.5, 42.5], 5);
const service = new URL(location.href).searchParams.get("service");
const control = L.Control.geocoder({
  geocoder: L.Control.Geocoder.nominatim({serviceUrl: service + "/"}),
  collapsed: false,
  // No suggest-as-you-type (Nominatim forbids it; the control's attempt would also drop a search under way).
  suggestMinLength: 100000,
}).addTo(map);
window.__found = null;
window.__marked = null;
control.on("finishgeocode", (e) => {
  window.__found = e.results.map((r) => ({name: r.name, lat: r.center.lat, lng: r.center.lng,
                                         site: r.properties.geoincidents.site_id}));
});
control.on("markgeocode", (e) => {
  window.__marked = {name: e.geocode.name, lat: e.geocode.center.lat, lng: e.geocode.center.lng};
});
</script></body></html>
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request log on stderr
        pass


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("leaflet-page")
    for name, source in FILES.items():
        shutil.copy(source, folder / name)
    (folder / "index.html").write_text(PAGE, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _open(browser, page_url: str, service_url: str):
    context = browser.new_context()
    outside: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith((page_url + "/", service_url + "/")):
            return r.continue_()
        outside.append(url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{page_url}/index.html?service={service_url}", wait_until="load")
    page.wait_for_selector(".leaflet-control-geocoder-form input")
    return context, page, errors, outside


def _search(page, text: str) -> None:
    box = page.locator(".leaflet-control-geocoder-form input")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function("window.__found !== null", timeout=60_000)


def test_leaflet_control_geocoder_finds_a_base(browser, page_url):
    site = load_gazetteer()[geocode("Ayn al Asad airbase").site_id]
    with running(create_app(cors_origins=[page_url])) as service_url:
        context, page, errors, outside = _open(browser, page_url, service_url)
        try:
            _search(page, "Ayn al Asad airbase")
            page.wait_for_function("window.__marked !== null", timeout=60_000)
            marked = page.evaluate("window.__marked")
            assert (marked["lat"], marked["lng"]) == pytest.approx((site.lat, site.lon))
            assert marked["name"].startswith(site.name)
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for(timeout=5_000)
            assert site.admin1 in popup.inner_text() and "Iraq" in popup.inner_text()  # the address template
            # An ambiguous name: the control lists every candidate instead of marking one.
            page.evaluate("window.__found = null; window.__marked = null")
            _search(page, "Victory Base")
            found = page.evaluate("window.__found")
            assert sorted(f["site"] for f in found) == sorted(
                c.site_id for c in geocode("Victory Base").candidates
            )
            assert page.locator(".leaflet-control-geocoder-alternatives li").count() == len(found)
            assert page.evaluate("window.__marked") is None
            assert errors == [] and outside == []
        finally:
            context.close()


def test_without_cors_the_browser_gets_nothing(browser, page_url):
    with running(create_app()) as service_url:  # CORS off (the default): the page may not read answers
        context, page, errors, _ = _open(browser, page_url, service_url)
        try:
            box = page.locator(".leaflet-control-geocoder-form input")
            box.fill("Ayn al Asad airbase")
            box.press("Enter")
            page.wait_for_timeout(1_000)
            assert page.evaluate("window.__found") is None and page.evaluate("window.__marked") is None
        finally:
            context.close()
