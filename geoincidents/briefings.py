"""A one-file HTML briefing: title and date span, the map, the weekly chart, tables, reported totals, sources.

The page needs no network: the map is an offline :func:`geoincidents.incident_map` in an ``<iframe srcdoc>``
(its own page, so its CSS and scripts stay apart from the briefing's), the chart is
:func:`geoincidents.weekly_chart` as inline SVG, and the tables come from :func:`geoincidents.weekly_counts`,
:func:`geoincidents.site_counts` and :func:`geoincidents.reported_totals`. Every text taken from the data goes
through :func:`geoincidents.maps._html.esc` (the map's HTML too, as the ``srcdoc`` attribute value); only
``http(s)`` URLs become links. A print style sheet lays it out on A4 pages. The same input gives the same
bytes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ._files import atomic_path
from .aggregate import site_counts, weekly_counts
from .maps._html import esc, source_items
from .schema import ATTACK_EVENT_TYPES, STRIKE_EVENT_TYPES

__all__ = ["briefing"]

DEFAULT_TITLE = "Attacks on US and coalition forces"
SOURCES_LIMIT = 200
# Reported metrics that the incident table can be counted against, and how.
_COMPARABLE = {
    "attacks": "attacks",
    "injured": "injured",
    "deaths": "killed",
    "us_killed": "killed",
    "us_strikes": "strikes",
}
_METRIC_LABELS = {
    "attacks": "attacks",
    "injured": "injured",
    "deaths": "deaths",
    "us_killed": "US troops killed",
    "us_strikes": "US strikes",
}
# Inside the map's own page: on paper the controls would only cover the data.
_MAP_PRINT_CSS = (
    "@media print { .leaflet-control-layers, .leaflet-control-zoom, .gi-slider { display: none; } }"
)
_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1d;
  margin: 0 auto; max-width: 1100px; padding: 18px 24px 40px; }
h1 { font-size: 26px; margin: 0 0 2px; } h2 { font-size: 19px; margin: 26px 0 8px; }
.gi-span { color: #444; font-size: 17px; margin: 0 0 10px; }
.gi-keys { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 16px; padding: 0; list-style: none; }
.gi-keys li { background: #f2f4f7; border-radius: 6px; padding: 6px 12px; }
.gi-keys b { font-size: 19px; }
.gi-map { width: 100%; height: 560px; border: 1px solid #ccc; border-radius: 4px; display: block;
  box-sizing: border-box; }
.gi-chart svg { width: 100%; height: auto; display: block; }
figure { margin: 0; } figcaption { color: #555; font-size: 13px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 4px 0 8px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.gi-total td { font-weight: 600; border-top: 2px solid #999; }
.gi-note { color: #555; font-size: 13px; }
.gi-methods { background: #f7f7f2; border: 1px solid #ddd8c4; border-radius: 6px; padding: 4px 16px 10px;
  margin-top: 26px; }
.gi-methods h2 { margin-top: 12px; } .gi-methods ul { padding-left: 20px; margin: 6px 0; }
.gi-sources { font-size: 13.5px; padding-left: 22px; } .gi-sources li { margin-bottom: 2px; }
@page { size: A4; margin: 12mm 11mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; } h1 { font-size: 19pt; }
  .gi-map { height: 125mm; border-color: #999; }
  figure, .gi-methods, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .gi-sources a::after { content: " <" attr(href) ">"; color: #555; font-size: 8.5pt; word-break: break-all; }
}
"""


def briefing(
    joined: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    by: str = "country",
    totals: pd.DataFrame | None = None,
    map_options: dict[str, Any] | None = None,
    sources_limit: int = SOURCES_LIMIT,
) -> str:
    """Build a self-contained HTML briefing of the incidents (and write it when ``path`` is given).

    Parameters
    ----------
    joined : pandas.DataFrame or geopandas.GeoDataFrame
        The joined incident table (:func:`geoincidents.join_sites`). Attacks are ``event_type`` ``attack`` and
        ``interception``; ``strike`` rows are US strikes (mapped, never counted as attacks).
    path : str or os.PathLike, optional
        Write the page there (UTF-8, atomically); its folder must exist.
    title : str, optional
        Page title; default "Attacks on US and coalition forces".
    by : str, default "country"
        How the weekly chart and table are split (``"country"``, ``"weapon"``, ... as
        :func:`geoincidents.weekly_counts`).
    totals : pandas.DataFrame, optional
        Reported totals in the layout of :func:`geoincidents.reported_totals` (the default); an empty table
        leaves the comparison out.
    map_options : dict, optional
        More keyword arguments for :func:`geoincidents.incident_map` (the map is always offline).
    sources_limit : int, default 200
        Most sources listed (those cited by most incidents first); the rest are counted.

    Returns
    -------
    str
        The HTML page; the same input gives the same text.

    Raises
    ------
    TypeError, ValueError
        For a non-DataFrame, a table without ``date``/``event_type``/``site_id``, or bad options.

    Examples
    --------
    >>> import geoincidents
    >>> joined = geoincidents.join_sites(geoincidents.example_incidents())
    >>> page = briefing(joined, title="Weekly brief")
    >>> page.startswith("<!DOCTYPE html>"), "<svg" in page, "<iframe" in page
    (True, True, True)
    """
    if not isinstance(joined, pd.DataFrame):
        raise TypeError(f"joined must be a (Geo)DataFrame, not {type(joined).__name__}")
    missing = {"date", "event_type", "site_id"} - set(joined.columns)
    if missing:
        raise ValueError(f"joined lacks required columns {sorted(missing)}")
    if title is not None and not isinstance(title, str):
        raise TypeError("title must be a string or None")
    if totals is not None and not isinstance(totals, pd.DataFrame):
        raise TypeError("totals must be a DataFrame like reported_totals() or None")
    if map_options is not None and not isinstance(map_options, dict):
        raise TypeError("map_options must be a dict of incident_map keyword arguments")
    if map_options and "offline" in map_options:
        raise ValueError("map_options cannot set offline: a briefing's map is always offline")
    if not isinstance(sources_limit, int) or sources_limit < 0:
        raise ValueError("sources_limit must be an integer >= 0")
    target = Path(path) if path is not None else None
    if target is not None and not target.parent.is_dir():
        raise FileNotFoundError(f"folder {target.parent} does not exist")
    if totals is None:
        from .examples import reported_totals

        totals = reported_totals()

    dates = pd.to_datetime(joined["date"])
    attacks = joined[joined["event_type"].isin(ATTACK_EVENT_TYPES).to_numpy()]
    text = title if title is not None else DEFAULT_TITLE
    names = _country_names()
    body = [
        f"<header><h1>{esc(text)}</h1>",
        f'<p class="gi-span">{esc(_span(dates.min(), dates.max()))}</p>',
        _key_figures(joined, attacks),
        "</header>",
        _map_section(joined, text, map_options or {}),
        _chart_section(joined, by),
        _totals_section(joined, totals, names),
        _weekly_section(attacks, by, names),
        _site_section(joined, names),
        _methods_section(joined, attacks),
        _sources_section(joined, sources_limit),
    ]
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(text)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )
    if target is not None:
        with atomic_path(target) as tmp:
            tmp.write_text(page, encoding="utf-8", newline="\n")
    return page


# -- sections ------------------------------------------------------------------------------------------
def _key_figures(joined: pd.DataFrame, attacks: pd.DataFrame) -> str:
    strikes = int((joined["event_type"] == "strike").sum())
    sites = attacks["site_id"].dropna().nunique()
    items = [
        (len(attacks), "attack", "attacks"),
        (sites, "site attacked", "sites attacked"),
        (_casualty_sum(attacks, "injured"), "injured", "injured"),
        (_casualty_sum(attacks, "killed"), "killed", "killed"),
        (strikes, "US strike", "US strikes"),
    ]
    lis = "".join(f"<li><b>{n:,}</b> {esc(one if n == 1 else many)}</li>" for n, one, many in items)
    return f'<ul class="gi-keys">{lis}</ul>'


def _map_section(joined: pd.DataFrame, title: str, options: dict[str, Any]) -> str:
    from .maps import incident_map
    from .maps.legend import PageStyle

    m = incident_map(joined, offline=True, **{"title": title, **options})
    PageStyle(_MAP_PRINT_CSS).add_to(m)
    html = m.get_root().render()
    return (
        '<section id="map"><h2>Map</h2><figure>'
        f'<iframe class="gi-map" title="Map of the incidents" srcdoc="{esc(html)}"></iframe>'
        "<figcaption>Circles: attacks per site (size: number, colour: country); diamonds: US strikes; "
        "countries shaded by attacks. Layers and weeks can be switched in the map's control.</figcaption>"
        "</figure></section>"
    )


def _chart_section(joined: pd.DataFrame, by: str) -> str:
    from .charts import weekly_chart

    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "weekly.svg"
        weekly_chart(joined, by=by, path=chart)
        svg = chart.read_text(encoding="utf-8")
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and DOCTYPE (not allowed inside HTML)
    return (
        '<section id="chart"><h2>Attacks per week</h2><figure class="gi-chart">'
        f"{svg}<figcaption>Attacks and interceptions per ISO week (Monday to Sunday), by {esc(by)}."
        "</figcaption></figure></section>"
    )


def _totals_section(joined: pd.DataFrame, totals: pd.DataFrame, names: dict[str, str]) -> str:
    if totals.empty:
        return ""
    needed = {"as_of", "scope", "metric", "value", "period_start", "source_publisher"}
    if needed - set(totals.columns):
        raise ValueError(f"totals lacks columns {sorted(needed - set(totals.columns))}")
    rows = totals[totals["metric"].isin(list(_COMPARABLE))]
    rows = rows.sort_values(["as_of", "metric", "scope"], kind="stable")
    if rows.empty:
        return ""
    dates = pd.to_datetime(joined["date"])
    out = []
    for r in rows.to_dict("records"):
        as_of = pd.Timestamp(str(r["as_of"]))
        start = None if pd.isna(r["period_start"]) else pd.Timestamp(str(r["period_start"]))
        keep = (dates <= as_of).to_numpy().copy()
        if start is not None:
            keep &= (dates >= start).to_numpy()
        if str(r["scope"]) != "ALL" and "country" in joined:
            keep &= (joined["country"].astype("string") == str(r["scope"])).fillna(False).to_numpy()
        metric = str(r["metric"])
        mapped = _mapped(joined[keep], _COMPARABLE[metric])
        period = f"{_day(start)} – {_day(as_of)}" if start is not None else f"by {_day(as_of)}"
        notes = r.get("notes")
        note = f'<div class="gi-note">{esc(notes)}</div>' if notes is not None and not pd.isna(notes) else ""
        out.append(
            f"<tr><td>{esc(period)}</td><td>{esc(_country(str(r['scope']), names))}</td>"
            f"<td>{esc(_METRIC_LABELS[metric])}</td><td class=n>{esc(_number(r['value']))}</td>"
            f"<td class=n>{mapped:,}</td><td>{esc(r['source_publisher'])}{note}</td></tr>"
        )
    return (
        '<section id="totals"><h2>Reported totals and what is mapped</h2>'
        '<p class="gi-note">Official or press totals for a period, beside the incidents of this table in the '
        "same period and scope. A reported total counts events this table may not list one by one.</p>"
        "<table><thead><tr><th>period</th><th>scope</th><th>what</th><th class=n>reported</th>"
        "<th class=n>mapped</th><th>reported by</th></tr></thead><tbody>" + "".join(out) + "</tbody></table>"
        "</section>"
    )


def _weekly_section(attacks: pd.DataFrame, by: str, names: dict[str, str]) -> str:
    table = weekly_counts(attacks, by=by, fill=False)
    if table.empty:
        return '<section id="weeks"><h2>Attacks per week</h2><p>No attacks in the table.</p></section>'
    group = [c for c in table.columns if c not in ("week_start", "week", "count", "injured", "killed")][0]
    label = (lambda g: _country(g, names)) if group == "country" else str
    weeks: dict[str, dict[str, Any]] = {}
    per_group: dict[str, int] = {}
    for r in table.to_dict("records"):
        week = weeks.setdefault(
            str(r["week"]), {"start": r["week_start"], "groups": {}, "count": 0, "injured": 0, "killed": 0}
        )
        week["groups"][str(r[group])] = week["groups"].get(str(r[group]), 0) + int(r["count"])
        per_group[str(r[group])] = per_group.get(str(r[group]), 0) + int(r["count"])
        for key in ("count", "injured", "killed"):
            week[key] += int(r[key])
    groups = sorted(per_group, key=lambda g: (-per_group[g], g))
    head = "".join(f"<th class=n>{esc(label(g))}</th>" for g in groups)

    def numbers(values: list[int]) -> str:
        return "".join(f"<td class=n>{v:,}</td>" for v in values)

    rows = [
        f"<tr><td>{esc(name)}</td><td>{esc(_day(w['start']))}</td>"
        + numbers([w["groups"].get(g, 0) for g in groups] + [w["count"], w["injured"], w["killed"]])
        + "</tr>"
        for name, w in sorted(weeks.items(), key=lambda kv: kv[1]["start"])
    ]
    all_weeks = [sum(w[key] for w in weeks.values()) for key in ("count", "injured", "killed")]
    rows.append(
        '<tr class="gi-total"><td>all weeks</td><td></td>'
        + numbers([per_group[g] for g in groups] + all_weeks)
        + "</tr>"
    )
    return (
        '<section id="weeks"><h2>Attacks per week</h2>'
        '<p class="gi-note">Weeks with at least one attack; injured and killed as reported '
        "(unknown counts as 0)."
        "</p><table><thead><tr><th>ISO week</th><th>starts</th>"
        f"{head}<th class=n>attacks</th><th class=n>injured</th><th class=n>killed</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section>"
    )


def _site_section(joined: pd.DataFrame, names: dict[str, str]) -> str:
    table = site_counts(joined)
    if table.empty:
        return ""
    rows = "".join(
        f"<tr><td>{esc(r['site_name'] if r['site_id'] != 'unknown' else 'not matched to a site')}</td>"
        f"<td>{esc(_country(str(r['country']), names))}</td><td class=n>{int(r['count']):,}</td>"
        f"<td class=n>{int(r['injured']):,}</td><td class=n>{int(r['killed']):,}</td>"
        f"<td>{esc(_day(r['first_date']))}</td><td>{esc(_day(r['last_date']))}</td></tr>"
        for r in table.to_dict("records")
    )
    return (
        '<section id="sites"><h2>Attacks per site</h2><table><thead><tr><th>site</th><th>country</th>'
        "<th class=n>attacks</th><th class=n>injured</th><th class=n>killed</th><th>first</th><th>last</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _methods_section(joined: pd.DataFrame, attacks: pd.DataFrame) -> str:
    def breakdown(column: str) -> str:
        if column not in attacks:
            return "not given"
        counts = attacks[column].astype("string").fillna("unknown").value_counts()
        pairs = sorted(counts.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
        return ", ".join(f"{esc(str(k).replace('_', ' '))} {int(v):,}" for k, v in pairs) or "none"

    others = int((~joined["event_type"].isin([*ATTACK_EVENT_TYPES, *STRIKE_EVENT_TYPES])).sum())
    return (
        '<aside class="gi-methods" id="methods"><h2>Methods</h2><ul>'
        "<li><b>What counts as an attack:</b> an incident of type <i>attack</i> (an attack on US or "
        "coalition "
        "forces or the sites that host them) or <i>interception</i> (an attack that was shot down). US and "
        "coalition strikes are mapped as diamonds and never counted as attacks"
        + (f"; {others:,} other incidents are left out" if others else "")
        + ".</li>"
        f"<li><b>Dates:</b> the first day of the event, as reported; precision of the attacks: "
        f"{breakdown('date_precision')}. Weeks are ISO weeks (Monday to Sunday).</li>"
        f"<li><b>Locations:</b> attacks are drawn at the matched site's gazetteer point (or their own point "
        f"when no site matched); precision of the reported place: {breakdown('location_precision')}.</li>"
        f"<li><b>Claimed vs confirmed:</b> <i>claimed</i> means a group said it did it, "
        f"<i>confirmed</i> that "
        f"US or coalition officials said it happened; attacks by status: {breakdown('claim_status')}.</li>"
        "<li><b>Reported totals</b> are the figures officials or the press gave for a period; they are shown "
        "as published, beside what this table maps for the same period.</li>"
        "</ul></aside>"
    )


def _sources_section(joined: pd.DataFrame, limit: int) -> str:
    if "sources" not in joined:
        return ""
    cited: dict[tuple[str, str, str], int] = {}
    for cell in joined["sources"]:
        for text, href, when in {(i[0], i[1], i[2]) for i in source_items(cell)}:
            cited[(text, href, when)] = cited.get((text, href, when), 0) + 1
    if not cited:
        return ""
    ranked = sorted(cited.items(), key=lambda kv: (-kv[1], kv[0][2], kv[0][0], kv[0][1]))
    shown = sorted(ranked[:limit], key=lambda kv: (kv[0][2], kv[0][0], kv[0][1]))
    items = []
    for (text, href, when), n in shown:
        label = f'<a href="{esc(href)}" rel="noopener noreferrer">{esc(text)}</a>' if href else esc(text)
        extra = f" ({n:,} incidents)" if n > 1 else ""
        items.append(f"<li>{label}{' ' + esc(when) if when else ''}{extra}</li>")
    more = len(ranked) - len(shown)
    tail = f'<p class="gi-note">and {more:,} more sources, each cited by fewer incidents.</p>' if more else ""
    return (
        f'<section id="sources"><h2>Sources</h2><ol class="gi-sources">{"".join(items)}</ol>{tail}</section>'
    )


# -- helpers -------------------------------------------------------------------------------------------
def _mapped(part: pd.DataFrame, what: str) -> int:
    if what == "strikes":
        return int((part["event_type"] == "strike").sum())
    attacks = part[part["event_type"].isin(ATTACK_EVENT_TYPES).to_numpy()]
    if what == "attacks":
        return len(attacks)
    return _casualty_sum(attacks, what)


def _casualty_sum(frame: pd.DataFrame, column: str) -> int:
    if column not in frame:
        return 0
    return int(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())


def _country_names() -> dict[str, str]:
    from .countries import country_outlines

    outlines = country_outlines()
    return {str(k): str(v) for k, v in zip(outlines["iso3"], outlines["name"], strict=True)}


def _country(code: str, names: dict[str, str]) -> str:
    if code == "ALL":
        return "all"
    if code in ("", "unknown", "<NA>", "nan"):
        return "unknown"
    return names.get(code, code)


def _day(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def _span(first: Any, last: Any) -> str:
    if pd.isna(first) or pd.isna(last):
        return "no dated incidents"
    a, b = _day(first), _day(last)
    return a if a == b else f"{a} – {b}"


def _number(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    number = float(value)
    return f"{int(number):,}" if number.is_integer() else f"{number:,}"
