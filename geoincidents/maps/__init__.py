"""Folium maps of attacks on bases hosting US and coalition troops.

One feature per module, composed onto a :class:`folium.Map` by :func:`incident_map`:

- ``sites``: circle per site (size: count, colour: country or weapon) with tooltip and popup;
- ``weeks``: week layers and the time slider;
- ``choropleth``: countries shaded by attack count (the base layer offline);
- ``strikes``: US/coalition strikes as diamonds in their own layer;
- ``legend``: title, legend and CSS;
- ``static``: the same map drawn with matplotlib for slides (PNG/SVG, no tiles);
- ``_figure``: the page a map renders into (layer controls last, repeatable renders, the assets needed);
- ``_assets``: Leaflet or folium's JS/CSS from the CDN, or inlined from Python packages (offline);
  ``_ids``: deterministic ids;
  ``_html``: escaping and safe links; ``_data``: grouping the table into markers.
"""

from ._assets import OfflineAssetError
from ._map import incident_map, save_map
from .static import static_map

__all__ = ["OfflineAssetError", "incident_map", "save_map", "static_map"]
