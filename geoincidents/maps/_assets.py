"""Which JS/CSS a map loads: Leaflet only, from the CDN (online) or inlined from XStatic-Leaflet (offline).

folium's Map pulls jQuery, Bootstrap, Font Awesome and awesome-markers from CDNs; our maps use vector markers,
DivIcons and plain Leaflet controls, so none of that is needed.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import folium
from branca.element import Figure

from ._html import RawHtml

LEAFLET_VERSION = "1.9.3"
_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
_SOURCE_MAP_RE = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)


def _leaflet_dir() -> Path:
    """Folder of the Leaflet distribution shipped by XStatic-Leaflet."""
    try:
        import xstatic.pkg.leaflet as xs_leaflet
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RuntimeError(
            "offline maps need the XStatic-Leaflet package (pip install xstatic-leaflet)"
        ) from exc
    return Path(xs_leaflet.BASE_DIR)


@functools.cache
def leaflet_js() -> str:
    """Leaflet's minified JS, without its source-map comment (devtools would request the map file).

    Returns
    -------
    str
        JavaScript source, safe to put inside ``<script>`` (checked: it contains no ``</script``).
    """
    code = (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    code = _SOURCE_MAP_RE.sub("", code)
    if "</script" in code.lower():  # pragma: no cover - would need a different embedding
        raise RuntimeError("leaflet.js contains '</script'; cannot inline it")
    return code


@functools.cache
def leaflet_css() -> str:
    """Leaflet's CSS with its image references replaced by data: URIs.

    Returns
    -------
    str
        CSS text; ``url(images/...)`` become ``url(data:image/png;base64,...)``.
    """
    folder = _leaflet_dir()
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def _inline(match: re.Match[str]) -> str:
        data = (folder / "images" / match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(data).decode("ascii") + ")"

    css = re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", _inline, css)
    if "</style" in css.lower():  # pragma: no cover
        raise RuntimeError("leaflet.css contains '</style'; cannot inline it")
    return css


def use_assets(m: folium.Map, *, offline: bool) -> folium.Map:
    """Make ``m`` load Leaflet only: CDN links online, inline ``<script>``/``<style>`` offline.

    Parameters
    ----------
    m : folium.Map
        The map; its ``default_js``/``default_css`` are replaced on the instance.
    offline : bool
        Inline Leaflet from the XStatic-Leaflet package instead of linking to the CDN.

    Returns
    -------
    folium.Map
        ``m``.
    """
    if offline:
        m.default_js = []
        m.default_css = []
        root = m.get_root()
        if not isinstance(root, Figure):
            raise TypeError("the map must belong to a branca Figure")
        header = root.header
        header.add_child(RawHtml(f"<style>{leaflet_css()}</style>"), name="leaflet_css_inline")
        header.add_child(RawHtml(f"<script>{leaflet_js()}</script>"), name="leaflet_js_inline")
    else:
        m.default_js = [("leaflet", f"{_CDN}/leaflet.js")]
        m.default_css = [("leaflet_css", f"{_CDN}/leaflet.css")]
    return m
