"""The generated HTML in headless Chromium (Debian's /usr/bin/chromium through Playwright, file:// URLs only).

Online maps get Leaflet from the local XStatic package and blank tiles through request routing (see
tests/browser_support.py): tests never reach the internet.
"""

from __future__ import annotations

import json

import pytest

from geoincidents.maps import incident_map, save_map
from tests.browser_support import BROWSER_MARKS, Page, browser_fixture
from tests.map_data import box_outlines, make_joined, realistic_rows, src

pytestmark = BROWSER_MARKS
__all__ = ["browser_fixture"]  # the `browser` fixture, shared
pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")

N_ATTACK_PLACES = 11
W42 = "2023-W42 (16 Oct)"
W42_PLACES = 6
XSS_PLACE = '<img src=x onerror="window.__xss=8">Outpost'
XSS_SITE = "Harir <svg onload=window.__xss=9>"
XSS_PUBLISHER = "<img src=x onerror=window.__xss=6>"


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    joined = make_joined(realistic_rows())
    outlines = box_outlines()
    rows = realistic_rows()[:2]
    rows[0] = dict(
        rows[0],
        notes='<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script>',
        sources=src("Evil", "javascript:window.__xss=3"),
        claimed_by='"><img src=x onerror=window.__xss=4>',
    )
    rows[1] = dict(
        rows[1],
        notes="{{ 7 * 7 }} ${window.__xss=5} `x`",
        sources=src("Good", "https://example.org/report?a=1&b=2"),
    )
    rows.append(
        dict(
            date="2023-10-20",
            event_type="attack",
            lat=35.5,
            lon=41.5,
            location=XSS_PLACE,
            sources=json.dumps(
                [
                    {"date": "2023-10-21", "publisher": XSS_PUBLISHER, "url": "https://example.org/p"},
                    {"date": "", "publisher": "D", "url": "data:text/html,<script>window.__xss=7</script>"},
                ]
            ),
        )
    )
    xss = make_joined(rows)
    xss.loc[xss["site_id"] == "harir-airbase", "site_name"] = XSS_SITE
    return {
        "capped": save_map(
            incident_map(joined, countries=outlines, offline=True, popup_limit=2), folder / "capped.html"
        ),
        "online": save_map(incident_map(joined, countries=outlines), folder / "online.html"),
        "offline": save_map(
            incident_map(joined, countries=outlines, offline=True, time_slider=True), folder / "offline.html"
        ),
        "xss": save_map(incident_map(xss, countries=outlines, offline=True), folder / "xss.html"),
        "by_country": save_map(
            incident_map(joined, countries=outlines, offline=True, popup_limit=2, by="country"),
            folder / "by_country.html",
        ),
    }


def _open_popup(page, name: str) -> str:
    """Click the visible circle whose tooltip starts with ``name`` and return the popup's text."""
    page.evaluate(
        """(name) => {
            const old = document.querySelectorAll('[data-test-marker]');
            old.forEach(e => e.removeAttribute('data-test-marker'));
            const map = window[document.querySelector('.folium-map').id];
            map.closePopup();
            let found = null;
            map.eachLayer(l => {
                const tip = l instanceof L.CircleMarker && l.getTooltip();
                if (tip && tip.getContent().startsWith(name)) {
                    l.getElement().setAttribute('data-test-marker', '1');
                    found = found || l;
                }
            });
            // A marker near the map's edge may lie outside the page's viewport: bring it to the centre.
            if (found) map.panTo(found.getLatLng(), {animate: false});
        }""",
        name,
    )
    page.wait_for_selector(".leaflet-popup", state="detached", timeout=5_000)
    page.locator("[data-test-marker]").first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)
    return page.locator(".leaflet-popup-content").inner_text()


def test_online_map_markers_layers_and_popups(browser, maps):
    view = Page(browser, maps["online"], serve_cdn=True)
    try:
        page = view.page
        assert view.count("path.gi-site") == N_ATTACK_PLACES
        assert view.count(".gi-strike") == 3
        assert view.count("path.gi-country") == 3

        # Layer control: hide "All weeks", show one week.
        page.get_by_label("All weeks").uncheck()
        assert view.count("path.gi-site") == 0
        page.get_by_label(W42).check()
        assert view.count("path.gi-site") == W42_PLACES
        page.get_by_label(W42).uncheck()
        page.get_by_label("All weeks").check()
        assert view.count("path.gi-site") == N_ATTACK_PLACES

        text = _open_popup(page, "Ain al-Asad Air Base")
        dates = page.locator(".leaflet-popup-content .gi-date").all_inner_texts()
        assert dates == ["2023-11-06", "2023-10-30", "2023-10-24", "2023-10-21", "2023-10-18", "2023-10-17"]
        assert "Two drones shot down near the base." in text
        assert "2023-10-19" not in text  # Al-Tanf's, not this site's
        lines = text.splitlines()
        assert lines[:2] == ["Ain al-Asad Air Base (Iraq)", "6 attacks"]
        assert (
            "2023-10-17 one-way drone · intercepted · claimed by Islamic Resistance in Iraq (claimed)"
            " · 0 injured, 0 killed"
        ) in lines
        assert "2023-10-18 rocket · no damage · confirmed" in lines
        assert lines.count("Sources: FDD 2023-10-24") == 6
        hrefs = page.locator(".leaflet-popup-content a").evaluate_all("links => links.map(a => a.href)")
        assert hrefs == ["https://www.fdd.org/analysis/x"] * 6
        assert "earlier incident" not in text
        assert view.errors == []
        assert all("cdn.jsdelivr.net" in u or "tile.openstreetmap.org" in u for u in view.requests)
    finally:
        view.close()


def test_offline_map_requests_nothing(browser, maps):
    view = Page(browser, maps["offline"], serve_cdn=False)
    try:
        assert view.requests == []
        assert view.count("path.gi-country") == 3
        assert view.count("path.gi-site") == N_ATTACK_PLACES
        assert view.count(".leaflet-tile") == 0
        # The time slider shows one week at a time, then all weeks again.
        view.page.locator(".gi-next").click()
        assert view.page.locator(".gi-label").inner_text() == W42
        assert view.count("path.gi-site") == W42_PLACES
        assert view.page.get_by_label(W42).is_checked()
        view.page.locator(".gi-prev").click()
        assert view.count("path.gi-site") == N_ATTACK_PLACES
        assert view.errors == []
        assert view.requests == []
    finally:
        view.close()


def test_popup_lists_the_newest_and_counts_the_rest(browser, maps):
    view = Page(browser, maps["capped"], serve_cdn=False)
    try:
        text = _open_popup(view.page, "Ain al-Asad Air Base")
        dates = view.page.locator(".leaflet-popup-content .gi-date").all_inner_texts()
        assert dates == ["2023-11-06", "2023-10-30"]
        assert text.splitlines()[-1] == "and 4 earlier incidents not listed"
        assert "6 attacks" in text
        assert view.errors == []
    finally:
        view.close()


def test_hidden_layers_make_their_markers_when_shown(browser, maps):
    view = Page(browser, maps["by_country"], serve_cdn=False)
    try:
        page = view.page
        made = """() => Object.keys(window).filter(k => k.startsWith('site_markers_'))
            .map(k => window[k].getLayers().length)"""
        assert sorted(page.evaluate(made)) == [0, 0, 0, N_ATTACK_PLACES]  # hidden layers: no markers yet
        page.get_by_label("All countries").uncheck()
        page.get_by_label("Syria").check()
        assert view.count("path.gi-site") == 5
        assert sorted(page.evaluate(made)) == [0, 0, 5, N_ATTACK_PLACES]
        text = _open_popup(page, "Al-Tanf Garrison")
        dates = page.locator(".leaflet-popup-content .gi-date").all_inner_texts()
        assert len(dates) == 2 and dates == sorted(dates, reverse=True)
        assert "Syria" in text.splitlines()[0]
        assert view.errors == []
    finally:
        view.close()


def test_xss_payloads_stay_inert(browser, maps):
    view = Page(browser, maps["xss"], serve_cdn=False)
    try:
        page = view.page
        for name in ("Ain al-Asad Air Base", "Harir &lt;svg", "&lt;img src=x"):
            text = _open_popup(page, name)
            page.locator(".leaflet-popup-content a").evaluate_all("links => links.forEach(a => a.click())")
            assert page.evaluate("window.__xss") is None
            assert page.locator(".leaflet-popup-content img, .leaflet-popup-content svg").count() == 0
        # Place names, publishers and refused URLs are shown as text; only the https URL is a link.
        assert text.splitlines()[0] == XSS_PLACE + " (Iraq)"
        refused = "D (data:text/html,<script>window.__xss=7</script>)"
        assert f"Sources: {XSS_PUBLISHER} 2023-10-21, {refused}" in text
        hrefs = page.locator(".leaflet-popup-content a").evaluate_all("links => links.map(a => a.href)")
        assert hrefs == ["https://example.org/p"]
        text = _open_popup(page, "Harir &lt;svg")
        assert text.splitlines()[0] == XSS_SITE + " (Iraq)"
        assert "{{ 7 * 7 }} ${window.__xss=5} `x`" in text
        hrefs = page.locator(".leaflet-popup-content a").evaluate_all("links => links.map(a => a.href)")
        assert hrefs == ["https://example.org/report?a=1&b=2"]
        first = _open_popup(page, "Ain al-Asad Air Base")
        assert '<img src=x onerror="window.__xss=1">' in first and "javascript:window.__xss=3" in first
        assert 'claimed by "><img src=x onerror=window.__xss=4>' in first
        assert page.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
        # Tooltips show the markup as text.
        page.evaluate(
            """() => {
                const map = window[document.querySelector('.folium-map').id];
                map.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); } });
            }"""
        )
        tips = page.locator(".leaflet-tooltip").all_inner_texts()
        assert XSS_PLACE + ": 1 attack" in tips and XSS_SITE + ": 1 attack" in tips
        assert page.locator(".leaflet-tooltip img, .leaflet-tooltip svg").count() == 0
        # The browser refuses an unsafe URL even if one got into the table (the Python side already did).
        page.evaluate(
            """() => {
                const name = Object.keys(window).find(k => k.startsWith('popup_rows_'));
                window[name].src.forEach(items => items.forEach(s => {
                    if (s[1]) { s[1] = 'javascript:window.__xss=10'; }
                }));
            }"""
        )
        _open_popup(page, "Harir &lt;svg")
        assert page.locator(".leaflet-popup-content a").count() == 0
        assert "javascript:window.__xss=10" not in page.locator(".leaflet-popup-content").inner_text()
        assert "Good" in page.locator(".leaflet-popup-content").inner_text()
        assert all(p.evaluate("window.__xss") is None for p in view.context.pages)
        assert view.errors == []
    finally:
        view.close()
