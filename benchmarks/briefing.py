"""Size and load time of the HTML briefing, next to the offline map alone (the baseline, same run, same data).

For the bundled example incidents and for synthetic tables (``generate.py``, default 100 000 rows): build time
of :func:`geoincidents.briefing`, file size, and the time Chromium (Debian's ``/usr/bin/chromium``, every
network request aborted) takes from navigation to the map's markers drawn inside the briefing's iframe. The
baseline is the offline ``incident_map`` saved on its own, loaded the same way. Nothing is asserted.

Usage: ``python benchmarks/briefing.py [N ...]`` (``.venv/bin/python``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - benchmarks/ is not a package

MARKERS = "path.leaflet-interactive, .leaflet-marker-icon"


def _best(fn, repeat: int = 2) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _load_s(browser, path: Path, in_frame: bool) -> float:
    """Best of 3: navigation to markers drawn (in the briefing's iframe, or in the page for the map)."""
    best = float("inf")
    for _ in range(3):
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests: list[str] = []

        def route(r, seen=requests):
            if r.request.url.startswith("file:"):
                return r.continue_()
            seen.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=180_000)
        frame = page.frame_locator("iframe.gi-map") if in_frame else page
        frame.locator(MARKERS).first.wait_for(timeout=180_000)
        best = min(best, time.perf_counter() - t0)
        page.close()
        if requests:
            raise RuntimeError(f"{path.name} made requests: {requests[:3]}")
    return best


def measure(label: str, joined, browser, folder: Path) -> dict:
    from geoincidents import briefing, incident_map, save_map

    brief = folder / f"brief-{label}.html"
    plain = folder / f"map-{label}.html"
    t_brief, _ = _best(lambda: briefing(joined, brief))
    t_map, _ = _best(lambda: save_map(incident_map(joined, offline=True), plain))
    return {
        "label": label,
        "rows": len(joined),
        "build_s": t_brief,
        "build_map_s": t_map,
        "size_mb": brief.stat().st_size / 1e6,
        "size_map_mb": plain.stat().st_size / 1e6,
        "load_s": _load_s(browser, brief, in_frame=True),
        "load_map_s": _load_s(browser, plain, in_frame=False),
    }


def main(argv: list[str]) -> int:
    from generate import generate
    from playwright.sync_api import sync_playwright

    import geoincidents as gi

    sizes = [int(a) for a in argv] or [100_000]
    tables = [("example", gi.join_sites(gi.example_incidents()))]
    for n in sizes:
        tables.append((f"{n:,}", gi.join_sites(generate(n, seed=7))))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        rows = [measure(label, joined, browser, Path(tmp)) for label, joined in tables]
        browser.close()
    print(
        "| data | rows | briefing size | map alone (baseline) | ratio | briefing load | map alone load "
        "| ratio | briefing build |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['label']} | {r['rows']:,} | {r['size_mb']:.2f} MB | {r['size_map_mb']:.2f} MB | "
            f"{r['size_mb'] / r['size_map_mb']:.2f} | {r['load_s']:.2f} s | {r['load_map_s']:.2f} s | "
            f"{r['load_s'] / r['load_map_s']:.2f} | {r['build_s']:.2f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
