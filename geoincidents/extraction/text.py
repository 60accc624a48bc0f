"""Sentences, clauses and word tokens of a report, each with character offsets into the original text.

The rules of the extractor work on sentences (evidence is quoted per sentence) and on clauses (one sentence
can report two events: "militias attacked al-Asad on October 22 after two drones attacked the same base on
October 17"). Offsets are always positions in the text the caller passed, so evidence can be highlighted.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences", "clause_bounds", "word_tokens", "CAPTION", "WORD"]

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
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9\u0600-\u06ff])")
_PARAGRAPH = re.compile(r"[^\n]+")
#: A photo caption or credit line: it repeats the article's facts, so the extractor skips it.
CAPTION = re.compile(
    r"Getty Images|\(AP Photo|AP Photo/|via AP\)|\(Photo by|This image from video|\(Uncredited\)|/AFP\b",
    re.IGNORECASE,
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
