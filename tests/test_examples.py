"""Tests for the packaged example data."""

from __future__ import annotations

import importlib.resources

import pandas as pd

from geoincidents import schema
from geoincidents.examples import example_incidents, reported_totals
from geoincidents.incidents import read_incidents
from geoincidents.schema import parse_sources


def _data_csv(name: str) -> pd.DataFrame:
    path = importlib.resources.files("geoincidents").joinpath("data", name)
    with importlib.resources.as_file(path) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


def test_example_incidents_is_a_valid_strict_table():
    table = example_incidents()
    assert len(table) > 0
    assert list(table.columns[: len(schema.COLUMNS)]) == list(schema.COLUMN_NAMES)
    for column in schema.COLUMNS:
        assert str(table[column.name].dtype) == column.dtype, column.name
    assert table["incident_id"].is_unique
    # validating the returned table again changes nothing and raises nothing
    again = read_incidents(table, strict=True)
    pd.testing.assert_frame_equal(again, table)


def test_example_incidents_has_every_row_of_the_csv():
    raw = _data_csv("example_incidents.csv")
    table = example_incidents()
    assert table["incident_id"].tolist() == raw["incident_id"].tolist()
    assert table["location"].tolist() == raw["location"].tolist()


def test_every_example_incident_has_a_source_with_a_publisher():
    table = example_incidents()
    sources = _data_csv("example_sources.csv")
    for incident_id, text in zip(table["incident_id"], table["sources"], strict=True):
        parsed = parse_sources(text)
        assert len(parsed) >= 1, incident_id
        assert all(s["publisher"] for s in parsed), incident_id
        expected = sources[sources["incident_id"] == incident_id]
        assert [s["publisher"] for s in parsed] == expected["publisher"].tolist()
        assert [s["date"] for s in parsed] == expected["published"].tolist()
        assert [s["url"] for s in parsed] == expected["url"].tolist()


def test_example_incidents_returns_independent_copies():
    first = example_incidents()
    first.loc[0, "location"] = "changed"
    del first["notes"]
    second = example_incidents()
    assert second.loc[0, "location"] != "changed"
    assert "notes" in second.columns


def test_reported_totals():
    raw = _data_csv("reported_totals.csv")
    totals = reported_totals()
    assert list(totals.columns) == list(raw.columns)
    assert len(totals) == len(raw) > 0
    for name in ("as_of", "period_start", "source_published"):
        assert str(totals[name].dtype) == "datetime64[ns]"
    assert totals["as_of"].notna().all()
    assert pd.api.types.is_numeric_dtype(totals["value"])
    assert totals["value"].astype(float).tolist() == raw["value"].astype(float).tolist()
    totals.loc[0, "metric"] = "changed"
    assert reported_totals().loc[0, "metric"] != "changed"
