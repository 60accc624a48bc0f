"""Maps extended with folium's API: render order, repeatable renders, assets, tiles (no browser)."""

from __future__ import annotations

import re
from html import unescape

import folium
import pytest
import xyzservices
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

from geoincidents.maps import OfflineAssetError, incident_map, save_map
from tests.map_data import box_outlines, make_joined, realistic_rows


@pytest.fixture(scope="module")
def joined():
    return make_joined(realistic_rows())


def _map(joined, **kwargs) -> folium.Map:
    return incident_map(joined, countries=box_outlines(), **kwargs)


def _add_everything(m: folium.Map) -> folium.Map:
    folium.FeatureGroup(name="Mine").add_to(m)
    cluster = MarkerCluster(name="Cluster").add_to(m)
    folium.Marker([34.0, 42.0], popup=folium.Popup("hi"), icon=folium.Icon(icon="star", prefix="fa")).add_to(
        cluster
    )
    HeatMap([[33.0, 42.0]], name="Heat").add_to(m)
    return m


def _script_position(html: str, needle: str) -> int:
    index = html.find(needle)
    assert index >= 0, needle
    return index


@pytest.mark.parametrize("offline", [False, True])
def test_saving_twice_gives_the_same_bytes(joined, tmp_path, offline):
    m = _add_everything(_map(joined, offline=offline))
    first = save_map(m, tmp_path / "a.html").read_bytes()
    second = save_map(m, tmp_path / "b.html").read_bytes()
    m.save(str(tmp_path / "c.html"))
    assert first == second == (tmp_path / "c.html").read_bytes()
    assert first.count(b".addTo(") == second.count(b".addTo(")
    # Jupyter's display renders the same page (escaped into an iframe's srcdoc).
    shown = re.search(r'srcdoc="(.*?)"', m._repr_html_(), re.S)
    assert shown is not None and unescape(shown.group(1)).encode() == first
    # A second, separately built map of the same input gives the same bytes too.
    again = _add_everything(_map(joined, offline=offline))
    assert save_map(again, tmp_path / "d.html").read_bytes() == first


def test_layer_control_comes_after_layers_added_later(joined, tmp_path):
    m = _map(joined)
    folium.FeatureGroup(name="Added later").add_to(m)
    html = save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    names = re.findall(r"var (feature_group_gi\d+) = L\.featureGroup", html)
    assert _script_position(html, "L.control.layers(") > _script_position(html, f"var {names[-1]} = ")
    assert '"Added later" : feature_group_gi' in html


def test_layer_control_false_leaves_it_to_the_caller(joined, tmp_path):
    m = _map(joined, layer_control=False)
    assert "L.control.layers(" not in save_map(m, tmp_path / "a.html").read_text(encoding="utf-8")
    # Added first, before a layer of the caller's: still rendered after every layer.
    folium.LayerControl(collapsed=True).add_to(m)
    folium.FeatureGroup(name="Late").add_to(m)
    html = save_map(m, tmp_path / "b.html").read_text(encoding="utf-8")
    late = re.findall(r"var (feature_group_gi\d+) = L\.featureGroup", html)[-1]
    assert _script_position(html, "L.control.layers(") > _script_position(html, f"var {late} = ")
    assert f'"Late" : {late}' in html


def test_own_layers_load_leaflet_only_and_added_elements_load_folium_defaults(joined, tmp_path):
    lean = save_map(_map(joined), tmp_path / "lean.html").read_text(encoding="utf-8")
    assert re.findall(r'<script src="([^"]+)"', lean) == [
        "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
    ]
    m = _map(joined)
    folium.Marker([34.0, 42.0], popup="hi").add_to(m)
    full = save_map(m, tmp_path / "full.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script src="([^"]+)"', full)
    assert [url for _, url in folium.Map.default_js] == scripts
    # The map object is left as it was: the same map without the marker is lean again.
    assert "jquery" in full and "jquery" not in lean


def test_offline_inlines_everything_folium_and_plugins_need(joined, tmp_path):
    html = save_map(_add_everything(_map(joined, offline=True)), tmp_path / "m.html").read_text(
        encoding="utf-8"
    )
    assert re.search(r"<script\s+src=|<link\s+rel=", html) is None
    assert re.search(r"url\((?!data:|#)", html) is None  # every CSS url() is a data: URI
    for marker in ("jQuery", "L.AwesomeMarkers", "L.MarkerClusterGroup", "L.heatLayer", "Font Awesome"):
        assert marker in html
    assert "bootstrap.bundle" not in html  # Bootstrap's own JS/CSS are left out offline


def test_offline_refuses_a_plugin_it_cannot_inline(joined, tmp_path):
    m = _map(joined, offline=True)
    Fullscreen().add_to(m)
    with pytest.raises(OfflineAssetError) as info:
        save_map(m, tmp_path / "m.html")
    for _, url in Fullscreen.default_js + Fullscreen.default_css:
        assert url in str(info.value)
    assert not (tmp_path / "m.html").exists()


def test_offline_refuses_tiles_from_the_network(joined, tmp_path):
    m = _map(joined, offline=True)
    folium.TileLayer("OpenStreetMap").add_to(m)
    with pytest.raises(OfflineAssetError, match=r"tile\.openstreetmap\.org"):
        save_map(m, tmp_path / "m.html")


def test_tiles_take_a_provider_or_a_url_with_attribution(joined, tmp_path):
    provider = xyzservices.providers.OpenStreetMap.HOT
    html = save_map(_map(joined, tiles=provider), tmp_path / "a.html").read_text(encoding="utf-8")
    assert provider.build_url(fill_subdomain=False) in html
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = save_map(_map(joined, tiles=url, attr="© Example tiles"), tmp_path / "b.html").read_text(
        encoding="utf-8"
    )
    assert url in html and '"attribution": "\\u00a9 Example tiles"' in html
    with pytest.raises(ValueError, match="attr="):
        _map(joined, tiles=url)
    with pytest.raises(TypeError, match="attr"):
        _map(joined, tiles=url, attr=3)
