"""Site circles: one CircleMarker per place, sized by count, with a tooltip and a popup listing incidents.

Each layer is a :class:`folium.FeatureGroup` (so LayerControl lists it) whose markers are created in a small
loop from compact JSON, instead of one JS statement per marker as ``folium.CircleMarker`` would emit: a map of
100 000 incidents stays a few megabytes. Popups are built on click, with DOM calls, from the shared
:class:`PopupRows`.
"""

from __future__ import annotations

from typing import Any

import folium
from folium.template import Template

from ._data import RowTable
from ._html import RawMacroElement, esc, js_json


class PopupRows(RawMacroElement):
    """The popup rows shared by all marker layers of a map, and the JS that builds a popup when it opens.

    The rows are data, not HTML (see :class:`geoincidents.maps._data.RowTable`): the popup is assembled with
    DOM calls and ``textContent``, never ``innerHTML``, and a source becomes an ``<a>`` only when its URL
    parses as ``http:`` or ``https:`` in the browser too.

    Parameters
    ----------
    table : RowTable
        The map's row table; it may still grow until the map is rendered.

    Examples
    --------
    >>> import pandas as pd
    >>> from geoincidents.maps._data import RowTable
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(RowTable(pd.DataFrame())).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.rows_js() }};
            function {{ this.get_name() }}_popup(d) {
                var t = {{ this.get_name() }};
                function add(parent, tag, cls, text) {
                    var e = document.createElement(tag);
                    if (cls) { e.className = cls; }
                    if (text) { e.textContent = text; }
                    parent.appendChild(e);
                    return e;
                }
                function text(parent, s) { parent.appendChild(document.createTextNode(s)); }
                function web(url) {
                    try {
                        var p = new URL(url).protocol;
                        return p === "http:" || p === "https:";
                    } catch (e) { return false; }
                }
                var root = document.createElement("div");
                root.className = "gi-popup";
                var head = add(root, "div", "gi-head");
                add(head, "b", "", d[5][0]);
                if (d[5][1]) { text(head, " (" + d[5][1] + ")"); }
                add(root, "div", "gi-meta", d[5][2]);
                var list = add(root, "ol", "gi-list");
                for (var i = 0; i < d[6].length; i++) {
                    var r = t.rows[d[6][i]];
                    var li = add(list, "li");
                    add(li, "span", "gi-date", t.date[r[0]]);
                    var parts = [];
                    if (t.what[r[1]]) { parts.push(t.what[r[1]]); }
                    if (t.claim[r[2]]) { parts.push(t.claim[r[2]]); }
                    if (r[3] !== null || r[4] !== null) {
                        parts.push((r[3] === null ? "?" : r[3]) + " injured, "
                            + (r[4] === null ? "?" : r[4]) + " killed");
                    }
                    text(li, " " + parts.join(" \u00b7 "));
                    if (r.length > 6 && t.note[r[6]]) { add(li, "div", "gi-notes", t.note[r[6]]); }
                    var src = t.src[r[5]];
                    if (src.length) {
                        var div = add(li, "div", "gi-src", "Sources: ");
                        for (var k = 0; k < src.length; k++) {
                            if (k) { text(div, ", "); }
                            if (src[k][0] && src[k][1] && web(src[k][1])) {
                                var a = add(div, "a", "", src[k][0]);
                                a.href = src[k][1];
                                a.target = "_blank";
                                a.rel = "noopener noreferrer";
                            } else if (src[k][0]) { text(div, src[k][0]); }
                            if (src[k][2]) { text(div, (src[k][0] ? " " : "") + src[k][2]); }
                        }
                    }
                }
                if (d[7] > 0) {
                    add(root, "div", "gi-more", "and " + d[7] + " earlier incident" + (d[7] > 1 ? "s" : "")
                        + " not listed");
                }
                return root;
            }
        {% endmacro %}
        """
    )

    def __init__(self, table: RowTable):
        super().__init__()
        if not isinstance(table, RowTable):
            raise TypeError("table must be a RowTable")
        self._name = "PopupRows"
        self.table = table

    def rows_js(self) -> str:
        """The row table as a JS object literal."""
        return js_json(self.table.payload())


class MarkerLayer(folium.FeatureGroup, RawMacroElement):
    """A layer of markers drawn in JS from compact records ``[lat, lon, ...]`` with popups from ``rows``.

    The loop over the records, the tooltip (``d[4]``) and the popup are the same for every kind of marker;
    a subclass says only how one marker is made: :meth:`marker_js` returns JS statements that set ``marker``
    from the record ``d``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup({});
            {{ this.get_name() }}.giCount = {{ this.records|length }};
            (function (group, data) {
                for (var i = 0; i < data.length; i++) {
                    (function (d) {
                        var marker;
                        {{ this.marker_js() }}
                        marker
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
        # Leaflet's layer control shows the name as HTML: it is text here, escaped on the one path.
        super().__init__(name=esc(name), overlay=True, control=control, show=show)
        self.records = list(records)
        self.rows = rows

    def records_js(self) -> str:
        """The marker records as a JS array literal."""
        return js_json(self.records)

    def marker_js(self) -> str:
        """JS statements that make one marker from the record ``d`` and assign it to ``marker``."""
        raise NotImplementedError

    def _get_self_bounds(self) -> list[list[float | None]]:
        if not self.records:
            return [[None, None], [None, None]]
        lats = [r[0] for r in self.records]
        lons = [r[1] for r in self.records]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


class SiteMarkers(MarkerLayer):
    """A layer of circle markers, one per place.

    Parameters
    ----------
    records : list of list
        ``[lat, lon, radius, color, tooltip_html, [name, country, counts], row_ids, n_more]`` per marker, from
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
    >>> import pandas as pd
    >>> from geoincidents.maps._data import RowTable
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(RowTable(pd.DataFrame())).add_to(m)
    >>> head = ["Ain al-Asad", "Iraq", "1 attack"]
    >>> rec = [33.8, 42.4, 8.0, "#0072B2", "Ain al-Asad: 1 attack", head, [], 1]
    >>> layer = SiteMarkers([rec], rows, name="All weeks").add_to(m)
    """

    def __init__(
        self, records: list[list[Any]], rows: PopupRows, *, name: str, show: bool = True, control: bool = True
    ):
        super().__init__(records, rows, name=name, show=show, control=control)
        self._name = "SiteMarkers"

    def marker_js(self) -> str:
        return (
            'marker = L.circleMarker([d[0], d[1]], {radius: d[2], color: "#1a1a1a", weight: 1, opacity: 0.9, '
            'fillColor: d[3], fillOpacity: 0.8, className: "gi-site"});'
        )
