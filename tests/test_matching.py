"""Tests for geoincidents.matching: geocode, geocode_all and nearest_site against the bundled gazetteer."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from rapidfuzz import fuzz

from geoincidents.gazetteer import load_gazetteer
from geoincidents.matching import (
    AMBIGUITY_MARGIN,
    CORE_SCORE,
    FUZZY_THRESHOLD,
    MIN_FUZZY_LENGTH,
    RESULT_COLUMNS,
    Match,
    geocode,
    geocode_all,
    nearest_site,
)
from geoincidents.normalize import name_keys

GAZ = load_gazetteer()
GEOD = Geod(ellps="WGS84")


def _site(query: str, country: str | None = None) -> str | None:
    match = geocode(query, country)
    return None if match is None else match.site_id


# ============================================================================== alias forms from the issue
@pytest.mark.parametrize(
    ("query", "site_id"),
    [
        ("Ain al-Asad", "ain-al-asad-airbase"),
        ("al-Asad air base", "ain-al-asad-airbase"),
        ("Ayn al Asad", "ain-al-asad-airbase"),
        ("Ayn al Asad airbase", "ain-al-asad-airbase"),
        ("Ain Al-Asad", "ain-al-asad-airbase"),
        ("AIN AL-ASSAD", "ain-al-asad-airbase"),
        ("عين الأسد", "ain-al-asad-airbase"),
        ("عين الاسد", "ain-al-asad-airbase"),
        ("al-Tanf", "al-tanf-garrison"),
        ("At Tanf", "al-tanf-garrison"),
        ("Shaddadi", "shaddadi-base"),
        ("Al-Shadadi", "shaddadi-base"),
        ("the Conoco gas field", "conoco-gas-field"),
        ("Koniko", "conoco-gas-field"),
        ("Erbil", "erbil"),
        ("Irbil", "erbil"),
        ("Arbil", "erbil"),
        ("Hawler", "erbil"),
        ("Erbil air base", "erbil-airbase"),
        ("Erbil airport", "erbil-airbase"),
        ("Abu Kamal", "boukamal"),
        ("Al Bukamal", "boukamal"),
        ("Boukamal", "boukamal"),
        ("Tower 22", "tower-22"),
        ("Union III", "union-iii"),
        ("Union 3", "union-iii"),
        ("Muwaffaq Salti Air Base", "muwaffaq-salti-airbase"),
        ("Mayadin", "mayadin"),
        ("MSS Euphrates", "mss-euphrates"),
        ("Green Village", "green-village"),
        ("LZ Rumalyn", "rumalyn-landing-zone"),
        ("Tal Baydar", "tal-baydar"),
        ("Qasrak", "qasrak"),
        ("Maysulun", "maysulun"),
        ("Harir", "harir-airbase"),
        ("Abu Hajar", "abu-hajar-airport"),
        ("Baghdad airport", "baghdad-airport"),
        ("US Embassy Baghdad", "us-embassy-baghdad"),
    ],
)
def test_issue_alias_forms(query, site_id):
    match = geocode(query)
    assert match is not None and match.site_id == site_id
    assert not match.ambiguous and match.candidates == ()
    site = GAZ[site_id]
    assert (match.lat, match.lon, match.country, match.province, match.kind) == (
        site.lat,
        site.lon,
        site.country,
        site.admin1,
        site.kind,
    )
    assert match.score >= CORE_SCORE


def test_erbil_city_and_air_base_are_different_places():
    city, base = geocode("Erbil"), geocode("Erbil air base")
    assert (city.kind, base.kind) == ("city", "airbase")
    assert city.site_id != base.site_id


@pytest.mark.parametrize("site", list(GAZ), ids=lambda s: s.site_id)
def test_arabic_name_of_every_site_finds_it(site):
    match = geocode(site.name_ar)
    if match.ambiguous:  # "رميلان" is shared by the town and the landing zone on purpose
        assert site.site_id in {c.site_id for c in match.candidates}
    else:
        assert (match.site_id, match.method, match.score) == (site.site_id, "exact", 100)


@pytest.mark.parametrize("site", list(GAZ), ids=lambda s: s.site_id)
def test_arabic_name_with_harakat_and_tatweel_finds_it(site):
    decorated = site.name_ar.replace("ا", "اَ").replace("ل", "لـ")
    expected = geocode(site.name_ar)
    assert geocode(decorated).site_id == expected.site_id


# ============================================================================== method and score
def test_preferred_name_is_exact_100():
    match = geocode("Ain al-Asad Air Base")
    assert (match.method, match.score, match.alias) == ("exact", 100, "Ain al-Asad Air Base")


def test_alias_is_alias_100():
    match = geocode("Hawler")
    assert (match.method, match.score, match.alias) == ("alias", 100, "Hawler")


def test_normalisation_variant_of_an_alias_is_still_alias_100():
    # Not listed literally, but equal after folding doubled letters, article and case.
    match = geocode("SHADDADEE")
    assert match is None or match.method == "fuzzy"
    match = geocode("al-Mayadeen")
    assert (match.site_id, match.method, match.score) == ("mayadin", "alias", 100)


@pytest.mark.parametrize(
    ("query", "site_id", "method"),
    [
        ("Erbil base", "erbil-airbase", "exact"),  # facility word -> facility
        ("near Erbil", "erbil", "exact"),  # no facility word -> the city
        ("US base near Erbil", "erbil-airbase", "exact"),
        ("Tower 22 outpost", "tower-22", "exact"),
        ("near Koniko", "conoco-gas-field", "alias"),
    ],
)
def test_core_match_scores_95(query, site_id, method):
    match = geocode(query)
    assert (match.site_id, match.score, match.method) == (site_id, CORE_SCORE, method)
    assert match.score == 95


@pytest.mark.parametrize(
    ("query", "site_id"),
    [
        ("Ain al-Asda", "ain-al-asad-airbase"),
        ("Qasrk", "qasrak"),
        ("Hasakh", "hasakah"),
        ("Bulbl", "mayadin-bulbul"),
        ("Abu Kamel", "boukamal"),
        ("Shadadee", "shaddadi-base"),
        ("Jurf al-Sakar", "jurf-al-sakhar"),
    ],
)
def test_typos_are_fuzzy_matches(query, site_id):
    match = geocode(query)
    assert match is not None and match.site_id == site_id
    assert match.method == "fuzzy"
    assert FUZZY_THRESHOLD <= match.score < 100
    # The score is rapidfuzz's ratio between the query's core and the core of the name it matched.
    expected = fuzz.ratio(name_keys(query)[1], name_keys(match.alias)[1])
    assert match.score == pytest.approx(expected, abs=0.05)


@pytest.mark.parametrize(
    ("query", "site_id"),
    [
        ("Shadaddi", "shaddadi-base"),
        ("Muwafaq Salti", "muwaffaq-salti-airbase"),
        ("Mayadeen", "mayadin"),
        ("Harrir", "harir-airbase"),
        ("Bukamaal", "boukamal"),
    ],
)
def test_doubled_letter_typos_are_absorbed_by_normalisation(query, site_id):
    # Doubled letters fold away, so these typos match an alias exactly rather than fuzzily.
    match = geocode(query)
    assert (match.site_id, match.score) == (site_id, 100)
    assert match.method in ("exact", "alias")


def test_min_score_raises_the_bar_for_fuzzy():
    match = geocode("Ain al-Asda")
    assert geocode("Ain al-Asda", min_score=match.score + 0.1) is None
    assert geocode("Ain al-Asda", min_score=match.score).site_id == "ain-al-asad-airbase"


def test_min_score_out_of_range_raises():
    with pytest.raises(ValueError, match="min_score"):
        geocode("Erbil", min_score=101)
    with pytest.raises(ValueError):
        geocode("Erbil", min_score=-1)


def test_name_must_be_str():
    with pytest.raises(TypeError):
        geocode(None)  # type: ignore[arg-type]


# ============================================================================== negatives
@pytest.mark.parametrize(
    "query",
    [
        "Kabul",
        "Springfield",
        "Asadabad",
        "Euphrates",
        "northern Syria",
        "",
        "al",
        "   ",
        "-",
        "the",
        "Tamf",
        "Conoko",
        "Rmelan town",
        "Baghdad Zoo",
        "air base",
        "Damascus",
    ],
)
def test_unknown_names_return_none(query):
    assert geocode(query) is None


def test_short_cores_are_never_fuzzy_matched():
    # Documented rule: cores shorter than MIN_FUZZY_LENGTH are matched exactly or not at all,
    # whatever the threshold. "Tnf" (3 letters) is one letter from "Tanf".
    assert MIN_FUZZY_LENGTH == 4
    assert geocode("Tnf", min_score=0) is None
    assert geocode("ATG").site_id == "al-tanf-garrison"  # a short exact alias still works
    # "Tamf" (4 letters) is long enough to be compared; it only misses the default threshold.
    assert fuzz.ratio("tamf", "tanf") < FUZZY_THRESHOLD
    assert geocode("Tamf") is None
    assert geocode("Tamf", min_score=70).site_id == "al-tanf-garrison"


def test_name_missing_a_whole_word_is_not_a_typo():
    assert geocode("Euphrates") is None
    assert geocode("MSS Euphrates").site_id == "mss-euphrates"


@pytest.mark.parametrize("query", ["Tower 23", "Tower 2", "Union 4"])
def test_different_number_is_not_a_typo(query):
    assert geocode(query) is None


def test_military_air_base_suffix():
    match = geocode("Harir military air base")
    assert (match.site_id, match.score) == ("harir-airbase", 100)


# ============================================================================== ambiguity
@pytest.mark.parametrize("query", ["Rmelan", "Rumeilan", "رميلان"])
def test_rmelan_is_ambiguous(query):
    match = geocode(query)
    assert match.ambiguous
    assert match.site_id is None and match.lat is None and match.lon is None and match.name is None
    assert {c.site_id for c in match.candidates} == {"rmelan", "rumalyn-landing-zone"}
    assert all(c.country == "SYR" for c in match.candidates)
    assert match.score == 100
    assert "ambiguous" in repr(match)


def test_country_hint_does_not_break_a_same_country_tie():
    assert geocode("Rmelan", "SYR").ambiguous


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Green Zone", {"union-iii", "us-embassy-baghdad"}),
        ("Victory Base", {"baghdad-airport", "baghdad-diplomatic-support-center"}),
    ],
)
def test_other_deliberately_ambiguous_names(query, expected):
    match = geocode(query)
    assert match.ambiguous and {c.site_id for c in match.candidates} == expected


def test_fuzzy_tie_is_ambiguous():
    match = geocode("Rumeilam")
    assert match.ambiguous and match.method == "fuzzy"
    assert {c.site_id for c in match.candidates} == {"rmelan", "rumalyn-landing-zone"}
    scores = [c.score for c in match.candidates]
    assert max(scores) - min(scores) < AMBIGUITY_MARGIN
    assert FUZZY_THRESHOLD <= match.score < 100


def test_match_to_dict_is_json_ready():
    match = geocode("Rmelan")
    data = json.loads(json.dumps(match.to_dict()))
    assert data["ambiguous"] is True
    assert sorted(c["site_id"] for c in data["candidates"]) == ["rmelan", "rumalyn-landing-zone"]
    assert json.loads(json.dumps(geocode("Irbil").to_dict()))["site_id"] == "erbil"


def test_match_repr_html_escapes():
    match = Match("<b>x</b>", "s", "A & B", "IRQ", "P", "base", 1.0, 2.0, 3.0, 100.0, "exact", "<i>")
    out = match._repr_html_()
    assert "<b>x</b>" not in out and "&lt;b&gt;x&lt;/b&gt;" in out and "A &amp; B" in out


# ============================================================================== country hint
def test_country_hint_filters():
    assert geocode("Erbil", country="SYR") is None
    assert _site("Erbil", "Iraq") == "erbil"
    assert _site("Erbil", "IRQ") == "erbil"
    assert geocode("Tanf", "JOR") is None
    assert _site("Tanf", "Syria") == "al-tanf-garrison"
    assert _site("Ain al-Asda", "IRQ") == "ain-al-asad-airbase"
    assert geocode("Ain al-Asda", "JOR") is None


@pytest.mark.parametrize("bad", ["Atlantis", "ZZZ", ""])
def test_bad_country_raises_value_error(bad):
    with pytest.raises(ValueError, match="country"):
        geocode("Erbil", country=bad)


# ============================================================================== geocode_all
def _assert_row_equals_geocode(row: pd.Series, query, country=None) -> None:
    if query is None or (isinstance(query, float) and math.isnan(query)):
        assert pd.isna(row["site_id"]) and pd.isna(row["method"]) and math.isnan(row["score"])
        assert not row["ambiguous"]
        return
    match = geocode(query, country)
    if match is None:
        assert pd.isna(row["site_id"]) and pd.isna(row["method"]) and math.isnan(row["score"])
        assert not row["ambiguous"] and pd.isna(row["candidates"])
        return
    assert row["method"] == match.method
    assert row["score"] == match.score
    assert bool(row["ambiguous"]) == match.ambiguous
    if match.ambiguous:
        assert pd.isna(row["site_id"])
        assert row["candidates"] == "|".join(c.site_id for c in match.candidates)
    else:
        assert row["site_id"] == match.site_id
        assert (row["lat"], row["lon"], row["name"], row["country"]) == (
            match.lat,
            match.lon,
            match.name,
            match.country,
        )
        assert (row["province"], row["kind"], row["uncertainty_m"]) == (
            match.province,
            match.kind,
            match.uncertainty_m,
        )
        assert row["alias"] == match.alias
        assert pd.isna(row["candidates"])


def test_geocode_all_list_input():
    names = ["Irbil", "al-Tanf", "Springfield", "Rmelan", "Ain al-Asda", "Irbil"]
    out = geocode_all(names)
    assert list(out.columns) == list(RESULT_COLUMNS)
    assert list(out.index) == list(range(len(names)))
    assert list(out["query"]) == names
    for (_, row), name in zip(out.iterrows(), names, strict=True):
        _assert_row_equals_geocode(row, name)


def test_geocode_all_series_keeps_index_and_handles_missing():
    names = pd.Series(["Irbil", None, np.nan, "Kabul", "Rmelan"], index=["e", "d", "c", "b", "a"])
    out = geocode_all(names)
    assert list(out.index) == ["e", "d", "c", "b", "a"]
    assert out.loc["e", "site_id"] == "erbil"
    assert out[["site_id", "method"]].loc[["d", "c", "b"]].isna().all().all()
    assert out.loc["a", "ambiguous"] and out.loc["a", "candidates"] == "rmelan|rumalyn-landing-zone"
    assert out["ambiguous"].dtype == bool
    assert out["lat"].dtype == "float64"


def test_geocode_all_empty_input():
    out = geocode_all([])
    assert len(out) == 0 and list(out.columns) == list(RESULT_COLUMNS)


def test_geocode_all_single_country_hint():
    out = geocode_all(["Erbil", "Tanf"], country="SYR")
    assert pd.isna(out.loc[0, "site_id"])
    assert out.loc[1, "site_id"] == "al-tanf-garrison"


def test_geocode_all_per_row_country_series():
    idx = [100, 7, 42, 3]
    names = pd.Series(["Erbil", "Erbil", "Tanf", "Tanf"], index=idx)
    countries = pd.Series(["Iraq", "SYR", None, "JOR"], index=idx)
    out = geocode_all(names, countries)
    assert list(out.index) == idx
    assert out.loc[100, "site_id"] == "erbil"
    assert pd.isna(out.loc[7, "site_id"])
    assert out.loc[42, "site_id"] == "al-tanf-garrison"
    assert pd.isna(out.loc[3, "site_id"])


def test_geocode_all_two_spellings_of_one_country_agree():
    out = geocode_all(["Ain al-Asda", "Ain al-Asda", "Ain al-Asda"], ["Iraq", "IRQ", "JOR"])
    assert list(out["site_id"].iloc[:2]) == ["ain-al-asad-airbase"] * 2
    assert pd.isna(out["site_id"].iloc[2])


def test_geocode_all_country_length_mismatch_and_bad_country():
    with pytest.raises(ValueError, match="2 values for 3 names"):
        geocode_all(["a", "b", "c"], pd.Series(["IRQ", "SYR"]))
    with pytest.raises(ValueError):
        geocode_all(["a", "b", "c"], ["IRQ", "SYR"])
    with pytest.raises(ValueError, match="country"):
        geocode_all(["Erbil"], ["Narnia"])


def test_geocode_all_country_list_length_mismatch_message():
    with pytest.raises(ValueError, match="country has 2 values for 3 names"):
        geocode_all(["a", "b", "c"], ["IRQ", "SYR"])


def _alias_variants() -> list[str]:
    out = []
    for alias, _, _ in GAZ.aliases:
        out += [alias, alias.upper(), f"the {alias}", alias.replace("a", "aa", 1)]
    out += [s.name for s in GAZ] + [s.name_ar for s in GAZ]
    return out


NOISE = [
    "Kabul",
    "Springfield",
    "Asadabad",
    "Euphrates",
    "",
    "al",
    "Tamf",
    "Tower 23",
    "Ain al-Asda",
    "Rumeilam",
    "Qasrk",
    "Erbil base",
    "near Erbil",
    "Green Zone",
    "Conoko",
    "US base near Erbil",
]
_NAME = st.one_of(
    st.sampled_from(_alias_variants()),
    st.sampled_from(NOISE),
    st.none(),
    st.text(alphabet="abcdefghijklmnorstuwyz -", max_size=12),
)
_COUNTRY = st.sampled_from([None, "IRQ", "SYR", "JOR", "Iraq", "Syria"])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_NAME, _COUNTRY), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_geocode_all_matches_geocode_on_every_row(pairs, rnd):
    rnd.shuffle(pairs)
    names = [n for n, _ in pairs]
    countries = [c for _, c in pairs]
    index = pd.Index([f"r{i}" for i in rnd.sample(range(1000), len(pairs))])
    out = geocode_all(
        pd.Series(names, index=index, dtype=object), pd.Series(countries, index=index, dtype=object)
    )
    assert list(out.index) == list(index)
    for label, name, country in zip(index, names, countries, strict=True):
        _assert_row_equals_geocode(out.loc[label], name, country)


def test_geocode_all_matches_geocode_on_every_alias_shuffled():
    names = _alias_variants() + NOISE
    random.Random(7).shuffle(names)
    out = geocode_all(names)
    for (_, row), name in zip(out.iterrows(), names, strict=True):
        _assert_row_equals_geocode(row, name)


# ============================================================================== nearest_site
def test_nearest_site_at_a_site_point():
    site = GAZ["tower-22"]
    match = nearest_site(site.lat, site.lon)
    assert match.site_id == "tower-22" and match.method == "nearest"
    assert match.distance_m == pytest.approx(0, abs=1e-6)
    assert match.score == 100
    assert "m away" in repr(match)


def test_nearest_site_five_km_away_distance_checked_with_pyproj():
    site = GAZ["ain-al-asad-airbase"]
    lon, lat, _ = GEOD.fwd(site.lon, site.lat, 200, 5000)  # 5 km south-south-west
    match = nearest_site(lat, lon)
    assert match.site_id == "ain-al-asad-airbase"
    _, _, expected = GEOD.inv(lon, lat, site.lon, site.lat)
    assert expected == pytest.approx(5000, abs=0.01)
    assert match.distance_m == pytest.approx(expected, abs=0.01)
    assert match.score == pytest.approx(100 * (1 - expected / 25_000), abs=0.05)


def test_nearest_site_beyond_max_distance_is_none():
    site = GAZ["ain-al-asad-airbase"]
    lon, lat, _ = GEOD.fwd(site.lon, site.lat, 200, 5000)
    assert nearest_site(lat, lon, max_distance_m=4999) is None
    assert nearest_site(lat, lon, max_distance_m=5001).site_id == "ain-al-asad-airbase"
    assert nearest_site(30.0, 60.0) is None  # in the desert of Afghanistan/Iran, far from any site


def test_nearest_site_country_hint():
    t22 = GAZ["tower-22"]
    match = nearest_site(t22.lat, t22.lon, country="SYR")
    assert match.site_id == "rukban-camp"  # the camp across the border, not the outpost itself
    camp = GAZ["rukban-camp"]
    _, _, expected = GEOD.inv(t22.lon, t22.lat, camp.lon, camp.lat)
    assert match.distance_m == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("lat", "lon"), [(91, 40), (-90.5, 40), (33, 181), (33, -200), (float("nan"), 40)])
def test_nearest_site_invalid_point(lat, lon):
    with pytest.raises(ValueError):
        nearest_site(lat, lon)


def test_nearest_site_invalid_max_distance():
    with pytest.raises(ValueError, match="max_distance_m"):
        nearest_site(33.0, 42.0, max_distance_m=0)
