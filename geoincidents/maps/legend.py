"""Title, legend and the page's CSS (popups, slider, legend), as plain HTML over the map: no Bootstrap."""

from __future__ import annotations

from folium.template import Template

from ._html import RawMacroElement, esc
from .strikes import diamond_svg

CSS = """
.gi-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  background: rgba(255,255,255,0.92); padding: 6px 14px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.3);
  font: 600 16px/1.3 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; max-width: 60%;
  text-align: center; pointer-events: none; }
.gi-legend { position: absolute; bottom: 28px; right: 10px; z-index: 1000; background: rgba(255,255,255,0.94);
  padding: 8px 10px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3);
  max-height: 70%; overflow: auto;
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; }
.gi-legend h4 { margin: 6px 0 3px; font-size: 12px; } .gi-legend h4:first-child { margin-top: 0; }
.gi-legend .gi-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.gi-legend .gi-swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  border: 1px solid #1a1a1a; }
.gi-legend .gi-box { display: inline-block; width: 14px; height: 10px; border: 1px solid #7a7a7a; }
.gi-legend .gi-note { margin-top: 6px; color: #555; }
.gi-popup { font: 12px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.gi-popup .gi-head { font-size: 13px; } .gi-popup .gi-meta { color: #555; margin-bottom: 4px; }
.gi-popup ol { margin: 0; padding-left: 18px; } .gi-popup li { margin-bottom: 4px; }
.gi-popup .gi-date { font-weight: 600; } .gi-popup .gi-notes { color: #333; }
.gi-popup .gi-src { color: #555; } .gi-popup .gi-more { color: #555; font-style: italic; }
.gi-slider { background: #fff; padding: 4px 6px; display: flex; align-items: center; gap: 4px;
  font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.gi-slider button { cursor: pointer; min-width: 26px; } .gi-slider .gi-range { width: 180px; }
.gi-slider .gi-label { min-width: 130px; }
.gi-strike { background: none; border: none; }
"""


class PageStyle(RawMacroElement):
    """The CSS of titles, legends, popups and the slider, in the page head.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> _ = PageStyle().add_to(m)
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        """
    )

    def __init__(self, css: str = CSS):
        super().__init__()
        if "</" in css:
            raise ValueError("css must not contain '</'")
        self._name = "PageStyle"
        self.css = css


class MapTitle(RawMacroElement):
    """A title box at the top centre of the map.

    Parameters
    ----------
    text : str
        Title text (escaped here).

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> _ = MapTitle("Attacks <b>").add_to(m)
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div class="gi-title" id="{{ this.get_name() }}">{{ this.html }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, text: str):
        super().__init__()
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        self._name = "MapTitle"
        self.text = text
        self.html = esc(text)


class Legend(RawMacroElement):
    """Legend box: marker colours, size scale, strike symbol, choropleth classes and what could not be drawn.

    Parameters
    ----------
    colors : list of (str, str)
        ``(label, colour)`` of the circles (countries or weapons).
    color_title : str
        Heading of the colour list.
    sizes : list of (int, float)
        ``(count, radius in px)`` examples for the size scale.
    strikes : bool
        Whether the map has a strike layer.
    classes : list of (str, str)
        ``(label, colour)`` of the country shading; empty for none.
    unlocated : int
        Incidents without a location (not drawn).

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> _ = Legend([("Iraq", "#0072B2")], "Country", [(1, 4.0)], True, [("0", "#e8e8e8")], 2).add_to(m)
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
            <div class="gi-legend" id="{{ this.get_name() }}">{{ this.html }}</div>
        {% endmacro %}
        """
    )

    def __init__(
        self,
        colors: list[tuple[str, str]],
        color_title: str,
        sizes: list[tuple[int, float]],
        strikes: bool,
        classes: list[tuple[str, str]],
        unlocated: int,
    ):
        super().__init__()
        if unlocated < 0:
            raise ValueError("unlocated must be >= 0")
        self._name = "Legend"
        self.html = self._build(colors, color_title, sizes, strikes, classes, unlocated)

    @staticmethod
    def _build(
        colors: list[tuple[str, str]],
        color_title: str,
        sizes: list[tuple[int, float]],
        strikes: bool,
        classes: list[tuple[str, str]],
        unlocated: int,
    ) -> str:
        parts = []
        if colors:
            parts.append(f"<h4>Attacks by {esc(color_title)}</h4>")
            parts += [
                f'<div class="gi-row"><span class="gi-swatch" style="background:{esc(c)}"></span>'
                f"{esc(label)}</div>"
                for label, c in colors
            ]
        if sizes:
            parts.append("<h4>Attacks per site</h4>")
            for count, radius in sizes:
                d = int(round(2 * radius)) + 2
                parts.append(
                    f'<div class="gi-row"><svg width="{d}" height="{d}" aria-hidden="true">'
                    f'<circle cx="{d / 2}" cy="{d / 2}" r="{radius}" fill="#bbbbbb" stroke="#1a1a1a"/></svg>'
                    f"{count}</div>"
                )
        if strikes:
            parts.append(f'<h4>US strikes</h4><div class="gi-row">{diamond_svg(14)}strike by US forces</div>')
        if classes:
            parts.append("<h4>Attacks per country</h4>")
            parts += [
                f'<div class="gi-row"><span class="gi-box" style="background:{esc(c)}"></span>'
                f"{esc(label)}</div>"
                for label, c in classes
            ]
        if unlocated:
            noun = "incident" if unlocated == 1 else "incidents"
            parts.append(f'<div class="gi-note">{unlocated} {noun} without a location (not shown)</div>')
        return "".join(parts)
