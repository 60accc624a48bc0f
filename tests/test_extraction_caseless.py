"""Case-insensitive rules of the extractor matched on the lower-cased text (extraction.text.Caseless): the
same matches as re.IGNORECASE, at the same offsets, for every code point and every pattern."""

from __future__ import annotations

import random
import re
import string
import sys
from pathlib import Path

import pytest

from geoincidents.extraction import dates, facts, places, text
from geoincidents.extraction.text import Caseless, find_in_runs, fold_case

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")


def _caseless_patterns() -> list[Caseless]:
    """Every Caseless pattern the extraction modules define (module names, and inside tuples/lists)."""
    found: dict[int, Caseless] = {}

    def visit(value: object) -> None:
        if isinstance(value, Caseless):
            found[id(value)] = value
        elif isinstance(value, tuple | list):
            for item in value:
                visit(item)

    import geoincidents.extraction as extraction

    for module in (extraction, dates, facts, places, text):
        for value in vars(module).values():
            visit(value)
    return list(found.values())


PATTERNS = _caseless_patterns()


def test_the_modules_define_caseless_patterns():
    assert len(PATTERNS) >= 20


def test_lower_case_keeps_ignorecase_matches_for_every_code_point():
    """For every character that lower-cases to one character, the ASCII letters re.IGNORECASE matches it
    with are the one str.lower() gives, and \\w, \\s, \\d and "." treat both alike, except the characters
    fold_case refuses."""
    chars = [chr(cp) for cp in range(sys.maxunicode + 1) if not 0xD800 <= cp <= 0xDFFF]
    chars = [c for c in chars if len(c.lower()) == 1]
    original = "".join(chars)
    lowered = "".join(c.lower() for c in chars)
    refused = {i for i, c in enumerate(chars) if fold_case(c) is None}
    assert {chars[i] for i in refused} == {"\u0131", "\u017f"}
    for letter in string.ascii_lowercase:
        any_case = {m.start() for m in re.finditer(letter, original, re.IGNORECASE)}
        folded = {m.start() for m in re.finditer(letter, lowered)}
        assert any_case - refused == folded - refused, letter
    for cls in (r"\w", r"\s", r"\d", "."):
        starts = [m.start() for m in re.finditer(cls, original)]
        assert starts == [m.start() for m in re.finditer(cls, lowered)], cls
    punctuation = set(string.punctuation + string.digits + " \n’‘“”–")
    assert all((o in punctuation) == (w in punctuation) for o, w in zip(original, lowered, strict=True))


@pytest.mark.parametrize("sample", ["Drones hit AL-ASAD", "İzmir", "ſhot down", "dotless ı", ""])
def test_fold_case_keeps_offsets_or_refuses(sample):
    low = fold_case(sample)
    if low is not None:
        assert low == sample.lower() and len(low) == len(sample)
    else:
        assert len(sample.lower()) != len(sample) or {"\u0131", "\u017f"} & set(sample)


def _case_shuffled(sample: str, rng: random.Random) -> str:
    return "".join(c.upper() if rng.random() < 0.3 else c for c in sample)


def _texts() -> list[str]:
    rng = random.Random(7)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    written = [
        "Two DRONES were Shot Down over the base; THE SAME BASE was hit the Next Day by 3 rockets.",
        "No U.S. troops were injured. Several injuries, 2 US soldiers WOUNDED, a dozen IEDs, Katyusha fire.",
        "Militias attacked in Northern Syria and South-Eastern Iraq 2 days ago, this week, last night.",
        "The ſtrike (İ) hit ı targets: attacks since Oct. 17, the Coalition claimed, could not be verified.",
    ]
    out = []
    for sample in seeds + written:
        out += [sample, sample.upper(), _case_shuffled(sample, rng)]
    return out


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:40])
def test_caseless_finds_what_ignorecase_finds(pattern):
    for sample in _texts():
        expected = [(m.span(), m.group(0).lower()) for m in pattern.any_case.finditer(sample)]
        assert [(m.span(), m.group(0).lower()) for m in pattern.finditer(sample)] == expected
        for start in (0, 7, len(sample) // 2):
            want = pattern.any_case.search(sample, start, start + 300)
            got = pattern.search(sample, start, start + 300)
            assert (got and got.span()) == (want and want.span())


def test_caseless_is_written_in_lower_case():
    with pytest.raises(ValueError, match="lower case"):
        Caseless(r"\bU\.S\.")
    assert Caseless(r"(?P<w>\S+)\s").search("AB cd").group("w") == "ab"


def test_group_names_start_at_a_word_boundary():
    sample = "xIslamic Resistance; the Islamic Resistance in Iraq, xHarakat al-Nujaba and Hezbollah Brigades."
    found = [(f.value, sample[f.start : f.end]) for f in facts.group_names(sample)]
    assert found == [
        ("Islamic Resistance in Iraq", "Islamic Resistance in Iraq"),
        ("Harakat al-Nujaba", "al-Nujaba"),
        ("Kataib Hezbollah", "Hezbollah Brigades"),
    ]


def test_same_base_needs_a_named_site_before_it():
    import geoincidents as gi

    drafts = gi.extract_incidents(
        "Drones attacked al-Tanf on Monday. Rockets hit THE SAME BASE on Tuesday.", published="2023-10-26"
    )
    assert drafts["site_id"].tolist() == ["al-tanf-garrison", "al-tanf-garrison"]
    assert drafts["date"].dt.day.tolist() == [23, 24]


@pytest.mark.parametrize(
    "pattern, stops, anchors, needs",
    [
        (places._BASE_PHRASE, places._NOT_IN_PHRASE, places._FACILITY_ANCHORS, ()),
        (places._REGION, places._NOT_IN_PHRASE, tuple(places._COUNTRY), places._DIRECTIONS),
        *[
            (pattern, *dates._RUNS[kind], ())
            for kind, pattern in dates._PATTERNS
            if kind in dates._RUNS
        ],
    ],
    ids=["base phrase", "region", *(kind for kind, _ in dates._PATTERNS if kind in dates._RUNS)],
)
def test_patterns_searched_in_runs_find_what_the_whole_text_has(pattern, stops, anchors, needs):
    edges = [
        "(Ayn al-Asaad Airbase), “Shadadi base”;Green Village garrison.\nAl Omar\nbase, eastern\nSyria.",
        "Tanf garrison’s gate; SOUTHERN IRAQ-western Syria’s Hasakah outpost (Erbil Air Base)",
        "(That day) later that\nevening, “the day before”; a day later.Earlier today,this month-last week",
        "On Monday’s, Tuesday morning;(Wednesday's)last Thursday-Friday.Saturday\nSunday evening Mondays",
    ]
    for sample in _texts() + edges + [e.upper() for e in edges]:
        assert [m.span() for m in find_in_runs(pattern, sample, stops, anchors, needs)] == [
            m.span() for m in pattern.finditer(sample)
        ]
