"""Dates in report text: absolute, relative to the publication date, and anaphoric.

A documented rule set (no ``dateparser``: its relative dates count from the machine's clock, and news
weekdays need the publication date). Every resolved date says how in ``basis``.

* **Absolute**: "Oct. 17", "October 17, 2023", "17 October 2023", "Nov. 8"; ranges "between Oct. 17 and 21",
  "Oct. 17-18", "between Oct. 17 and Thursday". A date without a year takes the publication year, or the
  year before when that would put it more than a week after publication.
* **Relative to publication**: "today", "tonight", "this morning", "yesterday", "last night", "N days ago",
  a weekday ("on Wednesday", "Thursday morning": the most recent such day on or before publication; "last
  Wednesday": strictly before), "this week"/"earlier this week", "last week" (ISO weeks, precision ``week``),
  "this month", "last month" (precision ``month``).
* **Anaphoric** (relative to the last date mentioned before them): "the same day", "that day",
  "later that evening", "that morning", "the day before", "the previous day", "the next day",
  "the following day".
* **Years**: a bare year ("in 2020", "a 2020 missile strike") marks its clause as about another time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .text import Caseless, find_in_runs, fold_case

__all__ = ["DateMention", "find_dates", "publication_date", "parse_date_argument", "MONTHS"]

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1}

_MONTH = (
    r"(?P<{g}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_WEEKDAY = r"(?P<{g}>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
# Every pattern below starts with a lookahead on the characters its matches can start with: the same
# matches, but the regular-expression engine then skips ahead to those characters instead of trying every
# position (about three times faster on article-length texts).
_MONTH_INITIALS = "JFMASOND"


def _md(suffix: str) -> str:
    """'Oct. 17(, 2023)' or '17 October( 2023)', groups named with ``suffix``."""
    m, d, y = "m" + suffix, "d" + suffix, "y" + suffix
    a, b, c = "m" + suffix + "x", "d" + suffix + "x", "y" + suffix + "x"
    return (
        rf"(?:{_MONTH.format(g=m)}\s+{_DAY.format(g=d)}(?!\d)(?:,?\s+{_YEAR.format(g=y)})?"
        rf"|{_DAY.format(g=b)}\s+{_MONTH.format(g=a)}(?:,?\s+{_YEAR.format(g=c)})?)"
    )


# The case-insensitive ones are :class:`Caseless` (matched on the lower-cased text).
_PATTERNS: list[tuple[str, re.Pattern[str] | Caseless]] = [
    ("range_weekday", re.compile(rf"(?=b)\bbetween\s+{_md('1')}\s+and\s+{_WEEKDAY.format(g='w')}\b")),
    (
        "range",
        re.compile(
            rf"(?=[bf])\b(?:between|from)\s+{_md('1')}\s+(?:and|to|through|until)\s+"
            rf"(?:{_md('2')}|(?P<d3>[0-3]?\d)(?!\d))"
        ),
    ),
    (
        "range_dash",
        re.compile(
            rf"(?=[{_MONTH_INITIALS}])\b{_MONTH.format(g='m1')}\s+(?P<d1>[0-3]?\d)\s*[-–]\s*(?P<d2>[0-3]?\d)\b"
            rf"(?:,?\s+{_YEAR.format(g='y1')})?"
        ),
    ),
    ("absolute", re.compile(rf"(?=[{_MONTH_INITIALS}\d])\b{_md('1')}")),
    (
        "weekday",
        re.compile(
            rf"(?=[ltMTWFS])\b(?P<last>last\s+|this\s+past\s+)?{_WEEKDAY.format(g='w')}(?:['’]s)?{_PART}\b"
        ),
    ),
    (
        "days_ago",
        Caseless(r"(?=[\dotfsa])\b(?P<n>\d|one|two|three|four|five|six|seven|a)\s+days?\s+ago\b"),
    ),
    (
        "relative",
        Caseless(
            r"(?=[teyl])\b(?P<rel>today|tonight|this\s+morning|this\s+afternoon|this\s+evening|"
            r"earlier\s+today|yesterday|last\s+night|(?:earlier\s+)?this\s+week|last\s+week|"
            r"the\s+previous\s+week|(?:earlier\s+)?this\s+month|last\s+month)\b"
        ),
    ),
    (
        "anaphoric",
        Caseless(
            r"(?=[tlea])\b(?P<ana>the\s+same\s+day|that\s+(?:same\s+)?day|later\s+that\s+"
            r"(?:day|evening|night|morning|afternoon)|earlier\s+that\s+(?:day|morning)|"
            r"that\s+(?:morning|afternoon|evening|night)|the\s+day\s+before|the\s+previous\s+day|"
            r"a\s+day\s+(?:earlier|before)|the\s+next\s+day|the\s+following\s+day|"
            r"a\s+day\s+later)\b"
        ),
    ),
    (
        "month",
        re.compile(
            rf"(?=[IiEeLlMm])\b(?:[Ii]n|[Ee]arly|[Ll]ate|[Mm]id-?)\s+{_MONTH.format(g='m1')}(?!\s*\d)"
            rf"(?:\s+{_YEAR.format(g='y1')})?"
        ),
    ),
    # a year not after a letter, digit or ",.:" (checked behind its four digits, so that the engine skips to
    # the next "1" or "2")
    ("year", re.compile(r"(?P<y>(?:19|20)\d\d)(?<![\w,.:]....)\b(?![\d%])")),
]

# Patterns whose matches hold no character of a class (one that no word character is in) and end with one
# of some words (lower case) at a word's end: they are run only on the stretches between such characters
# that hold one of those words (text.find_in_runs).
_NOT_IN_WORDS = re.compile(r"[^\w\s]")
_NOT_IN_WEEKDAY = re.compile(r"[^\w\s'’]")
_RUNS = {
    "weekday": (_NOT_IN_WEEKDAY, _WEEKDAYS),
    "relative": (
        _NOT_IN_WORDS,
        ("today", "morning", "afternoon", "evening", "yesterday", "night", "week", "month"),
    ),
    "anaphoric": (
        _NOT_IN_WORDS,
        ("day", "evening", "night", "morning", "afternoon", "before", "earlier", "later"),
    ),
}
# A word (lower case) at least one of which every match of a pattern contains: without it, the pattern is
# not run at all.
_GATES = {"range_weekday": ("between",), "range": ("between", "from"), "days_ago": ("ago",)}


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in the text.

    ``day``/``end`` are the first and last day it covers (``end`` equals ``day`` for a single day);
    ``precision`` is ``day``, ``week``, ``month`` or ``range``; ``kind`` is ``absolute``, ``relative``,
    ``anaphoric`` or ``year`` (a bare year: ``day`` is 1 January of it and the mention only marks the time).
    """

    start: int
    end: int
    day: date | None
    last: date | None
    precision: str
    kind: str
    basis: str


def find_dates(text: str, published: date | None, default_year: int | None = None) -> list[DateMention]:
    """All date expressions of ``text`` in text order, resolved against ``published``.

    Anaphoric expressions are resolved against the previous resolved single day in the text. Expressions
    that need a publication date (weekdays, "yesterday") have ``day`` None when there is none.

    Examples
    --------
    >>> [(m.day.isoformat(), m.basis) for m in find_dates("on Wednesday and Oct. 17", date(2023, 10, 26))]
    [('2023-10-25', 'weekday on or before publication'), ('2023-10-17', 'absolute date, year of publication')]
    """
    taken = bytearray(len(text))  # characters already part of a date (earlier patterns win)
    found: list[DateMention] = []
    lower = fold_case(text) or text.lower()
    for kind, pattern in _PATTERNS:
        gate = _GATES.get(kind)
        if gate is not None and not any(word in lower for word in gate):
            continue  # a word every match of the pattern contains is not in the text
        runs = _RUNS.get(kind)
        for m in pattern.finditer(text) if runs is None else find_in_runs(pattern, text, *runs):
            if any(taken[m.start() : m.end()]):
                continue
            mention = _resolve(kind, m, published, default_year)
            if mention is not None:
                taken[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
                found.append(mention)
    found.sort(key=lambda d: d.start)
    return _resolve_anaphora(found)


def publication_date(text: str) -> tuple[date | None, str]:
    """The publication date a report states at its top (a dateline or "October 24, 2023 | Flash Brief").

    Only the first 400 characters are searched, and only full dates with a year count.

    Examples
    --------
    >>> publication_date("October 24, 2023 | Flash Brief\\n\\nMilitias attack")
    (datetime.date(2023, 10, 24), 'dateline at the top of the text')
    >>> publication_date("No date here.")
    (None, 'not stated')
    """
    head = text[:400]
    for m in _PATTERNS[3][1].finditer(head):
        mention = _resolve("absolute", m, None, None)
        if mention is not None and (m.group("y1") or m.group("y1x")):
            return mention.day, "dateline at the top of the text"
    return None, "not stated"


def parse_date_argument(value: object) -> date | None:
    """A caller's publication date: None, a ``datetime.date``/``datetime``/``pandas.Timestamp`` or ISO text.

    Examples
    --------
    >>> parse_date_argument("2023-10-26")
    datetime.date(2023, 10, 26)
    """
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):  # datetime, Timestamp
        return value.date()  # type: ignore[no-any-return]
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError(f"published must be an ISO date (YYYY-MM-DD), got {value!r}") from None
    raise TypeError(f"published must be a date or an ISO date string, got {type(value).__name__}")


# -- resolution ----------------------------------------------------------------------------------------------
def _month(text: str) -> int:
    return MONTHS[text[:3].lower()]


def _calendar(
    month: str, day: str, year: str | None, published: date | None, default_year: int | None
) -> tuple[date, str] | None:
    m, d = _month(month), int(day)
    if year:
        y, basis = int(year), "absolute date"
    elif published is not None:
        y, basis = published.year, "absolute date, year of publication"
        try:
            if date(y, m, d) > published + timedelta(days=7):
                y, basis = y - 1, "absolute date, year before publication"
        except ValueError:
            return None
    elif default_year is not None:
        y, basis = default_year, "absolute date, year from other dates in the text"
    else:
        return None
    try:
        return date(y, m, d), basis
    except ValueError:
        return None


def _group(m: re.Match[str], *names: str) -> str | None:
    for name in names:
        if name in m.re.groupindex and m.group(name):
            return m.group(name)
    return None


def _first(
    m: re.Match[str], suffix: str, published: date | None, year: int | None
) -> tuple[date, str] | None:
    month = _group(m, "m" + suffix, "m" + suffix + "x")
    day = _group(m, "d" + suffix, "d" + suffix + "x")
    if month is None or day is None:
        return None
    return _calendar(month, day, _group(m, "y" + suffix, "y" + suffix + "x"), published, year)


def _resolve(kind: str, m: re.Match[str], published: date | None, year: int | None) -> DateMention | None:
    s, e = m.span()
    if kind == "absolute":
        got = _first(m, "1", published, year)
        return DateMention(s, e, got[0], got[0], "day", "absolute", got[1]) if got else None
    if kind in ("range", "range_dash", "range_weekday"):
        first = _first(m, "1", published, year)
        if first is None:
            return None
        if kind == "range_weekday":
            last = _weekday(m.group("w"), published, strict=False)
            if last is None:
                return None
        elif kind == "range_dash" or m.group("d3"):
            day2 = m.group("d2") if kind == "range_dash" else m.group("d3")
            try:
                last = first[0].replace(day=int(day2))
            except ValueError:
                return None
        else:
            got = _first(m, "2", published, year)
            if got is None:
                return None
            last = got[0]
        if last < first[0]:
            return None
        return DateMention(s, e, first[0], last, "range", "absolute", f"date range, {first[1]}")
    if kind == "weekday":
        day = _weekday(m.group("w"), published, strict=bool(m.group("last")))
        basis = "weekday before publication" if m.group("last") else "weekday on or before publication"
        return DateMention(s, e, day, day, "day", "relative", basis)
    if kind == "days_ago":
        n = m.group("n").lower()
        count = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        day = published - timedelta(days=count) if published else None
        return DateMention(s, e, day, day, "day", "relative", f"{count} days before publication")
    if kind == "relative":
        return _relative(m.group("rel").lower(), s, e, published)
    if kind == "anaphoric":
        return DateMention(s, e, None, None, "day", "anaphoric", re.sub(r"\s+", " ", m.group("ana").lower()))
    if kind == "month":
        month = _month(m.group("m1"))
        if m.group("y1"):
            y = int(m.group("y1"))
        elif published is not None:
            y = published.year if month <= published.month else published.year - 1
        elif year is not None:
            y = year
        else:
            return None
        first_day = date(y, month, 1)
        return DateMention(
            s, e, first_day, _month_end(first_day), "month", "absolute", "month named in the text"
        )
    # a bare year
    y = int(m.group("y"))
    return DateMention(s, e, date(y, 1, 1), date(y, 12, 31), "year", "year", "year named in the text")


def _weekday(name: str, published: date | None, *, strict: bool) -> date | None:
    if published is None:
        return None
    back = (published.weekday() - _WEEKDAYS.index(name.lower())) % 7
    if strict and back == 0:
        back = 7
    return published - timedelta(days=back)


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _relative(rel: str, s: int, e: int, published: date | None) -> DateMention:
    rel = re.sub(r"\s+", " ", rel)
    if published is None:
        return DateMention(s, e, None, None, "day", "relative", rel)
    if rel in ("yesterday", "last night"):
        day = published - timedelta(days=1)
        return DateMention(s, e, day, day, "day", "relative", f"{rel}: day before publication")
    if rel.endswith("this week"):
        monday = published - timedelta(days=published.weekday())
        return DateMention(s, e, monday, published, "week", "relative", "week of publication")
    if rel in ("last week", "the previous week"):
        monday = published - timedelta(days=published.weekday() + 7)
        return DateMention(
            s, e, monday, monday + timedelta(days=6), "week", "relative", "week before publication"
        )
    if rel.endswith("this month"):
        first = published.replace(day=1)
        return DateMention(s, e, first, published, "month", "relative", "month of publication")
    if rel == "last month":
        first = (published.replace(day=1) - timedelta(days=1)).replace(day=1)
        return DateMention(s, e, first, _month_end(first), "month", "relative", "month before publication")
    return DateMention(s, e, published, published, "day", "relative", f"{rel}: day of publication")


_SHIFTS = {
    "the day before": -1,
    "the previous day": -1,
    "a day earlier": -1,
    "a day before": -1,
    "the next day": 1,
    "the following day": 1,
    "a day later": 1,
}


def _resolve_anaphora(found: list[DateMention]) -> list[DateMention]:
    out: list[DateMention] = []
    anchor: date | None = None
    for d in found:
        if d.kind == "anaphoric":
            if anchor is None:
                out.append(d)
                continue
            shift = _SHIFTS.get(d.basis, 0)
            day = anchor + timedelta(days=shift)
            d = DateMention(
                d.start,
                d.end,
                day,
                day,
                "day",
                "anaphoric",
                f"'{d.basis}' after the date before it ({anchor.isoformat()})",
            )
        if d.day is not None and d.precision == "day":
            anchor = d.day
        out.append(d)
    return out
