"""Which JS/CSS a map loads, and where an offline map finds each file to inline it.

Online, a map that holds only geoincidents' own layers loads Leaflet alone (it draws vector markers, DivIcons
and plain Leaflet controls); as soon as anything else is on it (a ``folium.Marker``, ``Icon``, ``Popup``, a
plugin, ...) it loads folium's default set (jQuery, Bootstrap, Font Awesome, awesome-markers), since folium's
own elements rely on it. :func:`map_assets` decides, at render time.

Offline, every ``<script src>``/``<link href>`` that folium and its plugins put in the page head is replaced
by
the file's text (:func:`inline_links`), taken from a Python package: XStatic-Leaflet, XStatic-jQuery,
XStatic-Font-Awesome, XStatic-Leaflet-MarkerCluster, folium's own ``templates/`` folder, or
``geoincidents/maps/vendor/`` (awesome-markers and the glyphicons, from npm; see
``scripts/vendor_map_assets.py``). CSS ``url(...)`` references become ``data:`` URIs. A URL with no known
source raises :class:`OfflineAssetError` listing every such URL: an offline map never makes a request.
Bootstrap's own JS and CSS are left out offline (no folium element uses them; the glyphicons are kept).
"""

from __future__ import annotations

import base64
import functools
import importlib
import re
from collections.abc import Callable
from pathlib import Path

import folium
from branca.element import CssLink, Element, JavascriptLink

from ._html import RawHtml

LEAFLET_VERSION = "1.9.3"
_CDN = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist"
_SOURCE_MAP_RE = re.compile(r"^\s*//# sourceMappingURL=.*$|/\*# sourceMappingURL=[^*]*\*/", re.MULTILINE)
_VENDOR = Path(__file__).parent / "vendor"
_EXTRA_HINT = "pip install 'geoincidents[offline]'"
_MIME = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}

#: folium's own CDN list, as folium declares it (the "full" set).
FOLIUM_JS: tuple[tuple[str, str], ...] = tuple(folium.Map.default_js)
FOLIUM_CSS: tuple[tuple[str, str], ...] = tuple(folium.Map.default_css)
#: Leaflet alone (the "lean" set of a map with only geoincidents' layers).
LEAN_JS = (("leaflet", f"{_CDN}/leaflet.js"),)
LEAN_CSS = (("leaflet_css", f"{_CDN}/leaflet.css"),)


class OfflineAssetError(RuntimeError):
    """An offline map needs a file that no installed package provides; the message lists the URLs."""


class _Missing(Exception):
    """A known source whose package is not installed."""


def map_assets(foreign: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The map's ``default_js`` and ``default_css``: Leaflet only, or folium's full set.

    Parameters
    ----------
    foreign : bool
        Whether the map holds elements that are not geoincidents' own (then folium's full set is needed).

    Returns
    -------
    (list, list)
        ``(name, url)`` pairs for JS and CSS.

    Examples
    --------
    >>> js, css = map_assets(False)
    >>> [name for name, _ in js]
    ['leaflet']
    >>> "jquery" in [name for name, _ in map_assets(True)[0]]
    True
    """
    if foreign:
        return list(FOLIUM_JS), list(FOLIUM_CSS)
    return list(LEAN_JS), list(LEAN_CSS)


def inline_links(header: Element) -> None:
    """Replace every JavascriptLink/CssLink child of ``header`` by the file's inlined text.

    Parameters
    ----------
    header : branca.element.Element
        A Figure's header, after its children were rendered (so every element's links are in it).

    Raises
    ------
    OfflineAssetError
        When some URLs have no known source, or their package is not installed; lists every one.

    Examples
    --------
    >>> from branca.element import Figure
    >>> fig = Figure()
    >>> fig.header.add_child(JavascriptLink(LEAN_JS[0][1]), name="leaflet")  # doctest: +ELLIPSIS
    <...>
    >>> inline_links(fig.header)
    >>> fig.header.render().count("<script src")
    0
    """
    problems: list[str] = []
    replaced: dict[str, Element] = {}
    for name, child in header._children.items():
        if not isinstance(child, (JavascriptLink, CssLink)):
            continue
        kind = "js" if isinstance(child, JavascriptLink) else "css"
        try:
            text = asset_text(child.url, kind)
        except _Missing as exc:
            problems.append(f"{child.url} (needs {exc})")
            continue
        except KeyError:
            problems.append(child.url)
            continue
        if text is not None:
            tag = "script" if kind == "js" else "style"
            replaced[name] = RawHtml(f"<{tag}>{text}</{tag}>")
        else:
            replaced[name] = RawHtml("")
    if problems:
        raise OfflineAssetError(
            "an offline map cannot inline these files (no installed package provides them), so it would "
            "load them from the network: " + "; ".join(problems)
        )
    for name, element in replaced.items():
        header._children[name] = element
        element._parent = header


def asset_text(url: str, kind: str) -> str | None:
    """The text to inline for one CDN URL (None: left out offline), checked safe to put in the page.

    Parameters
    ----------
    url : str
        The URL folium or a plugin links to.
    kind : {"js", "css"}
        Script or style sheet.

    Returns
    -------
    str or None

    Raises
    ------
    KeyError
        No known source for this URL.

    Examples
    --------
    >>> "L.version" in asset_text(LEAN_JS[0][1], "js") or "Leaflet" in asset_text(LEAN_JS[0][1], "js")
    True
    """
    for pattern, source in _SOURCES:
        if pattern.search(url):
            return _cached(source, kind)
    raise KeyError(url)


def asset_sources() -> list[str]:
    """The URL patterns an offline map knows how to inline (for the docs and error messages).

    Examples
    --------
    >>> any("markercluster" in p for p in asset_sources())
    True
    """
    return [pattern.pattern for pattern, _ in _SOURCES]


@functools.cache
def leaflet_js() -> str:
    """Leaflet's minified JS, without its source-map comment (devtools would request the map file).

    Returns
    -------
    str
        JavaScript source, safe to put inside ``<script>`` (checked: it contains no ``</script``).
    """
    path = _xstatic("leaflet", "leaflet.js", "xstatic-leaflet")
    # Leaflet finds its default marker images through the CSS url(); inlined, that is a data: URI it cannot
    # take apart, so the default icon gets its images as data: URIs directly.
    images = {
        option: _data_uri(path.parent / "images" / name)
        for option, name in (
            ("iconUrl", "marker-icon.png"),
            ("iconRetinaUrl", "marker-icon-2x.png"),
            ("shadowUrl", "marker-shadow.png"),
        )
    }
    options = ",".join(f'{k}:"{v}"' for k, v in images.items())
    return (
        _js(path)
        + f'\nL.Icon.Default.imagePath="";L.extend(L.Icon.Default.prototype.options,{{{options}}});\n'
    )


@functools.cache
def leaflet_css() -> str:
    """Leaflet's CSS with its image references replaced by data: URIs.

    Returns
    -------
    str
        CSS text; ``url(images/...)`` become ``url(data:image/png;base64,...)``.
    """
    return _css(_xstatic("leaflet", "leaflet.css", "xstatic-leaflet"))


# -- sources -------------------------------------------------------------------------------------------
def _xstatic(package: str, relative: str, dist: str) -> Path:
    try:
        module = importlib.import_module(f"xstatic.pkg.{package}")
    except ImportError:
        raise _Missing(f"the {dist} package: {_EXTRA_HINT}") from None
    return Path(module.BASE_DIR) / relative


def _folium_template(name: str) -> Path:
    return Path(folium.__file__).parent / "templates" / name


def _js(path: Path) -> str:
    code = _SOURCE_MAP_RE.sub("", path.read_text(encoding="utf-8"))
    if "</script" in code.lower():  # pragma: no cover - would need a different embedding
        raise RuntimeError(f"{path.name} contains '</script'; cannot inline it")
    return code


def _css(path: Path) -> str:
    css = _SOURCE_MAP_RE.sub("", path.read_text(encoding="utf-8"))
    # Keep the WOFF2 (or WOFF) font of each @font-face: every browser that runs Leaflet 1.9 reads it.
    css = re.sub(r",\s*url\([^)]*\.(?:ttf|eot|svg)[^)]*\)\s*format\([^)]*\)", "", css)

    def _inline(match: re.Match[str]) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        target = (path.parent / re.split(r"[?#]", ref)[0]).resolve()
        if target.suffix.lower() not in _MIME or not target.is_file():
            raise RuntimeError(f"{path.name}: cannot inline url({ref})")
        return f"url({_data_uri(target)})"

    css = re.sub(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", _inline, css)
    if "</style" in css.lower():  # pragma: no cover
        raise RuntimeError(f"{path.name} contains '</style'; cannot inline it")
    return css


def _data_uri(path: Path) -> str:
    return f"data:{_MIME[path.suffix.lower()]};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _rotate_css() -> str:
    # What folium's leaflet.awesome.rotate.css does: Icon(angle=n) adds the class fa-rotate-<n>.
    return "".join(f".fa-rotate-{n}{{transform:rotate({n}deg)}}" for n in range(360))


_Source = Callable[[], Path | str | None]


@functools.cache
def _cached(source: _Source, kind: str) -> str | None:
    found = source()
    if found is None or isinstance(found, str):
        return found
    return _js(found) if kind == "js" else _css(found)


def _fa() -> Path:
    return _xstatic("font_awesome", "css/all.min.css", "xstatic-font-awesome")


def _cluster(name: str) -> _Source:
    return lambda: _xstatic("leaflet_markercluster", name, "xstatic-leaflet-markercluster")


# URL pattern -> where the file comes from. Versions: jQuery 3.7.1 and Leaflet 1.9.3 as folium asks; Font
# Awesome 6.2.1 for 6.2.0; Leaflet.markercluster 1.4.1 for 1.1.0 (same API).
_SOURCES: tuple[tuple[re.Pattern[str], _Source], ...] = tuple(
    (re.compile(pattern), source)
    for pattern, source in (
        (r"/leaflet@1\.9\.\d+/dist/leaflet\.js$", leaflet_js),
        (r"/leaflet@1\.9\.\d+/dist/leaflet\.css$", leaflet_css),
        (r"/jquery-3\.7\.1\.min\.js$", lambda: _xstatic("jquery", "jquery.min.js", "xstatic-jquery")),
        (r"/bootstrap@5\.[\d.]+/dist/(js/bootstrap\.bundle|css/bootstrap)\.min\.(js|css)$", lambda: None),
        (r"/bootstrap/3\.0\.0/css/bootstrap-glyphicons\.css$", lambda: _VENDOR / "glyphicons.css"),
        (r"/@fortawesome/fontawesome-free@6\.[\d.]+/css/all\.min\.css$", _fa),
        (
            r"/Leaflet\.awesome-markers/2\.0\.2/leaflet\.awesome-markers\.js$",
            lambda: _VENDOR / "leaflet.awesome-markers.js",
        ),
        (
            r"/Leaflet\.awesome-markers/2\.0\.2/leaflet\.awesome-markers\.css$",
            lambda: _VENDOR / "leaflet.awesome-markers.css",
        ),
        (r"/folium/templates/leaflet\.awesome\.rotate\.min\.css$", _rotate_css),
        (
            r"/leaflet\.markercluster/1\.[\d.]+/leaflet\.markercluster\.js$",
            _cluster("leaflet.markercluster.js"),
        ),
        (r"/leaflet\.markercluster/1\.[\d.]+/MarkerCluster\.css$", _cluster("MarkerCluster.css")),
        (
            r"/leaflet\.markercluster/1\.[\d.]+/MarkerCluster\.Default\.css$",
            _cluster("MarkerCluster.Default.css"),
        ),
        (
            r"/folium@[\w.-]+/folium/templates/leaflet_heat\.min\.js$",
            lambda: _folium_template("leaflet_heat.min.js"),
        ),
    )
)
