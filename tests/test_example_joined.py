"""The bundled example incidents, joined to the gazetteer and counted by week.

Checks the curated data against the join: the ``site_id`` each row carries should be what its ``location``
text geocodes to (or at least a site of the same country), vague places carry no site, and the weekly counts
add up to the rows of each week.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geoincidents.aggregate import weekly_counts
from geoincidents.examples import example_incidents
from geoincidents.gazetteer import load_gazetteer
from geoincidents.join import join_sites
from geoincidents.schema import parse_sources

GAZ = load_gazetteer()


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return example_incidents()


@pytest.fixture(scope="module")
def joined(incidents) -> pd.DataFrame:
    return join_sites(incidents)


@pytest.fixture(scope="module")
def by_location(incidents) -> pd.DataFrame:
    """The examples geocoded from their location text alone (given site ids removed)."""
    return join_sites(incidents.assign(site_id=pd.NA), how="name")


def _given(incidents: pd.DataFrame) -> pd.Series:
    return incidents["site_id"].notna() & (incidents["site_id"].astype("str").str.strip() != "")


def test_join_keeps_every_example_and_its_given_site(incidents, joined):
    assert len(joined) == len(incidents)
    assert joined["incident_id"].tolist() == incidents["incident_id"].tolist()
    given = _given(incidents)
    assert (joined.loc[given, "site_id"] == incidents.loc[given, "site_id"]).all()
    assert (joined.loc[given, "match_method"] == "given").all()
    summary = joined.attrs["join_summary"]
    assert summary["total"] == summary["matched"] + summary["ambiguous"] + summary["unmatched"]
    assert summary["matched"] == int(given.sum())
    assert str(joined.crs) == "EPSG:4326"
    # every matched incident is drawn at its site's point (the examples give no coordinates)
    for sid, point in zip(joined["site_id"], joined.geometry, strict=True):
        if isinstance(sid, str):
            assert (point.x, point.y) == (GAZ[sid].lon, GAZ[sid].lat), sid


def test_located_rows_geocode_to_their_site_or_its_country(incidents, by_location):
    """Where the location text geocodes, it agrees with the given site_id (same site, or same country)."""
    given = _given(incidents)
    mismatches = []
    for i in incidents.index[given]:
        want = incidents.at[i, "site_id"]
        got = by_location.at[i, "site_id"]
        if pd.isna(got):
            continue  # see the next two tests
        if got != want and GAZ[got].country != GAZ[want].country:
            mismatches.append((incidents.at[i, "incident_id"], incidents.at[i, "location"], want, got))
    assert not mismatches, "location geocodes elsewhere:\n" + "\n".join(map(str, mismatches))


def test_rows_whose_location_does_not_geocode_explain_their_site_in_the_notes(incidents, by_location):
    """A site_id given for a descriptive location must come from another source named in the notes."""
    given = _given(incidents)
    unexplained = []
    for i in incidents.index[given & by_location["site_id"].isna()]:
        sid = incidents.at[i, "site_id"]
        notes = str(incidents.at[i, "notes"]).lower()
        if not any(name.lower() in notes for name in (GAZ[sid].name, sid, *GAZ.names_of(sid)) if name):
            unexplained.append((incidents.at[i, "incident_id"], incidents.at[i, "location"], sid))
    assert not unexplained, "\n".join(map(str, unexplained))


def test_vague_locations_have_no_site(incidents, by_location):
    vague = incidents["location_precision"].isin(["province", "country"])
    assert vague.any()
    rows = incidents.loc[vague, ["incident_id", "location", "site_id"]]
    assert rows["site_id"].isna().all(), rows.to_string()
    # and the join does not invent one from the words
    assert by_location.loc[vague, "site_id"].isna().all()
    assert "northern Syria" in set(incidents.loc[vague, "location"])


def test_dates_in_january_2022_or_the_october_november_2023_wave(incidents):
    def ok(day) -> bool:
        d = day.date()
        return (dt.date(2022, 1, 1) <= d <= dt.date(2022, 1, 31)) or \
            (dt.date(2023, 10, 17) <= d <= dt.date(2023, 11, 30))

    bad = [(r.incident_id, r.date, r.date_end) for r in incidents.itertuples()
           if not ok(r.date) or (pd.notna(r.date_end) and not ok(r.date_end))]
    assert not bad, bad
    ranged = incidents[incidents["date_end"].notna()]
    assert (ranged["date_end"] >= ranged["date"]).all()


def test_every_incident_has_a_source_with_a_publisher(incidents):
    missing = [r.incident_id for r in incidents.itertuples()
               if not any(s["publisher"].strip() for s in parse_sources(r.sources))]
    assert not missing, missing


def test_strikes_are_all_in_syria(incidents, joined):
    strikes = incidents[incidents["event_type"] == "strike"]
    assert len(strikes) > 0
    assert set(strikes["country"]) == {"SYR"}
    # and their sites are Syrian sites
    sites = joined.loc[strikes.index, "site_id"].dropna()
    assert {GAZ[s].country for s in sites} == {"SYR"}


def test_weekly_counts_for_w42_w43_add_up(incidents, joined):
    table = weekly_counts(joined, by="country")
    # independent week assignment with the standard library
    iso = [d.date().isocalendar() for d in incidents["date"]]
    week = pd.Series([f"{y}-W{w:02d}" for y, w, _ in iso], index=incidents.index)
    attacks = incidents["event_type"].isin(["attack", "interception"])
    for label in ("2023-W42", "2023-W43"):
        expected = int((attacks & (week == label)).sum())
        assert expected > 0
        got = table.loc[table["week"] == label]
        assert int(got["count"].sum()) == expected, label
        for country, n in got.set_index("country")["count"].items():
            in_country = incidents["country"] == country
            assert n == int((attacks & (week == label) & in_country).sum()), (label, country)
    # the Monday of W42 is 16 Oct 2023
    assert table.loc[table["week"] == "2023-W42", "week_start"].iloc[0] == pd.Timestamp("2023-10-16")
