"""Aggregate statements: running counts that are not incidents ("61 attacks since Oct. 17: 29 in Iraq, 32 in
Syria", "at least 60 personnel reported injuries", "about 2,500 troops in Iraq", "struck back three times").

Rules, per sentence:

* ``attacks``: a figure of at least 2 before "attacks"/"assaults" with a period ("since DATE", "between DATE
  and DATE"); the per-country split that follows ("29 in Iraq and 32 in Syria", in the same or the next
  sentence) gives one row per country.
* ``injured``: a figure before troops/personnel/service members who were injured or reported injuries.
* ``us_troops``: a figure of troops/forces/soldiers in a country, and "an additional 900 in Syria" after it.
* ``us_strikes``: "struck back N times", "N US strikes".

``bound`` says how the figure is qualified: ``at_least`` ("at least", "more than", "over"), ``at_most``
("fewer than", "under", "up to"), ``about``
("about", "approximately", "nearly", "some"), or ``exact``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from .dates import DateMention
from .facts import number_value
from .text import Sentence

__all__ = ["TOTAL_COLUMNS", "find_totals"]

#: Columns of the totals table, as in ``geoincidents.reported_totals()`` plus ``bound`` and ``evidence``.
TOTAL_COLUMNS = (
    "as_of",
    "scope",
    "metric",
    "value",
    "bound",
    "period_start",
    "source_publisher",
    "source_published",
    "evidence",
)

_N = r"(?P<n>\d[\d,]*|two\s+dozen|a\s+dozen|dozens|two|three|four|five|six|seven|eight|nine|ten|twelve)"
_BOUND = (
    r"(?:(?P<bound>at\s+least|more\s+than|over|fewer\s+than|less\s+than|under|up\s+to|nearly|about"
    r"|approximately|roughly|some|around|almost)\s+)?"
)
_ATTACKS = re.compile(rf"{_BOUND}{_N}\s+(?:[\w-]+\s+){{0,2}}?(?:attacks|assaults)\b", re.IGNORECASE)
_PERIOD = re.compile(r"\b(?:since|between|from)\b", re.IGNORECASE)
_SPLIT = re.compile(
    r"\b(?P<n>\d[\d,]*)\s+(?:have\s+been\s+|were\s+|of\s+them\s+)?in\s+(?P<c>Iraq|Syria|Jordan)\b"
)
_INJURED = re.compile(
    rf"{_BOUND}{_N}\s+(?:(?:U\.S\.|US|American|coalition)\s+)?(?:troops|personnel|service\s*members|soldiers)\s+"
    r"(?:have\s+|had\s+)?(?:reported|sustained|suffered|were|been)\s+(?:\w+\s+){0,2}?(?:injuries|injured|wounded)",
    re.IGNORECASE,
)
_TROOPS = re.compile(
    rf"{_BOUND}{_N}\s+(?:(?:U\.S\.|US|American)\s+)?(?:troops|forces|soldiers)\s+(?:\w+\s+){{0,4}}?in\s+"
    r"(?P<c>Iraq|Syria|Jordan)\b",
    re.IGNORECASE,
)
_MORE_TROOPS = re.compile(
    rf"(?:an\s+additional\s+|{_BOUND}){_N}\s+(?:(?:\w+\s+){{0,3}}?)in\s+(?P<c>Iraq|Syria|Jordan)\b",
    re.IGNORECASE,
)
_STRIKES = re.compile(
    rf"\bstruck\s+back\s+(?:just\s+|only\s+)?{_N}\s+times\b|"
    rf"\b{_N.replace('?P<n>', '?P<n2>')}\s+(?:U\.S\.|US|American)\s+(?:retaliatory\s+)?strikes\b",
    re.IGNORECASE,
)
_COUNTRIES = {"iraq": "IRQ", "syria": "SYR", "jordan": "JOR"}


def find_totals(
    text: str,
    sentences: Sequence[Sentence],
    dates: Sequence[DateMention],
    published: date | None,
    publisher: str | None,
) -> list[dict[str, Any]]:
    """The totals rows stated in ``text`` (see the module docstring for the rules)."""
    rows: list[dict[str, Any]] = []
    for i, s in enumerate(sentences):
        if s.caption:
            continue
        in_sentence = [d for d in dates if s.start <= d.start < s.end and d.day is not None]
        for m in _ATTACKS.finditer(text, s.start, s.end):
            value = _value(m.group("n"))
            period = _PERIOD.search(text, m.end(), s.end)
            if value is None or value < 2 or period is None:
                continue
            after = [d for d in in_sentence if d.start >= period.start()]
            start_day = after[0].day if after else None
            as_of = after[0].last if after and after[0].precision == "range" else published
            rows.append(
                _row(
                    as_of,
                    "ALL",
                    "attacks",
                    value,
                    m.group("bound"),
                    start_day,
                    publisher,
                    published,
                    text,
                    m.start(),
                    m.end(),
                )
            )
            split_end = sentences[i + 1].end if i + 1 < len(sentences) else s.end
            for c in _SPLIT.finditer(text, m.end(), split_end):
                rows.append(
                    _row(
                        as_of,
                        _COUNTRIES[c.group("c").lower()],
                        "attacks",
                        _value(c.group("n")),
                        None,
                        start_day,
                        publisher,
                        published,
                        text,
                        c.start(),
                        c.end(),
                    )
                )
        for m in _INJURED.finditer(text, s.start, s.end):
            value = _value(m.group("n"))
            if value is not None:
                rows.append(
                    _row(
                        published,
                        "ALL",
                        "injured",
                        value,
                        m.group("bound"),
                        None,
                        publisher,
                        published,
                        text,
                        m.start(),
                        m.end(),
                    )
                )
        troops = list(_TROOPS.finditer(text, s.start, s.end))
        if troops:  # "about 2,500 troops in Iraq and an additional 900 in Syria"
            troops += list(_MORE_TROOPS.finditer(text, troops[-1].end(), s.end))
        for m in troops:
            country = _COUNTRIES[m.group("c").lower()]
            rows.append(_row(published, country, "us_troops", _value(m.group("n")), m.group("bound"), None,
                             publisher, published, text, m.start(), m.end()))
        for m in _STRIKES.finditer(text, s.start, s.end):
            value = _value(m.group("n") or m.group("n2"))
            rows.append(
                _row(
                    published,
                    "ALL",
                    "us_strikes",
                    value,
                    None,
                    None,
                    publisher,
                    published,
                    text,
                    m.start(),
                    m.end(),
                )
            )
    return [r for r in rows if r["value"] is not None]


def _value(word: str | None) -> int | None:
    if word is None:
        return None
    return number_value(word)


def _bound(word: str | None) -> str:
    if word is None:
        return "exact"
    word = word.lower().split()[0]
    if word in ("fewer", "less", "under", "up"):
        return "at_most"
    return "at_least" if word in ("at", "more", "over") else "about"


def _row(
    as_of: date | None,
    scope: str,
    metric: str,
    value: int | None,
    bound: str | None,
    period_start: date | None,
    publisher: str | None,
    published: date | None,
    text: str,
    start: int,
    end: int,
) -> dict[str, Any]:
    import json

    return {
        "as_of": as_of,
        "scope": scope,
        "metric": metric,
        "value": value,
        "bound": _bound(bound),
        "period_start": period_start,
        "source_publisher": publisher or "",
        "source_published": published,
        "evidence": json.dumps({"text": text[start:end], "start": start, "end": end}, ensure_ascii=False),
    }
