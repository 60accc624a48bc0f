"""The briefing in headless Chromium: opens with every request blocked, prints to A4 with map and chart."""

from __future__ import annotations

import io

import pytest

import geoincidents as gi
from geoincidents.briefings import briefing
from tests.browser_support import BROWSER_MARKS, Page, browser_fixture

pytestmark = BROWSER_MARKS
__all__ = ["browser_fixture"]  # the `browser` fixture, shared
pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed")

A4_MM = (210, 297)
MARGIN_MM = (12 + 14, 11 + 11)  # @page margins: top + bottom, left + right


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    joined = gi.join_sites(gi.example_incidents())
    path = tmp_path_factory.mktemp("brief") / "brief.html"
    briefing(joined, path)
    return path, joined


def test_opens_offline_with_the_map_and_chart(browser, brief):
    path, joined = brief
    view = Page(browser, path, serve_cdn=False, wait="iframe.gi-map")
    try:
        frame = view.page.frame_locator("iframe.gi-map")
        frame.locator(".leaflet-container").wait_for(timeout=10_000)
        attacked = joined[joined["event_type"].isin(["attack", "interception"]) & joined["site_id"].notna()]
        assert frame.locator("path.gi-site").count() == attacked["site_id"].nunique()
        assert frame.locator(".gi-legend").count() == 1
        box = view.page.locator(".gi-chart svg").bounding_box()
        assert box is not None and box["width"] > 600 and box["height"] > 250
        assert view.errors == []
        assert view.requests == []  # every request would have been blocked: none was attempted
    finally:
        view.close()


def test_prints_on_a4_with_map_and_chart_on_their_pages(browser, brief):
    path, joined = brief
    view = Page(browser, path, serve_cdn=False, wait="iframe.gi-map")
    try:
        page = view.page
        page.frame_locator("iframe.gi-map").locator(".leaflet-container").wait_for(timeout=10_000)
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        texts = [p.extract_text() for p in reader.pages]
        # Print layout: each figure fits on one page (break-inside: avoid) and within the printable width.
        px_per_mm = 96 / 25.4
        printable_h = (A4_MM[1] - MARGIN_MM[0]) * px_per_mm
        printable_w = (A4_MM[0] - MARGIN_MM[1]) * px_per_mm
        page.set_viewport_size({"width": int(printable_w), "height": int(printable_h)})
        page.emulate_media(media="print")
        for selector in ("iframe.gi-map", ".gi-chart svg"):
            box = page.locator(selector).bounding_box()
            assert box is not None and 100 < box["height"] < printable_h and box["width"] <= printable_w + 1
        # Pages: the briefing's content, not one per table row nor everything squeezed onto one page.
        content_h = page.evaluate("document.documentElement.scrollHeight")
        assert len(reader.pages) >= int(content_h // printable_h)
        assert 2 <= len(reader.pages) <= int(content_h // printable_h) + 2
        # The map printed on the first page (its legend is text inside the iframe), its controls hidden.
        assert "Attacks per site" in texts[0] and "Map" in texts[0]
        assert "All weeks" not in texts[0]
        chart_page = next(i for i, t in enumerate(texts) if "Attacks and interceptions per ISO week" in t)
        assert chart_page <= 1
        assert any("Methods" in t for t in texts) and "Sources" in texts[-1]
        assert view.errors == [] and view.requests == []
    finally:
        view.close()
