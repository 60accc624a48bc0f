"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium through Playwright, file:// URLs only.

Online pages get their CDN files from the same Python packages an offline map inlines (and blank tiles)
through request routing; every request that is not a file:// URL is recorded. Tests never reach the internet.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from geoincidents.maps._assets import asset_text

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing (apt-get install chromium)"),
]


@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    """Headless Chromium for one test module (`from tests.browser_support import browser_fixture`)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Page:
    """A page with console/page errors and non-file requests recorded.

    With ``serve_cdn`` the CDN URLs an offline map knows are answered from the Python packages and tile
    requests with a blank PNG; every other non-file request is aborted (and recorded).
    """

    def __init__(
        self, browser, path: Path, *, serve_cdn: bool, viewport=(1200, 800), wait=".leaflet-container"
    ):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.errors: list[str] = []
        self.requests: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith("file://"):
                return r.continue_()
            self.requests.append(url)
            if serve_cdn and ("tile.openstreetmap.org" in url or "/tiles/" in url):
                return r.fulfill(body=BLANK_PNG, content_type="image/png")
            if serve_cdn:
                kind = "css" if url.endswith(".css") else "js"
                try:
                    text = asset_text(url, kind)
                except KeyError:
                    return r.abort()
                content_type = "text/css" if kind == "css" else "application/javascript"
                return r.fulfill(body=text or "", content_type=content_type)
            return r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri(), wait_until="load")
        if wait:
            self.page.wait_for_selector(wait, timeout=10_000)

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def close(self) -> None:
        self.context.close()
