"""The page a map renders into: whatever was added with folium's API works, and rendering is repeatable.

branca renders a map by letting every element push its HTML, JS and links into the Figure's header, html and
script sections, in the order the elements were added. Three things go wrong with a map that callers extend:

- a LayerControl added before the caller's layers lists names whose JS variables are not defined yet
  (``TypeError ... 'setZIndex'``), so :func:`render_figure` moves every layer control to the end of its map;
- every render adds more children (``addTo`` lines, links), so the second save differs from the first:
  :func:`render_figure` records every element's children before rendering and puts them back afterwards;
- elements other than geoincidents' own need folium's default JS/CSS; :func:`render_figure` picks Leaflet
  alone or folium's set (:func:`geoincidents.maps._assets.map_assets`), and offline inlines every link
  (:func:`geoincidents.maps._assets.inline_links`) and refuses any remaining network reference.

:class:`MapFigure` is the Figure of maps made by :func:`geoincidents.incident_map`, so ``m.save(...)``,
``save_map`` and Jupyter's ``_repr_html_`` all go through :func:`render_figure`.
"""

from __future__ import annotations

import re
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink

from ._assets import OfflineAssetError, inline_links, map_assets
from ._ids import assign_ids, walk_elements

# Elements that need nothing but Leaflet: branca's plumbing and the folium parts incident_map itself uses.
_LEAN_TYPES: tuple[type, ...] = (
    Figure,
    JavascriptLink,
    CssLink,
    folium.Map,
    folium.folium.GlobalSwitches,
    folium.TileLayer,
    folium.LayerControl,
    folium.map.FitBounds,
)
_REMOTE_TAG_RE = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]*""",
    re.IGNORECASE,
)
_REMOTE_ATTRS = ("tiles", "url", "video_url", "image")


class MapFigure(Figure):
    """A branca Figure whose ``render`` is :func:`render_figure`.

    Parameters
    ----------
    offline : bool, default False
        Inline every asset; refuse to render anything that would load from the network.
    **kwargs
        Passed to :class:`branca.element.Figure`.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> _ = MapFigure(offline=True).add_child(m)
    >>> html = m.get_root().render()
    >>> html == m.get_root().render(), "<script src=" in html
    (True, False)
    """

    def __init__(self, *, offline: bool = False, **kwargs: Any):
        super().__init__(**kwargs)
        self.offline = bool(offline)

    def render(self, **kwargs: Any) -> str:
        return render_figure(self, offline=self.offline, **kwargs)


def render_figure(figure: Figure, *, offline: bool = False, **kwargs: Any) -> str:
    """Render ``figure`` to HTML, leaving it as it was, with layer controls last and the assets it needs.

    Parameters
    ----------
    figure : branca.element.Figure
        Usually a map's root (``m.get_root()``).
    offline : bool, default False
        Inline every JS/CSS link; raise when something would still load from the network.

    Returns
    -------
    str
        The page; the same figure gives the same bytes on every call.

    Raises
    ------
    OfflineAssetError
        Offline, for links no installed package provides and for tile or image URLs; lists every one.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> render_figure(m.get_root()) == render_figure(m.get_root())
    True
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a branca Figure, not {type(figure).__name__}")
    maps = [e for e in walk_elements(figure) if isinstance(e, folium.Map)]
    for m in maps:
        _layer_controls_last(m)
    assign_ids(figure, keep_existing=True)  # elements added since incident_map get stable ids too
    elements = list(walk_elements(figure))
    if offline:
        remote = sorted({url for e in elements for url in _remote_urls(e)})
        if remote:
            raise OfflineAssetError(
                "an offline map cannot show layers that load from the network: " + "; ".join(remote)
            )
    saved = [(e, e._children.copy()) for e in elements]
    assets = [(m, m.default_js, m.default_css) for m in maps]
    try:
        for m in maps:
            foreign = any(_is_foreign(e) for e in walk_elements(m))
            m.default_js, m.default_css = map_assets(foreign)
        for child in figure._children.values():
            child.render(**kwargs)
        if offline:
            inline_links(figure.header)
        html = figure._template.render(this=figure, kwargs=kwargs)
    finally:
        for element, children in saved:
            element._children = children
        for m, js, css in assets:
            m.default_js, m.default_css = js, css
    if offline:
        found = sorted(set(_REMOTE_TAG_RE.findall(html)))
        if found:
            raise OfflineAssetError("an offline map would load from the network: " + "; ".join(found))
    return html


def _layer_controls_last(m: folium.Map) -> None:
    # Any layer control (folium's or a plugin's) lists the map's layers by their JS names: it must come last.
    items = list(m._children.items())
    last = [(k, v) for k, v in items if type(v).__name__.endswith("LayerControl")]
    if last and items[-len(last) :] != last:
        m._children.clear()
        m._children.update([(k, v) for k, v in items if (k, v) not in last] + last)


def _is_foreign(element: Element) -> bool:
    if type(element).__module__.startswith("geoincidents."):
        return False
    return type(element) not in _LEAN_TYPES and type(element) is not Element


def _remote_urls(element: Element) -> list[str]:
    if isinstance(element, (JavascriptLink, CssLink)):
        return []  # inlined, or refused, by inline_links
    out = []
    for attr in _REMOTE_ATTRS:
        value = getattr(element, attr, None)
        if isinstance(value, str) and re.match(r"(?:https?:)?//", value.strip(), re.IGNORECASE):
            out.append(value.strip())
    return out
