"""Tests for the bundled 2023-2024 campaign dataset (``data/campaign_*.csv`` and ``data/CAMPAIGN.md``)."""

from __future__ import annotations

import importlib.resources
import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents import parse_sources, read_incidents, schema

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN_START = pd.Timestamp("2023-10-17")
CAMPAIGN_END = pd.Timestamp("2024-02-10")  # the pause: last attacks 4 Feb, last strikes of the period 7 Feb


def _data_csv(name: str) -> pd.DataFrame:
    path = importlib.resources.files("geoincidents").joinpath("data", name)
    with importlib.resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


def _builder():
    path = ROOT / "scripts" / "build_campaign_table.py"
    spec = importlib.util.spec_from_file_location("build_campaign_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return gi.campaign_incidents()


def test_every_row_validates_strictly_and_none_is_dropped(table):
    raw = _data_csv("campaign_incidents.csv")
    # the schema's columns, in its order, but sources (its own file) and the source-data columns
    # (actor, target, source_event_type, ...) that a hand-made table derives
    assert list(raw.columns) == [c for c in schema.COLUMN_NAMES if c in raw.columns]
    assert {"date", "location", "event_type", "weapon", "claimed_by", "claim_status"} <= set(raw.columns)
    assert set(table.loc[table["event_type"] == "attack", "target"]) == {"us_coalition"}
    assert table["incident_id"].tolist() == raw["incident_id"].tolist()
    for column in schema.COLUMNS:
        assert str(table[column.name].dtype) == column.dtype, column.name
    pd.testing.assert_frame_equal(read_incidents(table, strict=True), table)


def test_ids_are_unique_and_follow_the_naming_rule(table):
    assert table["incident_id"].is_unique
    for incident_id, date in zip(table["incident_id"], table["date"], strict=True):
        assert re.fullmatch(r"camp-\d{4}-\d{2}-\d{2}-[a-z0-9-]+-\d+", incident_id), incident_id
        assert incident_id[5:15] == date.strftime("%Y-%m-%d"), incident_id


def test_dates_lie_in_the_campaign_window(table):
    assert (table["date"] >= CAMPAIGN_START).all()
    assert (table["date"] <= CAMPAIGN_END).all()
    ranged = table["date_precision"] == "range"
    assert table.loc[ranged, "date_end"].notna().all()
    assert (table.loc[ranged, "date_end"] > table.loc[ranged, "date"]).all()
    assert table.loc[~ranged, "date_end"].isna().all()


def test_every_incident_has_a_source_with_an_http_url_and_publisher(table):
    sources = _data_csv("campaign_sources.csv")
    assert set(sources["incident_id"]) == set(table["incident_id"])
    for incident_id, text in zip(table["incident_id"], table["sources"], strict=True):
        parsed = parse_sources(text)
        assert parsed, incident_id
        for source in parsed:
            assert source["publisher"].strip(), incident_id
            assert re.match(r"https?://[^\s/]+\.[^\s/]+/", source["url"]), (incident_id, source["url"])
            first_day = table.loc[table["incident_id"] == incident_id, "date"].iloc[0]
            assert pd.Timestamp(source["date"]) >= first_day, incident_id


def test_site_ids_exist_in_the_gazetteer_and_places_are_located(table):
    known = set(gi.load_gazetteer().site_ids)
    with_site = table["site_id"].notna()
    assert set(table.loc[with_site, "site_id"]) <= known
    assert (table.loc[with_site, "location_precision"] == "site").all()
    no_site = ~with_site & table["location_precision"].isin(["exact", "approximate"])
    assert table.loc[no_site, ["lat", "lon"]].notna().all().all()


def test_countries_and_vocabulary(table):
    assert set(table["country"]) <= {"IRQ", "SYR", "JOR"}
    strikes = table["event_type"] == "strike"
    assert (table.loc[strikes, "weapon"] == "airstrike").all()
    assert table.loc[strikes, "claimed_by"].isna().all()
    assert (table.loc[~strikes, "weapon"] != "airstrike").all()


def test_totals_load_and_are_running_counts():
    totals = gi.campaign_totals()
    raw = _data_csv("campaign_totals.csv")
    assert len(totals) == len(raw) > 0
    assert list(totals.columns) == list(raw.columns)
    assert totals["source_publisher"].notna().all()
    attacks = totals[(totals["metric"] == "attacks") & (totals["scope"] == "ALL")].sort_values("as_of")
    # a running count since 17 Oct never goes down by more than one report's rounding (lower bounds)
    best = attacks.groupby("as_of")["value"].max()
    assert (best.diff().dropna() >= -5).all(), best
    # the country shares of a statement never exceed its total
    statements = totals[totals["metric"] == "attacks"].groupby(["as_of", "source_publisher"])
    for (as_of, publisher), group in statements:
        by_scope = dict(zip(group["scope"], group["value"], strict=True))
        if "ALL" in by_scope:
            assert sum(v for k, v in by_scope.items() if k != "ALL") <= by_scope["ALL"], (as_of, publisher)


def test_campaign_md_week_table_is_up_to_date(table):
    builder = _builder()
    text = (ROOT / "geoincidents" / "data" / "CAMPAIGN.md").read_text(encoding="utf-8")
    expected = builder.updated_campaign_md(text, table, gi.campaign_totals())
    assert text == expected, "run scripts/build_campaign_table.py"


def test_week_table_counts_match_the_data(table):
    builder = _builder()
    weeks = builder.week_table(table, gi.campaign_totals())
    assert weeks["attacks"].sum() == (table["event_type"] == "attack").sum()
    assert weeks["strikes"].sum() == (table["event_type"] == "strike").sum()
    assert (weeks[["IRQ", "SYR", "JOR"]].sum(axis=1) == weeks["attacks"]).all()
    iso = table["date"].dt.isocalendar()
    labels = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    attacks = table["event_type"] == "attack"
    confirmed = table["claim_status"].isin(["confirmed", "claimed_and_confirmed"])
    one_source = table["sources"].map(lambda text: len(parse_sources(text)) == 1)
    for row in weeks.itertuples(index=False):
        in_week = attacks & (labels == row.week)
        assert row.attacks == int(in_week.sum()), row.week
        assert row.confirmed == int((in_week & confirmed).sum()), row.week
        assert row.one_source == int((in_week & one_source).sum()), row.week
    assert weeks["one_source"].sum() == int((attacks & one_source).sum())


def _hand_made(as_of: list[str], values: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Four incidents (three attacks, one strike) and ALL-scope attack counts since 17 Oct."""
    incidents = pd.DataFrame(
        {
            "date": pd.to_datetime(["2023-10-17", "2023-10-19", "2023-10-30", "2023-10-31"]),
            "country": ["IRQ", "SYR", "IRQ", "JOR"],
            "event_type": ["attack", "attack", "strike", "attack"],
        }
    )
    totals = pd.DataFrame(
        {
            "as_of": pd.to_datetime(as_of),
            "period_start": pd.to_datetime(["2023-10-17"] * len(as_of)),
            "scope": ["ALL"] * len(as_of),
            "metric": ["attacks"] * len(as_of),
            "value": values,
        }
    )
    return incidents, totals


def test_week_table_on_a_small_hand_made_table():
    builder = _builder()
    incidents, totals = _hand_made(["2023-10-18", "2023-10-31"], [3, 7])
    weeks = builder.week_table(incidents, totals)
    assert weeks["week"].tolist() == ["2023-W42", "2023-W43", "2023-W44"]
    assert weeks["attacks"].tolist() == [2, 0, 1]
    assert weeks["strikes"].tolist() == [0, 0, 1]
    assert weeks["tally_increment"].tolist() == ["3", "", "4"]
    assert weeks["data_in_span"].tolist() == ["1", "", "2"]
    # without claim_status and sources the two optional columns stay blank, in the Markdown too
    assert weeks["confirmed"].tolist() == weeks["one_source"].tolist() == ["", "", ""]
    assert builder.render_markdown(weeks).splitlines()[-1].startswith("| all | 1 | 1 | 1 | 3 |  |  | 0 |")
    incidents["claim_status"] = ["confirmed", "claimed", "confirmed", "claimed_and_confirmed"]
    incidents["sources"] = [
        '[{"date": "2023-10-18", "publisher": "A", "url": ""}]',
        '[{"date": "2023-10-19", "publisher": "A", "url": ""}, '
        '{"date": "2023-10-19", "publisher": "B", "url": ""}]',
        '[{"date": "2023-10-30", "publisher": "A", "url": ""}]',
        '[{"date": "2023-10-31", "publisher": "B", "url": ""}]',
    ]
    weeks = builder.week_table(incidents, totals)
    # the strike of 30 Oct is neither counted as confirmed nor as a one-source attack
    assert weeks["confirmed"].tolist() == [1, 0, 1]
    assert weeks["one_source"].tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="country"):
        builder.week_table(incidents.drop(columns="country"), totals)
    with pytest.raises(ValueError, match="markers"):
        builder.updated_text("no markers here", "| table |")



def test_cumulative_table_counts_the_data_up_to_each_count(table):
    builder = _builder()
    totals = gi.campaign_totals()
    cumulative = builder.cumulative_table(table, totals)
    # the counts used are those of the week table, in order, and each row counts the data up to its day
    weeks = builder.week_table(table, totals)
    assert set(weeks.loc[weeks["tally"] != "", "tally"].astype(int)) <= set(cumulative["tally"])
    assert cumulative["as_of"].is_monotonic_increasing and cumulative["tally"].is_monotonic_increasing
    attacks = table[table["event_type"] == "attack"]
    for row in cumulative.itertuples(index=False):
        upto = attacks[attacks["date"] <= pd.Timestamp(row.as_of)]
        assert row.rows == len(upto), row.as_of
        assert row.confirmed == int(upto["claim_status"].isin(["confirmed", "claimed_and_confirmed"]).sum())
    assert cumulative["rows"].iloc[-1] <= (table["event_type"] == "attack").sum()


def test_cumulative_table_on_a_small_hand_made_table():
    builder = _builder()
    # the 1 of 25 Oct is below the earlier 2 and is skipped
    incidents, totals = _hand_made(["2023-10-18", "2023-10-25", "2023-10-31"], [2, 1, 4])
    incidents["claim_status"] = ["confirmed", "claimed", "confirmed", "claimed_and_confirmed"]
    cumulative = builder.cumulative_table(incidents, totals)
    assert cumulative["as_of"].tolist() == ["2023-10-18", "2023-10-31"]
    assert cumulative["rows"].tolist() == [1, 3]
    assert cumulative["confirmed"].tolist() == [1, 2]
    assert cumulative["share"].tolist() == [50, 75]
    assert builder.render_cumulative(cumulative).splitlines()[-1] == "| 2023-10-31 | 4 | 3 | 2 | 75% |"
    with pytest.raises(ValueError, match="claim_status"):
        builder.cumulative_table(incidents.drop(columns="claim_status"), totals)
    with pytest.raises(ValueError, match="markers"):
        builder.updated_text("| table |", "x", builder.CUMULATIVE_START, builder.CUMULATIVE_END)


def test_loaders_return_independent_copies():
    first = gi.campaign_incidents()
    first.loc[0, "location"] = "changed"
    assert gi.campaign_incidents().loc[0, "location"] != "changed"
    totals = gi.campaign_totals()
    totals.loc[0, "metric"] = "changed"
    assert gi.campaign_totals().loc[0, "metric"] != "changed"


def test_campaign_table_joins_and_counts_by_week():
    joined = gi.join_sites(gi.campaign_incidents())
    assert len(joined) == len(gi.campaign_incidents())
    weekly = gi.weekly_counts(joined, by="country")
    assert set(weekly["country"]) <= {"IRQ", "SYR", "JOR"}
    assert weekly["count"].sum() > 0
