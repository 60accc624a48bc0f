"""Countries shaded by the number of attacks (a choropleth of the country outlines).

Online the layer is an overlay above the tiles; offline it is the base layer (there is no tile server). It
lives in its own pane below the markers, so toggling it never hides or blocks the circles.
"""

from __future__ import annotations

import math
from typing import Any

import folium
from folium.template import Template

from ._html import RawMacroElement, esc, js_json

# ColorBrewer Purples (sequential, colour-blind safe, and unlike the marker colours) without its near-white
# step, so the lowest class stands apart from zero (light grey).
PALETTE = ("#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
ZERO_COLOR = "#eeeeee"
PANE = "giCountries"


def class_breaks(max_count: int, n: int = len(PALETTE)) -> list[int]:
    """Upper bounds of up to ``n`` equal-width classes of counts 1..max_count (integers, increasing).

    Parameters
    ----------
    max_count : int
        Largest count.
    n : int
        Number of classes.

    Returns
    -------
    list of int
        Upper bounds, the last equal to ``max_count``; empty when ``max_count`` is 0.

    Examples
    --------
    >>> class_breaks(10)
    [2, 4, 6, 8, 10]
    >>> class_breaks(2)
    [1, 2]
    """
    if max_count < 0 or n < 1:
        raise ValueError("max_count must be >= 0 and n >= 1")
    bounds = sorted({max(1, math.ceil(max_count * k / n)) for k in range(1, n + 1)}) if max_count else []
    return bounds


def fill_color(count: int, breaks: list[int]) -> str:
    """Palette colour of ``count`` for the given class breaks (ZERO_COLOR for 0).

    Examples
    --------
    >>> fill_color(0, [1, 2]), fill_color(2, [1, 2])
    ('#eeeeee', '#54278f')
    """
    if count <= 0 or not breaks:
        return ZERO_COLOR
    palette = palette_for(breaks)
    for bound, color in zip(breaks, palette, strict=True):
        if count <= bound:
            return color
    return palette[-1]


def palette_for(breaks: list[int]) -> list[str]:
    """The palette colours used for ``len(breaks)`` classes (spread over the full ramp)."""
    k = len(breaks)
    if k == 0:
        return []
    if k == 1:
        return [PALETTE[-1]]
    return [PALETTE[round(i * (len(PALETTE) - 1) / (k - 1))] for i in range(k)]


def _rounded(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), 3) for c in coords]
        return [_rounded(c) for c in coords]
    return coords


def outline_features(
    outlines: Any, counts: dict[str, int], breaks: list[int], tolerance: float = 0.01, noun: str = "attack"
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of the outlines with style and tooltip properties.

    Parameters
    ----------
    outlines : geopandas.GeoDataFrame
        Columns ``iso3``, ``name``, ``geometry`` (EPSG:4326).
    counts : dict
        ISO3 -> attacks.
    breaks : list of int
        Class breaks from :func:`class_breaks`.
    tolerance : float, default 0.01
        Simplification tolerance in degrees (about 1 km), to keep the HTML small.
    noun : str, default "attack"
        What is counted, in the singular (tooltips add an "s" for other counts).

    Returns
    -------
    dict
        GeoJSON.
    """
    import shapely

    missing = {"iso3", "name", "geometry"} - set(outlines.columns)
    if missing:
        raise ValueError(f"countries needs columns iso3, name, geometry; missing {sorted(missing)}")
    if getattr(outlines, "crs", None) is not None and not outlines.crs.equals("EPSG:4326"):
        outlines = outlines.to_crs("EPSG:4326")
    features = []
    for iso3, name, geom in sorted(
        zip(outlines["iso3"], outlines["name"], outlines["geometry"], strict=True), key=lambda t: str(t[0])
    ):
        if geom is None or geom.is_empty:
            continue
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
        count = int(counts.get(str(iso3), 0))
        counted = noun if count == 1 else f"{noun}s"
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "iso3": str(iso3),
                    "tooltip": f"{esc(name)}: {count} {esc(counted)}",
                    "style": {
                        "fillColor": fill_color(count, breaks),
                        "fillOpacity": 0.6,
                        "color": "#7a7a7a",
                        "weight": 1,
                        "className": "gi-country",
                    },
                },
                "geometry": {
                    **shapely.geometry.mapping(geom),
                    "coordinates": _rounded(shapely.geometry.mapping(geom)["coordinates"]),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


class CountryChoropleth(folium.map.Layer, RawMacroElement):
    """Country outlines filled by attack count.

    Parameters
    ----------
    outlines : geopandas.GeoDataFrame
        ``iso3``, ``name``, ``geometry``.
    counts : dict
        ISO3 -> number of attacks.
    name : str, default "Attacks by country"
        Layer name.
    overlay : bool, default True
        False makes it a base layer (offline maps).
    background : str, optional
        Map background colour (sea) when it is the base layer.

    Examples
    --------
    >>> import geopandas, shapely
    >>> outlines = geopandas.GeoDataFrame({"iso3": ["IRQ"], "name": ["Iraq"]},
    ...     geometry=[shapely.box(39, 29, 48, 37)], crs="EPSG:4326")
    >>> m = folium.Map(tiles=None)
    >>> layer = CountryChoropleth(outlines, {"IRQ": 3}).add_to(m)
    >>> layer.breaks
    [1, 2, 3]
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            if (!{{ this._parent.get_name() }}.getPane({{ this.pane|tojson }})) {
                {{ this._parent.get_name() }}.createPane({{ this.pane|tojson }}).style.zIndex = 350;
            }
            {%- if not this.overlay and this.background %}
            {{ this._parent.get_name() }}.getContainer().style.background = {{ this.background|tojson }};
            {%- endif %}
            var {{ this.get_name() }} = L.geoJSON({{ this.data_js() }}, {
                pane: {{ this.pane|tojson }},
                attribution: {{ this.attribution|tojson }},
                style: function (f) { return f.properties.style; },
                onEachFeature: function (f, layer) {
                    layer.bindTooltip(f.properties.tooltip, {sticky: true});
                }
            });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        outlines: Any,
        counts: dict[str, int],
        *,
        name: str = "Attacks by country",
        overlay: bool = True,
        background: str | None = "#cfe3f0",
        noun: str = "attack",
    ):
        if not isinstance(counts, dict):
            raise TypeError("counts must be a dict ISO3 -> count")
        # Leaflet's layer control shows the name as HTML: it is text here, escaped on the one path.
        super().__init__(name=esc(name), overlay=overlay, control=True, show=True)
        self._name = "CountryChoropleth"
        self.counts = {str(k): int(v) for k, v in counts.items()}
        self.breaks = class_breaks(max(self.counts.values(), default=0))
        self.data = outline_features(outlines, self.counts, self.breaks, noun=noun)
        self.pane = PANE
        self.background = background
        self.attribution = "Outlines: Natural Earth"

    def data_js(self) -> str:
        """The outlines as a JS object literal."""
        return js_json(self.data)

    def legend_classes(self) -> list[tuple[str, str]]:
        """``(label, colour)`` pairs for the legend, zero first."""
        out = [("0", ZERO_COLOR)]
        lower = 1
        for bound, color in zip(self.breaks, palette_for(self.breaks), strict=True):
            out.append((str(bound) if bound == lower else f"{lower}–{bound}", color))
            lower = bound + 1
        return out
