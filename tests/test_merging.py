"""merge_incidents: one event from many sources, disagreements visible, nothing dropped, any input order."""

from __future__ import annotations

import itertools
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geoincidents as gi


def table(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


FDD = {
    "date": "2023-10-17",
    "location": "al-Asad",
    "site_id": "ain-al-asad-airbase",
    "weapon": "one_way_drone",
    "claim_status": "claimed",
    "claimed_by": "Islamic Resistance in Iraq",
    "incident_id": "fdd-1",
    "sources": '[{"publisher": "FDD", "date": "2023-10-24", "url": ""}]',
}
NEWSWEEK = {
    "date": "2023-10-18",
    "location": "Ain al-Asad air base",
    "site_id": "ain-al-asad-airbase",
    "weapon": "unknown",
    "claim_status": "confirmed",
    "outcome": "intercepted",
    "injured": "3",
    "incident_id": "nw-1",
    "sources": '[{"publisher": "Newsweek", "date": "2023-10-18", "url": ""}]',
}
TANF = {
    "date": "2023-10-18",
    "location": "al-Tanf",
    "site_id": "al-tanf-garrison",
    "incident_id": "nw-2",
    "sources": '[{"publisher": "Newsweek", "date": "2023-10-18", "url": ""}]',
}


def test_reports_of_one_event_merge_with_their_disagreements():
    merged = gi.merge_incidents(table(FDD), table(NEWSWEEK, TANF))
    assert len(merged) == 2
    asad = merged[merged["site_id"] == "ain-al-asad-airbase"].iloc[0]
    assert (asad["date"], asad["date_end"], asad["date_precision"]) == (
        pd.Timestamp("2023-10-17"),
        pd.Timestamp("2023-10-18"),
        "range",
    )
    assert asad["claim_status"] == "claimed_and_confirmed"
    assert asad["weapon"] == "one_way_drone" and asad["outcome"] == "intercepted" and asad["injured"] == 3
    assert sorted(s["publisher"] for s in json.loads(asad["sources"])) == ["FDD", "Newsweek"]
    disagreements = json.loads(asad["disagreements"])
    assert {"date", "claim_status", "injured"} <= set(disagreements)
    assert {v["value"] for v in disagreements["date"]} == {"2023-10-17", "2023-10-18"}
    assert json.loads(asad["merged_from"])["reports"] == [
        {"incident_id": "fdd-1", "sources": ["FDD"]},
        {"incident_id": "nw-1", "sources": ["Newsweek"]},
    ]
    tanf = merged[merged["site_id"] == "al-tanf-garrison"].iloc[0]
    assert pd.isna(tanf["disagreements"]) and json.loads(tanf["merged_from"])["rule"] == "single report"


@pytest.mark.parametrize(
    "change",
    [
        {"date": "2023-10-20"},  # outside the window
        {"weapon": "rocket"},  # incompatible weapon
        {"event_type": "strike"},  # incompatible event type
        {"site_id": "al-tanf-garrison", "location": "al-Tanf"},  # another place
        {"sources": '[{"publisher": "FDD", "date": "2023-10-24", "url": ""}]'},  # the same report
    ],
)
def test_what_keeps_reports_apart(change):
    other = {**NEWSWEEK, **change}
    merged = gi.merge_incidents(table(FDD), table(other))
    assert len(merged) == 2


def test_window_and_radius():
    late = {**NEWSWEEK, "date": "2023-10-20"}
    assert len(gi.merge_incidents(table(FDD), table(late), window_days=3)) == 1
    # Ain al-Asad's radius is 3 km: a point 1 km away is the same place, one 50 km away is not.
    near = {**NEWSWEEK, "site_id": None, "lat": 33.7946, "lon": 42.4412, "country": "IRQ"}
    far = {**NEWSWEEK, "site_id": None, "lat": 34.2, "lon": 42.4412, "country": "IRQ"}
    assert len(gi.merge_incidents(table(FDD), table(near))) == 1
    assert len(gi.merge_incidents(table(FDD), table(far))) == 2


def test_nothing_dropped_and_ids_unique():
    a = table({"date": "2023-10-17", "location": "x", "incident_id": "row-2"})
    b = table({"date": "2023-11-17", "location": "y", "incident_id": "row-2"})
    merged = gi.merge_incidents(a, b)
    assert len(merged) == 2 and merged["incident_id"].is_unique


def test_every_permutation_gives_the_same_table():
    tables = [
        table(FDD),
        table(NEWSWEEK, TANF),
        table({**TANF, "incident_id": "x-9", "weapon": "rocket", "sources": "AP"}),
    ]
    results = [gi.merge_incidents(*p) for p in itertools.permutations(tables)]
    for other in results[1:]:
        pd.testing.assert_frame_equal(results[0], other)


_SITES = ["ain-al-asad-airbase", "al-tanf-garrison", "erbil"]
_row = st.fixed_dictionaries(
    {
        "date": st.sampled_from(["2023-10-17", "2023-10-18", "2023-10-19", "2023-10-25"]),
        "site_id": st.sampled_from(_SITES),
        "weapon": st.sampled_from(["one_way_drone", "rocket", "unknown"]),
        "claim_status": st.sampled_from(["claimed", "confirmed", "unverified"]),
        "sources": st.sampled_from(["AP", "FDD", "Newsweek", "Reuters"]),
    }
)


@settings(max_examples=25, deadline=None)
@given(st.lists(_row, min_size=1, max_size=7), st.randoms(use_true_random=False))
def test_merge_is_deterministic_for_any_order(rows, rnd):
    rows = [{**r, "location": r["site_id"], "incident_id": f"r{i}"} for i, r in enumerate(rows)]
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    first = gi.merge_incidents(table(*rows))
    second = gi.merge_incidents(*[table(r) for r in shuffled])
    pd.testing.assert_frame_equal(first, second)
    reports = [r["incident_id"] for m in first["merged_from"] for r in json.loads(m)["reports"]]
    assert sorted(reports) == sorted(r["incident_id"] for r in rows)  # every input row, exactly once


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least one table"):
        gi.merge_incidents()
    with pytest.raises(ValueError, match="must not be negative"):
        gi.merge_incidents(table(FDD), window_days=-1)
