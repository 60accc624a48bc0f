"""US/coalition strikes: a separate layer of dark diamonds (DivIcon with inline SVG, no marker images)."""

from __future__ import annotations

from ..style import STRIKE_COLOR
from ._data import Markers
from .sites import MarkerLayer, PopupRows


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
    markers : Markers
        As for :class:`geoincidents.maps.sites.SiteMarkers` (the radius gives the icon size).
    rows : PopupRows
        Shared popup rows.
    name : str, default "US strikes"
        Layer name.
    show : bool, default True
        Shown when the map opens.

    Examples
    --------
    >>> import folium, pandas as pd
    >>> from geoincidents.maps._data import Markers, RowTable
    >>> m = folium.Map(tiles=None)
    >>> rows = PopupRows(RowTable(pd.DataFrame())).add_to(m)
    >>> layer = StrikeMarkers(Markers.empty("US strikes"), rows).add_to(m)
    """

    def __init__(
        self, markers: Markers, rows: PopupRows, *, name: str = "US strikes", show: bool = True
    ):
        super().__init__(markers, rows, name=name, show=show, control=True)
        self._name = "StrikeMarkers"
        self.color = STRIKE_COLOR

    def marker_js(self) -> str:
        # A diamond sized by the record's radius; the colour is a constant of ours, never data.
        return (
            "var s = Math.round(8 + radius); var h = s / 2;"
            " var svg = '<svg width=\"' + s + '\" height=\"' + s + '\" viewBox=\"0 0 ' + s + ' ' + s + '\">'"
            " + '<polygon points=\"' + h + ',1 ' + (s - 1) + ',' + h + ' ' + h + ',' + (s - 1) + ' 1,' + h"
            f" + '\" fill=\"{self.color}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/></svg>';"
            ' return L.marker(ll, {icon: L.divIcon({className: "gi-strike", html: svg,'
            " iconSize: [s, s], iconAnchor: [h, h]}), keyboard: true, riseOnHover: true});"
        )
