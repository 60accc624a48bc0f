"""Places named in a report: gazetteer aliases (one Aho-Corasick pass), base-like phrases, regions.

* **Aliases**: every name of every site (preferred, Arabic, aliases) is normalised with
  :func:`geoincidents.normalize_name` and put in one ``pyahocorasick`` automaton, both as its whole key
  and word by word (so "Ain al-Asad Air Base" is found whether the text writes "air base" or "airbase"). The
  text is normalised word by word too, keeping each word's character span, so a match maps back to the exact
  characters of the original text. Overlapping matches keep the leftmost, then the longest.
* **Base-like phrases**: capitalised words followed by a facility word ("Ayn al-Assad airbase", "Shadadi
  base") that no alias covered are geocoded with :func:`geoincidents.geocode` (its core and fuzzy rules). An
  alias match followed by a facility word is re-geocoded with that word, so "Erbil air base" is the air base
  and "near Erbil" the city.
* **Regions**: "northern Syria", "western Iraq", "south-eastern Syria" (no site; ``location_precision``
  ``province``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import TYPE_CHECKING

from ..gazetteer import FACILITY_KINDS, Gazetteer
from ..matching import geocode
from ..normalize import normalize_name
from .text import WORD, Caseless, find_in_runs, word_tokens

if TYPE_CHECKING:
    import ahocorasick

__all__ = ["PlaceMention", "PlaceFinder", "place_finder"]

# Words (normalised) that may follow a name as part of the place: "al-Asad air base", "al-Tanf garrison".
_FACILITY_TAIL = frozenset(
    {
        "air",
        "base",
        "airbase",
        "airport",
        "field",
        "gas",
        "oil",
        "military",
        "coalition",
        "garrison",
        "outpost",
        "camp",
        "us",
        "district",
    }
)
_FACILITY_WORDS = frozenset({"base", "airbase", "airport", "field", "garrison", "outpost", "camp"})
# (The lookaheads on the first character of a match only let the engine skip ahead: same matches.)
_BASE_PHRASE = re.compile(
    r"(?=[A-Zae])\b((?:(?:[Aa][ls]|[Ee]l|[Aa]sh|[Aa]t|[Aa]yn|[Aa]in)[-\s])?[A-Z][\w’'-]+(?:[-\s](?:[Aa][ls][-\s])?[A-Z][\w’'-]+){0,2})"
    r"\s+(?:[Aa]ir\s+[Bb]ase|[Aa]irbase|[Aa]ir\s?[Ff]ield|[Bb]ase|[Aa]irport|[Gg]arrison|[Oo]utpost)\b"
)
_REGION = Caseless(
    r"(?=[nsewc])\b(?P<dir>(?:north|south)[-\s]?(?:east|west)ern|northern|southern|eastern|western|central)\s+"
    r"(?P<country>iraq|syria|jordan)\b"
)
# A base phrase or a region holds only letters, digits, apostrophes, hyphens and spaces: it lies inside one
# run of those characters. Every base phrase ends with one of these words (lower-cased), a region with a
# country.
_NOT_IN_PHRASE = re.compile(r"[^\w’'\-\s]")
_FACILITY_ANCHORS = ("base", "field", "airport", "garrison", "outpost")
_DIRECTIONS = ("north", "south", "east", "west", "central")  # a region's first word has one
_ARTICLES = frozenset({"al", "el", "ash", "as", "ad", "ar", "at", "az", "an", "adh", "ath"})
# A word (text.WORD) and the characters before it since the word before: a run of non-word characters, since
# WORD matches wherever a letter or digit starts. findall gives the words and, by their lengths, the offsets.
_GAPPED_WORD = re.compile(r"([\W_]*)(" + WORD.pattern + ")")
_COUNTRY = {"iraq": "IRQ", "syria": "SYR", "jordan": "JOR"}
# A capitalised word before a name that makes it a person's name ("President Bashar al-Assad").
_PERSON_BEFORE = re.compile(r"\b(?:President|Bashar|Hafez|Gen\.|General|Mr\.|Ms\.|Dr\.|Minister|Sheikh)\s+$")


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named in the text, ``text[start:end]``.

    ``site_id`` is None for a region; ``method`` is ``alias``, ``phrase`` (geocoded base phrase), ``fuzzy``
    or ``region``; ``candidates`` lists the site ids when a name fits several sites equally (then
    ``site_id`` is None and the mention needs review).
    """

    start: int
    end: int
    site_id: str | None
    country: str | None
    kind: str
    method: str
    score: float
    candidates: tuple[str, ...] = ()

    @property
    def is_facility(self) -> bool:
        return self.kind in FACILITY_KINDS


class PlaceFinder:
    """Finds the places of a gazetteer in texts; build once per gazetteer with :func:`place_finder`."""

    def __init__(self, gazetteer: Gazetteer):
        import ahocorasick

        self.gazetteer = gazetteer
        self.automaton: ahocorasick.Automaton = ahocorasick.Automaton()
        keys: dict[str, set[str]] = {}
        for site in gazetteer:
            for name in (site.name, site.name_ar, *gazetteer.names_of(site.site_id)):
                if not name:
                    continue
                for key in {normalize_name(name), _word_key(name)}:
                    if key:
                        keys.setdefault(key, set()).add(site.site_id)
        for key, sites in keys.items():
            self.automaton.add_word(f" {key} ", (len(key), tuple(sorted(sites))))
        self.automaton.make_automaton()
        self._words: dict[str, str] = _Normalised()
        self._geocoded: dict[str, tuple[str, str, str, float] | None] = {}

    def find(self, text: str) -> list[PlaceMention]:
        """Every place named in ``text``, in text order, without overlaps.

        Examples
        --------
        >>> from geoincidents import load_gazetteer
        >>> text = "Drones hit the al-Asad air base and al-Tanf, not Springfield."
        >>> [(text[m.start:m.end], m.site_id) for m in place_finder(load_gazetteer()).find(text)]
        [('al-Asad air base', 'ain-al-asad-airbase'), ('al-Tanf', 'al-tanf-garrison')]
        """
        # The words, normalised (remembered per spelling), found with the gap before each so that their
        # offsets are running sums of lengths; the words that normalise to nothing are dropped. Only the
        # words of a match get their character span (:class:`_Words`). Comprehensions, not one loop: this
        # runs over every word of every text.
        pairs = _GAPPED_WORD.findall(text)
        normalised = self._words
        words = [normalised[w] for _, w in pairs]
        chosen = [i for i, w in enumerate(words) if w]
        parts = [words[i] for i in chosen]
        normal = " " + " ".join(parts) + " "
        # parts[k] starts in ``normal`` at 1 + k + (the lengths of the parts before it)
        lengths = list(accumulate(map(len, parts), initial=0))
        starts = range(len(parts))

        def offset(k: int) -> int:
            return lengths[k] + k + 1

        hits: list[tuple[int, int, tuple[str, ...]]] = []
        for end, (length, sites) in self.automaton.iter(normal):
            # end is the index of the closing space
            first = bisect.bisect_left(starts, end - length, key=offset)
            last = bisect.bisect_right(starts, end - 1, key=offset) - 1
            hits.append((first, last, sites))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        mentions: list[PlaceMention] = []
        if hits:
            kept = _Words(text, pairs, words, chosen)
            covered = -1
            for first, last, sites in hits:
                if first <= covered:
                    continue
                covered = last
                mention = self._alias_mention(text, kept, first, last, sites)
                if mention is not None:
                    mentions.append(mention)
        mentions += self._phrases(text, mentions)
        mentions += _regions(text, mentions)
        mentions.sort(key=lambda m: m.start)
        return mentions

    # -- helpers ---------------------------------------------------------------------------------------------
    def _alias_mention(
        self,
        text: str,
        kept: _Words,
        first: int,
        last: int,
        sites: tuple[str, ...],
    ) -> PlaceMention | None:
        start, end = kept.span(first)[0], kept.span(last)[1]
        if _PERSON_BEFORE.search(text, max(0, start - 30), start):
            return None
        tail = last
        while tail + 1 < len(kept) and kept.word(tail + 1) in _FACILITY_TAIL and _adjacent(text, kept, tail):
            tail += 1
        words = {kept.word(k) for k in range(first, tail + 1)}
        if tail > last:
            end = kept.span(tail)[1]
            if words & _FACILITY_WORDS:  # "Erbil air base": let geocode's facility rule decide
                found = self._geocode(text[start:end])
                if found is not None:
                    sites = (found[0],)
        if len(sites) > 1:
            sites = self._prefer(sites, bool(words & _FACILITY_WORDS))
        if len(sites) > 1:
            return PlaceMention(
                start, end, None, _one_country(self.gazetteer, sites), "unknown", "alias", 100.0, sites
            )
        site = self.gazetteer[sites[0]]
        return PlaceMention(start, end, site.site_id, site.country, site.kind, "alias", 100.0)

    def _prefer(self, sites: tuple[str, ...], facility: bool) -> tuple[str, ...]:
        chosen = tuple(s for s in sites if (self.gazetteer[s].kind in FACILITY_KINDS) == facility)
        return chosen if len(chosen) == 1 else sites

    def _phrases(self, text: str, found: list[PlaceMention]) -> list[PlaceMention]:
        out: list[PlaceMention] = []
        taken = _Taken(found)
        for m in find_in_runs(_BASE_PHRASE, text, _NOT_IN_PHRASE, _FACILITY_ANCHORS):
            if taken.overlaps(m.start(), m.end()):
                continue
            hit = self._geocode(m.group(0))
            if hit is not None:
                site_id, method, kind, score = hit
                out.append(
                    PlaceMention(
                        m.start(),
                        m.end(),
                        site_id,
                        self.gazetteer[site_id].country,
                        kind,
                        "fuzzy" if method == "fuzzy" else "phrase",
                        score,
                    )
                )
        return out

    def _geocode(self, name: str) -> tuple[str, str, str, float] | None:
        """geocode() of a phrase, remembered: (site_id, method, kind, score), None when no single site."""
        if name not in self._geocoded:
            match = geocode(name, gazetteer=self.gazetteer)
            ok = match is not None and match.site_id is not None
            self._geocoded[name] = (
                (str(match.site_id), match.method, match.kind or "unknown", match.score)
                if ok and match
                else None
            )
        return self._geocoded[name]


class _Normalised(dict[str, str]):
    """Word -> :func:`geoincidents.normalize_name` of it, computed on first use."""

    def __missing__(self, word: str) -> str:
        value = self[word] = normalize_name(word)
        return value


def place_finder(gazetteer: Gazetteer) -> PlaceFinder:
    """The :class:`PlaceFinder` of a gazetteer, built on first use and kept for the gazetteer's lifetime."""
    cached = _FINDERS.get(id(gazetteer))
    if cached is None or cached[0] is not gazetteer:
        cached = (gazetteer, PlaceFinder(gazetteer))
        _FINDERS[id(gazetteer)] = cached
    return cached[1]


_FINDERS: dict[int, tuple[Gazetteer, PlaceFinder]] = {}


def _word_key(name: str) -> str:
    return " ".join(w for w in (normalize_name(name[a:b]) for a, b in word_tokens(name)) if w)


def _joined_article(text: str, article: tuple[int, int], word_start: int) -> bool:
    """Whether a dropped word right before a name is its Arabic article ("al-Tanf", "Al Mayadeen")."""
    gap = text[article[1] : word_start]
    raw = text[article[0] : article[1]].lower()
    return gap == "-" and raw in _ARTICLES or gap == " " and raw in ("al", "el")


def _adjacent(text: str, kept: _Words, k: int) -> bool:
    """Whether kept word ``k + 1`` follows word ``k`` with only spaces or a hyphen between them."""
    gap = text[kept.span(k)[1] : kept.span(k + 1)[0]]
    return len(gap) <= 2 and gap.strip(" -") == ""


class _Words:
    """The words of a text that normalise to something ("kept"), by their rank among those: the normalised
    word, and the character span, which starts at the dropped Arabic article right before the word
    ("al-Tanf"). Spans are computed on demand, from the running sums of the lengths of the words and of the
    gaps before them."""

    __slots__ = ("text", "words", "chosen", "bounds")

    def __init__(self, text: str, pairs: list[tuple[str, str]], words: list[str], chosen: list[int]):
        self.text = text
        self.words = words
        self.chosen = chosen
        # bounds[2 * i] is where word i starts, bounds[2 * i + 1] where it ends
        self.bounds = list(accumulate(map(len, chain.from_iterable(pairs))))

    def __len__(self) -> int:
        return len(self.chosen)

    def word(self, k: int) -> str:
        return self.words[self.chosen[k]]

    def span(self, k: int) -> tuple[int, int]:
        i = self.chosen[k]
        bounds = self.bounds
        start = bounds[2 * i]
        article = (bounds[2 * i - 2], bounds[2 * i - 1]) if i else None
        if article and not self.words[i - 1] and _joined_article(self.text, article, start):
            start = article[0]
        return start, bounds[2 * i + 1]


class _Taken:
    """The character spans of mentions already found: whether a new span overlaps one, in log time."""

    def __init__(self, found: list[PlaceMention]):
        ordered = sorted(found, key=lambda m: m.start)
        self.starts = [m.start for m in ordered]
        self.max_ends = list(accumulate((m.end for m in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        # the mentions that start before ``end`` overlap [start, end) when one of them ends after ``start``
        i = bisect.bisect_left(self.starts, end)
        return i > 0 and self.max_ends[i - 1] > start


def _one_country(gazetteer: Gazetteer, sites: tuple[str, ...]) -> str | None:
    countries = {gazetteer[s].country for s in sites}
    return countries.pop() if len(countries) == 1 else None


def _regions(text: str, found: list[PlaceMention]) -> list[PlaceMention]:
    taken = _Taken(found)
    return [
        PlaceMention(
            m.start(), m.end(), None, _COUNTRY[m.group("country").lower()], "region", "region", 100.0
        )
        for m in find_in_runs(_REGION, text, _NOT_IN_PHRASE, _COUNTRY, _DIRECTIONS)
        if not taken.overlaps(m.start(), m.end())
    ]
