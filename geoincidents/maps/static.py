"""A static map for slides: matplotlib, the country outlines, no tile server.

The same places as the interactive map (``geoincidents.maps._data.prepare``): one circle per attacked
site, sized by the number of attacks and coloured by country or weapon, strikes as black diamonds, countries
shaded by attack count with the interactive map's classes. Drawn on a :class:`matplotlib.figure.Figure` with
the Agg canvas (no pyplot); saved PNGs carry no software metadata, so the same input gives the same bytes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..charts import plain_text, save_figure
from ..style import OTHER_COLOR, UNKNOWN_COLOR, WEAPON_COLORS, WEAPON_LABELS, country_color, country_name
from ._data import marker_radius, prepare
from ._map import check_map_input
from .choropleth import ZERO_COLOR, class_breaks, fill_color, palette_for

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["static_map"]

_SUFFIXES = (".png", ".svg")
_LABELLED_SITES = 6
_STRIKE_COLOR = "#111111"


def static_map(
    joined: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    color_by: str = "country",
    countries: Any = None,
    size: tuple[float, float] = (11.0, 7.5),
    dpi: int = 150,
) -> Figure:
    """Draw the attacks on a static map (for slides), optionally saved as PNG or SVG.

    Parameters
    ----------
    joined : pandas.DataFrame or geopandas.GeoDataFrame
        The joined incident table, as for :func:`geoincidents.incident_map`.
    path : str or os.PathLike, optional
        Save there too (``.png`` or ``.svg``), atomically; the folder must exist.
    title : str, optional
        Title; default "Attacks on US and coalition forces, <first> – <last>".
    color_by : {"country", "weapon"}, default "country"
        Circle colour: the site's country or its most frequent weapon.
    countries : geopandas.GeoDataFrame, optional
        Outlines (``iso3``, ``name``, ``geometry``); default :func:`geoincidents.country_outlines`.
    size : (float, float), default (11, 7.5)
        Figure size in inches.
    dpi : int, default 150
        Resolution of a saved PNG.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: the outlines, the circles (a PathCollection per colour) and the strikes.

    Raises
    ------
    TypeError, ValueError
        On a bad argument or a table without ``date``/``event_type``.

    Examples
    --------
    >>> import geoincidents
    >>> joined = geoincidents.join_sites(geoincidents.example_incidents())
    >>> fig = static_map(joined)
    >>> fig.axes[0].get_title(loc="left").startswith("Attacks on US and coalition forces")
    True
    """
    check_map_input(joined, color_by=color_by, title=title)
    if path is not None and Path(path).suffix.lower() not in _SUFFIXES:
        raise ValueError(f"path must end in .png or .svg, not {Path(path).suffix or '(no suffix)'}")
    if not isinstance(dpi, int) or dpi < 10:
        raise ValueError("dpi must be an integer >= 10")
    if countries is None:
        from ..countries import country_outlines

        countries = country_outlines()

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    prep = prepare(joined)
    frame = prep.frame
    attacks = frame[frame["kind"] == "attack"]
    strikes = frame[frame["kind"] == "strike"]
    names = {str(k): str(v) for k, v in zip(countries["iso3"], countries["name"], strict=True)}

    fig = Figure(figsize=size, dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    hit = countries[countries["iso3"].astype(str).isin([k for k, v in prep.attacks_by_country.items() if v])]
    (west, east), (south, north) = _extent(frame, hit)
    breaks = class_breaks(max(prep.attacks_by_country.values(), default=0))
    shown = countries.cx[west - 5 : east + 5, south - 5 : north + 5]
    shown = shown.sort_values("iso3")
    fills = [fill_color(int(prep.attacks_by_country.get(str(c), 0)), breaks) for c in shown["iso3"]]
    shown.plot(ax=ax, color=fills, edgecolor="#7a7a7a", linewidth=0.6)
    ax.set_facecolor("#cfe3f0")

    places = _places(attacks, color_by)
    scale_max = int(places["count"].max()) if not places.empty else 1
    points_per_px = 72 / 100
    for color in sorted(set(places["color"])):
        part = places[places["color"] == color]
        ax.scatter(
            part["lon"],
            part["lat"],
            s=[(marker_radius(int(c), scale_max) * 2 * points_per_px) ** 2 for c in part["count"]],
            c=str(color),
            edgecolors="#1a1a1a",
            linewidths=0.6,
            alpha=0.85,
            zorder=3,
        )
    for row in places.head(_LABELLED_SITES).to_dict("records"):
        ax.annotate(
            f"{row['name']} ({int(row['count'])})",
            (float(row["lon"]), float(row["lat"])),
            xytext=(7, 5),
            textcoords="offset points",
            fontsize=8,
            color="#1a1a1a",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
        )
    if not strikes.empty:
        hits = strikes.groupby("place", sort=True).agg(lat=("lat", "first"), lon=("lon", "first"))
        ax.scatter(
            hits["lon"],
            hits["lat"],
            marker="D",
            s=38,
            c=_STRIKE_COLOR,
            edgecolors="white",
            linewidths=0.9,
            zorder=4,
        )

    handles: list[Any] = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=8,
            markerfacecolor=c,
            markeredgecolor="#1a1a1a",
            label=lab,
        )
        for lab, c in _legend_colors(places, color_by, names)
    ]
    if not strikes.empty:
        handles.append(
            Line2D(
                [],
                [],
                marker="D",
                linestyle="",
                markersize=6,
                markerfacecolor=_STRIKE_COLOR,
                markeredgecolor="white",
                label="US strike",
            )
        )
    handles += [
        Patch(facecolor=c, edgecolor="#7a7a7a", label=f"{lab} attacks in country")
        for lab, c in _classes(breaks)
    ]
    if handles:
        fig.legend(handles=handles, loc="outside right upper", fontsize=8, frameon=False)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    heading = title if title is not None else _default_title(prep.first, prep.last)
    ax.set_title(heading, loc="left", fontsize=13)
    note = "Circle area: attacks per site. Outlines: Natural Earth."
    if prep.unlocated:
        note += (
            f" {prep.unlocated} incident{'s' if prep.unlocated != 1 else ''} without a location not shown."
        )
    ax.text(
        1.0,
        -0.01,
        note,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=7,
        color="#555555",
    )
    plain_text(fig)  # names and titles from the data are text, never TeX math
    if path is not None:
        save_figure(fig, Path(path), dpi)
    return fig


def _places(attacks: pd.DataFrame, color_by: str) -> pd.DataFrame:
    """One row per attacked place: name, lat, lon, count, colour; most attacked first."""
    if attacks.empty:
        return pd.DataFrame(columns=["place", "name", "lat", "lon", "count", "color"])
    grouped = attacks.groupby("place", sort=True)
    out = grouped.agg(name=("place_name", "first"), lat=("lat", "first"), lon=("lon", "first"))
    out["count"] = grouped.size()
    column = "weapon" if color_by == "weapon" else "country"
    values = attacks[column].astype("string").fillna("")
    dominant = (
        pd.DataFrame({"place": attacks["place"], "value": values})
        .value_counts()
        .reset_index()
        .sort_values(["place", "count", "value"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("place")
        .set_index("place")["value"]
    )
    out["value"] = dominant
    if color_by == "weapon":
        out["color"] = [WEAPON_COLORS.get(v, OTHER_COLOR) if v else UNKNOWN_COLOR for v in out["value"]]
    else:
        out["color"] = [country_color(v) for v in out["value"]]
    out = out.reset_index()
    return out.sort_values(["count", "place"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _legend_colors(places: pd.DataFrame, color_by: str, names: dict[str, str]) -> list[tuple[str, str]]:
    seen = sorted(set(zip(places.get("value", []), places.get("color", []), strict=True)))
    out = []
    for value, color in seen:
        if color_by == "weapon":
            label = WEAPON_LABELS.get(value, "other weapon") if value else "unknown weapon"
        else:
            label = country_name(value, names) if value else "unknown country"
        out.append((label, color))
    return sorted(set(out))


def _classes(breaks: list[int]) -> list[tuple[str, str]]:
    out = [("0", ZERO_COLOR)]
    lower = 1
    for bound, color in zip(breaks, palette_for(breaks), strict=True):
        out.append((str(bound) if bound == lower else f"{lower}–{bound}", color))
        lower = bound + 1
    return out


def _extent(frame: pd.DataFrame, hit: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    """The data and the countries attacked (whole), with a margin; Iraq, Syria and Jordan when empty."""
    bounds = []
    if not frame.empty:
        bounds.append((frame["lon"].min(), frame["lat"].min(), frame["lon"].max(), frame["lat"].max()))
    if len(hit):
        bounds.append(tuple(hit.total_bounds))
    if not bounds:
        return (34.5, 48.8), (29.0, 37.5)
    west, south = min(float(b[0]) for b in bounds), min(float(b[1]) for b in bounds)
    east, north = max(float(b[2]) for b in bounds), max(float(b[3]) for b in bounds)
    pad = max(0.5, 0.04 * max(east - west, north - south))
    return (west - pad, east + pad), (south - pad, north + pad)


def _default_title(first: pd.Timestamp | None, last: pd.Timestamp | None) -> str:
    base = "Attacks on US and coalition forces"
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return base

    def fmt(d: pd.Timestamp) -> str:
        return f"{d.day} {d.strftime('%b %Y')}"

    return (
        f"{base}, {fmt(first)}"
        if first.normalize() == last.normalize()
        else f"{base}, {fmt(first)} – {fmt(last)}"
    )


