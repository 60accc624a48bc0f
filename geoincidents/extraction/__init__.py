"""Draft incidents from the text of a report, with the evidence for every field, for a person to confirm.

:func:`extract_incidents` reads one report (a news story, a press release, a brief) and proposes the
attacks, interceptions and US strikes it describes as rows of the incident table; :func:`extract_totals`
returns the aggregate statements of the same text (running counts, troop levels), which are never incidents.

How a draft is made (the rules of each step are in the docstrings of ``extraction.text``, ``.dates``,
``.places``, ``.facts`` and ``.totals``):

1. The text is split into paragraphs (lines) and sentences; photo captions are skipped.
2. Every gazetteer name is found in one Aho-Corasick pass, plus geocoded base phrases and regions
   ("northern Syria"); "the same base" refers to the site named before it.
3. A place is an incident site only in a clause that reports an event (an attack word, a strike, an
   interception) and only where it is not a descriptor of another place ("al-Harir airbase in ... Erbil"),
   where no speaker, government, reporter or outlet sits ("a statement issued in Baghdad", "the Baghdad
   government", "Al Mayadeen reported"), and where the clause is not about another year ("in 2020") or an
   aggregate ("attacks between Oct. 17 and 21").
4. Its date is the nearest date of its clause, else of its sentence, else the date of the sentence before
   in the same paragraph, else the latest event date of the text (the news peg), else the week before
   publication; ``date_basis`` says which, and all but the first two are flagged for review.
5. Weapon and count, outcome, claim and confirmation, casualties come from the clause and sentence; a
   following sentence that refers back ("the strikes", "the outpost", "The claim could not be verified")
   adds to the drafts of the sentence before, without overwriting what they already have.
6. Two mentions of one site on one day with compatible event and weapon are one draft; a region draft
   ("a base in southeastern Syria on October 23") becomes the site the next sentence names for that day.

Nothing is invented: a field the text does not give keeps the schema's unknown value, and ``evidence``
quotes the sentence and the character offsets of every field that was filled.
"""

from __future__ import annotations

import json
import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from ..gazetteer import Gazetteer, default_gazetteer
from ..schema import ATTACK_EVENT_TYPES, COLUMN_NAMES, format_sources
from . import facts
from .dates import DateMention, find_dates, parse_date_argument, publication_date
from .places import PlaceMention, place_finder
from .text import Caseless, Sentence, clause_bounds, fold_case, split_sentences
from .totals import TOTAL_COLUMNS, find_totals

if TYPE_CHECKING:
    import pandas

__all__ = ["extract_incidents", "extract_totals", "DRAFT_COLUMNS"]

#: Columns a draft table has after the incident schema's.
DRAFT_COLUMNS = ("weapon_count", "evidence", "confidence", "needs_review", "date_basis")

_NOT_SITE_BEFORE = re.compile(
    r"(?:\b(?:said|says|announced|issued|statement|told\s+reporters|briefing|spoke|speaking|meeting|met|based|"
    r"writer|reporter|correspondent|hosted|posted)\b(?:\s+[\w’'-]+){0,3}?\s+(?:in|from)\s+"
    r"|\b(?:visit(?:ed|ing|s)?|travel+ed\s+to|relations\s+with|agreement\s+with|embassy\s+in|officials\s+in)"
    r"\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
_NOT_SITE_AFTER = re.compile(
    r"^[\s’']*(?:s\s+)?(?:government|officials?|authorities|-based|based|contributed|"
    r"(?:first\s+)?reported|TV|television|channel|said|announced)\b",
    re.IGNORECASE,
)
_SAME_BASE = Caseless(r"\bthe\s+same\s+(?:air\s*)?(?:base|airbase|site|outpost|facility)\b")
_REFERS_BACK = re.compile(
    r"\b(?:the|that|this|its|all)\s+(?:\w+\s+){0,2}?(?:attacks?|strikes?|outpost|base|drones?|rockets?|"
    r"missiles?|claim|incident|group|militia|engagement)\b|^\W*(?:\d+|one|two|three|four|five|six)\s+"
    r"(?:rockets|drones|missiles|mortars)\b",
    re.IGNORECASE,
)
_PLURAL_ATTACKS = Caseless(r"\b(?:attacks|assaults|strikes|wave\s+of)\b")
_SINCE = Caseless(r"\bsince\b")
_DESCRIPTOR_GAP = re.compile(r"^[\s,]*(?:(?:in|of|near|outside|at)\b[^;]*|,\s*)$", re.IGNORECASE)
_FILLABLE = ("weapon", "weapon_count", "outcome", "claimed_by", "injured", "killed")


def extract_incidents(
    text: str,
    *,
    published: Any = None,
    publisher: str | None = None,
    url: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> pandas.DataFrame:
    """Propose the incidents a report describes, with the evidence for each field.

    Parameters
    ----------
    text : str
        The report's text (plain text; one paragraph per line).
    published : date, datetime, pandas.Timestamp or ISO string, optional
        Publication date; relative dates ("on Wednesday", "yesterday") count from it. When missing it is read
        from the top of the text (a dateline), and every draft is flagged for review.
    publisher, url : str, optional
        Put in each draft's ``sources`` with the publication date. ``url`` must be http(s).
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.

    Returns
    -------
    pandas.DataFrame
        The incident schema (validated by :func:`geoincidents.read_incidents`, same dtypes), one row per draft
        in text order, then :data:`DRAFT_COLUMNS`: ``weapon_count`` (Int64: "two drones" -> 2),
        ``evidence`` (JSON: per field ``{"text", "start", "end", "sentence", "sentence_start",
        "sentence_end"}``, offsets into ``text``), ``confidence`` (0-1), ``needs_review`` (``"; "``-joined
        reasons, NA when none) and ``date_basis`` (how the date was resolved). ``lat``/``lon`` are empty:
        :func:`geoincidents.join_sites` takes them from the site.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    ValueError
        If ``published`` is not a date or ``url`` not an http(s) URL.

    Examples
    --------
    >>> text = "Two drones targeted the al-Asad air base on Tuesday and were shot down, the Pentagon said."
    >>> drafts = extract_incidents(text, published="2024-01-10", publisher="Example Wire")
    >>> drafts.loc[0, ["date", "site_id", "weapon", "outcome", "claim_status"]].tolist()
    [Timestamp('2024-01-09 00:00:00'), 'ain-al-asad-airbase', 'one_way_drone', 'intercepted', 'confirmed']
    >>> int(drafts.loc[0, "weapon_count"])
    2
    >>> drafts.loc[0, "date_basis"]
    'weekday on or before publication'
    >>> len(extract_incidents("The minister visited Baghdad on Monday.", published="2024-01-10"))
    0
    """
    analysis = _analyse(text, published, gazetteer)
    drafts = _drafts(analysis)
    return _table(drafts, analysis, publisher, url)


def extract_totals(text: str, *, published: Any = None, publisher: str | None = None) -> pandas.DataFrame:
    """The aggregate statements of a report: running attack counts, injuries, troop levels, strike counts.

    Parameters
    ----------
    text : str
        The report's text.
    published : date or ISO string, optional
        Publication date (else read from the dateline); ``as_of`` of figures without their own date.
    publisher : str, optional
        Put in ``source_publisher``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`geoincidents.reported_totals` plus ``bound`` (``at_least``, ``about``,
        ``exact``) and ``evidence`` (JSON with the figure's text and offsets): ``as_of``, ``scope``
        (``ALL``/ISO3), ``metric`` (``attacks``, ``injured``, ``us_troops``, ``us_strikes``), ``value``,
        ``bound``, ``period_start``, ``source_publisher``, ``source_published``, ``evidence``.

    Examples
    --------
    >>> text = "The Pentagon counted 61 attacks since Oct. 17. Of those, 29 were in Iraq and 32 in Syria."
    >>> extract_totals(text, published="2023-11-18")[["scope", "value", "period_start"]].values.tolist()
    [['ALL', 61, Timestamp('2023-10-17 00:00:00')], ['IRQ', 29, Timestamp('2023-10-17 00:00:00')], \
['SYR', 32, Timestamp('2023-10-17 00:00:00')]]
    """
    import pandas as pd

    analysis = _analyse(text, published, None, places=False)
    rows = find_totals(text, analysis.sentences, analysis.dates, analysis.published, publisher)
    frame = pd.DataFrame(rows, columns=list(TOTAL_COLUMNS))
    for column in ("as_of", "period_start", "source_published"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    frame["value"] = frame["value"].astype("Int64")
    for column in ("scope", "metric", "bound", "source_publisher", "evidence"):
        frame[column] = frame[column].astype("string")
    return frame


# -- analysis --------------------------------------------------------------------------------------
@dataclass
class _Analysis:
    text: str
    sentences: list[Sentence]
    dates: list[DateMention]
    places: list[PlaceMention]
    groups: list[facts.Fact]
    published: date | None
    published_basis: str
    gazetteer: Gazetteer

    def __post_init__(self) -> None:
        self._date_starts = [d.start for d in self.dates]
        self._place_starts = [p.start for p in self.places]
        self._sentence_starts = [s.start for s in self.sentences]
        #: Whether each sentence has an event word (:data:`facts.EVENT_CUE`), searched once.
        self.cues = [facts.EVENT_CUE.search(self.text, s.start, s.end) is not None for s in self.sentences]
        self._facts: dict[tuple[Any, ...], Any] = {}

    def fact(self, rule: Callable[..., Any], start: int, end: int, *args: Any, **options: Any) -> Any:
        """``rule(text, start, end, *args, **options)``, worked out once per analysis: the rules of
        :mod:`.facts` are pure, and the drafts of one sentence ask the sentence the same questions."""
        key = (rule, start, end, *args, *options.items())
        try:
            return self._facts[key]
        except KeyError:
            value = self._facts[key] = rule(self.text, start, end, *args, **options)
            return value

    def claim(self, start: int, end: int) -> tuple[facts.Fact | None, facts.Fact | None]:
        """:func:`facts.claim` of ``text[start:end]`` with the groups of the text, worked out once."""
        key = (facts.claim, start, end)
        if key not in self._facts:
            self._facts[key] = facts.claim(self.text, start, end, self.groups)
        return self._facts[key]  # type: ignore[no-any-return]

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        """The date mentions that begin in ``[start, end)``."""
        return self.dates[bisect_left(self._date_starts, start) : bisect_left(self._date_starts, end)]

    def places_in(self, start: int, end: int) -> list[PlaceMention]:
        """The place mentions that begin in ``[start, end)``."""
        return self.places[bisect_left(self._place_starts, start) : bisect_left(self._place_starts, end)]

    def paragraph_start(self, paragraph: int) -> int:
        """Where the first sentence of a paragraph starts."""
        if not hasattr(self, "_paragraph_starts"):
            self._paragraph_starts: dict[int, int] = {}
            for s in reversed(self.sentences):
                self._paragraph_starts[s.paragraph] = s.start
        return self._paragraph_starts[paragraph]

    def sentence_at(self, position: int) -> Sentence | None:
        """The sentence that contains a character position."""
        i = bisect_right(self._sentence_starts, position) - 1
        return self.sentences[i] if i >= 0 and position < self.sentences[i].end else None


@dataclass
class _Draft:
    sentence: int
    place: PlaceMention
    day: date
    last: date
    precision: str
    date_basis: str
    event_type: str
    values: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)
    confidence: float = 1.0
    claimed: bool = False
    confirmed: bool = False
    hedged: bool = False
    date_inherited: bool = False


def _analyse(text: str, published: Any, gazetteer: Gazetteer | None, *, places: bool = True) -> _Analysis:
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    pub = parse_date_argument(published)
    basis = "given"
    if pub is None:
        pub, basis = publication_date(text)
    sentences = split_sentences(text)
    captions = {s.paragraph for s in sentences if s.caption}
    sentences = [
        s if s.caption or s.paragraph not in captions else replace(s, caption=True) for s in sentences
    ]
    year = None
    if pub is None:
        years = [d.day.year for d in find_dates(text, None) if d.kind == "absolute" and d.day is not None]
        year = max(years) if years else None
    dates = find_dates(text, pub, year)
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    found = place_finder(gaz).find(text) if places else []
    found = _with_same_base(text, found)
    return _Analysis(text, sentences, dates, found, facts.group_names(text), pub, basis, gaz)


def _with_same_base(text: str, places: list[PlaceMention]) -> list[PlaceMention]:
    """Add "the same base" as a mention of the site named last before it."""
    extra: list[PlaceMention] = []
    if "same" not in (fold_case(text) or text.lower()):
        return places  # every match has the word
    for m in _SAME_BASE.finditer(text):
        before = [p for p in places if p.end <= m.start() and p.site_id is not None]
        if before:
            extra.append(replace(before[-1], start=m.start(), end=m.end(), method="same_base"))
    return sorted(places + extra, key=lambda p: p.start)


def _drafts(a: _Analysis) -> list[_Draft]:
    text = a.text
    peg = _news_peg(a)
    drafts: list[_Draft] = []
    last_sentence = -10
    for si, s in enumerate(a.sentences):
        if s.caption:
            continue
        here = a.places_in(s.start, s.end)
        if not here:
            if drafts and si - last_sentence <= 2 and _refers_back(a, si):
                for d in drafts:
                    if d.sentence == last_sentence:
                        _add_facts(d, a, s, s.start, s.end, d.place, fill_only=True)
            continue
        if not a.cues[si] and not facts.strike_cue(text, s.start, s.end):
            continue  # no event word and no US strike in the sentence: no clause of it can make a draft
        made = []
        summed: bool | None = None  # whether a clause of the sentence sums up attacks (asked once)
        for cs, ce in clause_bounds(text, s.start, s.end):
            clause_places = _sites_of_clause(text, [p for p in here if cs <= p.start < ce], cs)
            if not clause_places:
                continue
            if _other_time(a, cs, ce) or _aggregate(a, cs, ce):
                continue
            for place in clause_places:
                event = a.fact(facts.event_type, cs, ce, place.start) or a.fact(
                    facts.event_type, s.start, s.end, place.start
                )
                if event is None:
                    continue
                if summed is None:
                    summed = any(_aggregate(a, x, y) for x, y in clause_bounds(text, s.start, s.end))
                draft = _new_draft(a, si, s, (cs, ce), place, event, peg, sentence_weapons=not summed)
                if draft is not None:
                    made.append(draft)
        for draft in made:
            _place_into(drafts, draft)
        if made:
            last_sentence = si
    return drafts


def _refers_back(a: _Analysis, si: int) -> bool:
    text = a.text
    s = a.sentences[si]
    own_dates = [d for d in a.dates_in(s.start, s.end) if d.kind != "anaphoric"]
    if own_dates:
        return False
    cue = (
        a.cues[si]
        or a.fact(_hedge, s.start, s.end)
        or a.claim(s.start, s.end)[0]
        or a.fact(facts.casualties, s.start, s.end)
    )
    return bool(cue) and bool(_REFERS_BACK.search(text[s.start : s.end]))


def _sites_of_clause(text: str, places: list[PlaceMention], clause_start: int) -> list[PlaceMention]:
    """The places of a clause that can be where the event happened (see the module docstring, step 3)."""
    kept: list[PlaceMention] = []
    for p in places:
        before = text[max(clause_start, p.start - 45) : p.start]
        if _NOT_SITE_BEFORE.search(before) or _NOT_SITE_AFTER.search(text[p.end : p.end + 30]):
            continue
        if kept:
            gap = text[kept[-1].end : p.start]
            descriptor = " and " not in gap and len(gap) < 90 and bool(_DESCRIPTOR_GAP.match(gap))
            if descriptor:
                if p.site_id is None or (kept[-1].site_id is not None and not p.is_facility):
                    continue  # "al-Asad air base in western Iraq", "Maysulun in Deir el-Zour"
                if kept[-1].site_id is None:
                    kept[-1] = p  # "in eastern Syria near Boukamal": the named place is the site
                    continue
        kept.append(p)
    return kept


def _other_time(a: _Analysis, start: int, end: int) -> bool:
    """Whether a clause is about another time: an earlier year, or a date over a year before publication."""
    reference = a.published
    for d in a.dates_in(start, end):
        if d.day is None:
            continue
        if (
            d.kind == "year"
            and reference is not None
            and d.day.year < reference.year
            and (reference - date(d.day.year, 12, 31)).days > 60
        ):
            return True
        if reference is not None and d.kind != "year" and (reference - d.day).days > 365:
            return True
    return False


def _aggregate(a: _Analysis, start: int, end: int) -> bool:
    """Whether a clause sums up attacks over a period ("the initial attacks between Oct. 17 and 21")."""
    if not _PLURAL_ATTACKS.search(a.text, start, end):
        return False
    ranged = any(d.precision == "range" for d in a.dates_in(start, end))
    return ranged or bool(_SINCE.search(a.text, start, end))


def _news_peg(a: _Analysis) -> DateMention | None:
    """The latest single day of the text, on or before publication, in a sentence that reports an event."""
    best = None
    for si, s in enumerate(a.sentences):
        if not a.cues[si]:
            continue
        for d in a.dates_in(s.start, s.end):
            if d.day is None or d.precision != "day":
                continue
            if (a.published is None or d.day <= a.published) and (
                best is None or best.day is None or d.day > best.day
            ):
                best = d
    return best


def _new_draft(
    a: _Analysis,
    si: int,
    s: Sentence,
    clause: tuple[int, int],
    place: PlaceMention,
    event: facts.Fact,
    peg: DateMention | None,
    *,
    sentence_weapons: bool,
) -> _Draft | None:
    cs, ce = clause
    in_clause = [d for d in a.dates_in(cs, ce) if d.day is not None and d.kind != "year"]
    in_sentence = [d for d in a.dates_in(s.start, s.end) if d.day is not None and d.kind != "year"]
    inherited = False
    review: list[str] = []
    confidence = 1.0
    if in_clause or in_sentence:
        chosen = min(in_clause or in_sentence, key=lambda d: (abs(d.start - place.start), d.start))
        basis = chosen.basis
    else:
        paragraph_start = a.paragraph_start(s.paragraph)
        earlier = [d for d in a.dates_in(paragraph_start, s.start) if d.day is not None and d.kind != "year"]
        if earlier:
            chosen, inherited = earlier[-1], True
            basis = f"not in the sentence: date of the sentence before ({chosen.basis})"
            review.append("date taken from the sentence before")
            confidence *= 0.8
        elif peg is not None:
            chosen = peg
            basis = f"not stated: latest event date in the text ({peg.basis})"
            review.append("date not stated near the event; latest event date of the text used")
            confidence *= 0.6
        elif a.published is not None:
            week = a.published - timedelta(days=7)
            chosen = DateMention(s.start, s.start, week, a.published, "range", "relative", "")
            basis = "not stated: the week before publication"
            review.append("date not stated")
            confidence *= 0.5
        else:
            warnings.warn(
                f"no date for the event at {a.text[place.start : place.end]!r} (characters "
                f"{place.start}-{place.end}) and no publication date: no draft made",
                stacklevel=4,
            )
            return None
    assert chosen.day is not None and chosen.last is not None
    precision = chosen.precision if chosen.precision in ("day", "week", "month") else "range"
    if chosen.last != chosen.day and precision == "day":
        precision = "range"
    draft = _Draft(
        si,
        place,
        chosen.day,
        chosen.last,
        precision,
        basis,
        str(event.value),
        review=review,
        confidence=confidence,
        date_inherited=inherited,
    )
    _evidence(draft, a, "event_type", event.start, event.end)
    _evidence(draft, a, "location", place.start, place.end)
    if chosen.end > chosen.start:
        _evidence(draft, a, "date", chosen.start, chosen.end)
    if a.published_basis != "given":
        draft.review.append(f"publication date {a.published_basis}")
        draft.confidence *= 0.9
    if place.site_id is None:
        draft.review.append(
            "region only: no site"
            if place.method == "region"
            else "ambiguous place: " + "|".join(place.candidates)
        )
        draft.confidence *= 0.8
    elif place.method == "fuzzy":
        draft.review.append(f"place matched fuzzily (score {place.score:.0f})")
        draft.confidence *= place.score / 100
    _add_facts(draft, a, s, cs, ce, place, fill_only=False, sentence_weapons=sentence_weapons)
    return draft


def _add_facts(
    d: _Draft,
    a: _Analysis,
    s: Sentence,
    cs: int,
    ce: int,
    place: PlaceMention,
    *,
    fill_only: bool,
    sentence_weapons: bool = True,
) -> None:
    """Read weapon (from the clause, else the sentence unless it sums up attacks), outcome, claim,
    confirmation and casualties (from the sentence) into a draft."""
    strike = d.event_type == "strike"
    found, count = a.fact(facts.weapon, cs, ce, place.start, strike=strike)
    if found is None and sentence_weapons:
        found, count = a.fact(facts.weapon, s.start, s.end, place.start, strike=strike)
    values: dict[str, facts.Fact | None] = {
        "weapon": found,
        "weapon_count": count,
        "outcome": a.fact(facts.outcome, s.start, s.end),
    }
    claimed, group = a.claim(s.start, s.end)
    values["claimed_by"] = group if claimed else None
    people = a.fact(facts.casualties, s.start, s.end)
    values["injured"], values["killed"] = people.get("injured"), people.get("killed")
    if "vague" in people and "injuries reported without a figure" not in d.review:
        d.review.append("injuries reported without a figure")
        _evidence(d, a, "injured", people["vague"].start, people["vague"].end)
    for name, fact in values.items():
        if fact is None or fact.value is None:
            continue
        if name in d.values and (fill_only or d.values[name] is not None):
            continue
        d.values[name] = fact.value
        _evidence(d, a, name, fact.start, fact.end)
    if claimed:
        d.claimed = True
        _evidence(d, a, "claim_status", claimed.start, claimed.end)
    official = a.fact(facts.confirmation, s.start, s.end)
    hedge = a.fact(_hedge, s.start, s.end)
    if official and not hedge:
        d.confirmed = True
        _evidence(d, a, "claim_status", official.start, official.end)
    if hedge:
        d.hedged = True
        _evidence(d, a, "claim_status", hedge.start(), hedge.end())


def _hedge(text: str, start: int, end: int) -> re.Match[str] | None:
    return facts.HEDGE.search(text, start, end)


def _evidence(d: _Draft, a: _Analysis, name: str, start: int, end: int) -> None:
    s = a.sentence_at(start)
    item = {"text": a.text[start:end], "start": start, "end": end}
    if s is not None:
        item.update(sentence=a.text[s.start : s.end], sentence_start=s.start, sentence_end=s.end)
    if item not in d.evidence.setdefault(name, []):
        d.evidence[name].append(item)


def _compatible(x: _Draft, y: _Draft) -> bool:
    events = {x.event_type, y.event_type}
    if len(events) > 1 and events != {"attack", "interception"}:
        return False
    wx, wy = x.values.get("weapon"), y.values.get("weapon")
    return wx is None or wy is None or wx == wy


def _place_into(drafts: list[_Draft], new: _Draft) -> None:
    """Add a draft, or fold it into an earlier one reporting the same event (module docstring, step 6)."""
    for old in drafts:
        same_place = new.place.site_id is not None and old.place.site_id == new.place.site_id
        if same_place and (old.day, old.last) == (new.day, new.last) and _compatible(old, new):
            _fold(old, new)
            return
    if new.date_inherited and new.place.site_id is not None:
        for old in drafts:
            if (
                old.place.site_id is None
                and old.place.country == new.place.country
                and old.day == new.day
                and old.sentence == new.sentence - 1
                and _compatible(old, new)
            ):
                old.review = [r for r in old.review if not r.startswith("region only")]
                old.confidence = min(1.0, old.confidence / 0.8)
                old.place = new.place
                old.evidence["location"] = []
                _fold(old, new)
                return
    drafts.append(new)


def _fold(old: _Draft, new: _Draft) -> None:
    for name, value in new.values.items():
        if old.values.get(name) is None:
            old.values[name] = value
    for name, items in new.evidence.items():
        for item in items:
            if item not in old.evidence.setdefault(name, []):
                old.evidence[name].append(item)
    old.claimed |= new.claimed
    old.confirmed |= new.confirmed
    old.hedged |= new.hedged
    if old.event_type == "interception" and new.event_type == "attack":
        old.event_type = "attack"
    for reason in new.review:
        if reason not in old.review and not reason.startswith("date taken"):
            old.review.append(reason)
    old.confidence = max(old.confidence, new.confidence)


# -- output ----------------------------------------------------------------------------------------
def _table(drafts: list[_Draft], a: _Analysis, publisher: str | None, url: str | None) -> pandas.DataFrame:
    """The drafts as a table with exactly the dtypes :func:`geoincidents.read_incidents` gives (the values
    come from the schema's vocabularies, so the reader is run once, on an empty table, for the dtypes)."""
    import pandas as pd

    source = {
        "publisher": publisher or "",
        "date": a.published.isoformat() if a.published else "",
        "url": url or "",
    }
    sources = format_sources([source]) if any(source.values()) else "[]"
    used: dict[str, int] = {}
    rows = [_row(d, a, sources, used) for d in drafts]
    columns = {name: build([r[name] for r in rows]) for name, build in _column_builders()}
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)), copy=False)


@lru_cache(maxsize=1)
def _column_builders() -> list[tuple[str, Callable[[list[Any]], Any]]]:
    """(column, builder) pairs: each builder turns the column's values (Python str/int/float/date or None,
    as :func:`_row` makes them) into an array of exactly the column's dtype, straight from the values:
    ``pd.array`` and ``pd.to_datetime`` per column cost more than all the rules on a short text."""
    import pandas as pd

    def strings(dtype: Any) -> Callable[[list[Any]], Any]:
        if dtype.storage == "pyarrow":
            import pyarrow as pa

            large = pa.large_string()
            if pd.arrays.ArrowStringArray(pa.chunked_array([pa.array([], large)])).dtype == dtype:
                return lambda values: pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(values, large)]))
        return lambda values: pd.array(values, dtype=dtype)

    def integers(values: list[Any]) -> Any:
        mask = np.array([v is None for v in values], dtype=bool)
        return pd.arrays.IntegerArray(np.array([0 if v is None else v for v in values], dtype="int64"), mask)

    def builder(dtype: Any) -> Callable[[list[Any]], Any]:
        if isinstance(dtype, pd.StringDtype):
            return strings(dtype)
        if isinstance(dtype, pd.Int64Dtype):
            return integers
        if dtype.kind == "M":
            return lambda values: np.array(values, dtype="datetime64[D]").astype(dtype)
        return lambda values: np.array(values, dtype=dtype)

    return [(name, builder(dtype)) for name, dtype in _dtypes().items()]


@lru_cache(maxsize=1)
def _dtypes() -> dict[str, Any]:
    """Column -> dtype of a draft table: the incident columns as read_incidents makes them, then ours."""
    import pandas as pd

    from ..incidents import read_incidents

    table = read_incidents(pd.DataFrame({"date": ["2024-01-01"], "location": ["x"]}))
    assert isinstance(table, pd.DataFrame)
    dtypes = {name: table[name].dtype for name in COLUMN_NAMES}
    string = table["incident_id"].dtype
    dtypes.update(
        weapon_count=pd.Int64Dtype(),
        evidence=string,
        confidence=np.dtype("float64"),
        needs_review=string,
        date_basis=string,
    )
    return dtypes


def _row(d: _Draft, a: _Analysis, sources: str, used: dict[str, int]) -> dict[str, Any]:
    site = a.gazetteer[d.place.site_id] if d.place.site_id else None
    location = (
        a.text[d.place.start : d.place.end] if d.place.method != "same_base" else (site.name if site else "")
    )
    slug = d.place.site_id or "-".join(re.findall(r"[a-z0-9]+", location.lower())) or "unnamed"
    base_id = f"draft-{d.day.isoformat()}-{slug}-{d.event_type}"
    used[base_id] = used.get(base_id, 0) + 1
    incident_id = base_id if used[base_id] == 1 else f"{base_id}-{used[base_id]}"
    if d.event_type == "strike":
        status = "confirmed"
    elif d.claimed and d.confirmed:
        status = "claimed_and_confirmed"
    elif d.claimed:
        status = "claimed"
    elif d.confirmed:
        status = "confirmed"
    else:
        status = "unverified"
    review = list(d.review)
    if d.hedged:
        review.append("the report says the claim is not verified")
    if d.values.get("weapon") is None:
        review.append("weapon not stated")
    return {
        "incident_id": incident_id,
        "date": d.day,
        "date_precision": d.precision,
        "date_end": d.last if d.precision == "range" else None,
        "location": location,
        "site_id": d.place.site_id,
        "lat": np.nan,
        "lon": np.nan,
        "location_precision": "site" if site else "province" if d.place.method == "region" else "unknown",
        "country": d.place.country,
        "event_type": d.event_type,
        "weapon": d.values.get("weapon") or "unknown",
        "claimed_by": d.values.get("claimed_by"),
        "claim_status": status,
        "outcome": d.values.get("outcome") or "unknown",
        "injured": d.values.get("injured"),
        "killed": d.values.get("killed"),
        "sources": sources,
        "notes": None,
        # who carried it out: a strike is by US/coalition forces by definition; an attack's author is only
        # claimed (claimed_by), never asserted. The target follows the plain-table rule of the reader.
        "actor": "US/coalition forces" if d.event_type == "strike" else None,
        "target": "us_coalition" if d.event_type in ATTACK_EVENT_TYPES else "unknown",
        "source_event_type": None,
        "source_sub_event_type": None,
        "weapon_count": d.values.get("weapon_count"),
        "evidence": json.dumps(d.evidence, ensure_ascii=False, sort_keys=True),
        "confidence": round(d.confidence, 2),
        "needs_review": "; ".join(review) if review else None,
        "date_basis": d.date_basis,
    }
