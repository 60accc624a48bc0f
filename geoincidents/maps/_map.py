"""Compose the incident map from the feature modules and save it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import pandas as pd
from branca.element import Figure

from .._files import atomic_path
from ..schema import ATTACK_EVENT_TYPES
from ..style import OTHER_COLOR, UNKNOWN_COLOR, WEAPON_COLORS, WEAPON_LABELS, country_color, country_name
from ._data import Markers, RowTable, marker_radius, prepare, week_label
from ._figure import MapFigure, render_figure
from ._html import esc
from ._ids import assign_ids
from .choropleth import CountryChoropleth
from .legend import Legend, MapTitle, PageStyle
from .sites import PopupRows, SiteMarkers
from .strikes import StrikeMarkers
from .weeks import TimeSlider

DEFAULT_TITLE = "Attacks on US and coalition forces"
# Iraq, Syria and Jordan: the view when nothing can be drawn.
REGION_BOUNDS = [[29.0, 34.5], [37.5, 48.8]]
POPUP_LIMIT = 15


def incident_map(
    joined: pd.DataFrame,
    *,
    by: str = "week",
    color_by: str = "country",
    offline: bool = False,
    time_slider: bool = False,
    point_mode: str = "site",
    title: str | None = None,
    countries: Any = None,
    tiles: Any = "OpenStreetMap",
    attr: str | None = None,
    popup_limit: int = POPUP_LIMIT,
    gazetteer: Any = None,
    layer_control: bool = True,
    event_types: Sequence[str] | None = None,
) -> folium.Map:
    """Map attacks on US/coalition forces per site, with week (or country) layers, strikes and a choropleth.

    Parameters
    ----------
    joined : pandas.DataFrame or geopandas.GeoDataFrame
        The joined incident table (see DEVELOPERS.md): incident columns plus ``site_id``, ``site_name`` and a
        point ``geometry`` (EPSG:4326). Attacks are ``event_type`` ``attack`` and ``interception``; ``strike``
        rows are drawn as US strikes; other rows are ignored.
    by : {"week", "country"}, default "week"
        Split the attack markers into one hidden layer per ISO week (``2023-W42 (16 Oct)``) or per country,
        next to an "All weeks"/"All countries" layer shown by default.
    color_by : {"country", "weapon"}, default "country"
        Circle colour: the site's country or its most frequent weapon.
    offline : bool, default False
        One self-contained file: Leaflet inlined, no tiles, the country outlines as the base layer. What a
        caller adds later is inlined too when saved (folium's JS/CSS and plugins from Python packages), or
        saving raises :class:`OfflineAssetError` listing what would load from the network.
    time_slider : bool, default False
        Add a slider (and play button) showing one week at a time. Works offline too.
    point_mode : {"site", "point"}, default "site"
        ``"site"`` groups incidents by matched site (rounded point when there is none); ``"point"``
        groups every incident by its own point rounded to 3 decimals (site point when it had no coordinates).
    title : str, optional
        Title; default "Attacks on US and coalition forces, <first> – <last>".
    countries : geopandas.GeoDataFrame, optional
        Country outlines (``iso3``, ``name``, ``geometry``); default
        :func:`geoincidents.countries.country_outlines`.
    gazetteer : Gazetteer, optional
        Where site markers are drawn: at the gazetteer's point of each site (default: the bundled
        gazetteer); a site it lacks is drawn at the median of its incidents' points.
    tiles : str, xyzservices.TileProvider, folium.TileLayer or None, default "OpenStreetMap"
        Tiles online: a provider name folium knows, an ``xyzservices`` provider, a tile layer or a URL
        template such as ``"https://tiles.example.org/{z}/{x}/{y}.png"`` (then ``attr`` is required).
        Ignored (no tiles) offline.
    attr : str, optional
        Attribution shown for ``tiles`` given as a URL (HTML, as folium expects).
    popup_limit : int, default 15
        Most incidents listed in one popup (newest first); the rest are counted.
    layer_control : bool, default True
        Add a layer control (it lists every layer, those added after this call too: it is placed last when
        the map is rendered). With False, add your own, e.g. ``folium.LayerControl().add_to(m)``, at any
        point.
    event_types : sequence of str, optional
        The ``event_type`` values drawn as circles (default: attacks on US/coalition forces,
        :data:`geoincidents.schema.ATTACK_EVENT_TYPES`), e.g. ``["other_conflict_event"]`` for the other
        events of an ACLED export; tooltips then count "events". Strikes are diamonds unless listed here.

    Returns
    -------
    folium.Map
        Add anything with folium's API before saving (``save_map``, ``m.save`` or display in Jupyter).
        Element ids are numbered deterministically: the same input gives byte-identical HTML, and saving
        twice gives the same bytes.

    Raises
    ------
    TypeError, ValueError
        On a bad argument or a table without ``date``/``event_type`` or with unparseable dates.

    Examples
    --------
    >>> import geopandas, shapely
    >>> joined = geopandas.GeoDataFrame({
    ...     "incident_id": ["a"], "date": pd.to_datetime(["2023-10-17"]), "event_type": ["attack"],
    ...     "country": ["IRQ"], "site_id": ["ain-al-asad"], "site_name": ["Ain al-Asad"],
    ...     "weapon": ["rocket"]},
    ...     geometry=[shapely.Point(42.44, 33.79)], crs="EPSG:4326")
    >>> outlines = geopandas.GeoDataFrame({"iso3": ["IRQ"], "name": ["Iraq"]},
    ...     geometry=[shapely.box(39, 29, 48, 37)], crs="EPSG:4326")
    >>> m = incident_map(joined, countries=outlines, offline=True)
    >>> isinstance(m, folium.Map)
    True
    """
    check_map_input(joined, color_by=color_by, title=title)
    if by not in ("week", "country"):
        raise ValueError(f"by must be 'week' or 'country', not {by!r}")
    if point_mode not in ("site", "point"):
        raise ValueError(f"point_mode must be 'site' or 'point', not {point_mode!r}")
    if not isinstance(popup_limit, int) or popup_limit < 1:
        raise ValueError("popup_limit must be a positive integer")
    if attr is not None and not isinstance(attr, str):
        raise TypeError("attr must be a string or None")
    if isinstance(tiles, str) and "{" in tiles and not attr and not offline:
        raise ValueError(f"tiles {tiles!r} is a URL template: pass its attribution too, e.g. attr='© ...'")
    if countries is None:
        from ..countries import country_outlines

        countries = country_outlines()

    circles = ATTACK_EVENT_TYPES if event_types is None else tuple(event_types)
    prep = prepare(joined, point_mode=point_mode, gazetteer=gazetteer, event_types=circles)
    noun = "attacks" if set(circles) <= set(ATTACK_EVENT_TYPES) else "events"
    names = {str(k): str(v) for k, v in zip(countries["iso3"], countries["name"], strict=True)}
    frame = prep.frame
    attacks = frame[frame["kind"] == "attack"]
    strikes = frame[frame["kind"] == "strike"]

    m = folium.Map(
        location=_center(frame),
        zoom_start=6,
        tiles=None if offline else tiles,
        attr=attr,
        control_scale=True,
    )
    if offline or tiles is None:
        m.options["max_zoom"] = 18  # a tile layer would give it; marker clusters need one
    MapFigure(offline=offline).add_child(m)  # renders layer controls last, repeatably, with the assets needed
    PageStyle().add_to(m)
    choropleth = CountryChoropleth(
        countries, prep.attacks_by_country, overlay=not offline, noun=noun[:-1],
        **({} if noun == "attacks" else {"name": "Events by country"}),
    )
    choropleth.add_to(m)
    table = RowTable(frame, country_names=names)
    rows = PopupRows(table)
    rows.add_to(m)

    def records(part: pd.DataFrame, keys: list[str], noun: str, scale: int, color: str = color_by) -> dict:
        return table.markers(part, keys, color_by=color, scale_max=scale, limit=popup_limit, noun=noun)

    # One size scale for all attack layers, so a week's circles compare with the whole period's.
    scale_max = int(attacks.groupby("place").size().max()) if not attacks.empty else 1
    all_records = records(attacks, [], noun, scale_max).get((), Markers.empty(noun))
    all_name = "All weeks" if by == "week" else "All countries"
    all_layer = SiteMarkers(all_records, rows, name=all_name, show=True)
    all_layer.add_to(m)

    week_layers: list[SiteMarkers] = []
    week_labels = [week_label(w, s) for w, s in prep.weeks]
    if by == "week" or time_slider:
        per_week = records(attacks, ["week"], noun, scale_max)
        for (week, _start), label in zip(prep.weeks, week_labels, strict=True):
            layer = SiteMarkers(
                per_week.get((week,), Markers.empty(noun)), rows, name=label, show=False, control=by == "week"
            )
            layer.add_to(m)
            week_layers.append(layer)
    if by == "country":
        per_country = records(attacks, ["country"], noun, scale_max)
        for key in sorted(per_country, key=lambda k: country_name(k[0], names)):
            SiteMarkers(per_country[key], rows, name=country_name(key[0], names), show=False).add_to(m)

    if not strikes.empty:
        strike_max = int(strikes.groupby("place").size().max())
        strike_records = records(strikes, [], "US strikes", strike_max, "country")[()]
        StrikeMarkers(strike_records, rows, name="US strikes").add_to(m)

    if time_slider and week_layers:
        TimeSlider(all_layer, week_layers, week_labels, all_label=all_name).add_to(m)

    colors, color_title = _legend_colors(attacks, color_by, names)
    steps = (1, max(1, round(scale_max / 4)), scale_max)
    sizes = sorted({(c, marker_radius(c, scale_max)) for c in steps})[::-1]
    Legend(
        colors,
        color_title,
        sizes if not attacks.empty else [],
        not strikes.empty,
        choropleth.legend_classes(),
        prep.unlocated,
    ).add_to(m)
    text = title if title is not None else _default_title(prep.first, prep.last)
    MapTitle(text).add_to(m)
    m.get_root().title = esc(text)  # type: ignore[attr-defined]  # branca's Figure puts the title in <title> unescaped
    if layer_control:
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
    # Keep the data clear of the title (top) and the legend (bottom right).
    m.fit_bounds(_bounds(frame), padding_top_left=(40, 60), padding_bottom_right=(300, 40), max_zoom=9)
    assign_ids(m.get_root())
    return m


def check_map_input(joined: Any, *, color_by: str, title: Any) -> None:
    """The checks every map of the joined table starts with (interactive or static).

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, a table without ``date``/``event_type``, a bad ``color_by`` or ``title``.

    Examples
    --------
    >>> check_map_input(pd.DataFrame({"date": [], "event_type": []}), color_by="site", title=None)
    Traceback (most recent call last):
    ...
    ValueError: color_by must be 'country' or 'weapon', not 'site'
    """
    if not isinstance(joined, pd.DataFrame):
        raise TypeError(f"joined must be a (Geo)DataFrame, not {type(joined).__name__}")
    missing = {"date", "event_type"} - set(joined.columns)
    if missing:
        raise ValueError(f"joined lacks required columns {sorted(missing)}")
    if color_by not in ("country", "weapon"):
        raise ValueError(f"color_by must be 'country' or 'weapon', not {color_by!r}")
    if title is not None and not isinstance(title, str):
        raise TypeError("title must be a string or None")


def save_map(m: folium.Map, path: str | os.PathLike[str]) -> Path:
    """Write the map's HTML (UTF-8) atomically: to a temporary file in the same folder, then renamed.

    Layer controls are placed after everything added to the map; saving twice gives the same bytes. An
    offline map from :func:`incident_map` inlines every asset it needs or raises
    :class:`OfflineAssetError` naming the URLs it cannot inline.

    Parameters
    ----------
    m : folium.Map
        A map, usually from :func:`incident_map`.
    path : str or os.PathLike
        Target file; its folder must exist.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OfflineAssetError
        For an offline map holding something that would load from the network.

    Examples
    --------
    >>> import tempfile, folium
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = save_map(folium.Map(tiles=None), Path(d) / "map.html")
    ...     out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    if not isinstance(m, folium.Map):
        raise TypeError(f"m must be a folium.Map, not {type(m).__name__}")
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"folder {path.parent} does not exist")
    root = m.get_root()
    if not isinstance(root, Figure):
        root = Figure()
        root.add_child(m)
    html = root.render() if isinstance(root, MapFigure) else render_figure(root)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8", newline="\n")
    return path


def _legend_colors(
    attacks: pd.DataFrame, color_by: str, names: dict[str, str]
) -> tuple[list[tuple[str, str]], str]:
    if attacks.empty:
        return [], color_by
    if color_by == "weapon":
        weapons = attacks["weapon"]
        present = {str(w) for w in weapons.dropna().unique()}
        if weapons.isna().any():
            present.add("unknown")
        out = [(WEAPON_LABELS[w], c) for w, c in WEAPON_COLORS.items() if w in present]
        if present - set(WEAPON_COLORS):
            out.append(("other weapon", OTHER_COLOR))
        return out, "dominant weapon"
    countries = attacks["country"]
    found = {str(c) for c in countries.dropna().unique()} | ({""} if countries.isna().any() else set())
    codes = sorted(found, key=lambda c: country_name(c, names))
    out = []
    for code in codes:
        if not code:
            out.append(("unknown country", UNKNOWN_COLOR))
        else:
            out.append((country_name(code, names), country_color(code)))
    return out, "country"


def _default_title(first: pd.Timestamp | None, last: pd.Timestamp | None) -> str:
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return DEFAULT_TITLE

    def fmt(d: pd.Timestamp) -> str:
        return f"{d.day} {d.strftime('%b %Y')}"

    span = fmt(first) if first.normalize() == last.normalize() else f"{fmt(first)} – {fmt(last)}"
    return f"{DEFAULT_TITLE}, {span}"


def _bounds(frame: pd.DataFrame) -> list[list[float]]:
    if frame.empty:
        return REGION_BOUNDS
    south, north = float(frame["lat"].min()), float(frame["lat"].max())
    west, east = float(frame["lon"].min()), float(frame["lon"].max())
    # A single place would zoom to the street level; show its surroundings instead.
    pad = 0.5 if (north - south) < 0.5 and (east - west) < 0.5 else 0.0
    return [[round(south - pad, 5), round(west - pad, 5)], [round(north + pad, 5), round(east + pad, 5)]]


def _center(frame: pd.DataFrame) -> list[float]:
    (s, w), (n, e) = _bounds(frame)
    return [round((s + n) / 2, 5), round((w + e) / 2, 5)]
