"""US/coalition strikes: a separate layer of dark diamonds (DivIcon with inline SVG, no marker images)."""

from __future__ import annotations

from typing import Any

from folium.template import Template

from .sites import MarkerLayer, PopupRows

STRIKE_COLOR = "#111111"


def diamond_svg(size: int = 14, color: str = STRIKE_COLOR) -> str:
    """Inline SVG of the strike symbol (a diamond), also used by the legend.

    Parameters
    ----------
    size : int, default 14
        Width and height in pixels.
    color : str, default STRIKE_COLOR
        Fill colour.

    Returns
    -------
    str
        ``<svg>`` markup.

    Examples
    --------
    >>> diamond_svg(10)[:4]
    '<svg'
    """
    if size <= 0:
        raise ValueError("size must be positive")
    h = size / 2
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" aria-hidden="true">'
        f'<polygon points="{h},1 {size - 1},{h} {h},{size - 1} 1,{h}" fill="{color}" stroke="#ffffff" '
        f'stroke-width="1.5"/></svg>'
    )


class StrikeMarkers(MarkerLayer):
    """A layer of strike diamonds, one per place, sized by the number of strikes.

    Parameters
    ----------
    records : list of list
        Marker records as for :class:`geoincidents.maps.sites.SiteMarkers` (the radius gives the icon size).
    rows : PopupRows
        Shared popup rows.
    name : str, default "US strikes"
        Layer name.
    show : bool, default True
        Shown when the map opens.

    Examples
    --------
    >>> import pandas as pd
    >>> from geoincidents.maps._data import RowTable
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(RowTable(pd.DataFrame())).add_to(m)
    >>> rec = [34.4, 40.9, 6.0, "#111", "Al-Qaim: 1 US strike", ["Al-Qaim", "Iraq", "1 US strike"], [], 1]
    >>> layer = StrikeMarkers([rec], rows).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup({});
            {{ this.get_name() }}.giCount = {{ this.records|length }};
            (function (group, data) {
                for (var i = 0; i < data.length; i++) {
                    (function (d) {
                        var s = Math.round(8 + d[2]);
                        var h = s / 2;
                        var svg = '<svg width="' + s + '" height="' + s + '" viewBox="0 0 '
                            + s + ' ' + s + '">'
                            + '<polygon points="' + h + ',1 ' + (s - 1) + ',' + h + ' ' + h + ',' + (s - 1)
                            + ' 1,' + h + '" fill="{{ this.color }}" stroke="#ffffff"'
                            + ' stroke-width="1.5"/></svg>';
                        L.marker([d[0], d[1]], {
                            icon: L.divIcon({className: "gi-strike", html: svg, iconSize: [s, s],
                                             iconAnchor: [h, h]}),
                            keyboard: true, riseOnHover: true
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
        self, records: list[list[Any]], rows: PopupRows, *, name: str = "US strikes", show: bool = True
    ):
        super().__init__(records, rows, name=name, show=show, control=True)
        self._name = "StrikeMarkers"
        self.color = STRIKE_COLOR
