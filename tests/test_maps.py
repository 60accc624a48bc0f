"""Maps and charts without a browser: escaping, reproducibility, offline assets, layers, size, charts."""

from __future__ import annotations

import re

import folium
import pandas as pd
import pytest

from geoincidents.charts import weekly_chart
from geoincidents.maps import incident_map, save_map
from geoincidents.maps._html import esc, js_json, safe_url, source_items
from geoincidents.maps.sites import PopupRows, SiteMarkers
from geoincidents.maps.strikes import StrikeMarkers
from geoincidents.maps.weeks import TimeSlider
from tests.map_data import box_outlines, make_joined, realistic_rows, src, synthetic_joined

# Sites with attacks in realistic_rows(): ten gazetteer sites plus one own point (Erbil outskirts).
N_ATTACK_PLACES = 11
WEEK_LAYERS = ["2023-W42 (16 Oct)", "2023-W43 (23 Oct)", "2023-W44 (30 Oct)", "2023-W45 (6 Nov)"]
XSS_NOTE = (
    '<script>alert(1)</script> <img src=x onerror="alert(2)"> ${alert(3)} `x` \\u0041 {{ "pwn" ~ "ed" }}'
)


@pytest.fixture(scope="module")
def joined():
    return make_joined(realistic_rows())


@pytest.fixture(scope="module")
def outlines():
    return box_outlines()


def _html(m: folium.Map) -> str:
    return m.get_root().render()


def _layers(m: folium.Map, cls: type = folium.FeatureGroup) -> dict[str, folium.FeatureGroup]:
    return {c.layer_name: c for c in m._children.values() if isinstance(c, cls)}


XSS_PLACE = '<img src=x onerror="alert(8)">Outpost'
XSS_SITE = "Base <svg onload=alert(9)>"


def _xss_joined():
    rows = realistic_rows()[:3]
    rows[0] = dict(
        rows[0],
        notes=XSS_NOTE,
        sources=src("Evil <b>Pub</b>", "javascript:alert(4)"),
        claimed_by='"><svg onload=alert(5)>',
    )
    rows[1] = dict(rows[1], sources=src("Data", "data:text/html,<script>alert(6)</script>"))
    rows[2] = dict(rows[2], sources=src("Rel", "/relative/path"))
    # A place named by its location (own point, no site) and a site whose name carries markup.
    rows.append(dict(date="2023-10-20", event_type="attack", lat=35.5, lon=41.5, location=XSS_PLACE))
    joined = make_joined(rows)
    joined.loc[joined["site_id"] == "erbil-airbase", "site_name"] = XSS_SITE
    return joined


def _popup_table(m: folium.Map) -> dict:
    (rows,) = [c for c in m._children.values() if isinstance(c, PopupRows)]
    return rows.table.payload()


# --- escaping ----------------------------------------------------------------------


def test_safe_url_accepts_only_absolute_http_urls():
    assert safe_url("https://www.fdd.org/x?a=1") == "https://www.fdd.org/x?a=1"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,x",
        "/relative",
        "//example.org/x",
        "https://",
        "ftp://example.org",
        None,
        pd.NA,
        3,
    ):
        assert safe_url(bad) is None, bad


def test_esc_neutralises_markup_and_template_syntax():
    assert esc('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert esc("{{ x }}") == "&#123;&#123; x &#125;&#125;"


def test_source_items_link_only_safe_urls():
    assert source_items(src("A <b>", "https://a.org/?q=1&r=2", "2023-10-24")) == [
        ["A <b>", "https://a.org/?q=1&r=2", "2023-10-24"]
    ]
    for bad in ("javascript:alert(1)", "data:text/html,x", "/relative", "java\tscript:x"):
        assert source_items(src("P", bad, "")) == [["P (" + bad + ")", "", ""]]
    assert source_items("not json <i>") == [["not json <i>", "", ""]]
    assert source_items(None) == [] and source_items("[]") == []
    assert source_items('[{"url": "https://x.org/"}, 3, {}]') == [
        ["https://x.org/", "https://x.org/", ""],
        ["3", "", ""],
    ]


def test_js_json_cannot_leave_the_script_or_a_string():
    text = js_json(["</script><!--", "${x}`", "a'b&c", "\u2028"])
    for bad in ("<", ">", "`", "$", "'", "&", "\u2028"):
        assert bad not in text, bad
    import json

    assert json.loads(text) == ["</script><!--", "${x}`", "a'b&c", "\u2028"]


def test_incident_text_is_escaped_in_the_html(outlines):
    m = incident_map(_xss_joined(), countries=outlines, tiles=None, title="</title><script>alert(7)</script>")
    html = _html(m)
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>Pub", "${alert(3)}", "`x`"):
        assert raw not in html, raw
    assert not re.search(r'href=\\?"(javascript|data|/relative)', html)
    assert "pwned" not in html  # branca re-parses macro output as Jinja: data must not be evaluated
    assert "&lt;/title&gt;&lt;script&gt;alert(7)" in html
    assert "<a " not in html  # links are made in the browser, and only for http(s) URLs

    # Tooltips are HTML (Leaflet sets innerHTML): escaped, and JSON-escaped markup never appears in them.
    tips = [r[4] for layer in _layers(m, SiteMarkers).values() for r in layer.records]
    assert "&lt;img src=x onerror=&quot;alert(8)&quot;&gt;Outpost: 1 attack" in tips
    assert "Base &lt;svg onload=alert(9)&gt;: 1 attack" in tips
    assert not any("<" in t or ">" in t or "`" in t or "$" in t for t in tips)

    # Popups are data, built with textContent: the table holds the plain text, unsafe URLs have no href.
    table = _popup_table(m)
    assert XSS_NOTE in table["note"]
    assert 'claimed by "><svg onload=alert(5)> (claimed)' in table["claim"]
    sources = [item for items in table["src"] for item in items]
    assert ["Evil <b>Pub</b> (javascript:alert(4))", "", "2023-10-24"] in sources
    assert ["Data (data:text/html,<script>alert(6)</script>)", "", "2023-10-24"] in sources
    assert ["Rel (/relative/path)", "", "2023-10-24"] in sources
    assert {href for _, href, _ in sources} == {"", "https://www.fdd.org/analysis/x"}  # the added row's
    heads = [r[5] for layer in _layers(m, SiteMarkers).values() for r in layer.records]
    assert [XSS_PLACE, "Iraq", "1 attack"] in heads and XSS_SITE in {h[0] for h in heads}
    script = html[html.index("_popup(d, j, o) {") :]
    script = script[: script.index("</script>")]
    assert "innerHTML" not in script and "textContent" in script
    assert "insertAdjacentHTML" not in script and "outerHTML" not in script


def test_popup_rows_hold_the_incident_details(joined, outlines):
    m = incident_map(joined, countries=outlines)
    table = _popup_table(m)
    ain = _layers(m, SiteMarkers)["All weeks"].records
    (record,) = [r for r in ain if r[4].startswith("Ain al-Asad Air Base")]
    assert record[5] == ["Ain al-Asad Air Base", "Iraq", "6 attacks"]
    cols = table["rows"]
    rows = [{k: cols[k][i] for k in cols} for i in record[6]]
    dates = [table["date"][r["d"]] for r in rows]
    assert dates == ["2023-11-06", "2023-10-30", "2023-10-24", "2023-10-21", "2023-10-18", "2023-10-17"]
    oldest = rows[-1]
    assert table["what"][oldest["w"]] == "one-way drone · intercepted"
    assert table["claim"][oldest["c"]] == "claimed by Islamic Resistance in Iraq (claimed)"
    assert table["cas"][oldest["x"]] == [0, 0]
    assert table["note"][oldest["n"]] == "Two drones shot down near the base."
    assert table["src"][oldest["s"]] == [["FDD", "https://www.fdd.org/analysis/x", "2023-10-24"]]
    assert table["cas"][rows[1]["x"]] == [-1, -1]  # casualties not reported
    assert table["note"][rows[1]["n"]] == ""  # no note
    assert table["what"][rows[0]["w"]] == "indirect fire"
    # One row per incident however many layers list it (all weeks, its week).
    assert all(len(col) == 24 + 3 for col in cols.values())  # located attacks and strikes


# --- reproducibility ----------------------------------------------------------------------


@pytest.mark.parametrize("options", [{}, {"offline": True, "time_slider": True, "by": "country"}])
def test_same_input_gives_byte_identical_html(joined, outlines, options, tmp_path):
    first = save_map(incident_map(joined, countries=outlines, **options), tmp_path / "a.html").read_bytes()
    # Shuffled rows and a rebuilt frame must not change the output either.
    again = make_joined(realistic_rows()).sample(frac=1.0, random_state=3)
    second = save_map(incident_map(again, countries=outlines, **options), tmp_path / "b.html").read_bytes()
    assert first == second
    assert not re.search(rb"[0-9a-f]{32}", first)  # no uuid-style ids left


def test_save_map_writes_atomically_and_numbers_late_elements(joined, outlines, tmp_path):
    m = incident_map(joined, countries=outlines)
    folium.Marker([33.0, 44.0]).add_to(m)  # added after incident_map: random id until saved
    out = save_map(m, tmp_path / "map.html")
    assert out == tmp_path / "map.html"
    assert [p.name for p in tmp_path.iterdir()] == ["map.html"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"[0-9a-f]{32}", text)
    with pytest.raises(FileNotFoundError):
        save_map(m, tmp_path / "missing" / "map.html")


# --- offline ----------------------------------------------------------------------


def test_offline_html_loads_nothing_from_the_network(joined, outlines):
    html = _html(incident_map(joined, countries=outlines, offline=True, time_slider=True))
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert not re.search(r"<link\b", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "{z}" not in html and "tile.openstreetmap" not in html and "cdn.jsdelivr" not in html
    assert "images/" not in html  # Leaflet's CSS images are data: URIs
    # Remaining URLs are inert: the SVG namespace and links inside leaflet.js, and the data's own link.
    hosts = set(re.findall(r"https?://([^/\"'\\\s)]+)", html))
    assert hosts <= {"www.w3.org", "leafletjs.com", "bugzilla.mozilla.org", "www.fdd.org"}, hosts
    assert "L.version" in html or '"1.9.3"' in html  # Leaflet itself is inlined
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_online_html_loads_only_leaflet(joined, outlines):
    html = _html(incident_map(joined, countries=outlines))
    scripts = re.findall(r'<script src="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert scripts == ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"]
    assert styles == ["https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"]
    assert "tile.openstreetmap.org" in html


# --- content ----------------------------------------------------------------------


def test_one_marker_per_place_with_attacks(joined, outlines):
    m = incident_map(joined, countries=outlines)
    all_weeks = _layers(m, SiteMarkers)["All weeks"]
    assert len(all_weeks.records) == N_ATTACK_PLACES
    by_name = {r[4].split(":")[0]: r for r in all_weeks.records}
    assert by_name["Ain al-Asad Air Base"][4] == "Ain al-Asad Air Base: 6 attacks"
    assert len(by_name["Ain al-Asad Air Base"][6]) == 6  # all six listed in the popup
    assert by_name["Erbil city outskirts"][4] == "Erbil city outskirts: 1 attack"
    assert by_name["Ain al-Asad Air Base"][2] > by_name["Al-Harir Air Base"][2]  # sized by count
    assert f".giCount = {N_ATTACK_PLACES};" in _html(m)


def test_week_layers_are_named_and_hidden(joined, outlines):
    m = incident_map(joined, countries=outlines)
    layers = _layers(m)
    assert list(layers) == ["All weeks", *WEEK_LAYERS, "US strikes"]
    assert layers["All weeks"].show and layers["US strikes"].show
    assert not any(layers[name].show for name in WEEK_LAYERS)
    assert [len(layers[w].records) for w in WEEK_LAYERS] == [6, 6, 5, 5]
    html = _html(m)
    for name in ["All weeks", *WEEK_LAYERS, "US strikes", "Attacks by country"]:
        assert f'"{name}" :' in html  # in the LayerControl


def test_layers_by_country(joined, outlines):
    m = incident_map(joined, countries=outlines, by="country")
    layers = _layers(m, SiteMarkers)
    assert list(layers) == ["All countries", "Iraq", "Jordan", "Syria"]
    assert [len(layers[c].records) for c in ("Iraq", "Jordan", "Syria")] == [5, 1, 5]


def test_strikes_have_their_own_layer(joined, outlines):
    m = incident_map(joined, countries=outlines)
    strikes = _layers(m, StrikeMarkers)
    assert list(strikes) == ["US strikes"]
    assert sorted(r[4] for r in strikes["US strikes"].records) == [
        "Mayadin: 1 US strike",
        "near Abu Kamal: 1 US strike",
        "near Mayadin: 1 US strike",
    ]
    attack_points = {(r[0], r[1]) for layer in _layers(m, SiteMarkers).values() for r in layer.records}
    assert not attack_points & {(r[0], r[1]) for r in strikes["US strikes"].records}
    assert "gi-strike" in _html(m)


def test_legend_title_and_colors(joined, outlines):
    html = _html(incident_map(joined, countries=outlines, color_by="weapon"))
    assert "Attacks on US and coalition forces, 17 Oct 2023 – 12 Nov 2023" in html
    assert "1 incident without a location (not shown)" in html
    assert "Attacks by dominant weapon" in html and "one-way drone" in html
    m = incident_map(joined, countries=outlines, color_by="weapon")
    colors = {r[4].split(":")[0]: r[3] for r in _layers(m, SiteMarkers)["All weeks"].records}
    assert colors["Mission Support Site Euphrates"] == "#D55E00"  # rockets
    assert colors["Erbil Air Base"] == "#E69F00"  # two one-way drones beat one rocket
    assert colors["Ain al-Asad Air Base"] == "#E69F00"  # drone 2, rocket 2: ties go alphabetically


def test_time_slider_works_offline_and_with_country_layers(joined, outlines):
    for by in ("week", "country"):
        m = incident_map(joined, countries=outlines, offline=True, time_slider=True, by=by)
        sliders = [c for c in m._children.values() if isinstance(c, TimeSlider)]
        assert len(sliders) == 1 and sliders[0].labels == [
            "All weeks" if by == "week" else "All countries",
            *WEEK_LAYERS,
        ]
        assert all(not layer.control for layer in sliders[0].week_layers) == (by == "country")


def test_popups_are_capped_but_counts_are_not(outlines):
    rows = [dict(date=f"2023-10-{d:02d}", event_type="attack", site_id="al-tanf") for d in range(1, 31)]
    m = incident_map(make_joined(rows), countries=outlines, popup_limit=5)
    (record,) = _layers(m, SiteMarkers)["All weeks"].records
    assert record[4] == "Al-Tanf Garrison: 30 attacks"
    assert len(record[6]) == 5 and record[7] == 25
    # Only listed incidents reach the page: the 5 newest of each ISO week (Oct 1 is in W39, Oct 30 in W44),
    # which include the 5 newest overall.
    weeks = pd.Series(pd.to_datetime([r["date"] for r in rows])).dt.isocalendar().week
    assert len(_popup_table(m)["rows"]["d"]) == int(weeks.value_counts().clip(upper=5).sum()) == 22
    table = _popup_table(m)
    assert [table["date"][table["rows"]["d"][i]] for i in record[6]] == [
        f"2023-10-{d}" for d in (30, 29, 28, 27, 26)
    ]


def test_country_layers_list_the_newest_of_their_country(outlines):
    # One site attacked under two country labels on alternate days: a country layer's popup rows are not
    # next to each other in the page's order, so they are listed one by one.
    rows = [
        dict(date=f"2023-10-0{d}", event_type="attack", site_id="al-tanf", country="IRQ" if d % 2 else "SYR")
        for d in range(1, 7)
    ]
    m = incident_map(make_joined(rows), countries=outlines, popup_limit=2, by="country")
    table = _popup_table(m)
    layers = _layers(m, SiteMarkers)

    def dates(layer: str) -> list[str]:
        (record,) = layers[layer].records
        return [table["date"][table["rows"]["d"][i]] for i in record[6]]

    assert dates("All countries") == ["2023-10-06", "2023-10-05"]
    assert dates("Iraq") == ["2023-10-05", "2023-10-03"]
    assert dates("Syria") == ["2023-10-06", "2023-10-04"]
    assert [layers[c].records[0][7] for c in ("Iraq", "Syria")] == [1, 1]


@pytest.mark.parametrize(
    "kwargs", [{"by": "site"}, {"color_by": "claim"}, {"point_mode": "x"}, {"popup_limit": 0}]
)
def test_bad_arguments_raise(joined, outlines, kwargs):
    with pytest.raises(ValueError):
        incident_map(joined, countries=outlines, **kwargs)


def test_bad_input_raises(outlines):
    with pytest.raises(TypeError):
        incident_map([1, 2], countries=outlines)
    with pytest.raises(ValueError, match="event_type"):
        incident_map(pd.DataFrame({"date": []}), countries=outlines)


def test_empty_table_gives_a_map(outlines):
    html = _html(incident_map(make_joined(realistic_rows()).iloc[0:0], countries=outlines, offline=True))
    assert "Attacks on US and coalition forces</div>" in html


def test_100k_incidents_make_a_small_file(outlines, tmp_path):
    m = incident_map(synthetic_joined(100_000), countries=outlines, time_slider=True)
    size = save_map(m, tmp_path / "big.html").stat().st_size
    assert size < 5_000_000, size
    layers = _layers(m, SiteMarkers)
    assert len(layers["All weeks"].records) == 10
    assert len(layers) == 1 + 52


# --- charts ----------------------------------------------------------------------


def test_weekly_chart_png_and_svg(joined, tmp_path):
    fig = weekly_chart(joined, path=tmp_path / "w.png", title="Weekly attacks")
    assert (tmp_path / "w.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Weekly attacks"
    assert ax.get_xlabel() == "ISO week" and ax.get_ylabel() == "Attacks per week"
    assert [t.get_text() for t in ax.get_xticklabels()] == [w.split()[0] for w in WEEK_LAYERS]
    # Stacked: one container per country, one bar per week; heights add up to the attacks.
    assert [c.get_label() for c in ax.containers] == ["Iraq", "Syria", "Jordan"]
    assert all(len(c) == len(WEEK_LAYERS) for c in ax.containers)
    assert sum(bar.get_height() for c in ax.containers for bar in c) == 25
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Iraq", "Syria", "Jordan"]

    weekly_chart(joined, by="weapon", path=tmp_path / "a.svg")
    weekly_chart(joined, by="weapon", path=tmp_path / "b.svg")
    a = (tmp_path / "a.svg").read_bytes()
    assert a.startswith(b"<?xml") and b"<svg" in a
    assert a == (tmp_path / "b.svg").read_bytes()
    assert b"<dc:date>" not in a


def test_weekly_chart_default_title_and_bad_path(joined, tmp_path):
    fig = weekly_chart(joined)
    assert fig.axes[0].get_title(loc="left") == (
        "Attacks on US and coalition forces per week, 2023-W42 – 2023-W45"
    )
    with pytest.raises(ValueError, match=".png or .svg"):
        weekly_chart(joined, path=tmp_path / "chart.pdf")
    with pytest.raises(TypeError):
        weekly_chart("nope")  # type: ignore[arg-type]


def test_site_markers_stand_on_the_gazetteer_point_not_on_distance_matches():
    # Incidents matched to al-Tanf by distance keep their own points; the marker must stay on the site.
    import numpy as np

    from geoincidents import join_sites, load_gazetteer
    from geoincidents.maps._data import prepare

    site = load_gazetteer()["al-tanf-garrison"]
    incidents = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-10-19", "2023-10-23", "2023-10-24"]),
            "location": ["unnamed outpost", "unnamed outpost", "unnamed outpost"],
            "lat": site.lat + np.array([0.05, 0.06, 0.07]),
            "lon": site.lon + np.array([0.05, 0.06, 0.07]),
            "country": "SYR",
            "event_type": "attack",
        }
    )
    joined = join_sites(incidents, how="distance")
    assert set(joined["site_id"]) == {"al-tanf-garrison"}
    frame = prepare(joined).frame
    assert set(zip(frame["lat"], frame["lon"], strict=True)) == {(site.lat, site.lon)}


def test_other_event_types_can_be_drawn_as_circles():
    rows = [
        dict(date="2020-05-09", event_type="other_conflict_event", lat=36.5, lon=43.5, country="IRQ"),
        dict(date="2020-05-10", event_type="other_conflict_event", lat=35.0, lon=40.0, country="SYR"),
        dict(date="2020-05-11", event_type="attack", site_id="ain-al-asad-airbase"),
    ]
    joined = make_joined(rows)
    default = incident_map(joined, offline=True).get_root().render()
    assert default.count("events\\u003c") + default.count(": 1 event") == 0
    others = incident_map(joined, offline=True, event_types=["other_conflict_event"]).get_root().render()
    assert others.count(": 1 event") >= 2  # tooltips of the two other events, counted as events
    assert ": 1 attack" not in others  # the attack is not among the selected circles


def test_cli_map_with_another_event_type_draws_those_events(tmp_path):
    import geoincidents as gi
    from geoincidents.cli import main

    table = gi.read_incidents(
        pd.DataFrame(
            {
                "date": ["2020-05-09", "2020-05-10"],
                "location": ["Mosul", "Deir ez-Zor"],
                "lat": [36.34, 35.33],
                "lon": [43.13, 40.14],
                "country": ["IRQ", "SYR"],
                "event_type": ["other_conflict_event"] * 2,
            }
        )
    )
    source = gi.write_incidents(table, tmp_path / "events.csv")
    out = tmp_path / "events.html"
    assert (
        main(["map", str(source), "-o", str(out), "--offline", "--event-type", "other_conflict_event"]) == 0
    )
    html = out.read_text(encoding="utf-8")
    assert html.count(": 1 event") >= 2 and ": 1 attack" not in html


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_weekly_chart_shows_every_label_from_the_data_as_written(tmp_path, suffix):
    # matplotlib reads text between two "$" as TeX math (a "$\frac{1}$" made saving fail, "US$5 to $6" lost
    # its dollars) and leaves labels starting with "_" out of an automatic legend.
    names = ["US$5 to $6", "_hidden", "$\\frac{1}$", "rocket"]
    frame = make_joined([dict(date=f"2023-10-{17 + i}", event_type="attack", weapon=w) for i, w in
                         enumerate(names)])
    fig = weekly_chart(frame, by="weapon", title="Cost $x^2$", path=tmp_path / f"chart.{suffix}")
    assert (tmp_path / f"chart.{suffix}").stat().st_size > 0
    legend = fig.axes[0].get_legend()
    assert sorted(t.get_text() for t in legend.get_texts()) == sorted(names)
    assert len(legend.legend_handles) == len(fig.axes[0].containers) == 4
    texts = [*legend.get_texts(), fig.axes[0].title, fig.axes[0]._left_title]
    assert not any(t.get_parse_math() for t in texts)
