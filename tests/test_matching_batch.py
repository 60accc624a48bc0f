"""The batch paths of geocoding give the answers of the one-name paths (issues 16, 17), and the facility rule
for towns reached through a misspelling or a core (issue 12)."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoincidents import geocode, geocode_all, load_gazetteer
from geoincidents.normalize import normalize_name, normalize_names, split_locative, split_locatives

# Words and marks that exercise every rule of normalize_name: articles, generic phrases (and the words that
# map onto them), folds, roman numerals, digits, tails, dots, apostrophes, Arabic and accents.
_WORDS = [
    "al", "el", "Al-", "the", "air", "base", "field", "fields", "strip", "military", "international", "intl",
    "airport", "airfield", "aerodrome", "camp", "gas", "oil", "plant", "oilfield", "AB", "Qasrak", "Shaddadi",
    "Ayn", "Aine", "Tower", "22", "III", "iiv", "near", "in", "north", "of", "outskirts", "U.S.", "Baghdad's",
    "Ra's", "Hewlêr", "عين", "الأسد", "قاعدة", "٢٢", "Conoco", "x", "_", "Kharab", "Jir", "Rmelan",
]  # fmt: skip
_SEPARATORS = [" ", "  ", "-", ", ", " (", ") ", "; ", "/", "\t", "'", "."]
_name = st.lists(st.sampled_from(_WORDS), min_size=0, max_size=6).flatmap(
    lambda words: st.lists(st.sampled_from(_SEPARATORS), min_size=len(words), max_size=len(words)).map(
        lambda seps: "".join(w + s for w, s in zip(words, seps, strict=True))
    )
)
# Enough names to take the column-wise path (it starts at a few hundred): a few drawn, repeated with variants.
_names = st.lists(_name, min_size=1, max_size=40).map(
    lambda names: [v for n in names for v in (n, n.upper(), n.title(), " " + n, n + " base")] * 2
)


def _padded(names: list[str]) -> list[str]:
    return names + ["Ain al-Asad Air Base", "Military Airfield", "gas fields"] * 100


@settings(max_examples=30, deadline=None)
@given(_names)
def test_normalize_names_equals_normalize_name(names):
    names = _padded(names)
    assert normalize_names(names) == [normalize_name(n) for n in names]


@settings(max_examples=30, deadline=None)
@given(_names)
def test_split_locatives_equals_split_locative(names):
    names = _padded(names)
    assert split_locatives(names) == [split_locative(n) for n in names]


def test_batch_forms_without_pyarrow(monkeypatch):
    names = ["Military Air Base", "al-Tanf, Syria", "near Erbil", "عين الأسد", "U.S. base"] * 100
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.compute", None)
    assert normalize_names(names) == [normalize_name(n) for n in names]
    assert split_locatives(names) == [split_locative(n) for n in names]


def test_batch_forms_reject_non_strings():
    with pytest.raises(TypeError, match="item 1"):
        normalize_names(["Erbil", 3])
    with pytest.raises(TypeError, match="item 0"):
        split_locatives([None])


def _same_as_geocode(names, countries, frame):
    for i, (name, country) in enumerate(zip(names, countries, strict=True)):
        m = geocode(name, country)
        row = frame.iloc[i]
        want = (None, None, False) if m is None else (m.site_id, m.method, m.ambiguous)
        have = (
            row["site_id"] if isinstance(row["site_id"], str) else None,
            row["method"] if isinstance(row["method"], str) else None,
            bool(row["ambiguous"]),
        )
        assert have == want, name
        if m is not None:
            assert row["score"] == m.score, name


_MIXED = [
    "Ain al-Asad", "AIN AL-ASAD", "Ayn al Asad airbase", "Qasrak", "Qasrek", "Kisrik", "al-Rukban",
    "Tower 22", "Tower 23", "Harir Airport in Erbil", "the Conoco gas field in Deir el-Zour", "Karak",
    "Shadadah", "Alasad", "Hariri", "Saddam", "Springfield", "Bagdad airport airfield", "quamishlo aiirbase",
    "Erbil base", "Rmelan base", "near Erbil", "Kharab al-Jir airbase", "Tanuf", "Al Rukban",
]  # fmt: skip


@pytest.mark.parametrize("country", [None, "SYR", "IRQ", "JOR"])
def test_geocode_all_equals_geocode_with_one_hint(country):
    names = _MIXED * 12  # over the column-wise and cdist thresholds, with every key repeated
    frame = geocode_all(names, country)
    _same_as_geocode(names[: len(_MIXED)], [country] * len(_MIXED), frame)
    assert frame.iloc[len(_MIXED) :]["site_id"].tolist() == frame["site_id"].tolist()[: -len(_MIXED)]


def test_geocode_all_equals_geocode_with_a_hint_per_row():
    hints = [None, "SYR", "Iraq", "JOR", "IRQ"]
    names = [n for n in _MIXED for _ in hints] * 3
    countries = [h for _ in _MIXED for h in hints] * 3
    frame = geocode_all(pd.Series(names), pd.Series(countries))
    _same_as_geocode(names, countries, frame)


def test_cached_answers_follow_a_gazetteer_change():
    gaz = load_gazetteer()
    assert geocode("Camp Example base", gazetteer=gaz) is None
    assert geocode_all(["Camp Exampel"] * 300, gazetteer=gaz)["site_id"].isna().all()
    gaz.add_site(
        site_id="camp-example",
        name="Camp Example",
        name_ar="معسكر مثال",
        kind="base",
        country="IRQ",
        admin1="Anbar",
        lat=33.4,
        lon=42.4,
        uncertainty_m=5000,
        coord_source="analyst estimate",
    )
    assert geocode("Camp Example base", gazetteer=gaz).site_id == "camp-example"
    assert set(geocode_all(["Camp Exampel"] * 300, gazetteer=gaz)["site_id"]) == {"camp-example"}
    assert geocode("Camp Example base") is None  # the bundled gazetteer is not changed


# -- issue 12: a facility word about a town reached only through its core or a misspelling -------------
@pytest.mark.parametrize(
    ("query", "site_id", "method"),
    [
        ("Bagdad airport airfield", "baghdad-airport", "exact"),  # core "bagdad": only the city's alias
        ("quamishlo aiirbase", "qamishli-airport", "fuzzy"),  # a misspelling of the city's alias "Qamishlo"
        ("Bagdad", "baghdad", "alias"),  # no facility word: the city
        ("Qamishlo", "qamishli", "alias"),
        ("Erbil base", "erbil-airbase", "exact"),  # unchanged: the core step already prefers the facility
    ],
)
def test_facility_word_about_a_town_means_its_facility(query, site_id, method):
    m = geocode(query)
    assert (m.site_id, m.method) == (site_id, method)
    assert geocode_all([query] * 300)["site_id"].tolist() == [site_id] * 300


def test_facility_rule_keeps_the_score_and_respects_hints():
    fuzzy_town = geocode("quamishlo")
    assert fuzzy_town.site_id == "qamishli"
    assert geocode("quamishlo aiirbase").score == geocode("quamishlo airbase").score
    assert geocode("Bagdad airport airfield", "IRQ").site_id == "baghdad-airport"
    assert geocode("Bagdad airport airfield", "SYR") is None


def test_facility_rule_never_crosses_a_border():
    gaz = load_gazetteer()
    gaz.add_site(
        site_id="zorava",
        name="Zorava",
        name_ar="زورافا",
        kind="city",
        country="SYR",
        admin1="Daraa",
        lat=32.9,
        lon=36.3,
        uncertainty_m=5000,
        coord_source="analyst estimate",
        aliases=["Zorawa"],
    )
    gaz.add_site(
        site_id="zorava-airbase",
        name="Zorava Air Base",
        name_ar="قاعدة زورافا",
        kind="airbase",
        country="JOR",
        admin1="Mafraq",
        lat=32.5,
        lon=36.4,
        uncertainty_m=5000,
        coord_source="analyst estimate",
    )
    # "Zorawa" reaches only the town; the air base named after it lies across the border: not chosen.
    assert geocode("Zorawa base", gazetteer=gaz).site_id == "zorava"
    tie = geocode("Zorava base", gazetteer=gaz)  # a core shared across the border stays a tie
    assert tie.ambiguous and {c.site_id for c in tie.candidates} == {"zorava", "zorava-airbase"}


# -- the column-wise paths (issue 16): a few hundred distinct names take them -----------------------------
def _variants(text: str) -> list[str]:
    """Spellings a feed writes: as is, cased, with a facility word, misspelt (a letter dropped, doubled or
    swapped), with a tail or a "near"."""
    out = [text, text.upper(), f"{text} base", f"the {text} airfield", f"near {text}", f"{text}, Syria"]
    for i in (1, len(text) // 2, len(text) - 2):
        if 0 < i < len(text) - 1:
            out += [
                text[:i] + text[i + 1 :],
                text[:i] + text[i] + text[i:],
                text[:i] + text[i + 1] + text[i] + text[i + 2 :],
            ]
    return out


def _feed() -> list[str]:
    gaz = load_gazetteer()
    texts = sorted({s.name for s in gaz} | {a for a, _, _ in gaz.aliases})
    names = [v for t in texts[::3] for v in _variants(t)] + _MIXED + ["Tal Kharuba", "Umm Sadiya", "Kabul"]
    return list(dict.fromkeys(names))


def test_geocode_all_equals_geocode_column_wise():
    names = _feed()
    assert len(names) > 1000  # well over the column-wise threshold
    frame = geocode_all(pd.Series(names * 2, dtype="str"))
    _same_as_geocode(names, [None] * len(names), frame.iloc[: len(names)])
    assert frame["method"].eq("fuzzy").any() and frame["method"].isna().any()


def test_geocode_all_equals_geocode_column_wise_with_hints():
    names = _feed()[::2]
    hints = [("SYR", "IRQ", None, "JOR")[i % 4] for i in range(len(names))]
    frame = geocode_all(names, hints)
    _same_as_geocode(names, hints, frame)


_KEY_WORDS = ["airbase", "airport", "base", "field", "us", "a", "town", "near", "erbil", "tanf", "22", "asad"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_KEY_WORDS), min_size=1, max_size=5).map(" ".join), min_size=1))
def test_core_array_equals_core_of(keys):
    import pyarrow as pa

    from geoincidents.normalize import core_array, core_of

    assert core_array(pa.array(keys, type=pa.large_string())).to_pylist() == [core_of(k) for k in keys]


@settings(max_examples=30, deadline=None)
@given(_names)
def test_column_forms_of_a_pyarrow_array(names):
    import pyarrow as pa

    from geoincidents.normalize import locative_splits, name_key_array

    names = _padded(names)
    column = pa.array(names, type=pa.string())
    assert name_key_array(column).to_pylist() == [normalize_name(n) for n in names]
    changed = {i: split_locative(n) for i, n in enumerate(names) if split_locative(n) != (n, ())}
    assert locative_splits(column) == locative_splits(names) == changed


def test_generic_phrases_are_two_words_that_never_chain():
    # normalize_names collapses every phrase of a round at once: this holds only if no word that ends a
    # phrase (or is a canonical word) starts one, after the words are mapped to their generic word.
    from geoincidents.normalize import _MAPPED_PHRASES, _PHRASES

    assert all(len(phrase) == 2 for phrase, _ in _PHRASES)
    firsts = {first for first, _ in _MAPPED_PHRASES}
    assert not firsts & ({second for _, second in _MAPPED_PHRASES} | set(_MAPPED_PHRASES.values()))
