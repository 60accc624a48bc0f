"""Site circles: one CircleMarker per place, sized by count, with a tooltip and a popup listing incidents.

Each layer is a :class:`folium.FeatureGroup` (so LayerControl lists it) whose markers are made in the browser
from compact columns (:class:`~geoincidents.maps._data.Markers`) pointing into the map's shared
:class:`PopupRows`, instead of one JS statement per marker as ``folium.CircleMarker`` would emit: a map of a
million incidents stays a few megabytes. A layer makes its markers when it is first shown (a hidden week
layer costs nothing at load time). Popups are built on click, with DOM calls, from the shared rows.
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
from folium.template import Template

from ._data import MAX_RADIUS, MIN_RADIUS, Markers, RowTable
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
            function {{ this.get_name() }}_popup(d, j, o) {
                var t = {{ this.get_name() }}, rows = t.rows;
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
                var n = d.n[j], injured = d.i[j] || 0, killed = d.k[j] || 0;
                var country = t.styles[d.s[j]][0];
                var root = document.createElement("div");
                root.className = "gi-popup";
                var head = add(root, "div", "gi-head");
                add(head, "b", "", t.names[t.places.name[d.p[j]]]);
                if (country) { text(head, " (" + country + ")"); }
                var meta = [n + " " + (n === 1 ? o.one : o.noun)];
                if (injured) { meta.push(injured + " injured"); }
                if (killed) { meta.push(killed + " killed"); }
                add(root, "div", "gi-meta", meta.join(" \u00b7 "));
                var ids = d.r[j];
                if (!Array.isArray(ids)) {
                    var first = ids;
                    ids = [];
                    for (var q = 0; q < Math.min(n, o.limit); q++) { ids.push(first + q); }
                }
                var list = add(root, "ol", "gi-list");
                for (var i = 0; i < ids.length; i++) {
                    var r = ids[i];
                    var li = add(list, "li");
                    add(li, "span", "gi-date", t.date[rows.d[r]]);
                    var parts = [];
                    if (t.what[rows.w[r]]) { parts.push(t.what[rows.w[r]]); }
                    if (t.claim[rows.c[r]]) { parts.push(t.claim[rows.c[r]]); }
                    var hurt = t.cas[rows.x[r]][0], dead = t.cas[rows.x[r]][1];
                    if (hurt >= 0 || dead >= 0) {
                        parts.push((hurt < 0 ? "?" : hurt) + " injured, "
                            + (dead < 0 ? "?" : dead) + " killed");
                    }
                    text(li, " " + parts.join(" \u00b7 "));
                    if (rows.n && t.note[rows.n[r]]) { add(li, "div", "gi-notes", t.note[rows.n[r]]); }
                    var src = t.src[rows.s[r]];
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
                var more = n - ids.length;
                if (more > 0) {
                    add(root, "div", "gi-more", "and " + more + " earlier incident" + (more > 1 ? "s" : "")
                        + " not listed");
                }
                return root;
            }
            function {{ this.get_name() }}_layer(c, o, make) {
                var t = {{ this.get_name() }};
                var group = L.featureGroup();
                var built = false, onAdd = group.onAdd;
                var d = {p: [], n: c.n, s: c.s, r: [], i: {}, k: {}};
                function popup(j) { return function () { return {{ this.get_name() }}_popup(d, j, o); }; }
                function build() {
                    // Undo the layer's compaction: places and first rows are given as differences.
                    var p = 0, r = 0, q;
                    for (q = 0; q < c.p.length; q++) {
                        p += c.p[q];
                        d.p.push(p);
                        if (Array.isArray(c.r[q])) { d.r.push(c.r[q]); } else { r += c.r[q]; d.r.push(r); }
                    }
                    for (q = 0; c.i && q < c.i.length; q += 2) { d.i[c.i[q]] = c.i[q + 1]; }
                    for (q = 0; c.k && q < c.k.length; q += 2) { d.k[c.k[q]] = c.k[q + 1]; }
                    var scale = o.scale, lat = t.places.lat, lon = t.places.lon, names = t.places.name;
                    for (var j = 0; j < d.p.length; j++) {
                        p = d.p[j];
                        var n = d.n[j];
                        var radius = Math.round(({{ this.min_radius }}
                            + {{ this.max_radius - this.min_radius }} * Math.sqrt(Math.min(n, scale) / scale))
                            * 10) / 10;
                        make([lat[p], lon[p]], radius, t.styles[d.s[j]][1])
                            .bindTooltip(
                                t.tips[names[p]] + ": " + n + " " + (n === 1 ? o.oneHtml : o.nounHtml),
                                {sticky: true})
                            .bindPopup(popup(j), {maxWidth: 380, maxHeight: 340})
                            .addTo(group);
                    }
                }
                // Markers are made when the layer is first shown: hidden week layers cost nothing at load.
                group.onAdd = function (map) {
                    if (!built) { built = true; build(); }
                    return onAdd.call(this, map);
                };
                return group;
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
        self.min_radius, self.max_radius = MIN_RADIUS, MAX_RADIUS

    def rows_js(self) -> str:
        """The row table as a JS object literal."""
        return js_json(self.table.payload())


class MarkerLayer(folium.FeatureGroup, RawMacroElement):
    """A layer of markers drawn in JS from :class:`~geoincidents.maps._data.Markers`, popups from ``rows``.

    The loop over the markers, the tooltip and the popup are the same for every kind of marker; a subclass
    says only how one marker is made: :meth:`marker_js` returns the body of a JS function of ``ll`` (the
    position), ``radius`` and ``color`` that returns the marker.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = {{ this.rows.get_name() }}_layer({{ this.records_js() }},
                {{ this.options_js() }}, function (ll, radius, color) { {{ this.marker_js() }} });
            {{ this.get_name() }}.giCount = {{ this.markers|length }};
        {% endmacro %}
        """
    )

    def __init__(
        self, markers: Markers, rows: PopupRows, *, name: str, show: bool = True, control: bool = True
    ):
        if not isinstance(rows, PopupRows):
            raise TypeError("rows must be a PopupRows element")
        if not isinstance(markers, Markers):
            raise TypeError("markers must be a Markers (from RowTable.markers)")
        # Leaflet's layer control shows the name as HTML: it is text here, escaped on the one path.
        super().__init__(name=esc(name), overlay=True, control=control, show=show)
        self.markers = markers
        self.rows = rows

    @property
    def records(self) -> list[list[Any]]:
        """What each marker shows (see :meth:`geoincidents.maps._data.RowTable.describe`)."""
        return self.rows.table.describe(self.markers)

    def records_js(self) -> str:
        """The marker columns as a JS object literal."""
        return js_json(self.rows.table.marker_js(self.markers))

    def options_js(self) -> str:
        """Size scale, popup limit and the count's noun (plain for popups, escaped for tooltips)."""
        noun = self.markers.noun
        one = noun[:-1] if noun.endswith("s") else noun
        return js_json(
            {"scale": self.markers.scale_max, "limit": self.markers.limit, "noun": noun, "one": one,
             "nounHtml": esc(noun), "oneHtml": esc(one)}
        )

    def marker_js(self) -> str:
        """The body of the JS function ``(ll, radius, color)`` that returns one marker."""
        raise NotImplementedError

    def _get_self_bounds(self) -> list[list[float | None]]:
        if not len(self.markers):
            return [[None, None], [None, None]]
        places = self.rows.table.places.iloc[np.asarray(self.markers.place)]
        lats, lons = places["lat"], places["lon"]
        return [[float(lats.min()), float(lons.min())], [float(lats.max()), float(lons.max())]]


class SiteMarkers(MarkerLayer):
    """A layer of circle markers, one per place.

    Parameters
    ----------
    markers : Markers
        The layer's markers, from :meth:`geoincidents.maps._data.RowTable.markers`.
    rows : PopupRows
        The map's shared places and popup rows (the same table as ``markers``).
    name : str
        Layer name in the LayerControl.
    show : bool, default True
        Shown when the map opens.
    control : bool, default True
        Listed in the LayerControl.

    Examples
    --------
    >>> import pandas as pd
    >>> from geoincidents.maps._data import Markers, RowTable
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(RowTable(pd.DataFrame())).add_to(m)
    >>> layer = SiteMarkers(Markers.empty(), rows, name="All weeks").add_to(m)
    >>> layer.records
    []
    """

    def __init__(
        self, markers: Markers, rows: PopupRows, *, name: str, show: bool = True, control: bool = True
    ):
        super().__init__(markers, rows, name=name, show=show, control=control)
        self._name = "SiteMarkers"

    def marker_js(self) -> str:
        return (
            'return L.circleMarker(ll, {radius: radius, color: "#1a1a1a", weight: 1, opacity: 0.9, '
            'fillColor: color, fillOpacity: 0.8, className: "gi-site"});'
        )
