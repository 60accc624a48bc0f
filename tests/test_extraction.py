"""extract_incidents / extract_totals: each rule on short texts written for the test, and the seeds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents.extraction.dates import find_dates, publication_date
from geoincidents.schema import COLUMNS

PUB = "2023-10-26"  # a Thursday
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def one(text: str, **kw) -> pd.Series:
    drafts = gi.extract_incidents(text, published=kw.pop("published", PUB), **kw)
    assert len(drafts) == 1, drafts[["location", "date"]]
    return drafts.iloc[0]


# -- dates ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "phrase, expected, precision",
    [
        ("on Wednesday", "2023-10-25", "day"),
        ("Thursday morning", "2023-10-26", "day"),  # publication day itself
        ("last Thursday", "2023-10-19", "day"),
        ("on Monday evening", "2023-10-23", "day"),
        ("yesterday", "2023-10-25", "day"),
        ("last night", "2023-10-25", "day"),
        ("today", "2023-10-26", "day"),
        ("two days ago", "2023-10-24", "day"),
        ("last week", "2023-10-16", "week"),
        ("earlier this week", "2023-10-23", "week"),
        ("last month", "2023-09-01", "month"),
        ("on Oct. 17", "2023-10-17", "day"),
        ("on 17 October 2023", "2023-10-17", "day"),
        ("on October 17, 2023", "2023-10-17", "day"),
        ("on Dec. 30", "2022-12-30", "day"),  # would be after publication: the year before
    ],
)
def test_each_date_form(phrase, expected, precision):
    row = one(f"Rockets hit the al-Asad air base {phrase}, officials said.")
    assert row["date"] == pd.Timestamp(expected)
    assert row["date_precision"] == precision
    assert row["date_basis"]


@pytest.mark.parametrize(
    "second, expected",
    [
        ("The day before, a drone targeted al-Tanf.", "2023-10-24"),
        ("The next day, a drone targeted al-Tanf.", "2023-10-26"),
        ("Later that evening, a drone targeted al-Tanf.", "2023-10-25"),
        ("The same day, a drone targeted al-Tanf.", "2023-10-25"),
    ],
)
def test_anaphoric_dates_count_from_the_date_before(second, expected):
    drafts = gi.extract_incidents(f"Rockets hit the al-Asad air base on Wednesday. {second}", published=PUB)
    tanf = drafts[drafts["site_id"] == "al-tanf-garrison"].iloc[0]
    assert tanf["date"] == pd.Timestamp(expected)
    assert "after the date before it" in tanf["date_basis"]


def test_range_between_dates():
    found = find_dates("between Oct. 17 and 21", date(2023, 10, 26))
    assert (found[0].day, found[0].last, found[0].precision) == (
        date(2023, 10, 17),
        date(2023, 10, 21),
        "range",
    )


def test_publication_date_from_the_dateline_is_flagged():
    text = "October 24, 2023 | Flash Brief\n\nMilitias attacked al-Tanf on October 23 with two drones."
    row = one(text, published=None)
    assert row["date"] == pd.Timestamp("2023-10-23")
    assert "publication date dateline" in row["needs_review"]
    assert publication_date("no date")[0] is None


def test_weekday_without_any_publication_date_gives_no_draft():
    with pytest.warns(UserWarning, match="no publication date"):
        drafts = gi.extract_incidents("Rockets hit the al-Asad air base on Wednesday.")
    assert len(drafts) == 0


def test_undated_event_takes_the_date_of_the_sentence_before_and_is_flagged():
    drafts = gi.extract_incidents(
        "On October 18, drones attacked al-Harir. Militias also targeted Conoco.", published=PUB
    )
    conoco = drafts[drafts["site_id"] == "conoco-gas-field"].iloc[0]
    assert conoco["date"] == pd.Timestamp("2023-10-18")
    assert "date taken from the sentence before" in conoco["needs_review"]
    assert conoco["confidence"] < 1


# -- places --------------------------------------------------------------------------------------------------
def test_places_latin_arabic_and_offsets_into_the_original_text():
    text = "On Oct. 20 a drone struck قاعدة عين الأسد, and rockets hit the Al-Shaddadi base on Oct. 21."
    drafts = gi.extract_incidents(text, published=PUB)
    assert drafts["site_id"].tolist() == ["ain-al-asad-airbase", "shaddadi-base"]
    for _, row in drafts.iterrows():
        ev = json.loads(row["evidence"])["location"][0]
        assert text[ev["start"] : ev["end"]] == ev["text"] == row["location"]
        assert text[ev["sentence_start"] : ev["sentence_end"]] == ev["sentence"]


def test_base_phrase_goes_through_geocode_fuzzy_rules():
    row = one("A drone attacked the Shadaddi base on Wednesday.")
    assert row["site_id"] == "shaddadi-base"


def test_facility_word_picks_the_air_base_not_the_city():
    assert one("Rockets hit Erbil air base on Wednesday.")["site_id"] == "erbil-airbase"
    assert one("Rockets hit near Erbil on Wednesday.")["site_id"] == "erbil"


@pytest.mark.parametrize(
    "text",
    [
        "The group issued a statement in Baghdad on Wednesday claiming attacks on U.S. forces.",
        "The Pentagon said on Wednesday that attacks on U.S. forces would be answered.",
        "Washington warned on Wednesday that attacks must stop, the Baghdad government said.",
        "The minister visited Baghdad on Monday to discuss the attacks.",
        "In 2020, Iran fired missiles at the Ain al-Asad air base.",
        "President Bashar al-Assad condemned the attacks on Wednesday.",
    ],
)
def test_places_that_are_not_where_an_attack_happened(text):
    assert len(gi.extract_incidents(text, published=PUB)) == 0


def test_descriptor_places_are_not_extra_sites():
    row = one("On October 18, a drone attacked al-Harir airbase in northern Iraq's province of Erbil.")
    assert row["site_id"] == "harir-airbase"


def test_region_is_kept_without_site_and_flagged():
    row = one("Three rockets were fired at an outpost in northern Syria on Wednesday.")
    assert pd.isna(row["site_id"]) and row["country"] == "SYR" and row["location"] == "northern Syria"
    assert "region only" in row["needs_review"]


# -- facts ---------------------------------------------------------------------------------------------------
def test_weapon_count_outcome_and_casualties():
    row = one(
        "Two suicide drones targeted al-Tanf on Wednesday and were intercepted; no troops were injured."
    )
    assert (row["weapon"], row["weapon_count"], row["outcome"], row["injured"]) == (
        "one_way_drone",
        2,
        "intercepted",
        0,
    )


def test_rocket_barrage_has_no_count_and_minor_injuries_no_figure():
    row = one("A rocket barrage hit the al-Asad air base on Wednesday, causing minor injuries.")
    assert row["weapon"] == "rocket" and pd.isna(row["weapon_count"])
    assert row["outcome"] == "impact" and pd.isna(row["injured"])
    assert "injuries reported without a figure" in row["needs_review"]


def test_claim_by_named_group_and_by_the_group():
    text = (
        "The Islamic Resistance in Iraq claimed responsibility for a drone attack on al-Tanf on Wednesday. "
        "On Thursday morning, the group claimed it launched a missile salvo at the Al-Shadadi base."
    )
    drafts = gi.extract_incidents(text, published=PUB)
    assert drafts["claimed_by"].tolist() == ["Islamic Resistance in Iraq"] * 2
    assert drafts["claim_status"].tolist() == ["claimed", "claimed"]
    assert drafts["weapon"].tolist() == ["one_way_drone", "missile"]


def test_claimed_and_confirmed_and_nothing_invented():
    text = (
        "The Islamic Resistance in Iraq claimed an attack on al-Tanf on Wednesday. The Pentagon confirmed "
        "that U.S. forces thwarted two drones at al-Tanf."
    )
    row = one(text)
    assert row["claim_status"] == "claimed_and_confirmed"
    bare = one("Militias attacked al-Tanf on Wednesday.")
    assert (bare["weapon"], bare["claim_status"], bare["outcome"]) == ("unknown", "unverified", "unknown")
    assert pd.isna(bare["claimed_by"]) and pd.isna(bare["injured"]) and pd.isna(bare["weapon_count"])


def test_us_strike_is_its_own_event_type():
    row = one("On Oct. 20, U.S. fighter jets struck two facilities near Boukamal in eastern Syria.")
    assert (row["event_type"], row["weapon"], row["claim_status"], row["site_id"]) == (
        "strike",
        "airstrike",
        "confirmed",
        "boukamal",
    )


def test_interception_without_attack_word():
    assert one("A drone was shot down in Baghdad on Monday.")["event_type"] == "interception"


def test_follow_up_sentence_adds_to_the_draft_before():
    text = (
        "Militants fired at an outpost in northern Syria on Wednesday. Three rockets were aimed at the "
        "outpost and one landed inside, although no troops were injured."
    )
    row = one(text)
    assert (row["weapon"], row["weapon_count"], row["outcome"], row["injured"]) == ("rocket", 3, "impact", 0)


# -- one event, two events, totals ---------------------------------------------------------------------------
def test_one_attack_reported_twice_is_one_draft():
    text = (
        "Two drones attacked al-Tanf on Monday. Later, U.S. officials said the drones at al-Tanf on Monday "
        "were "
        "intercepted."
    )
    row = one(text)
    assert row["outcome"] == "intercepted" and row["claim_status"] == "confirmed"


def test_two_bases_on_one_day_are_two_drafts():
    drafts = gi.extract_incidents(
        "On Monday, drones attacked al-Tanf and rockets hit the al-Asad air base.", published=PUB
    )
    assert sorted(drafts["site_id"]) == ["ain-al-asad-airbase", "al-tanf-garrison"]
    assert set(drafts["date"]) == {pd.Timestamp("2023-10-23")}
    assert drafts["incident_id"].is_unique


def test_totals_are_never_incidents():
    text = (
        "According to the Pentagon, militants have launched 61 attacks on bases in Iraq and Syria since "
        "Oct. 17: 29 in Iraq, 32 in Syria. The initial attacks between Oct. 17 and 21 at al-Asad air base "
        "and al-Tanf caused injuries."
    )
    assert len(gi.extract_incidents(text, published="2023-11-18")) == 0
    totals = gi.extract_totals(text, published="2023-11-18")
    assert totals[["scope", "value"]].values.tolist() == [["ALL", 61], ["IRQ", 29], ["SYR", 32]]
    assert (totals["period_start"] == pd.Timestamp("2023-10-17")).all()
    assert totals["metric"].eq("attacks").all()


def test_totals_bounds_and_troops():
    totals = gi.extract_totals(
        "At least 60 U.S. personnel have reported minor injuries. There are about "
        "2,500 U.S. troops in Iraq and fewer than 1,000 in Syria.",
        published=PUB,
    )
    rows = totals[["metric", "scope", "value", "bound"]].values.tolist()
    assert ["injured", "ALL", 60, "at_least"] in rows
    assert ["us_troops", "IRQ", 2500, "about"] in rows
    assert ["us_troops", "SYR", 1000, "at_most"] in rows


def test_article_with_no_incident_gives_an_empty_table_with_the_schema():
    drafts = gi.extract_incidents("The minister met officials in Amman to discuss trade.", published=PUB)
    full = gi.extract_incidents("Rockets hit the al-Asad air base on Wednesday.", published=PUB)
    assert len(drafts) == 0
    assert drafts.dtypes.to_dict() == full.dtypes.to_dict()
    assert list(drafts.columns[: len(COLUMNS)]) == [c.name for c in COLUMNS]


def test_bad_inputs():
    with pytest.raises(TypeError, match="text must be a str"):
        gi.extract_incidents(b"bytes")
    with pytest.raises(ValueError, match="published must be an ISO date"):
        gi.extract_incidents("x", published="26/10/2023")
    with pytest.raises(ValueError, match="not an http"):
        gi.extract_incidents("Rockets hit al-Tanf on Monday.", published=PUB, url="ftp://x")


def test_drafts_validate_with_read_incidents_and_sources():
    drafts = gi.extract_incidents(
        "Rockets hit the al-Asad air base on Wednesday.",
        published=PUB,
        publisher="Wire",
        url="https://example.org/a",
    )
    again = gi.read_incidents(drafts)
    assert again[drafts.columns].equals(drafts)
    assert json.loads(drafts.loc[0, "sources"]) == [
        {"date": PUB, "publisher": "Wire", "url": "https://example.org/a"}
    ]


# -- the seed articles ---------------------------------------------------------------------------------------
@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed articles not available")
def test_seed_articles_find_the_example_incidents():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import extraction as bench  # type: ignore[import-not-found]

    q = bench.quality(SEEDS)
    assert q["recall_named_places"] >= 0.9 and q["precision"] >= 0.9
    assert q["weapon"]["precision"] >= 0.9


# -- the fast paths give the rules' answers ----------------------------------------------------------------
def test_a_caption_mark_anywhere_in_a_paragraph_skips_the_paragraph():
    text = (
        "Two drones hit al-Tanf on Monday, officials said. A guard tower at the base (AP Photo/Staff)\n"
        "Rockets hit the al-Asad air base on Monday, officials said."
    )
    drafts = gi.extract_incidents(text, published=PUB)
    assert drafts["site_id"].tolist() == ["ain-al-asad-airbase"]


def test_days_ago_in_other_digits_and_groups_with_odd_spacing():
    # the patterns' first-character lookaheads and word gates must not lose these
    found = find_dates("٣ days ago", date(2023, 10, 26))
    assert [(d.day, d.basis) for d in found] == [(date(2023, 10, 23), "3 days before publication")]
    row = one("Asaib Ahl  al-Haq claimed responsibility for rockets that hit al-Tanf on Monday.")
    assert row["claimed_by"] == "Asaib Ahl al-Haq"


def test_draft_table_dtypes_without_rows_and_with_missing_counts():
    empty = gi.extract_incidents("Markets were calm on Monday.", published=PUB)
    drafts = gi.extract_incidents("Rockets hit the al-Asad air base on Monday.", published=PUB)
    assert len(empty) == 0 and empty.dtypes.to_dict() == drafts.dtypes.to_dict()
    assert drafts["injured"].isna().all() and str(drafts["injured"].dtype) == "Int64"
    assert drafts["date_end"].isna().all() and str(drafts["date_end"].dtype) == "datetime64[ns]"
