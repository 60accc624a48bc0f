"""Site circles: one CircleMarker per place, sized by count, with a tooltip and a popup listing incidents.

Each layer is a :class:`folium.FeatureGroup` (so LayerControl lists it) whose markers are created in a small
loop from compact JSON, instead of one JS statement per marker as ``folium.CircleMarker`` would emit: a map of
100 000 incidents stays a few megabytes. Popup HTML is built on click from the shared :class:`PopupRows`.
"""

from __future__ import annotations

from typing import Any

import folium
from folium.template import Template

from ._html import RawMacroElement, js_json


class PopupRows(RawMacroElement):
    """The popup rows (incident ``<li>`` HTML, already escaped) shared by all marker layers of a map.

    Parameters
    ----------
    rows : list of str
        The table's row list; it may still grow until the map is rendered.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(["<li>2023-10-17 rocket</li>"]).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.rows_js() }};
            function {{ this.get_name() }}_popup(d) {
                var rows = {{ this.get_name() }};
                var html = '<div class="gi-popup">' + d[5] + '<ol class="gi-list">';
                for (var i = 0; i < d[6].length; i++) { html += rows[d[6][i]]; }
                html += '</ol>';
                if (d[7] > 0) {
                    html += '<div class="gi-more">and ' + d[7] + ' earlier incident' + (d[7] > 1 ? 's' : '')
                        + ' not listed</div>';
                }
                return html + '</div>';
            }
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[str]):
        super().__init__()
        if not isinstance(rows, list):
            raise TypeError("rows must be a list of HTML strings")
        self._name = "PopupRows"
        self.rows = rows

    def rows_js(self) -> str:
        """The rows as a JS array literal."""
        return js_json(self.rows)


class SiteMarkers(folium.FeatureGroup, RawMacroElement):
    """A layer of circle markers, one per place.

    Parameters
    ----------
    records : list of list
        ``[lat, lon, radius, color, tooltip_html, header_html, row_ids, n_more]`` per marker, from
        :func:`geoincidents.maps._data.place_records`.
    rows : PopupRows
        Where ``row_ids`` point.
    name : str
        Layer name in the LayerControl.
    show : bool, default True
        Shown when the map opens.
    control : bool, default True
        Listed in the LayerControl.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(["<li>2023-10-17 rocket</li>"]).add_to(m)
    >>> rec = [33.8, 42.4, 8.0, "#0072B2", "Ain al-Asad: 1 attack", "<b>Ain al-Asad</b>", [0], 0]
    >>> layer = SiteMarkers([rec], rows, name="All weeks").add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup({});
            {{ this.get_name() }}.giCount = {{ this.records|length }};
            (function (group, data) {
                for (var i = 0; i < data.length; i++) {
                    (function (d) {
                        L.circleMarker([d[0], d[1]], {
                            radius: d[2], color: "#1a1a1a", weight: 1, opacity: 0.9,
                            fillColor: d[3], fillOpacity: 0.8, className: "gi-site"
                        })
                            .bindTooltip(d[4], {sticky: true})
                            .bindPopup(function () { return {{ this.rows.get_name() }}_popup(d); },
                                       {maxWidth: 380, maxHeight: 340})
                            .addTo(group);
                    })(data[i]);
                }
            })({{ this.get_name() }}, {{ this.records_js() }});
        {% endmacro %}
        """
    )

    def __init__(
        self, records: list[list[Any]], rows: PopupRows, *, name: str, show: bool = True, control: bool = True
    ):
        if not isinstance(rows, PopupRows):
            raise TypeError("rows must be a PopupRows element")
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "SiteMarkers"
        self.records = list(records)
        self.rows = rows

    def records_js(self) -> str:
        """The marker records as a JS array literal."""
        return js_json(self.records)

    def _get_self_bounds(self) -> list[list[float | None]]:
        if not self.records:
            return [[None, None], [None, None]]
        lats = [r[0] for r in self.records]
        lons = [r[1] for r in self.records]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]
