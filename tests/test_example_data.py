"""Checks on the hand-built example dataset in geoincidents/data/.

Plain pandas + csv only, so these run before the library modules exist.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "geoincidents" / "data"
INCIDENTS = DATA / "example_incidents.csv"
SOURCES = DATA / "example_sources.csv"
TOTALS = DATA / "reported_totals.csv"
SITES = REPO / "gazetteer" / "sites.csv"
SEEDS = REPO.parent / "shared" / "seeds"

INCIDENT_COLUMNS = [
    "incident_id", "date", "date_precision", "date_end", "location", "site_id", "lat", "lon",
    "location_precision", "country", "event_type", "weapon", "claimed_by", "claim_status", "outcome",
    "injured", "killed", "notes",
]
SOURCE_COLUMNS = ["incident_id", "publisher", "published", "url", "title"]
TOTAL_COLUMNS = [
    "as_of", "scope", "metric", "value", "period_start", "source_publisher", "source_published", "notes",
]

# Vocabularies from DEVELOPERS.md.
DATE_PRECISION = {"day", "week", "month", "range"}
LOCATION_PRECISION = {"exact", "approximate", "site", "province", "country", "unknown"}
EVENT_TYPES = {"attack", "strike", "interception", "other"}
WEAPONS = {"one_way_drone", "rocket", "missile", "indirect_fire", "ied", "small_arms", "airstrike", "unknown"}
CLAIM_STATUS = {"claimed", "confirmed", "claimed_and_confirmed", "unverified"}
OUTCOMES = {"intercepted", "impact", "no_damage", "unknown"}
COUNTRIES = {"IRQ", "SYR", "JOR"}
SITE_IDS = {
    "ain-al-asad-airbase", "erbil-airbase", "erbil", "harir-airbase", "baghdad-airport",
    "baghdad-diplomatic-support-center", "us-embassy-baghdad", "union-iii", "baghdad", "al-qaim",
    "jurf-al-sakhar", "akashat", "al-tanf-garrison", "shaddadi-base", "conoco-gas-field", "green-village",
    "mss-euphrates", "rumalyn-landing-zone", "rmelan", "tal-baydar", "qasrak", "abu-hajar-airport", "hasakah",
    "deir-ez-zor", "boukamal", "mayadin", "mayadin-bulbul", "maysulun", "tower-22", "muwaffaq-salti-airbase",
}
SCOPES = {"IRQ", "SYR", "JOR", "ALL"}
METRICS = {"attacks", "injured", "killed", "deaths", "us_killed", "us_strikes", "us_troops"}
WINDOWS = [
    (pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-31")),
    (pd.Timestamp("2023-10-17"), pd.Timestamp("2023-11-30")),
]
SLUG = re.compile(r"^\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
NGRAM = 8


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return _read(INCIDENTS)


@pytest.fixture(scope="module")
def sources() -> pd.DataFrame:
    return _read(SOURCES)


@pytest.fixture(scope="module")
def totals() -> pd.DataFrame:
    return _read(TOTALS)


def _in_window(ts: pd.Timestamp) -> bool:
    return any(lo <= ts <= hi for lo, hi in WINDOWS)


def test_headers_exact():
    for path, expected in [(INCIDENTS, INCIDENT_COLUMNS), (SOURCES, SOURCE_COLUMNS), (TOTALS, TOTAL_COLUMNS)]:
        with path.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert header == expected, path.name


def test_incident_ids_unique_and_slugs(incidents):
    ids = incidents["incident_id"]
    assert ids.is_unique, ids[ids.duplicated()].tolist()
    bad = [i for i in ids if not SLUG.match(i)]
    assert not bad, bad
    # The slug starts with the incident's (first) date.
    mismatched = incidents.loc[incidents["incident_id"].str[:10] != incidents["date"], "incident_id"].tolist()
    assert not mismatched, mismatched


def test_every_incident_has_a_source_and_back(incidents, sources):
    ids = set(incidents["incident_id"])
    sourced = set(sources["incident_id"])
    assert ids - sourced == set(), f"incidents without a source row: {sorted(ids - sourced)}"
    assert sourced - ids == set(), f"source rows for unknown incidents: {sorted(sourced - ids)}"
    assert not sources.duplicated(["incident_id", "publisher", "published"]).any()


def test_source_rows_well_formed(sources):
    for _, row in sources.iterrows():
        assert row["publisher"].strip(), row.to_dict()
        assert row["title"].strip(), row.to_dict()
        assert _in_window(pd.Timestamp(row["published"])), row.to_dict()
        assert row["url"] == "" or row["url"].startswith("http"), row.to_dict()


def test_dates_parse_and_lie_in_windows(incidents):
    for _, row in incidents.iterrows():
        start = pd.to_datetime(row["date"], format="%Y-%m-%d")
        assert _in_window(start), row["incident_id"]
        if row["date_precision"] == "range":
            end = pd.to_datetime(row["date_end"], format="%Y-%m-%d")
            assert start < end, row["incident_id"]
            assert _in_window(end), row["incident_id"]
        else:
            assert row["date_end"] == "", row["incident_id"]


def test_incidents_not_after_their_sources(incidents, sources):
    published = sources.groupby("incident_id")["published"].min()
    for _, row in incidents.iterrows():
        assert row["date"] <= published[row["incident_id"]], row["incident_id"]


def test_vocabularies(incidents):
    checks = {
        "date_precision": DATE_PRECISION,
        "location_precision": LOCATION_PRECISION,
        "country": COUNTRIES,
        "event_type": EVENT_TYPES,
        "weapon": WEAPONS,
        "claim_status": CLAIM_STATUS,
        "outcome": OUTCOMES,
    }
    for column, allowed in checks.items():
        bad = sorted(set(incidents[column]) - allowed)
        assert not bad, f"{column}: {bad}"


def test_required_text_present(incidents):
    for column in ["location", "notes"]:
        assert (incidents[column].str.strip() != "").all(), column


def test_claims_consistent(incidents):
    for _, row in incidents.iterrows():
        if row["claim_status"] in {"claimed", "claimed_and_confirmed"}:
            assert row["claimed_by"], row["incident_id"]
        else:
            assert row["claimed_by"] == "", row["incident_id"]


def test_counts_are_integers_or_empty(incidents):
    for column in ["injured", "killed"]:
        for value in incidents[column]:
            assert value == "" or (value.isdigit() and int(value) >= 0), (column, value)


def test_coordinates_empty_or_valid(incidents):
    for _, row in incidents.iterrows():
        assert (row["lat"] == "") == (row["lon"] == ""), row["incident_id"]
        if row["lat"]:
            assert -90 <= float(row["lat"]) <= 90 and -180 <= float(row["lon"]) <= 180


def test_site_ids_known_and_precision_consistent(incidents):
    for _, row in incidents.iterrows():
        site = row["site_id"]
        if site:
            assert site in SITE_IDS, (row["incident_id"], site)
            assert row["location_precision"] == "site", row["incident_id"]
        else:
            assert row["location_precision"] in {"province", "country", "exact", "approximate", "unknown"}


def test_site_ids_in_gazetteer(incidents):
    if not SITES.exists():
        pytest.skip("gazetteer/sites.csv not written yet")
    gazetteer = _read(SITES)
    id_column = "site_id" if "site_id" in gazetteer.columns else "id"
    known = set(gazetteer[id_column])
    missing = sorted(set(incidents["site_id"]) - {""} - known)
    assert not missing, missing
    if "country" in gazetteer.columns:
        site_country = dict(zip(gazetteer[id_column], gazetteer["country"], strict=True))
        wrong = [
            (row.incident_id, row.site_id, row.country)
            for row in incidents.itertuples()
            if row.site_id and site_country.get(row.site_id, row.country) != row.country
        ]
        assert not wrong, wrong


def test_strikes_are_us_airstrikes_in_syria(incidents):
    strikes = incidents[incidents["event_type"] == "strike"]
    assert len(strikes) == 3
    assert set(strikes["country"]) == {"SYR"}
    assert set(strikes["weapon"]) == {"airstrike"}
    assert sorted(strikes["date"]) == ["2023-10-27", "2023-11-08", "2023-11-12"]


def test_totals_table(totals):
    assert set(totals["scope"]) <= SCOPES
    assert set(totals["metric"]) <= METRICS
    for _, row in totals.iterrows():
        assert row["value"].isdigit(), row.to_dict()
        pd.to_datetime(row["as_of"], format="%Y-%m-%d")
        pd.to_datetime(row["source_published"], format="%Y-%m-%d")
        if row["period_start"]:
            assert pd.Timestamp(row["period_start"]) <= pd.Timestamp(row["as_of"])
        assert row["notes"].strip()


def test_ap_attack_split_adds_up(totals):
    ap = totals[(totals["source_publisher"] == "Associated Press") & (totals["metric"] == "attacks")]
    by_scope = {scope: int(value) for scope, value in zip(ap["scope"], ap["value"], strict=True)}
    assert by_scope == {"ALL": 61, "IRQ": 29, "SYR": 32}
    assert by_scope["ALL"] == by_scope["IRQ"] + by_scope["SYR"]


def test_strike_total_matches_strike_rows(incidents, totals):
    row = totals[totals["metric"] == "us_strikes"]
    assert len(row) == 1
    assert int(row["value"].iloc[0]) == (incidents["event_type"] == "strike").sum()


def _words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z0-9]+)?", text)


def _ngrams(words: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_notes_do_not_copy_seed_sentences(incidents, totals):
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip(f"seed articles not found at {SEEDS}")
    seed_grams: set[tuple[str, ...]] = set()
    for path in seeds:
        seed_grams |= _ngrams(_words(path.read_text(encoding="utf-8")), NGRAM)
    notes = [(f"incident {i}", n) for i, n in zip(incidents["incident_id"], incidents["notes"], strict=True)]
    notes += [(f"total row {k + 2}", n) for k, n in enumerate(totals["notes"])]
    copied = []
    for where, note in notes:
        hits = _ngrams(_words(note), NGRAM) & seed_grams
        if hits:
            copied.append((where, sorted(" ".join(h) for h in hits)[:3]))
    assert not copied, copied
