"""Tests for geoincidents.normalize: normalize_name and name_keys."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geoincidents.normalize import GENERIC_WORDS, name_keys, normalize_name

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءةىأإآٱ"
HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"  # tanwin, short vowels, shadda, sukun
LATIN_DIACRITICS = "éèêëāáàâäīíîïūúûüōóôöṣṭḥḍẓçñšžĀÉŌṢḤ"

# Plain letter -> accented forms (precomposed and with combining marks) that must normalise alike.
ACCENTED = {
    "a": ["á", "à", "â", "ä", "ā", "a\u0304", "a\u0301"],
    "e": ["é", "è", "ê", "ë", "e\u0301"],
    "i": ["í", "î", "ï", "ī"],
    "o": ["ó", "ô", "ö", "ō"],
    "u": ["ú", "û", "ü", "ū"],
    "s": ["ṣ", "s\u0323"],
    "h": ["ḥ"],
    "d": ["ḍ"],
    "t": ["ṭ"],
    "z": ["ẓ"],
    "c": ["ç"],
    "n": ["ñ"],
    "A": ["Á", "Ā"],
    "E": ["É"],
    "S": ["Ṣ"],
}


# ------------------------------------------------------------------------------------------ properties
@settings(max_examples=400, deadline=None)
@given(st.text())
def test_idempotent_on_arbitrary_text(text):
    once = normalize_name(text)
    assert normalize_name(once) == once


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=string.ascii_letters + " -'’ʿ" + ARABIC_LETTERS + HARAKAT + LATIN_DIACRITICS + "ـ٠١٢٣",
        max_size=30,
    )
)
def test_idempotent_on_arabic_and_latin_with_diacritics(text):
    once = normalize_name(text)
    assert normalize_name(once) == once


@pytest.mark.parametrize("text", ["IIV", "vvi", "Camp VVI"])
def test_idempotent_when_folding_produces_a_roman_numeral(text):
    once = normalize_name(text)
    assert normalize_name(once) == once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.ascii_letters + string.digits + " -" + ARABIC_LETTERS, max_size=30))
def test_case_insensitive(text):
    assert normalize_name(text.upper()) == normalize_name(text.lower()) == normalize_name(text)


@st.composite
def _plain_and_accented(draw):
    plain = draw(st.text(alphabet=string.ascii_letters + " -", max_size=25))
    accented = "".join(
        draw(st.sampled_from(ACCENTED[ch])) if ch in ACCENTED and draw(st.booleans()) else ch for ch in plain
    )
    return plain, accented


@settings(max_examples=300, deadline=None)
@given(_plain_and_accented())
def test_diacritic_insensitive(pair):
    plain, accented = pair
    assert normalize_name(accented) == normalize_name(plain)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ARABIC_LETTERS + " ", min_size=1, max_size=20), st.data())
def test_harakat_and_tatweel_are_ignored(text, data):
    decorated = "".join(ch + data.draw(st.sampled_from(["", "ـ", *HARAKAT])) for ch in text)
    assert normalize_name(decorated) == normalize_name(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_output_is_lower_case_words_separated_by_single_spaces(text):
    out = normalize_name(text)
    assert out == out.strip()
    assert "  " not in out
    assert out == out.casefold()


# ------------------------------------------------------------------------------------------ explicit cases
@pytest.mark.parametrize(
    "variant",
    ["al-Asad", "Al Asad", "AL-ASAD", "el-Asad", "El Asad", "the Asad", "al- Asad", "Asad", "al‐Asad"],
)
def test_article_forms_are_dropped(variant):
    assert normalize_name(variant) == "asad"


@pytest.mark.parametrize(
    ("with_article", "without"),
    [
        ("ash-Shaddadi", "Shaddadi"),
        ("At-Tanf", "Tanf"),
        ("At Tanf", "Tanf"),
        ("ar-Rutba", "Rutba"),
        ("as-Sukhnah", "Sukhnah"),
        ("ad-Dulab", "Dulab"),
        ("Deir ez-Zor", "Deir Zor"),
        ("The Conoco field", "Conoco field"),
    ],
)
def test_assimilated_article_forms_are_dropped(with_article, without):
    assert normalize_name(with_article) == normalize_name(without)
    assert len(normalize_name(with_article).split()) == len(normalize_name(without).split())


def test_article_inside_a_word_is_kept():
    # "al" is dropped as a word only: "Alamo" and "Salt" keep their letters.
    assert normalize_name("Alamo") == "alamo"
    assert normalize_name("Salt") == "salt"


def test_only_articles_and_punctuation_give_empty_string():
    assert normalize_name("al") == ""
    assert normalize_name(" - al -- the ") == ""
    assert normalize_name("") == ""


@pytest.mark.parametrize("spring", ["Ain", "Ayn", "Ein", "AYN", "Aine", "ʿAyn", "'Ain"])
def test_ain_ayn_ein_fold_together(spring):
    assert normalize_name(f"{spring} al-Asad") == "ain asad"


@pytest.mark.parametrize(
    ("a", "b"),
    [("Shaddadi", "Shadadi"), ("Al-Assad", "Al-Asad"), ("Muwaffaq", "Muwafaq"), ("Hassakeh", "Hasakeh")],
)
def test_doubled_letters_fold(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Qaim", "Kaim"), ("Boukamal", "Bukamal"), ("Meyadin", "Maiadin"), ("Baydar", "Beidar")],
)
def test_transliteration_variants_fold(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(
    "variant",
    [
        "Harir air base",
        "Harir Air Base",
        "Harir airbase",
        "Harir AB",
        "Harir airfield",
        "Harir air field",
        "Harir AFB",
        "Harir air-base",
        "Harir military airbase",
        "Harir military air base",
        "Harir airstrip",
    ],
)
def test_air_base_suffixes_canonical(variant):
    assert normalize_name(variant) == "harir airbase"


def test_military_air_base_canonical_and_idempotent():
    once = normalize_name("Harir military air base")
    assert once == "harir airbase"
    assert normalize_name(once) == once


def test_idempotent_when_a_phrase_produces_another_phrase():
    once = normalize_name("gas oil field")
    assert normalize_name(once) == once


@pytest.mark.parametrize(
    "variant",
    ["Erbil International Airport", "Erbil international airport", "Erbil Intl Airport", "Erbil airport"],
)
def test_international_airport_canonical(variant):
    assert normalize_name(variant) == "erbil airport"


@pytest.mark.parametrize(
    "variant",
    ["Conoco gas field", "Conoco oil field", "Conoco field", "Conoco oilfield", "Conoco gas fields"],
)
def test_gas_and_oil_field_canonical(variant):
    assert normalize_name(variant) == "conoco field"


def test_generic_words_do_not_merge_distinct_suffixes():
    assert normalize_name("Erbil airport") != normalize_name("Erbil air base")


@pytest.mark.parametrize(
    ("variant", "plain"),
    [
        ("أربيل", "اربيل"),
        ("إربيل", "اربيل"),
        ("آربيل", "اربيل"),
        ("ٱربيل", "اربيل"),
        ("حسكة", "حسكه"),
        ("مصطفى", "مصطفي"),
        ("عـــين", "عين"),
        ("عَيْنُ", "عين"),
        ("ﺍﻟﺤﺴﻜﺔ", "حسكه"),  # presentation forms
        ("کرکوک", "كركوك"),  # keheh -> kaf
        ("رمیلان", "رميلان"),  # Persian ya -> ya
    ],
)
def test_arabic_letter_variants(variant, plain):
    assert normalize_name(variant) == normalize_name(plain)
    assert normalize_name(variant) == plain


def test_arabic_article_prefix_is_dropped():
    assert normalize_name("الحسكة") == normalize_name("حسكة") == "حسكه"
    assert normalize_name("عين الأسد") == "عين اسد"


def test_short_arabic_word_starting_with_al_letters_is_kept():
    # "الف" (thousand) is three letters: the prefix rule needs more than that.
    assert normalize_name("الف") == "الف"


@pytest.mark.parametrize(("arabic", "ascii_"), [("البرج ٢٢", "البرج 22"), ("برج ۲۲", "برج 22")])
def test_arabic_indic_digits(arabic, ascii_):
    assert normalize_name(arabic) == normalize_name(ascii_)
    assert "22" in normalize_name(arabic)


def test_digits_are_preserved():
    assert normalize_name("Tower 22") == "tower 22"
    assert normalize_name("Tower 22") != normalize_name("Tower 2")
    assert normalize_name("Union 33") != normalize_name("Union 3")


@pytest.mark.parametrize(
    ("roman", "arabic_numeral"),
    [("Union III", "Union 3"), ("Union II", "Union 2"), ("Camp IV", "Camp 4"), ("FOB VIII", "FOB 8")],
)
def test_roman_numerals(roman, arabic_numeral):
    assert normalize_name(roman) == normalize_name(arabic_numeral)


def test_bare_i_and_v_are_not_numerals():
    assert normalize_name("Camp I") != normalize_name("Camp 1")
    assert normalize_name("V") == "v"


def test_apostrophes_join_and_other_punctuation_separates():
    assert normalize_name("Qa'im") == normalize_name("Qaim")
    assert normalize_name("Qa’im") == normalize_name("Qaim")
    assert normalize_name("Deir-ez-Zor") == normalize_name("Deir ez Zor")
    assert normalize_name("Maysulun, Deir el-Zour") == normalize_name("Maysulun Deir Zour")


def test_non_str_raises_type_error():
    with pytest.raises(TypeError, match="str"):
        normalize_name(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        normalize_name(22)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ name_keys
@pytest.mark.parametrize(
    ("name", "full", "core"),
    [
        ("Erbil Air Base", "erbil airbase", "erbil"),
        ("the Conoco gas field", "conoco field", "conoco"),
        ("US base near Erbil", "us base near erbil", "erbil"),
        ("Camp Taji", "base taji", "taji"),
        ("Ain al-Asad airbase", "ain asad airbase", "ain asad"),
        ("قاعدة التنف", "base تنف", "تنف"),
        ("Tower 22", "tower 22", "tower 22"),
    ],
)
def test_name_keys_strip_generic_words_at_the_ends(name, full, core):
    assert name_keys(name) == (full, core)


def test_name_keys_keep_generic_words_in_the_middle():
    # Only the ends are stripped: "field" in the middle of a name stays.
    full, core = name_keys("Omar field station")
    assert full == "omar field station"
    assert core == full


def test_name_keys_core_is_full_when_only_generic_words():
    assert name_keys("Air Base") == ("airbase", "airbase")
    assert name_keys("the base") == ("base", "base")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=string.ascii_letters + " -" + ARABIC_LETTERS, max_size=30))
def test_name_keys_full_is_normalize_name_and_core_is_a_slice_of_it(text):
    full, core = name_keys(text)
    assert full == normalize_name(text)
    words, core_words = full.split(), core.split()
    if full:
        # the core is a contiguous run of the full key's words, and what was cut off is generic
        starts = [i for i in range(len(words)) if words[i : i + len(core_words)] == core_words]
        assert starts
        i = starts[0]
        cut = words[:i] + words[i + len(core_words) :]
        assert all(w in GENERIC_WORDS for w in cut)
    else:
        assert core == ""


# ============================================================================== descriptive phrases
from geoincidents.normalize import split_locative, unglued_key  # noqa: E402


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Baghdad's airport", "baghdad airport"),
        ("Baghdad\u2019s airport", "baghdad airport"),
        ("Erbil's air base", "erbil airbase"),
        ("Ra's al-Ayn", "ras ain"),  # "ra's" (head) is a word, not a possessive
        ("U.S. military base", "us base"),
        ("U. S. A. base", "usa base"),
    ],
)
def test_possessives_and_dotted_abbreviations(text, key):
    assert normalize_name(text) == key


@pytest.mark.parametrize(
    ("text", "core"),
    [("al-Shaddadi town", "shadadi"), ("Victory Base Complex", "victory"), ("Erbil air base", "erbil")],
)
def test_descriptors_are_generic(text, core):
    assert name_keys(text)[1] == core


@pytest.mark.parametrize(
    ("text", "core"),
    [
        ("Anbar province", "anbar province"),
        ("Deir ez-Zor Governorate", "dair zor governorate"),
        ("the Erbil region", "erbil region"),
        ("Hasakah countryside", "hasakah cuntryside"),
    ],
)
def test_area_words_stay_in_the_core(text, core):
    """A province or countryside is not the town it is named after: its word is part of the name."""
    assert name_keys(text)[1] == core


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Alasad", "asad"),
        ("Alshaddadi", "shadadi"),
        ("Elmayadin", "maiadin"),
        ("Albu Kamal", ""),  # four letters: "albu" is a word
        ("Erbil", ""),
    ],
)
def test_unglued_key(text, expected):
    assert unglued_key(normalize_name(text)) == expected


@pytest.mark.parametrize(
    ("text", "head", "tails"),
    [
        ("Harir Airport in Erbil", "Harir Airport", (("Erbil", False),)),
        ("Conoco, Deir ez-Zor, Syria", "Conoco", (("Deir ez-Zor", False), ("Syria", False))),
        ("Shaddadi north-east of Hasakah", "Shaddadi", (("Hasakah", True),)),
        ("Mayadin (Deir ez-Zor)", "Mayadin", (("Deir ez-Zor", False),)),
        ("Tower 22 near al-Tanf", "Tower 22", (("al-Tanf", True),)),
        ("US base near Erbil", "US base near Erbil", ()),  # only descriptors before the tail
        ("near Erbil", "near Erbil", ()),
        ("Erbil", "Erbil", ()),
    ],
)
def test_split_locative(text, head, tails):
    assert split_locative(text) == (head, tails)


def test_split_locative_rejects_non_str():
    with pytest.raises(TypeError):
        split_locative(3)  # type: ignore[arg-type]
