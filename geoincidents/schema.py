"""The incident table schema in code: columns, closed vocabularies, synonyms and the ``sources`` format.

This module is the single place that says what an incident table looks like (see "The incident table" in
``DEVELOPERS.md``). It has no heavy imports, so the readers, the join and the command line can all use it.

* :data:`COLUMNS` lists the columns in output order, each a :class:`Column` with its dtype and meaning.
* :data:`VOCABULARIES` maps each closed-vocabulary column to a :class:`Vocabulary`: the allowed values,
  their documented synonyms (matched ignoring case, spaces, hyphens and underscores), the default used when
  the column or value is missing, and the fallback used for unrecognised values in non-strict reading.
* :data:`COLUMN_SYNONYMS` maps the input column names readers accept to schema column names.
* :func:`parse_sources` and :func:`format_sources` read and write the ``sources`` JSON column.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "Column",
    "Vocabulary",
    "COLUMNS",
    "COLUMN_NAMES",
    "DTYPES",
    "REQUIRED",
    "VOCABULARIES",
    "EVENT_TYPE",
    "WEAPON",
    "CLAIM_STATUS",
    "OUTCOME",
    "TARGET",
    "DATE_PRECISION",
    "LOCATION_PRECISION",
    "ATTACK_EVENT_TYPES",
    "ATTACK_DESCRIPTION",
    "STRIKE_EVENT_TYPES",
    "is_missing",
    "COLUMN_SYNONYMS",
    "SOURCE_KEYS",
    "canonical_column",
    "vocabulary_key",
    "weapon_synonyms",
    "reported_weapon",
    "parse_sources",
    "format_sources",
]


# ---------------------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the incident table.

    Attributes
    ----------
    name : str
        Column name in the table.
    dtype : str
        pandas dtype of the column in memory (``"string"`` is the nullable ``pandas.StringDtype()``).
    description : str
        One-line meaning.
    nullable : bool
        Whether missing values (NA / NaN / NaT) are allowed in a valid table.
    """

    name: str
    dtype: str
    description: str
    nullable: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("incident_id", "string", "unique id; generated as row-<n> when the input has none", False),
    Column("date", "datetime64[ns]", "first day of the event (midnight)", False),
    Column("date_precision", "string", "day, week, month or range", False),
    Column("date_end", "datetime64[ns]", "last day when precision is range, else NaT"),
    Column("location", "string", "the place as reported", False),
    Column("site_id", "string", "gazetteer id when the source gives it, else NA"),
    Column("lat", "float64", "WGS84 latitude in degrees, or NaN"),
    Column("lon", "float64", "WGS84 longitude in degrees, or NaN"),
    Column("location_precision", "string", "exact, approximate, site, province, country or unknown", False),
    Column("country", "string", "ISO 3166-1 alpha-3 code (NA only when neither given nor inferable)"),
    Column("event_type", "string",
           "attack (on US/coalition forces), strike (by them), interception, other, other_conflict_event",
           False),
    Column("weapon", "string",
           "one_way_drone, rocket, missile, indirect_fire, ied, small_arms, airstrike or unknown", False),
    Column("claimed_by", "string", "group that claimed it, or NA"),
    Column("claim_status", "string", "claimed, confirmed, claimed_and_confirmed or unverified", False),
    Column("outcome", "string", "intercepted, impact, no_damage or unknown", False),
    Column("injured", "Int64", "people injured as reported (nullable integer)"),
    Column("killed", "Int64", "people killed as reported (nullable integer)"),
    Column("sources", "string", 'JSON array of {"date", "publisher", "url"} objects, keys sorted', False),
    Column("notes", "string", "free text, or NA"),
    Column("actor", "string",
           "who carried it out, as the source reports it (claimed_by stays the claim), or NA"),
    Column("target", "string",
           "us_coalition, local_security_forces, armed_group, civilians, other or unknown", False),
    Column("source_event_type", "string", "the source's own event class (e.g. ACLED event_type), or NA"),
    Column("source_sub_event_type", "string",
           "the source's own sub-class (e.g. ACLED sub_event_type), or NA"),
)
"""The incident table columns, in output order."""

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
DTYPES: dict[str, str] = {c.name: c.dtype for c in COLUMNS}

REQUIRED: tuple[str, ...] = ("date", "location")
"""Columns an input must have (under their own name or a synonym)."""


# ---------------------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------------------

_KEY_JUNK = re.compile(r"[\s\-_]+")


def vocabulary_key(text: str) -> str:
    """Return the matching key of a vocabulary value: lower case, no spaces, hyphens or underscores.

    Parameters
    ----------
    text : str
        A value as written in an input.

    Returns
    -------
    str
        The key; ``"One-way attack drone"`` and ``"one_way attack-drone"`` give the same key.

    Examples
    --------
    >>> vocabulary_key(" One-way  attack_drone ")
    'onewayattackdrone'
    """
    if not isinstance(text, str):
        raise TypeError(f"vocabulary_key expects a string, got {type(text).__name__}")
    return _KEY_JUNK.sub("", text.strip().lower())


@dataclass(frozen=True)
class Vocabulary:
    """A closed vocabulary for one column.

    Attributes
    ----------
    column : str
        The schema column it applies to.
    values : tuple of str
        The allowed values, exactly as stored in the table.
    synonyms : Mapping[str, str]
        Accepted input spellings -> allowed value. Matching uses :func:`vocabulary_key`, so case, spaces,
        hyphens and underscores do not matter; the allowed values themselves are always accepted.
    default : str
        Value used when the column is absent or a cell is empty.
    fallback : str or None
        Value an unrecognised input becomes when reading non-strictly (with a warning and the original text
        kept in ``<column>_reported``). None means an unrecognised value is always a rejection.
    """

    column: str
    values: tuple[str, ...]
    synonyms: Mapping[str, str] = field(default_factory=dict)
    default: str = "unknown"
    fallback: str | None = "unknown"
    reduce: Callable[[str], list[str]] | None = None
    """Further spellings to try when a value is not recognised as written (e.g. without counts)."""

    def __post_init__(self) -> None:
        for target in list(self.synonyms.values()) + [self.default] + [self.fallback or self.default]:
            if target not in self.values:
                raise ValueError(f"vocabulary {self.column!r}: {target!r} is not one of {self.values}")
        lookup: dict[str, str] = {}
        for value in self.values:
            lookup[vocabulary_key(value)] = value
        for synonym, value in self.synonyms.items():
            key = vocabulary_key(synonym)
            if lookup.get(key, value) != value:
                raise ValueError(f"vocabulary {self.column!r}: {synonym!r} maps to two values")
            lookup[key] = value
        object.__setattr__(self, "_lookup", lookup)

    def lookup(self, text: str) -> str | None:
        """Return the allowed value for an input spelling, or None when it is not recognised.

        Parameters
        ----------
        text : str
            The value as written in the input.

        Returns
        -------
        str or None
            The allowed value.

        Examples
        --------
        >>> WEAPON.lookup("Shahed"), WEAPON.lookup("107mm rocket"), WEAPON.lookup("catapult")
        ('one_way_drone', 'rocket', None)
        """
        lookup: dict[str, str] = self._lookup  # type: ignore[attr-defined]
        found = lookup.get(vocabulary_key(text))
        if found is None and self.reduce is not None:
            for form in self.reduce(text):
                found = lookup.get(vocabulary_key(form))
                if found is not None:
                    break
        return found


EVENT_TYPE = Vocabulary(
    "event_type",
    ("attack", "strike", "interception", "other", "other_conflict_event"),
    {
        "attack on US forces": "attack",
        "attack on coalition forces": "attack",
        "attack on US troops": "attack",
        "attacks": "attack",
        "US strike": "strike",
        "coalition strike": "strike",
        "retaliatory strike": "strike",
        "strikes": "strike",
        "interception": "interception",
        "intercepted": "interception",
        "intercept": "interception",
        "shot down": "interception",
        "other conflict event": "other_conflict_event",
    },
    # The table is of attacks on bases: a minimal file of dates and places lists attacks.
    default="attack",
    fallback="other",
)

_COUNT_WORDS = frozenset({
    "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "several", "multiple", "many", "some", "numerous", "dozens", "dozen", "of", "barrage",
    "barrages", "salvo", "salvos", "volley", "volleys", "wave", "waves", "round", "rounds",
})
_WORD = re.compile(r"[a-z0-9/]+(?:[-'][a-z0-9/]+)*")


def reported_weapon(text: str) -> list[str]:
    """Shorter spellings of a weapon as a report words it: counts and plurals dropped, then the words from
    the end ("four Katyusha rockets" -> "katyusha rocket", "rocket"), so the synonym list need not list
    every phrasing.

    Parameters
    ----------
    text : str
        The weapon as written.

    Returns
    -------
    list of str
        Spellings to try, longest first.

    Examples
    --------
    >>> reported_weapon("four Katyusha rockets")
    ['katyusha rocket', 'rocket']
    >>> [WEAPON.lookup(t) for t in ("suicide drones", "rocket barrage", "close-range ballistic missile")]
    ['one_way_drone', 'rocket', 'missile']
    """
    if not isinstance(text, str):
        raise TypeError(f"reported_weapon expects a string, got {type(text).__name__}")
    words = [w for w in _WORD.findall(text.lower()) if w not in _COUNT_WORDS and not w.isdigit()]
    words = [w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w for w in words]
    return [" ".join(words[i:]) for i in range(len(words)) if words[i:]]


@functools.lru_cache(maxsize=1)
def weapon_synonyms() -> dict[str, str]:
    """The weapon synonym list, ``geoincidents/data/weapon_synonyms.csv`` (columns ``synonym``, ``weapon``).

    Returns
    -------
    dict
        Spelling -> weapon value, in file order.

    Raises
    ------
    ValueError
        If the file lacks a column, a row is incomplete or names a weapon outside the vocabulary.

    Examples
    --------
    >>> weapon_synonyms()["Katyusha"]
    'rocket'
    """
    text = resources.files("geoincidents").joinpath("data", "weapon_synonyms.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["synonym", "weapon"]:
        raise ValueError(f"weapon_synonyms.csv: header must be synonym,weapon, got {reader.fieldnames}")
    out: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        synonym, weapon = (row.get("synonym") or "").strip(), (row.get("weapon") or "").strip()
        if not synonym or weapon not in _WEAPON_VALUES:
            raise ValueError(f"weapon_synonyms.csv line {line}: need a synonym and one of {_WEAPON_VALUES}")
        out[synonym] = weapon
    return out


_WEAPON_VALUES = ("one_way_drone", "rocket", "missile", "indirect_fire", "ied", "small_arms", "airstrike",
                  "unknown")

WEAPON = Vocabulary(
    "weapon",
    _WEAPON_VALUES,
    weapon_synonyms(),
    reduce=reported_weapon,
)

CLAIM_STATUS = Vocabulary(
    "claim_status",
    ("claimed", "confirmed", "claimed_and_confirmed", "unverified"),
    {
        "claimed and confirmed": "claimed_and_confirmed",
        "confirmed and claimed": "claimed_and_confirmed",
        "claimed & confirmed": "claimed_and_confirmed",
        "both": "claimed_and_confirmed",
        "claim": "claimed",
        "claimed only": "claimed",
        "confirmed only": "confirmed",
        "officially confirmed": "confirmed",
        "unconfirmed": "unverified",
        "not verified": "unverified",
        "unknown": "unverified",
        "": "unverified",
    },
    default="unverified",
    fallback="unverified",
)

OUTCOME = Vocabulary(
    "outcome",
    ("intercepted", "impact", "no_damage", "unknown"),
    {
        "interception": "intercepted",
        "shot down": "intercepted",
        "hit": "impact",
        "damage": "impact",
        "damaged": "impact",
        "no damage": "no_damage",
        "no damage reported": "no_damage",
        "none": "no_damage",
        "": "unknown",
        "n/a": "unknown",
    },
)

TARGET = Vocabulary(
    "target",
    ("us_coalition", "local_security_forces", "armed_group", "civilians", "other", "unknown"),
    {
        "US forces": "us_coalition",
        "US troops": "us_coalition",
        "coalition": "us_coalition",
        "coalition forces": "us_coalition",
        "US/coalition": "us_coalition",
        "security forces": "local_security_forces",
        "local forces": "local_security_forces",
        "state forces": "local_security_forces",
        "militia": "armed_group",
        "armed group": "armed_group",
        "rebels": "armed_group",
        "civilian": "civilians",
        "": "unknown",
    },
)
"""Who was attacked. A plain table without a ``target`` column: ``us_coalition`` for attacks and
interceptions (what such a table lists), ``unknown`` otherwise."""

DATE_PRECISION = Vocabulary(
    "date_precision",
    ("day", "week", "month", "range"),
    {
        "daily": "day",
        "exact": "day",
        "weekly": "week",
        "monthly": "month",
        "date range": "range",
        # ACLED time_precision codes
        "1": "day",
        "2": "week",
        "3": "month",
    },
    default="day",
    # A wrong precision changes what the date means, so an unrecognised one is always rejected.
    fallback=None,
)

LOCATION_PRECISION = Vocabulary(
    "location_precision",
    ("exact", "approximate", "site", "province", "country", "unknown"),
    {
        "precise": "exact",
        "approx": "approximate",
        "approximately": "approximate",
        "near": "approximate",
        "base": "site",
        "city": "site",
        "governorate": "province",
        "region": "province",
        "admin1": "province",
        "national": "country",
        "": "unknown",
        # ACLED geo_precision codes
        "1": "exact",
        "2": "approximate",
        "3": "province",
    },
)

VOCABULARIES: dict[str, Vocabulary] = {
    v.column: v
    for v in (DATE_PRECISION, LOCATION_PRECISION, EVENT_TYPE, WEAPON, CLAIM_STATUS, OUTCOME, TARGET)
}
"""Closed-vocabulary columns -> their :class:`Vocabulary`."""

ATTACK_EVENT_TYPES: tuple[str, ...] = ("attack", "interception")
"""The ``event_type`` values that count as attacks on US/coalition forces: the one definition. Counts, maps
and charts default to them and say so (:data:`ATTACK_DESCRIPTION`)."""
ATTACK_DESCRIPTION = "attacks on US and coalition forces"
"""How counts, titles and legends name what :data:`ATTACK_EVENT_TYPES` selects."""
STRIKE_EVENT_TYPES: tuple[str, ...] = ("strike",)
"""The ``event_type`` values of strikes by US/coalition forces."""


# ---------------------------------------------------------------------------------------------------------
# Column names
# ---------------------------------------------------------------------------------------------------------

COLUMN_SYNONYMS: dict[str, str] = {
    "event_date": "date",
    "day": "date",
    "start_date": "date",
    "place": "location",
    "site": "location",
    "site_name": "location",
    "location_name": "location",
    "source": "sources",
    "url": "sources",
    "link": "sources",
    "source_url": "sources",
    "latitude": "lat",
    "longitude": "lon",
    "lng": "lon",
    "id": "incident_id",
    "event_id": "incident_id",
    "country_code": "country",
    "iso3": "country",
    "fatalities": "killed",
    "deaths": "killed",
    "wounded": "injured",
    "injuries": "injured",
    "description": "notes",
    "comment": "notes",
    "comments": "notes",
    "precision": "date_precision",
    "time_precision": "date_precision",
    "end_date": "date_end",
}
"""Input column names (matched ignoring case; spaces and hyphens count as underscores) -> schema column.
A ``source``/``url``/``link``/``source_url`` column holds one source per row (see :func:`parse_sources`)."""

_NAME_JUNK = re.compile(r"[\s\-]+")


def canonical_column(name: Any) -> str | None:
    """Return the schema column an input column name stands for, or None.

    Parameters
    ----------
    name : Any
        Input column name; non-strings give None.

    Returns
    -------
    str or None
        A name from :data:`COLUMN_NAMES`.

    Examples
    --------
    >>> canonical_column("Event Date"), canonical_column("LATITUDE"), canonical_column("colour")
    ('date', 'lat', None)
    """
    if not isinstance(name, str):
        return None
    key = _NAME_JUNK.sub("_", name.strip().lower())
    if key in DTYPES:
        return key
    return COLUMN_SYNONYMS.get(key)


# ---------------------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------------------

SOURCE_KEYS: tuple[str, ...] = ("date", "publisher", "url")
"""Keys of one source object in the ``sources`` column, sorted."""

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas.NA (without importing pandas); False for anything else.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(""), is_missing(0), is_missing([1])
    (True, True, False, False, False)
    """
    if value is None:
        return True
    if isinstance(value, float):
        return value != value
    try:
        same = value != value  # NaN, NaT: True; pandas.NA: NA
    except Exception:  # an object that refuses to compare is a value, not a missing one
        return False
    try:
        return bool(same)
    except (TypeError, ValueError):  # pandas.NA refuses bool(); an array is ambiguous
        return type(value).__name__ == "NAType"


def _host(url: str) -> str:
    """The URL's host without a leading ``www.``, used as the publisher of a bare URL."""
    host = urlsplit(url).hostname or ""
    return host[4:] if host.startswith("www.") else host


def _text_source(text: str) -> dict[str, str]:
    """One source from a plain URL or plain text."""
    text = text.strip()
    if _URL.match(text):
        return {"date": "", "publisher": _host(text), "url": text}
    return {"date": "", "publisher": text, "url": ""}


def _object_source(item: Any, position: int) -> dict[str, str]:
    """One source from a decoded JSON item (object or string)."""
    if isinstance(item, str):
        return _text_source(item)
    if not isinstance(item, Mapping):
        raise ValueError(f"source {position} is a {type(item).__name__}, expected an object or a string")
    unknown = sorted(set(item) - set(SOURCE_KEYS))
    if unknown:
        raise ValueError(f"source {position} has unknown keys {unknown}; allowed: {list(SOURCE_KEYS)}")
    out: dict[str, str] = {}
    for key in SOURCE_KEYS:
        value = item.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(f"source {position}: {key!r} must be a string, got {value!r}")
        out[key] = value.strip()
    if out["url"] and not _URL.match(out["url"]):
        raise ValueError(f"source {position}: url {out['url']!r} is not an http(s) URL")
    if not out["publisher"] and out["url"]:
        out["publisher"] = _host(out["url"])
    return out


def parse_sources(value: Any) -> list[dict[str, str]]:
    """Read a ``sources`` cell into a list of ``{"date", "publisher", "url"}`` dicts.

    Accepted forms:

    * missing (None, NaN, NA) or empty text: no sources, ``[]``;
    * the JSON array written by :func:`format_sources` (items are objects with any of the keys ``date``,
      ``publisher``, ``url``, missing keys become ``""``; a string item is read like plain text);
    * a single JSON object;
    * a plain http(s) URL: one source whose publisher is the URL's host (without ``www.``);
    * any other plain text: one source whose publisher is the text;
    * a list of dicts/strings (already decoded).

    Parameters
    ----------
    value : Any
        The cell.

    Returns
    -------
    list of dict
        Each dict has exactly the keys ``date``, ``publisher``, ``url`` (strings, possibly empty).

    Raises
    ------
    ValueError
        If the text starts like JSON (``[`` or ``{``) but is not valid, or an item has unknown keys,
        non-string values or a URL that is not http(s).

    Examples
    --------
    >>> parse_sources("https://www.reuters.com/world/x")
    [{'date': '', 'publisher': 'reuters.com', 'url': 'https://www.reuters.com/world/x'}]
    >>> parse_sources('[{"publisher": "AP", "date": "2024-01-28"}]')
    [{'date': '2024-01-28', 'publisher': 'AP', 'url': ''}]
    >>> parse_sources("")
    []
    """
    if isinstance(value, list | tuple):
        return [_object_source(item, i + 1) for i, item in enumerate(value)]
    if isinstance(value, Mapping):
        return [_object_source(value, 1)]
    if is_missing(value):
        return []
    if not isinstance(value, str):
        raise ValueError(f"sources must be text, got {type(value).__name__}: {value!r}")
    text = value.strip()
    if not text:
        return []
    if text[0] in "[{":
        try:
            decoded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"sources is not valid JSON: {exc.msg} at character {exc.pos}") from exc
        if isinstance(decoded, dict):
            return [_object_source(decoded, 1)]
        if not isinstance(decoded, list):
            raise ValueError("sources JSON must be an array of objects")
        return [_object_source(item, i + 1) for i, item in enumerate(decoded)]
    return [_text_source(text)]


def format_sources(sources: Iterable[Mapping[str, Any]]) -> str:
    """Write sources as the ``sources`` column text: a JSON array of objects with sorted keys.

    Parameters
    ----------
    sources : iterable of mapping
        Each with any of the keys ``date``, ``publisher``, ``url`` (missing keys and None become ``""``).

    Returns
    -------
    str
        JSON text, non-ASCII characters kept as they are; ``"[]"`` for no sources.

    Raises
    ------
    ValueError
        If an item has other keys or non-string values (see :func:`parse_sources`).

    Examples
    --------
    >>> format_sources([{"publisher": "AP", "url": "https://apnews.com/x", "date": "2024-01-28"}])
    '[{"date": "2024-01-28", "publisher": "AP", "url": "https://apnews.com/x"}]'
    """
    if isinstance(sources, str | bytes) or not isinstance(sources, Iterable):
        raise ValueError(f"format_sources expects an iterable of dicts, got {type(sources).__name__}")
    items = [_object_source(item, i + 1) for i, item in enumerate(sources)]
    return json.dumps(items, sort_keys=True, ensure_ascii=False)
