"""Week layers and the time slider.

Every ISO week with attacks gets its own marker layer (hidden at first). The time slider is a small Leaflet
control written here (no plugin, no jQuery, so it works offline too): a range input whose position 0 shows
"All weeks" and position *i* shows only week *i*; buttons step and play through the weeks. The LayerControl's
check boxes follow, because Leaflet's layers control listens to layer add/remove events.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
from folium.template import Template

from ._html import RawMacroElement, js_json


class TimeSlider(RawMacroElement):
    """A control that shows one week layer at a time.

    Parameters
    ----------
    all_layer : folium.FeatureGroup
        Shown at position 0.
    week_layers : list of folium.FeatureGroup
        One per week, in order.
    labels : list of str
        Label per week layer (e.g. ``2023-W42 (16 Oct)``), shown next to the slider.
    all_label : str, default "All weeks"
        Label of position 0.
    position : str, default "bottomleft"
        Leaflet control corner.
    interval_ms : int, default 1200
        Delay between weeks when playing.

    Examples
    --------
    >>> m = folium.Map(tiles=None)
    >>> all_layer = folium.FeatureGroup(name="All weeks").add_to(m)
    >>> w = folium.FeatureGroup(name="2023-W42 (16 Oct)", show=False).add_to(m)
    >>> slider = TimeSlider(all_layer, [w], ["2023-W42 (16 Oct)"]).add_to(m)
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map, all, layers, labels) {
            var GiSlider = L.Control.extend({
                options: {position: {{ this.position|tojson }}},
                onAdd: function () {
                    var div = L.DomUtil.create("div", "gi-slider leaflet-bar");
                    var prev = L.DomUtil.create("button", "gi-prev", div);
                    prev.type = "button"; prev.title = "Previous week"; prev.textContent = "\\u25C0";
                    var input = L.DomUtil.create("input", "gi-range", div);
                    input.type = "range"; input.min = 0; input.max = layers.length;
                    input.step = 1; input.value = 0;
                    input.setAttribute("aria-label", "Week");
                    var next = L.DomUtil.create("button", "gi-next", div);
                    next.type = "button"; next.title = "Next week"; next.textContent = "\\u25B6";
                    var play = L.DomUtil.create("button", "gi-play", div);
                    play.type = "button"; play.title = "Play"; play.textContent = "Play";
                    var label = L.DomUtil.create("span", "gi-label", div);
                    var timer = null;
                    function show(i) {
                        i = Math.max(0, Math.min(layers.length, i));
                        input.value = i;
                        for (var k = 0; k < layers.length; k++) {
                            if (k !== i - 1 && map.hasLayer(layers[k])) { map.removeLayer(layers[k]); }
                        }
                        if (i === 0) { map.addLayer(all); }
                        else {
                            if (map.hasLayer(all)) { map.removeLayer(all); }
                            map.addLayer(layers[i - 1]);
                        }
                        label.textContent = labels[i];
                    }
                    function stop() {
                        if (timer) { clearInterval(timer); timer = null; play.textContent = "Play"; }
                    }
                    function current() { return parseInt(input.value, 10); }
                    L.DomEvent.on(input, "input change", function () { stop(); show(current()); });
                    L.DomEvent.on(prev, "click", function () { stop(); show(current() - 1); });
                    L.DomEvent.on(next, "click", function () { stop(); show(current() + 1); });
                    L.DomEvent.on(play, "click", function () {
                        if (timer) { stop(); return; }
                        play.textContent = "Pause";
                        if (parseInt(input.value, 10) >= layers.length) { show(0); }
                        timer = setInterval(function () {
                            var i = parseInt(input.value, 10) + 1;
                            if (i > layers.length) { stop(); return; }
                            show(i);
                        }, {{ this.interval_ms|tojson }});
                    });
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.disableScrollPropagation(div);
                    label.textContent = labels[0];
                    this.show = show;
                    return div;
                }
            });
            map.giSlider = new GiSlider().addTo(map);
        })({{ this._parent.get_name() }}, {{ this.all_layer.get_name() }},
           [{% for layer in this.week_layers -%}
                {{ layer.get_name() }}{% if not loop.last %}, {% endif %}
            {%- endfor %}],
           {{ this.labels_js() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        all_layer: folium.FeatureGroup,
        week_layers: Sequence[folium.FeatureGroup],
        labels: list[str],
        *,
        all_label: str = "All weeks",
        position: str = "bottomleft",
        interval_ms: int = 1200,
    ):
        if len(week_layers) != len(labels):
            raise ValueError("week_layers and labels must have the same length")
        if position not in ("topleft", "topright", "bottomleft", "bottomright"):
            raise ValueError(f"position must be a Leaflet corner, not {position!r}")
        if interval_ms <= 0:
            raise ValueError("interval_ms must be positive")
        super().__init__()
        self._name = "TimeSlider"
        self.all_layer = all_layer
        self.week_layers = list(week_layers)
        self.labels = [all_label, *labels]
        self.position = position
        self.interval_ms = int(interval_ms)

    def labels_js(self) -> str:
        """Labels as a JS array (position 0 is the all-weeks label)."""
        return js_json(self.labels)
