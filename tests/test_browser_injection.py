"""A script payload in every text field of every input of a map stays text in Chromium (issue 15).

Fields: the incidents (location, country, site name, weapon, event type, claim, notes, sources, ids), the
gazetteer (a site's name), the country outlines (name and code), the title and the layer options, online and
offline, split by week and by country, coloured by country and by weapon. Each payload sets a different
``window.__xss`` value, so a failure names the field that ran.
"""

from __future__ import annotations

import json

import pytest

from geoincidents import load_gazetteer
from geoincidents.maps import incident_map, save_map
from tests.browser_support import BROWSER_MARKS, Page, browser_fixture
from tests.map_data import box_outlines, make_joined

pytestmark = BROWSER_MARKS
__all__ = ["browser_fixture"]  # the shared `browser` fixture

FIELDS = (
    "location",
    "country",
    "site_name",
    "weapon",
    "event",
    "claimed_by",
    "notes",
    "publisher",
    "url_text",
    "incident_id",
    "gazetteer",
    "outline_name",
    "outline_iso3",
    "title",
)


def payload(field: str) -> str:
    n = FIELDS.index(field) + 1
    return f'<img src=x onerror="window.__xss={n}"><svg onload="window.__xss={n}">{field}'


def _inputs():
    gaz = load_gazetteer()
    gaz.add_site(
        site_id="evil-site",
        name=payload("gazetteer"),
        name_ar="قاعدة",
        kind="base",
        country="IRQ",
        admin1="Anbar",
        lat=34.0,
        lon=42.0,
        uncertainty_m=1000.0,
        coord_source="test",
    )
    rows = [
        dict(
            date="2023-10-18",
            event_type="attack",
            site_id="ain-al-asad-airbase",
            location=payload("location"),
            claimed_by=payload("claimed_by"),
            notes=payload("notes"),
            incident_id=payload("incident_id"),
            sources=json.dumps(
                [
                    {
                        "date": "2023-10-19",
                        "publisher": payload("publisher"),
                        "url": "javascript:window.__xss=99",
                    },
                    {"date": "", "publisher": "", "url": payload("url_text")},
                ]
            ),
        ),
        dict(
            date="2023-10-19",
            event_type="attack",
            lat=35.0,
            lon=41.0,
            country=payload("country"),
            weapon=payload("weapon"),
        ),
        dict(date="2023-10-20", event_type="attack", site_id="harir-airbase"),
        dict(date="2023-10-26", event_type="strike", lat=34.4, lon=40.9),
        dict(date="2023-10-27", event_type=payload("event"), lat=34.5, lon=40.5),
    ]
    joined = make_joined(rows)
    joined.loc[joined["site_id"] == "harir-airbase", "site_name"] = payload("site_name")
    joined.loc[0, "site_id"] = "evil-site"
    outlines = box_outlines()
    outlines.loc[0, "name"] = payload("outline_name")
    outlines.loc[1, "iso3"] = payload("outline_iso3")
    return joined, gaz, outlines


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "online"])
@pytest.mark.parametrize("by, color_by", [("week", "country"), ("country", "weapon")])
def test_no_payload_runs_in_any_map(browser, tmp_path, offline, by, color_by):
    joined, gaz, outlines = _inputs()
    m = incident_map(
        joined,
        by=by,
        color_by=color_by,
        offline=offline,
        time_slider=by == "week",
        countries=outlines,
        gazetteer=gaz,
        title=payload("title"),
    )
    path = save_map(m, tmp_path / "map.html")
    view = Page(browser, path, serve_cdn=True)
    try:
        page = view.page
        page.evaluate(
            """() => {
                const map = window[document.querySelector('.folium-map').id];
                map.eachLayer(l => { if (l.getTooltip && l.getTooltip()) { l.openTooltip(); } });
                document.querySelectorAll('.leaflet-control-layers').forEach(c => c.classList.add(
                    'leaflet-control-layers-expanded'));
                document.querySelectorAll('.leaflet-control-layers-selector').forEach(i => i.click());
            }"""
        )
        # every marker's popup, opened one after the other
        page.evaluate(
            """() => {
                const map = window[document.querySelector('.folium-map').id];
                map.eachLayer(l => { if (l.getPopup && l.getPopup()) { l.openPopup(); } });
            }"""
        )
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
        text = page.locator("body").inner_text()
        assert "title" in page.title() and "<img" in page.title()  # shown as text, not markup
        for field in ("title",):
            assert field in text
        assert view.errors == [] or all("ERR_" in e or "Failed to load" in e for e in view.errors)
    finally:
        view.close()


def test_no_payload_runs_in_the_briefing(browser, tmp_path):
    from geoincidents import briefing, reported_totals

    joined, gaz, outlines = _inputs()
    totals = reported_totals()
    totals.loc[0, "notes"] = payload("title")
    totals.loc[0, "source_publisher"] = payload("publisher")
    path = tmp_path / "brief.html"
    briefing(
        joined,
        path,
        title=payload("title"),
        totals=totals,
        map_options={"countries": outlines, "gazetteer": gaz},
    )
    view = Page(browser, path, serve_cdn=False, wait="body")
    try:
        page = view.page
        page.wait_for_timeout(500)
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
        frames = page.frames
        assert len(frames) >= 2  # the map, in its iframe
        for frame in frames:
            assert frame.evaluate("window.__xss") is None
            assert frame.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
        assert "<img" in page.locator("body").inner_text()  # the payloads are shown as text
        assert view.requests == []
    finally:
        view.close()


# URLs that must stay text: scheme case, leading whitespace and controls, entities, protocol-relative, other
# schemes, and http(s) spellings without a host that a browser would still resolve.
REFUSED_URLS = (
    "JaVaScRiPt:window.__xss=201",
    " javascript:window.__xss=202",
    "java\tscript:window.__xss=203",
    "\x01javascript:window.__xss=204",
    "\u00a0javascript:window.__xss=205",
    "javascript://%0awindow.__xss=206",
    "jav&#x09;ascript:window.__xss=207",
    "data:text/html,<script>window.__xss=208</script>",
    "vbscript:window.__xss=209",
    "file:///etc/passwd",
    "//evil.example/x",
    "https:\\\\evil.example",
    "http:evil.example",
)


def test_only_http_urls_become_links_in_map_popups_and_the_briefing(browser, tmp_path):
    from geoincidents import briefing

    sources = json.dumps(
        [{"date": "2023-10-19", "publisher": f"pub{i}", "url": u} for i, u in enumerate(REFUSED_URLS)]
        + [{"date": "2023-10-19", "publisher": "good", "url": "HTTPS://OK.EXAMPLE/a?b=1&c=2"}]
    )
    row = dict(date="2023-10-18", event_type="attack", site_id="harir-airbase", sources=sources)
    joined = make_joined([row])
    outlines = box_outlines()
    path = save_map(incident_map(joined, countries=outlines, offline=True), tmp_path / "map.html")
    briefing(joined, tmp_path / "brief.html", map_options={"countries": outlines})
    view = Page(browser, path, serve_cdn=False)
    try:
        page = view.page
        page.evaluate(
            """() => {
                const map = window[document.querySelector('.folium-map').id];
                map.eachLayer(l => { if (l.getPopup && l.getPopup()) { l.openPopup(); } });
            }"""
        )
        popup = page.locator(".gi-popup").inner_text()
        assert all(f"pub{i}" in popup for i in range(len(REFUSED_URLS)))  # every source shown, as text
        popup_links = page.evaluate(
            "Array.from(document.querySelectorAll('.gi-popup a')).map(a => [a.textContent, a.href])"
        )
        assert popup_links == [["good", "https://ok.example/a?b=1&c=2"]]
        assert page.evaluate("window.__xss") is None
    finally:
        view.close()
    view = Page(browser, tmp_path / "brief.html", serve_cdn=False, wait="body")
    try:
        page = view.page
        links = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        assert links == ["https://ok.example/a?b=1&c=2"]
        text = page.locator("#sources").inner_text()
        assert all(f"pub{i}" in text for i in range(len(REFUSED_URLS)))
        assert page.evaluate("window.__xss") is None
    finally:
        view.close()
