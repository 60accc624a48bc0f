"""HTML escaping and safe links for text that comes from incident data.

Folium escapes nothing: popups are raw HTML, tooltips are raw HTML and Leaflet puts both into ``innerHTML``.
Every piece of text taken from an incident therefore goes through :func:`esc`, and only ``http(s)`` URLs ever
become links (:func:`link`). The HTML built here is embedded in the page's script as JSON by
:func:`folium.template.tojavascript` (which escapes ``<``, ``>``, ``&`` and ``'``), so it cannot close the
``<script>`` element nor leave its JS string.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

from branca.element import Element, Figure, MacroElement

from ..schema import is_missing

# Characters that are harmless in HTML but meaningful in JS template literals (folium's own Popup and Tooltip
# use backtick strings): escaping them too keeps our HTML safe wherever folium might put it.
# Braces too: branca re-parses rendered macro output as a Jinja template, so "{{" in data must never survive.
_JS_TEMPLATE_CHARS = {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
_JS_TEMPLATE_RE = re.compile(r"[`$\\{}]")
# C0 controls (bar tab/newline) and DEL have no business in a URL; browsers strip some of them silently, which
# is how "java\tscript:" tricks work, so such URLs are refused outright.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def esc(value: Any) -> str:
    """HTML-escape any value for use as element text or a quoted attribute value.

    ``html.escape(quote=True)`` plus backtick, dollar and backslash as character references, so the result is
    also inert inside a JS template literal. Missing values give an empty string.

    Parameters
    ----------
    value : Any
        Text (or anything with a ``str``).

    Returns
    -------
    str
        Escaped text.

    Examples
    --------
    >>> esc('<img src=x onerror="a()">')
    '&lt;img src=x onerror=&quot;a()&quot;&gt;'
    >>> esc("${x}")
    '&#36;&#123;x&#125;'
    """
    if is_missing(value):
        return ""
    text = html.escape(str(value), quote=True)
    return _JS_TEMPLATE_RE.sub(lambda m: _JS_TEMPLATE_CHARS[m.group(0)], text)


def safe_url(url: Any) -> str | None:
    """Return the URL if it is an absolute ``http://`` or ``https://`` URL with a host, else None.

    Parameters
    ----------
    url : Any
        Candidate URL.

    Returns
    -------
    str or None
        The stripped URL, or None for ``javascript:``, ``data:``, relative and malformed URLs.

    Examples
    --------
    >>> safe_url(" https://www.fdd.org/x ")
    'https://www.fdd.org/x'
    >>> safe_url("javascript:alert(1)") is None
    True
    """
    if is_missing(url) or not isinstance(url, str):
        return None
    url = url.strip()
    if not url or _CONTROL_RE.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def source_items(sources: Any) -> list[list[str]]:
    """An incident's ``sources`` JSON as ``[text, href, date]`` items, plain (unescaped) text.

    ``href`` is the URL when :func:`safe_url` accepts it (``text`` is then the publisher, or the URL), else
    empty, and ``text`` shows the refused URL after the publisher, as :func:`link` does.

    Parameters
    ----------
    sources : Any
        The JSON text from the ``sources`` column (or an already parsed list).

    Returns
    -------
    list of [str, str, str]
        Invalid JSON gives one item holding the text; items with neither text nor date are left out.

    Examples
    --------
    >>> source_items('[{"date": "2023-10-24", "publisher": "FDD", "url": "https://www.fdd.org/x"}]')
    [['FDD', 'https://www.fdd.org/x', '2023-10-24']]
    >>> source_items('[{"publisher": "<b>X</b>", "url": "javascript:alert(1)"}]')
    [['<b>X</b> (javascript:alert(1))', '', '']]
    """
    if is_missing(sources):
        return []
    items: Any = sources
    if isinstance(sources, str):
        if not sources.strip():
            return []
        try:
            items = json.loads(sources)
        except ValueError:
            return [[sources, "", ""]]
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        return [[str(sources), "", ""]]
    out = []
    for item in items:
        if not isinstance(item, dict):
            if not is_missing(item) and str(item):
                out.append([str(item), "", ""])
            continue
        publisher, url, date = item.get("publisher"), item.get("url"), item.get("date")
        label = str(publisher) if not is_missing(publisher) and str(publisher).strip() else ""
        good = safe_url(url)
        if good is None:
            shown = "" if is_missing(url) else str(url)
            text, href = (f"{label} ({shown})" if label and shown else label or shown), ""
        else:
            text, href = label or good, good
        when = str(date) if not is_missing(date) and str(date).strip() else ""
        if text or when:
            out.append([text, href, when])
    return out


def js_json(value: Any) -> str:
    """Compact JSON that is safe inside an HTML ``<script>`` element.

    Like folium's own embedding, ``<``, ``>``, ``&`` and ``'`` become ``\\uXXXX`` escapes, so no string in the
    data can close the script element or open a comment; U+2028/U+2029 are escaped for old JS parsers, and
    backtick and ``$`` too (inert even if pasted into a JS template literal). None of these characters is
    JSON syntax, so only string contents change.

    Parameters
    ----------
    value : Any
        JSON-serialisable data (no NaN).

    Returns
    -------
    str
        A JS expression.

    Examples
    --------
    >>> js_json(["</script>", 1])
    '["\\\\u003c/script\\\\u003e",1]'
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("`", "\\u0060"),
        ("$", "\\u0024"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


class RawHtml(Element):
    """An element that renders its text verbatim (``Element(text)`` would parse it as a Jinja template)."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RawMacroElement(MacroElement):
    """A MacroElement whose rendered header/html/script go into the page verbatim.

    branca's ``MacroElement.render`` wraps each rendered macro in ``Element(text)``, which compiles the
    text as
    a Jinja template: data containing ``{{ ... }}`` would be evaluated (server-side template injection) or
    break the build. Put this class after folium's layer classes in the bases so their ``render`` still runs.
    """

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("You cannot render this Element if it is not in a Figure.")
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(RawHtml(str(macro(self, kwargs))), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""  # like MacroElement: the output went into the figure
