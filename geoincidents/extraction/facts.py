"""What happened, by whom, with what: the rules that read event type, weapon and count, outcome, claim and
casualties from a clause. Each rule returns the value and the span of text it rests on (for the evidence).

Rules (first match in the clause nearest to the place wins; a field with no match stays unknown):

* **event type**: ``strike`` when US or coalition forces, jets or aircraft are the subject of a strike verb
  ("U.S. fighter jets struck", "U.S. airstrikes targeted"); ``interception`` when something was shot down or
  intercepted and no attack is mentioned; otherwise ``attack`` (a clause needs an attack word to be an event).
* **weapon**: drones (one-way, suicide, kamikaze, explosives-laden) -> ``one_way_drone``; rockets, a rocket
  barrage -> ``rocket``; missiles, a missile salvo -> ``missile``; mortars, artillery, rounds of indirect fire
  -> ``indirect_fire``; IEDs, roadside bombs -> ``ied``; gunfire, small arms -> ``small_arms``; airstrikes,
  bombs from jets -> ``airstrike``. The count is the number word or figure just before ("two drones",
  "eight rounds of indirect fire").
* **outcome**: intercepted, shot down, thwarted, destroyed in flight -> ``intercepted``; landed inside, hit
  its target, damage, injuries -> ``impact``; no damage -> ``no_damage``.
* **claim**: "claimed (responsibility)", "took credit/responsibility" -> claimed, by the group named in the
  sentence or, for "the group"/"the militia", the last group named before; officials, the Pentagon,
  CENTCOM, a spokesman, "confirmed" -> confirmed. A US strike is confirmed (it is a US announcement).
* **casualties**: "no troops were injured", "no casualties" -> 0; "N troops were wounded/killed" -> N;
  "minor injuries" without a figure -> unknown, with a review note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .text import Caseless

__all__ = [
    "Fact",
    "EVENT_CUE",
    "event_type",
    "weapon",
    "outcome",
    "claim",
    "confirmation",
    "casualties",
    "group_names",
    "number_value",
    "HEDGE",
    "strike_cue",
]

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "two dozen": 24,
    "a dozen": 12,
    "a pair of": 2,
    "pair of": 2,
    "several": None,
    "multiple": None,
}
_NUMBER = (
    r"(?:\d[\d,]*|a dozen|two dozen|a pair of|an|a|one|single|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven|twelve|dozen)"
)


@dataclass(frozen=True, slots=True)
class Fact:
    """A value read from the text and the span ``text[start:end]`` it comes from."""

    value: object
    start: int
    end: int


#: Words that make a clause an event (attack, strike or interception).
EVENT_CUE = Caseless(
    r"\b(?:attack(?:s|ed|ing)?|assaults?|struck|strikes?|targeted|targeting|launched|fired|shelled|shelling|"
    r"shot\s+down|intercepted|thwarted|downed|destroyed\s+in\s+flight|barrage|salvo|bombed|bombs|airstrikes?|"
    r"air\s+strikes?|rounds\s+of|hit|hits)\b",
)
HEDGE = Caseless(
    r"\bcould\s+not\s+(?:be\s+)?(?:immediately\s+)?(?:verified|confirmed)|\bunverified\b|"
    r"\bnot\s+(?:been\s+)?(?:independently\s+)?verified\b",
)

_US = r"(?:u\.s\.|us|american|coalition)"
_STRIKE = Caseless(
    rf"(?<!on )(?<!against )(?<!at )(?<!targeting )\b{_US}\s+(?:\w+\s+){{0,3}}?"
    r"(?:fighter\s+jets|jets|aircraft|warplanes|military|forces|airstrikes?|air\s+strikes?|"
    r"(?:retaliatory\s+)?strikes?)\s+(?:\w+\s+){0,2}?"
    r"(?:struck|bombed|hit|targeted|dropped|launched|conducted|carried\s+out|killed)\b"
    r"|\b(?:fighter\s+jets|warplanes)\s+(?:struck|bombed|dropped|hit|targeted)\b"
    rf"|\b{_US}\s+(?:air|retaliatory\s+)?(?:air\s*)?strikes?\s+(?:on|against)\b",
)
_INTERCEPTION = Caseless(
    r"\b(?:shot\s+down|intercepted|intercept(?:ion|ions)|thwarted|downed|destroyed\s+"
    r"in\s+flight|engaged\s+by\s+an?\s+air\s+defen[cs]e)\b",
)
_ATTACK_WORD = Caseless(
    r"\b(?:attack(?:s|ed)?|assaults?|targeted|targeting|aimed|barrage|salvo|struck|"
    r"strikes?|hit)\b",
)

_WEAPONS: tuple[tuple[str, Caseless], ...] = tuple(
    (value, Caseless(rf"(?P<w>{pattern})"))
    for value, pattern in (
        (
            "indirect_fire",
            r"\brounds?\s+of\s+indirect\s+fire\b|\bindirect[-\s]fire\b|\bmortars?\b|"
            r"\bartillery\b",
        ),
        ("one_way_drone", r"\b(?:drones?|uavs?|uass?|shaheds?)\b"),
        ("rocket", r"\brockets?\b|\bkatyushas?\b"),
        ("missile", r"\b(?:ballistic\s+|cruise\s+)?missiles?\b"),
        ("ied", r"\bieds?\b|\broadside\s+bombs?\b|\bimprovised\s+explosive\s+devices?\b"),
        ("small_arms", r"\bsmall[-\s]arms(?:\s+fire)?\b|\bgunfire\b|\bgunmen\b"),
        ("airstrike", r"\bair\s?strikes?\b|\bfighter\s+jets\b|\bwarplanes\b|\bdropped\s+bombs\b"),
    )
)
_OUTCOMES: tuple[tuple[str, Caseless], ...] = (
    ("intercepted", _INTERCEPTION),
    (
        "impact",
        Caseless(
            r"\b(?:landed\s+inside|hit\s+(?:its|the)\s+target|impacted|causing\s+(?:minor\s+)?"
            r"(?:injuries|damage)|led\s+to\s+(?:minor\s+)?injuries|damaged|destroyed\s+(?:a|the|two)"
            r"|made\s+the\s+sites\s+unusable)\b",
        ),
    ),
    (
        "no_damage",
        Caseless(r"\bno\s+(?:damage|casualties\s+or\s+damage)\b|\bwithout\s+causing\s+damage\b"),
    ),
)
_CLAIM = Caseless(
    r"\b(?:claimed|claims|claiming|took\s+(?:credit|responsibility)|"
    r"said\s+(?:its|it)\s+(?:members\s+)?(?:had\s+)?(?:attacked|targeted|launched|struck))\b",
)
_OFFICIAL = re.compile(
    r"\b(?:Pentagon|Central\s+Command|CENTCOM|Operation\s+Inherent\s+Resolve|(?:U\.S\.|US|American|defen[cs]e|"
    r"military|coalition|Coalition)\s+officials?|spokes(?:man|woman|person)|Defense\s+Department|"
    r"Department\s+of\s+Defense|confirmed|news\s+release|(?:U\.S\.|US)\s+forces\s+(?:thwarted|intercepted|"
    r"shot\s+down|destroyed))\b"
)
_NUMBER_WORD = Caseless(rf"\b{_NUMBER}(?=\s)")
# Each name is checked for a word boundary behind its first word ("Islamic(?<=\bIslamic)" is "\bIslamic"),
# so that the engine looks for the word itself instead of trying every position.
_GROUPS = (
    ("Islamic Resistance in Iraq", r"Islamic(?<=\bIslamic)\s+Resistance(?:\s+in\s+Iraq)?\b"),
    (
        "Kataib Hezbollah",
        r"Kata(?<=\bKata)(?:'|’)?[ie]b\s+Hezbollah\b|Hezbollah(?<=\bHezbollah)\s+Brigades\b",
    ),
    ("Harakat al-Nujaba", r"Harakat(?<=\bHarakat)\s+al-Nujaba\b|al-Nujaba(?<=\bal-Nujaba)\b"),
    ("Asaib Ahl al-Haq", r"Asa(?<=\bAsa)(?:'|’)?ib\s+Ahl\s+al-Haq\b"),
    ("Kataib Sayyid al-Shuhada", r"Kata(?<=\bKata)(?:'|’)?[ie]b\s+Sayyid\s+al-Shuhada\b"),
)
_GROUP_PATTERNS = tuple((name, re.compile(pattern)) for name, pattern in _GROUPS)
# Words one of which every match of each group pattern contains: a pattern whose words are all absent from
# a text is not run on it.
_GROUP_WORDS = (("Islamic",), ("Kata", "Hezbollah"), ("al-Nujaba",), ("al-Haq",), ("Sayyid",))
_GROUP_REFERENCE = re.compile(r"\b(?:the|The)\s+(?:group|militia|faction|umbrella\s+group)\b")
_ZERO = Caseless(
    r"\bno\s+(?:(?:u\.s\.|us|american|coalition)\s+)?(?:troops|personnel|service\s*members|soldiers|americans|"
    r"one|injuries|casualties)\s*(?:were|was|have\s+been|had\s+been)?\s*(?P<what>injured|wounded|hurt|killed|"
    r"reported)?|\bdid\s+not\s+result\s+in\s+any\s+(?P<what2>casualties|injuries)|\bwithout\s+(?:any\s+)?"
    r"(?P<what3>casualties|injuries)\b",
)
_COUNTED = Caseless(
    rf"\b(?P<n>{_NUMBER})\s+(?:(?:u\.s\.|us|american|coalition)\s+)?(?:troops|personnel|service\s*members|"
    r"soldiers|people|contractors?|civilians)\s+(?:were\s+|was\s+|have\s+been\s+)?(?P<what>injured|wounded|"
    r"hurt|killed|died)\b",
)
_VAGUE_INJURY = Caseless(r"\b(?:minor|several|some)\s+injuries\b|\binjur(?:ed|ing)\s+(?:several|some)\b")


def number_value(word: str) -> int | None:
    """The integer a number word or figure stands for ("two" -> 2, "2,500" -> 2500, "several" -> None)."""
    word = re.sub(r"\s+", " ", word.strip().lower())
    if word.replace(",", "").isdigit():
        return int(word.replace(",", ""))
    return NUMBER_WORDS.get(word)


def strike_cue(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` has a US/coalition strike phrase, one that :func:`event_type` reads as
    ``strike`` even without an :data:`EVENT_CUE` word ("U.S. forces conducted ...")."""
    return _STRIKE.search(text, start, end) is not None


def event_type(text: str, start: int, end: int, near: int | None = None) -> Fact | None:
    """``strike``, ``interception`` or ``attack`` for ``text[start:end]``; None when it reports no event.

    An interception is an ``attack`` when an attack word is within 80 characters of ``near`` (the place).
    """
    m = _STRIKE.search(text, start, end)
    if m:
        return Fact("strike", *m.span())
    cue = EVENT_CUE.search(text, start, end)
    if cue is None:
        return None
    m = _INTERCEPTION.search(text, start, end)
    a, b = (start, end) if near is None else (max(start, near - 80), min(end, near + 80))
    if m and not _ATTACK_WORD.search(text, a, b):
        return Fact("interception", *m.span())
    return Fact("attack", *cue.span())


def weapon(text: str, start: int, end: int, near: int, *, strike: bool) -> tuple[Fact | None, Fact | None]:
    """The weapon nearest to position ``near`` in ``text[start:end]`` and its count (None when not given)."""
    best: tuple[int, str, int, int, bool] | None = None
    for value, w_start, w_end, drone in _weapon_words(text, start, end):
        if value == "airstrike" and not strike:
            continue
        distance = abs(w_start - near)
        if best is None or distance < best[0]:
            best = (distance, value, w_start, w_end, drone)
    if best is None:
        return (Fact("airstrike", start, end) if strike else None), None
    _, value, w_start, w_end, drone = best
    if strike and value in ("one_way_drone", "missile"):
        value = "airstrike" if not drone else value
    return Fact(value, w_start, w_end), _count_before(text, max(start, w_start - 60), w_start, w_end)


@lru_cache(maxsize=64)
def _weapon_words(text: str, start: int, end: int) -> tuple[tuple[str, int, int, bool], ...]:
    """Every weapon word of ``text[start:end]``: (value, start, end, whether it says "drone"), in the order of
    ``_WEAPONS`` then of the text. Remembered: the drafts of one sentence ask about the same span."""
    return tuple(
        (value, m.start(), m.end(), "drone" in m.group().lower())
        for value, pattern in _WEAPONS
        for m in pattern.finditer(text, start, end)
    )


def _count_before(text: str, start: int, stop: int, after: int) -> Fact | None:
    """The number word at most three words before a weapon ("two suicide drones", "eight rounds of ...")."""
    found = None
    for n in _NUMBER_WORD.finditer(text, start, stop):
        if len(text[n.end() : stop].split()) <= 3 and text[n.end() : stop].strip(" -").count(".") == 0:
            found = n
    if found is None:
        return None
    value = number_value(found.group(0))
    # "a rocket barrage", "a missile salvo": one barrage, not one rocket
    barrage = re.match(r"\s*(?:barrage|salvo)", text[after : after + 12], re.IGNORECASE)
    if value is None or (value == 1 and barrage):
        return None
    return Fact(value, *found.span())


def outcome(text: str, start: int, end: int) -> Fact | None:
    """The outcome rule that matches first in the order intercepted, impact, no_damage."""
    for value, pattern in _OUTCOMES:
        m = pattern.search(text, start, end)
        if m:
            return Fact(value, *m.span())
    return None


def group_names(text: str) -> list[Fact]:
    """Every armed group named in ``text``, in text order."""
    found = [
        Fact(name, *m.span())
        for (name, pattern), words in zip(_GROUP_PATTERNS, _GROUP_WORDS, strict=True)
        if any(word in text for word in words)
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda f: f.start)


def claim(text: str, start: int, end: int, groups: list[Fact]) -> tuple[Fact | None, Fact | None]:
    """Whether ``text[start:end]`` reports a claim, and by which group (named there, or "the group")."""
    m = _CLAIM.search(text, start, end)
    if m is None:
        return None, None
    named = [g for g in groups if start <= g.start < end]
    if named:
        return Fact(True, *m.span()), min(named, key=lambda g: abs(g.start - m.start()))
    ref = _GROUP_REFERENCE.search(text, start, end)
    before = [g for g in groups if g.start < start]
    if ref and before:
        return Fact(True, *m.span()), Fact(before[-1].value, *ref.span())
    return Fact(True, *m.span()), None


def confirmation(text: str, start: int, end: int) -> Fact | None:
    """An official (US/coalition) source in ``text[start:end]``."""
    m = _OFFICIAL.search(text, start, end)
    return Fact(True, *m.span()) if m else None


def casualties(text: str, start: int, end: int) -> dict[str, Fact]:
    """``injured``/``killed`` counts in ``text[start:end]``; ``vague`` for injuries without a figure."""
    out: dict[str, Fact] = {}
    for m in _COUNTED.finditer(text, start, end):
        n = number_value(m.group("n"))
        if n is None:
            continue
        key = "killed" if m.group("what").lower() in ("killed", "died") else "injured"
        out.setdefault(key, Fact(n, *m.span()))
    for m in _ZERO.finditer(text, start, end):
        what = (m.group("what") or m.group("what2") or m.group("what3") or "").lower()
        keys = (
            ("injured", "killed")
            if what in ("casualties", "") and "casualt" in m.group(0).lower()
            else (("killed",) if what == "killed" else ("injured",))
        )
        for key in keys:
            out.setdefault(key, Fact(0, *m.span()))
    vague = _VAGUE_INJURY.search(text, start, end)
    if vague and "injured" not in out:
        out["vague"] = Fact("injuries reported without a figure", *vague.span())
    return out
