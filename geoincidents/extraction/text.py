"""Sentences, clauses and word tokens of a report, each with character offsets into the original text.

The rules of the extractor work on sentences (evidence is quoted per sentence) and on clauses (one sentence
can report two events: "militias attacked al-Asad on October 22 after two drones attacked the same base on
October 17"). Offsets are always positions in the text the caller passed, so evidence can be highlighted.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Sentence",
    "split_sentences",
    "clause_bounds",
    "word_tokens",
    "CAPTION",
    "WORD",
    "Caseless",
    "fold_case",
    "find_in_runs",
]

# Words whose trailing full stop does not end a sentence ("Oct. 17", "Brig. Gen. Ryder", "2:29 p.m. EST").
_ABBREVIATIONS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gen",
        "brig",
        "lt",
        "col",
        "maj",
        "sgt",
        "capt",
        "adm",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "no",
        "jr",
        "sr",
        "inc",
        "corp",
        "gov",
        "sen",
        "rep",
        "vs",
        "p.m",
        "a.m",
        "e.g",
        "i.e",
        "approx",
        "est",
    ]
)
# The two characters that re.IGNORECASE matches with an ASCII letter although str.lower() keeps them apart
# (dotless i, long s); tests/test_extraction_caseless.py checks every code point.
_UNFOLDABLE = re.compile("[\u0131\u017f]")


@lru_cache(maxsize=8)
def fold_case(text: str) -> str | None:
    """``text.lower()`` when it keeps every character in place and every case-insensitive match the same.

    That is when lower-casing changes no character into several ("İ") and the text has neither of the two
    characters that ``re.IGNORECASE`` equates with an ASCII letter but ``str.lower`` does not (``ı``, ``ſ``);
    otherwise None. Remembered for the last few texts, so every rule reading one report folds it once.

    Examples
    --------
    >>> fold_case("Drones hit AL-ASAD")
    'drones hit al-asad'
    >>> fold_case("İzmir") is None
    True
    """
    low = text.lower()
    if len(low) != len(text) or _UNFOLDABLE.search(text):
        return None
    return low


class Caseless:
    r"""A regular expression matched regardless of case, written in lower case.

    It is matched case-sensitively on :func:`fold_case` of the text, which finds exactly what
    ``re.IGNORECASE`` finds at the same offsets and runs several times faster (the engine can skip to the
    characters a match starts with), or with ``re.IGNORECASE`` when the text cannot be folded. Offsets and
    groups are those of the match; groups are lower-cased when the text was folded, so a caller reads them
    case-insensitively.

    Examples
    --------
    >>> cue = Caseless(r"\bshot\s+down\b")
    >>> text = "A drone was SHOT DOWN."
    >>> m = cue.search(text)
    >>> (m.span(), text[m.start():m.end()])
    ((12, 21), 'SHOT DOWN')
    """

    __slots__ = ("pattern", "any_case", "lower_case")

    def __init__(self, source: str):
        if re.search(r"(?<!\\)(?<!\(\?)[A-Z]", source):  # escapes (\S) and "(?P<name>" aside
            raise ValueError(f"a Caseless pattern is written in lower case: {source!r}")
        self.pattern = source
        self.any_case = re.compile(source, re.IGNORECASE)
        self.lower_case = re.compile(source)

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self.lower_case.groupindex)

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like :meth:`re.Pattern.search`."""
        low = fold_case(text)
        if low is None:
            return self.any_case.search(text, pos, endpos)
        return self.lower_case.search(low, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """Like :meth:`re.Pattern.match`."""
        low = fold_case(text)
        if low is None:
            return self.any_case.match(text, pos, endpos)
        return self.lower_case.match(low, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        """Like :meth:`re.Pattern.finditer`."""
        low = fold_case(text)
        if low is None:
            return self.any_case.finditer(text, pos, endpos)
        return self.lower_case.finditer(low, pos, endpos)


def find_in_runs(
    pattern: re.Pattern[str] | Caseless,
    text: str,
    stops: re.Pattern[str],
    anchors: Iterable[str],
    needs: tuple[str, ...] = (),
) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))``, searched only where a match can be.

    For a pattern whose matches hold no character that ``stops`` matches (one character, never a word
    character) and end with one of ``anchors`` (lower case) at a word's end: the pattern runs only on the
    runs between stops that hold such an anchor, and, with ``needs``, also one of those words. The same
    matches: a run ends at a non-word character, as the text does there, and what lies before a run stays
    visible to the pattern.
    """
    low = fold_case(text)
    if low is None:
        return list(pattern.finditer(text))
    backwards = text[::-1]  # a run's start: the first stop before the anchor, the first after it backwards
    runs: set[tuple[int, int]] = set()
    for anchor in anchors:
        at = low.find(anchor)
        while at != -1:
            after = at + len(anchor)
            if after < len(low) and (low[after].isalnum() or low[after] == "_"):  # not a word's end (\w)
                at = low.find(anchor, after)
                continue
            stop_after = stops.search(text, after)
            stop_before = stops.search(backwards, len(text) - at)
            run = (
                len(text) - stop_before.start() if stop_before else 0,
                stop_after.start() if stop_after else len(text),
            )
            if not needs or any(word in low[run[0] : run[1]] for word in needs):
                runs.add(run)
            at = low.find(anchor, run[1])
    return [m for start, end in sorted(runs) for m in pattern.finditer(text, start, end)]


_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9\u0600-\u06ff])")
_PARAGRAPH = re.compile(r"[^\n]+")
#: A photo caption or credit line: it repeats the article's facts, so the extractor skips it.
CAPTION = Caseless(
    r"getty images|\(ap photo|ap photo/|via ap\)|\(photo by|this image from video|\(uncredited\)|/afp\b"
)
_CLAUSE_BREAK = re.compile(r";|,\s+(?:including|while|but|whereas)\b|\s+after\s+(?!the\s+(?:attack|strike))")
#: A word: letters and digits of any script, inner apostrophes kept.
WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text[start:end]``, the paragraph (line) it is in, and whether it is a caption."""

    start: int
    end: int
    paragraph: int
    caption: bool


def split_sentences(text: str) -> list[Sentence]:
    """Split a report into sentences; every line is a paragraph, and sentences never cross lines.

    Examples
    --------
    >>> [text[s.start:s.end] for text in ["On Oct. 17 the U.S. said so. Then it did."]
    ...  for s in split_sentences(text)]
    ['On Oct. 17 the U.S. said so.', 'Then it did.']
    """
    out: list[Sentence] = []
    # Caption marks are searched once in the whole text; none spans two sentences (none holds ".", "!", "?"
    # or a line break), so a sentence is a caption when a mark starts inside it.
    marks = [m.start() for m in CAPTION.finditer(text)]
    for number, line in enumerate(_PARAGRAPH.finditer(text)):
        start = line.start()
        pieces: list[tuple[int, int]] = []
        for end_mark in _SENTENCE_END.finditer(line.group()):
            stop = line.start() + end_mark.start() + 1
            if _is_abbreviation(text, stop):
                continue
            pieces.append((start, stop))
            start = line.start() + end_mark.end()
        pieces.append((start, line.end()))
        for a, b in pieces:
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                i = bisect_left(marks, a)
                out.append(Sentence(a, b, number, i < len(marks) and marks[i] < b))
    return out


def clause_bounds(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` at clause breaks (";", ", including", ", while", ", but", " after ")."""
    bounds: list[tuple[int, int]] = []
    a = start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        if m.start() > a:
            bounds.append((a, m.start()))
        a = m.end()
    bounds.append((a, end))
    return bounds


def word_tokens(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of a text (letters and digits of any script; inner apostrophes kept)."""
    return [m.span() for m in WORD.finditer(text)]


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop ending at ``stop`` closes an abbreviation or an initial ("U.S.")."""
    i = stop - 1
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    word = text[j:i].strip('"“‘(').lower()
    return word in _ABBREVIATIONS or "." in word or (len(word) == 1 and text[j].isupper())
