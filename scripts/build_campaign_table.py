#!/usr/bin/env python3
"""Write the week-by-week completeness table of ``geoincidents/data/CAMPAIGN.md``.

The table compares the bundled campaign incidents (``geoincidents.campaign_incidents()``) with the Pentagon's
running counts of attacks on US forces (``geoincidents.campaign_totals()``, rows with ``scope`` ``ALL`` and
``metric`` ``attacks``). It goes between the two marker lines of ``CAMPAIGN.md``; the rest of the file is left
as it is. ``tests/test_campaign_data.py`` checks that the file holds what this script writes.

Rules (also stated in ``CAMPAIGN.md``)
--------------------------------------
* An incident belongs to the ISO week of its ``date`` (the first possible day for a ``range``).
* ``attacks`` counts rows with ``event_type`` ``attack`` (the Pentagon counts attacks on facilities);
  interceptions of drones away from a base and US strikes are shown in their own columns.
* ``confirmed`` counts the attack rows that US officials confirmed (``claim_status`` ``confirmed`` or
  ``claimed_and_confirmed``); ``one source`` counts the attack rows that rest on a single report
  (one entry in ``sources``). Both are blank when the table lacks the column.
* For the tally, the count of the latest statement in the week is used (the highest value when two
  reports give one day different figures). ``tally +`` is that count minus the previous statement's count,
  and ``data in span`` counts the attacks in the data dated after the previous statement's ``as_of``
  up to this one's, so the two cover the same days. A statement whose count is below an earlier one (a
  rounded lower bound such as "more than 70" after an exact 73) is skipped.

Usage::

    python scripts/build_campaign_table.py           # rewrite the table in CAMPAIGN.md
    python scripts/build_campaign_table.py --check   # exit 1 if CAMPAIGN.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from geoincidents.isoweeks import iso_week_label, week_start

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN_MD = ROOT / "geoincidents" / "data" / "CAMPAIGN.md"
START = "<!-- week-table:start (written by scripts/build_campaign_table.py; do not edit) -->"
END = "<!-- week-table:end -->"
CUMULATIVE_START = "<!-- cumulative-table:start (written by scripts/build_campaign_table.py; do not edit) -->"
CUMULATIVE_END = "<!-- cumulative-table:end -->"
COUNTRIES = ("IRQ", "SYR", "JOR")


def week_table(incidents: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """One row per ISO week from the first to the last incident week, with data counts and tally figures.

    Parameters
    ----------
    incidents : pandas.DataFrame
        A validated incident table (``date``, ``country``, ``event_type``; ``claim_status`` and ``sources``
        if present fill the ``confirmed`` and ``one_source`` columns).
    totals : pandas.DataFrame
        A reported-totals table (``as_of``, ``scope``, ``metric``, ``value``).

    Returns
    -------
    pandas.DataFrame
        Columns ``week``, ``IRQ``, ``SYR``, ``JOR`` (attacks per country), ``attacks``, ``confirmed``,
        ``one_source``, ``interceptions``, ``strikes``, ``other``, ``tally_as_of``, ``tally``,
        ``tally_increment``, ``data_in_span``.
    """
    for name in ("date", "country", "event_type"):
        if name not in incidents.columns:
            raise ValueError(f"incidents lack column {name!r}")
    dates = pd.to_datetime(incidents["date"])
    monday = week_start(dates)
    weeks = pd.date_range(monday.min(), monday.max(), freq="7D")
    counts = _tally(totals)
    attacks = incidents["event_type"] == "attack"
    confirmed = _confirmed(incidents)
    one_source = _one_source(incidents)
    rows = []
    previous_as_of, previous_value = pd.Timestamp("2023-10-16"), 0
    for start in weeks:
        in_week = monday == start
        row = {"week": iso_week_label(pd.Series([start])).iloc[0]}
        for country in COUNTRIES:
            row[country] = int((in_week & attacks & (incidents["country"] == country)).sum())
        row["attacks"] = int((in_week & attacks).sum())
        row["confirmed"] = "" if confirmed is None else int((in_week & attacks & confirmed).sum())
        row["one_source"] = "" if one_source is None else int((in_week & attacks & one_source).sum())
        row["interceptions"] = int((in_week & (incidents["event_type"] == "interception")).sum())
        row["strikes"] = int((in_week & (incidents["event_type"] == "strike")).sum())
        row["other"] = int((in_week & (incidents["event_type"] == "other")).sum())
        stated = counts[(counts.index >= start) & (counts.index < start + pd.Timedelta(days=7))]
        if stated.empty:
            row.update(tally_as_of="", tally="", tally_increment="", data_in_span="")
        else:
            as_of, value = stated.index[-1], int(stated.iloc[-1])
            span = attacks & (dates > previous_as_of) & (dates <= as_of)
            row.update(
                tally_as_of=as_of.strftime("%Y-%m-%d"),
                tally=str(value),
                tally_increment=str(value - previous_value),
                data_in_span=str(int(span.sum())),
            )
            previous_as_of, previous_value = as_of, value
        rows.append(row)
    return pd.DataFrame(rows)


def cumulative_table(incidents: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """The attack rows dated up to each Pentagon count, beside the count.

    Parameters
    ----------
    incidents : pandas.DataFrame
        A validated incident table (``date``, ``event_type``, ``claim_status``).
    totals : pandas.DataFrame
        A reported-totals table (``as_of``, ``scope``, ``metric``, ``value``, ``period_start``).

    Returns
    -------
    pandas.DataFrame
        One row per count used by :func:`week_table` (same skip rule): ``as_of``, ``tally``, ``rows`` (attack
        rows dated on or before ``as_of``), ``confirmed`` (of those, confirmed by US officials) and
        ``share`` (``rows`` / ``tally`` in per cent, rounded).
    """
    for name in ("date", "event_type", "claim_status"):
        if name not in incidents.columns:
            raise ValueError(f"incidents lack column {name!r}")
    dates = pd.to_datetime(incidents["date"])
    attacks = incidents["event_type"] == "attack"
    flags = _confirmed(incidents)
    assert flags is not None  # the column was checked above
    confirmed = attacks & flags
    rows = []
    tally = _tally(totals)
    for as_of, value in zip(pd.DatetimeIndex(tally.index), tally.to_numpy(), strict=True):
        upto = dates <= as_of
        n = int((attacks & upto).sum())
        rows.append(
            {
                "as_of": as_of.strftime("%Y-%m-%d"),
                "tally": int(value),
                "rows": n,
                "confirmed": int((confirmed & upto).sum()),
                "share": round(100 * n / value) if value else 0,
            }
        )
    return pd.DataFrame(rows, columns=["as_of", "tally", "rows", "confirmed", "share"])


def render_cumulative(table: pd.DataFrame) -> str:
    """The cumulative table as Markdown (no trailing newline).

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`cumulative_table`.

    Returns
    -------
    str
        A header, a separator and one line per count.
    """
    lines = [
        "| Pentagon count as of | tally | attack rows to date | of which confirmed | rows / tally |",
        "|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        lines.append(f"| {r.as_of} | {r.tally} | {r.rows} | {r.confirmed} | {r.share}% |")
    return "\n".join(lines)


def render_markdown(table: pd.DataFrame) -> str:
    """The week table as a Markdown table (no trailing newline).

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`week_table`.

    Returns
    -------
    str
        A header, a separator and one line per week, then a totals line.
    """
    header = (
        "| ISO week | IRQ | SYR | JOR | attacks | confirmed | one source | interceptions | US strikes "
        "| other | tally as of | tally | tally + | data in span |"
    )
    lines = [header, "|" + "---|" * 14]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {r.week} | {r.IRQ} | {r.SYR} | {r.JOR} | {r.attacks} | {r.confirmed} | {r.one_source} "
            f"| {r.interceptions} | {r.strikes} | {r.other} | {r.tally_as_of} | {r.tally} "
            f"| {r.tally_increment} | {r.data_in_span} |"
        )
    counted = ("IRQ", "SYR", "JOR", "attacks", "interceptions", "strikes", "other")
    total = {c: int(table[c].sum()) for c in counted}
    optional = {c: "" if (table[c] == "").any() else int(table[c].sum()) for c in ("confirmed", "one_source")}
    lines.append(
        f"| all | {total['IRQ']} | {total['SYR']} | {total['JOR']} | {total['attacks']} "
        f"| {optional['confirmed']} | {optional['one_source']} "
        f"| {total['interceptions']} | {total['strikes']} | {total['other']} |  |  |  |  |"
    )
    return "\n".join(lines)


def updated_text(text: str, table_md: str, start: str = START, end: str = END) -> str:
    """``text`` with the part between the marker lines replaced by ``table_md``.

    Parameters
    ----------
    text : str
        The current ``CAMPAIGN.md``.
    table_md : str
        The table from :func:`render_markdown` (or :func:`render_cumulative`).
    start, end : str
        The marker lines; the week table's by default.

    Returns
    -------
    str
        The new file text.

    Raises
    ------
    ValueError
        If the markers are missing or out of order.
    """
    head, sep, rest = text.partition(start)
    if not sep or end not in rest:
        raise ValueError(f"{CAMPAIGN_MD.name}: markers {start!r} / {end!r} not found in order")
    return head + start + "\n" + table_md + "\n" + end + rest.split(end, 1)[1]


def updated_campaign_md(text: str, incidents: pd.DataFrame, totals: pd.DataFrame) -> str:
    """``text`` with both generated tables (week by week, and cumulative at each count) rewritten.

    Parameters
    ----------
    text : str
        The current ``CAMPAIGN.md``.
    incidents, totals : pandas.DataFrame
        The campaign incidents and totals.

    Returns
    -------
    str
        The new file text.
    """
    text = updated_text(text, render_markdown(week_table(incidents, totals)))
    cumulative = render_cumulative(cumulative_table(incidents, totals))
    return updated_text(text, cumulative, CUMULATIVE_START, CUMULATIVE_END)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that CAMPAIGN.md is up to date")
    args = parser.parse_args(argv)
    import geoincidents as gi
    from geoincidents._files import atomic_path

    text = CAMPAIGN_MD.read_text(encoding="utf-8")
    new = updated_campaign_md(text, gi.campaign_incidents(), gi.campaign_totals())
    if args.check:
        if new != text:
            print(f"{CAMPAIGN_MD} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    if new != text:
        with atomic_path(CAMPAIGN_MD) as tmp:
            tmp.write_text(new, encoding="utf-8")
    return 0


def _confirmed(incidents: pd.DataFrame) -> pd.Series | None:
    if "claim_status" not in incidents.columns:
        return None
    return incidents["claim_status"].isin(["confirmed", "claimed_and_confirmed"]).astype(bool)


def _one_source(incidents: pd.DataFrame) -> pd.Series | None:
    if "sources" not in incidents.columns:
        return None
    from geoincidents import parse_sources

    return incidents["sources"].map(lambda text: len(parse_sources(text)) == 1).astype(bool)


def _tally(totals: pd.DataFrame) -> pd.Series:
    rows = totals[(totals["scope"] == "ALL") & (totals["metric"] == "attacks")]
    rows = rows[rows["period_start"] == pd.Timestamp("2023-10-17")]
    best = rows.groupby("as_of")["value"].max().astype(int).sort_index()
    # a rounded lower bound ("more than 70") below an earlier exact count adds nothing: skip it
    return best[best >= best.cummax()]


if __name__ == "__main__":
    sys.exit(main())
