"""Golden comparison: the drafts and totals of many varied texts are exactly those of a recorded run.

The extractor's speed work (one pass per pattern, cached tokens, cheaper table building) must not change a
single answer. ``tests/data/extraction/golden.json`` holds, per text, the SHA-256 of the drafts table
(``to_csv`` with the dtypes), of the totals table and of the warnings, as the code gave them when the file
was written. The texts are:

* ``own-*``: 240 texts built here from sentences written for this test (attacks, strikes, interceptions,
  claims, casualties, regions, "the same base", anaphoric and relative dates, aggregates, captions,
  datelines, Arabic names), with a seeded random generator, so nothing but this file is needed;
* ``seed-*`` and ``mix-*``: the five seed articles and 60 texts of shuffled seed paragraphs with swapped site
  names (as the throughput benchmark builds them); these run only where ``../shared/seeds`` exists, and only
  their digests are stored, never their sentences.

All use a frozen copy of the gazetteer (``tests/data/extraction/gazetteer/``) so that a new alias in the
bundled gazetteer does not change the recorded answers. The rule-level tests stay in ``test_extraction.py``;
this file only guards "same answers". Regenerate (only when an answer is meant to change, and say so in the
commit) with::

    .venv/bin/python tests/test_extraction_golden.py --write
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import warnings
from pathlib import Path

import pytest

import geoincidents as gi

DATA = Path(__file__).resolve().parent / "data" / "extraction"
GOLDEN = DATA / "golden.json"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.is_dir():
    SEEDS = Path("/work/shared/seeds")
# Publication dates of the seeds, as in benchmarks/extraction.py (geoincidents/data/README.md).
SEED_DATES = {
    "000": "2023-10-26",
    "001": "2023-10-24",
    "002": "2022-01-05",
    "003": "2023-11-18",
    "004": "2023-10-18",
}


def frozen_gazetteer() -> gi.Gazetteer:
    return gi.Gazetteer.from_files(DATA / "gazetteer")


# -- the texts -----------------------------------------------------------------------------------------------
_COUNTS = ["Two", "Three", "A", "One", "Several", "Eight", "A pair of", "Four"]
_WEAPONS = [
    "drones",
    "one-way attack drones",
    "rockets",
    "Katyusha rockets",
    "ballistic missiles",
    "mortar rounds",
    "rounds of indirect fire",
    "explosives-laden drones",
    "suicide drones",
]
_DATES = [
    "on Wednesday",
    "Thursday morning",
    "on Monday evening",
    "last Tuesday",
    "yesterday",
    "last night",
    "today",
    "two days ago",
    "last week",
    "earlier this week",
    "last month",
    "on Oct. 17",
    "on 17 October 2023",
    "on October 19, 2023",
    "on Nov. 8",
    "on Dec. 30",
    "between Oct. 17 and 21",
    "on Oct. 17-18",
    "in early November",
    "this morning",
    "",
]
_ANAPHORA = [
    "The day before",
    "The next day",
    "Later that evening",
    "The same day",
    "That morning",
    "A day later",
]
_SOURCES = [
    "officials said",
    "the Pentagon said",
    "a U.S. defense official said",
    "according to a statement",
    "CENTCOM said in a news release",
    "Al Mayadeen reported",
]
_OUTCOMES = [
    "and were shot down",
    "but caused no damage",
    "causing minor injuries",
    "and were intercepted",
    "and landed inside the base",
    "",
]
_GROUPS = ["the Islamic Resistance in Iraq", "Kataib Hezbollah", "Harakat al-Nujaba", "a little-known group"]
_REGIONS = ["eastern Syria", "western Iraq", "northern Syria", "south-eastern Syria", "central Iraq"]
_VERBS = ["targeted", "attacked", "struck", "hit", "were launched at", "were fired at"]
_CITIES = ["Baghdad", "Erbil", "Tehran", "Washington", "Amman", "Damascus"]


def _own_sentence(rng: random.Random, names: list[str]) -> str:
    place = rng.choice(names)
    kind = rng.randrange(16)
    when = rng.choice(_DATES)
    if kind <= 4:
        extra = rng.choice(_OUTCOMES)
        return (
            f"{rng.choice(_COUNTS)} {rng.choice(_WEAPONS)} {rng.choice(_VERBS)} the {place} {when} "
            f"{extra}, {rng.choice(_SOURCES)}.".replace("  ", " ").replace(" ,", ",")
        )
    if kind == 5:
        return (
            f"U.S. fighter jets struck {rng.choice(_COUNTS).lower()} facilities near {place} {when}.".replace(
                "  ", " "
            )
        )
    if kind == 6:
        return f"{rng.choice(_GROUPS).capitalize()} claimed responsibility for the attack on {place} {when}."
    if kind == 7:
        return f"{rng.choice(_ANAPHORA)}, {rng.choice(_WEAPONS)} {rng.choice(_VERBS)} the same base."
    if kind == 8:
        return rng.choice(
            [
                "No troops were injured.",
                "Three service members were wounded.",
                "The claim could not be verified.",
                "The group said the strikes were revenge.",
                "Two contractors were killed.",
                "There were no casualties.",
            ]
        )
    if kind == 9:
        return f"A drone attacked a base in {rng.choice(_REGIONS)} {when}, {rng.choice(_SOURCES)}."
    if kind == 10:
        return (
            f"The statement was issued in {rng.choice(_CITIES)} on Tuesday, and officials in {place} said so."
        )
    if kind == 11:
        return f"{place} was also attacked in 2020, when missiles hit the base."
    if kind == 12:
        n, a = rng.randrange(20, 90), rng.randrange(5, 19)
        return f"There have been {n} attacks since Oct. 17: {a} in Iraq and {n - a} in Syria."
    if kind == 13:
        return f"A view of {place} in 2019. (AP Photo/Staff Photographer)"
    if kind == 14:
        return f"The minister visited {rng.choice(_CITIES)} {when} and met officials."
    return f"Air defences intercepted a drone over {place} {when}, and {rng.choice(_GROUPS)} claimed it."


def own_texts(gazetteer: gi.Gazetteer, n: int = 240, seed: int = 13) -> dict[str, tuple[str, str | None]]:
    """``n`` texts of sentences written for this test: name -> (text, published or None)."""
    rng = random.Random(seed)
    names = sorted(
        {name for s in gazetteer for name in (s.name, s.name_ar, *gazetteer.names_of(s.site_id)) if name}
    )
    out: dict[str, tuple[str, str | None]] = {}
    for i in range(n):
        paragraphs = []
        for _ in range(rng.randrange(1, 9)):
            paragraphs.append(" ".join(_own_sentence(rng, names) for _ in range(rng.randrange(1, 4))))
        published: str | None = rng.choice(["2023-10-26", "2024-01-10", "2023-11-18", "2022-01-05", None])
        if published is None and rng.random() < 0.6:
            paragraphs.insert(
                0, rng.choice(["October 24, 2023 | Flash Brief", "Jan. 29, 2024", "17 November 2023"])
            )
        out[f"own-{i:03d}"] = ("\n\n".join(paragraphs), published)
    return out


def seed_texts(gazetteer: gi.Gazetteer, n: int = 60, seed: int = 7) -> dict[str, tuple[str, str | None]]:
    """The seeds, and ``n`` texts of shuffled seed paragraphs with swapped site names ({} without seeds)."""
    if not SEEDS.is_dir():
        return {}
    paths = sorted(SEEDS.glob("*.txt"))
    out: dict[str, tuple[str, str | None]] = {}
    for path in paths:
        out[f"seed-{path.name[:3]}"] = (path.read_text(encoding="utf-8"), SEED_DATES.get(path.name[:3]))
        out[f"seed-{path.name[:3]}-undated"] = (path.read_text(encoding="utf-8"), None)
    rng = random.Random(seed)
    paragraphs = [p for path in paths for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
    names = sorted({s.name for s in gazetteer})
    import re

    swap = re.compile(r"al-Asad|al-Tanf|Baghdad|Erbil|Abu Hajar|Boukamal|Maysulun|Al-Shadadi|al-Harir")
    for i in range(n):
        chosen = rng.sample(paragraphs, min(rng.randrange(4, 20), len(paragraphs)))
        text = "\n\n".join(swap.sub(lambda _m: rng.choice(names), p) for p in chosen)
        out[f"mix-{i:03d}"] = (text, rng.choice(["2023-10-26", "2022-01-05", None]))
    return out


def digests(text: str, published: str | None, gazetteer: gi.Gazetteer) -> dict[str, str]:
    """SHA-256 of the drafts (CSV and dtypes), of the totals and of the warnings of one text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drafts = gi.extract_incidents(text, published=published, publisher="Test Wire", gazetteer=gazetteer)
        totals = gi.extract_totals(text, published=published, publisher="Test Wire")
    out = {}
    for name, frame in (("drafts", drafts), ("totals", totals)):
        dtypes = ",".join(f"{c}:{t}" for c, t in frame.dtypes.items())
        body = dtypes + "\n" + frame.to_csv(index=False, lineterminator="\n")
        out[name] = hashlib.sha256(body.encode()).hexdigest()
    messages = "\n".join(f"{w.category.__name__}: {w.message}" for w in caught)
    out["warnings"] = hashlib.sha256(messages.encode()).hexdigest()
    out["rows"] = str(len(drafts))
    return out


def all_cases() -> dict[str, tuple[str, str | None]]:
    gaz = frozen_gazetteer()
    return {**own_texts(gaz), **seed_texts(gaz)}


# -- the tests -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def golden() -> dict[str, dict[str, str]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gazetteer() -> gi.Gazetteer:
    return frozen_gazetteer()


def test_the_own_texts_exercise_the_rules(golden):
    """The recorded texts are not trivial: most give drafts, some none, and the undated ones are covered."""
    rows = [int(golden[k]["rows"]) for k in golden if k.startswith("own-")]
    assert len(rows) == 240
    assert sum(r > 0 for r in rows) > 150 and sum(r == 0 for r in rows) > 5
    assert sum(rows) > 500


OWN_TEXTS = own_texts(frozen_gazetteer())


@pytest.mark.parametrize("name", sorted(OWN_TEXTS))
def test_own_text_gives_the_recorded_answers(name, golden, gazetteer):
    text, published = OWN_TEXTS[name]
    assert digests(text, published, gazetteer) == golden[name], text


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed articles not found (../shared/seeds)")
def test_seed_texts_give_the_recorded_answers(golden, gazetteer):
    cases = seed_texts(gazetteer)
    assert len(cases) == 70
    changed = [name for name, (text, pub) in cases.items() if digests(text, pub, gazetteer) != golden[name]]
    assert changed == []


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print(__doc__)
        return 2
    gaz = frozen_gazetteer()
    cases = {**own_texts(gaz), **seed_texts(gaz)}
    if not any(name.startswith("seed-") for name in cases):
        print("seed articles not found: the golden file needs them", file=sys.stderr)
        return 1
    result = {name: digests(text, published, gaz) for name, (text, published) in sorted(cases.items())}
    GOLDEN.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(result)} texts)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    raise SystemExit(main(sys.argv[1:]))
