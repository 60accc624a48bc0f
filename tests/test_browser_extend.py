"""Maps extended with folium's own API, in headless Chromium, online and offline (every request blocked)."""

from __future__ import annotations

import folium
import pytest
from folium.plugins import HeatMap, MarkerCluster

from geoincidents.maps import incident_map, save_map
from tests.browser_support import BROWSER_MARKS, Page, browser_fixture
from tests.map_data import box_outlines, make_joined, realistic_rows

pytestmark = BROWSER_MARKS
__all__ = ["browser_fixture"]  # the `browser` fixture, shared
pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

ADDED = ["My group", "My GeoJSON", "My cluster", "My heat"]
SQUARE = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "square"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[40, 33], [41, 33], [41, 34], [40, 34], [40, 33]]],
            },
        }
    ],
}


def extend(m: folium.Map) -> folium.Map:
    """Everything a user might add after incident_map, with folium's own API."""
    group = folium.FeatureGroup(name="My group").add_to(m)
    folium.CircleMarker([34.5, 41.0], radius=9, color="#ff00ff", class_name="my-circle").add_to(group)
    folium.GeoJson(SQUARE, name="My GeoJSON", style_function=lambda f: {"className": "my-square"}).add_to(m)
    cluster = MarkerCluster(name="My cluster").add_to(m)
    for lat, lon in ((35.0, 43.0), (35.01, 43.01), (35.02, 43.02)):
        folium.Marker([lat, lon], icon=folium.Icon(color="red", icon="info-sign")).add_to(cluster)
    folium.Marker(
        [36.0, 39.0],
        popup=folium.Popup("<b class='my-popup'>Hello from folium</b>", max_width=200),
        icon=folium.Icon(color="green", icon="star", prefix="fa"),
        tooltip="my marker",
    ).add_to(m)
    folium.Marker([36.5, 39.5], tooltip="default icon").add_to(group)  # Leaflet's own marker images
    HeatMap([[33.3, 44.3, 1.0], [33.4, 44.4, 0.5], [36.2, 43.9, 0.8]], name="My heat").add_to(m)
    return m


@pytest.fixture(scope="module")
def extended(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extended")
    joined = make_joined(realistic_rows())
    out = {}
    for mode in ("online", "offline"):
        m = extend(incident_map(joined, countries=box_outlines(), offline=mode == "offline"))
        out[mode] = save_map(m, folder / f"{mode}.html")
    return out


@pytest.mark.parametrize("mode", ["online", "offline"])
def test_added_layers_markers_popups_and_plugins_work(browser, extended, mode):
    view = Page(browser, extended[mode], serve_cdn=mode == "online")
    try:
        page = view.page
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        labels = [label.strip() for label in labels]
        for name in ["All weeks", *ADDED]:
            assert name in labels
        # The added layers are drawn, and the layer control toggles them.
        assert view.count("path.my-circle") == 1
        assert view.count("path.my-square") == 1
        assert view.count("canvas.leaflet-heatmap-layer") == 1
        assert view.count(".marker-cluster") >= 1
        page.get_by_label("My group").uncheck()
        assert view.count("path.my-circle") == 0
        page.get_by_label("My group").check()
        assert view.count("path.my-circle") == 1
        page.get_by_label("My cluster").uncheck()
        assert view.count(".marker-cluster") == 0
        # folium.Icon draws an awesome marker with its icon font; the Popup opens with its HTML.
        icons = page.locator(".awesome-marker-icon-green")
        assert icons.count() == 1
        assert page.locator(".awesome-marker-icon-green i.fa-star").count() == 1
        background = icons.first.evaluate("e => getComputedStyle(e).backgroundImage")
        assert background.startswith("url(")  # the marker sprite is loaded (a data: URI offline)
        font = page.evaluate(
            """() => document.fonts.load('900 14px "Font Awesome 6 Free"').then(f => f.length)"""
        )
        assert font >= 1
        default_icon = page.locator("img.leaflet-marker-icon:not(.awesome-marker)")
        assert default_icon.count() == 1
        assert default_icon.evaluate("e => e.complete && e.naturalWidth") == 25
        icons.first.click()
        page.wait_for_selector(".leaflet-popup-content .my-popup", timeout=5_000)
        assert page.locator(".leaflet-popup-content").inner_text() == "Hello from folium"
        # geoincidents' own layers still work beside them.
        assert view.count("path.gi-site") > 0
        assert view.errors == []
        if mode == "offline":
            assert view.requests == []  # every request would have been blocked: none was attempted
        else:
            assert view.requests and all(
                "openstreetmap" in u or "//cdn" in u or "code.jquery" in u or "netdna" in u
                for u in view.requests
            )
    finally:
        view.close()
