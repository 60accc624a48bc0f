"""Geocoding place names against the gazetteer: one name, or a million.

How a name is resolved, in order:

1. **exact / alias**: the normalised name (see :mod:`geoincidents.normalize`) equals a site's preferred or
   Arabic name (method ``"exact"``) or one of its aliases (``"alias"``). Score 100.
2. **core**: the name without generic words at its ends ("Erbil base" -> "erbil") equals the core of a known
   name. Score 95, method of the name it matched. When this leads to a settlement and a facility of the same
   name and the report used a facility word ("base", "air base", "airport", "field"), the facility wins.
3. **fuzzy**: the core is compared with every known core by :func:`rapidfuzz.fuzz.ratio` (normalised Indel
   similarity; unlike ``WRatio`` it does not inflate short names inside long ones). A score of at least
   :data:`FUZZY_THRESHOLD` (85) is a match; cores shorter than :data:`MIN_FUZZY_LENGTH` letters are never
   fuzzy matched, a name that lacks a whole word of a known name is not a typo of it ("Euphrates" is not
   "MSS Euphrates"), and neither is a name with other numbers ("Tower 23" is not "Tower 22"). "Asadabad"
   scores 67 against "asad", and so does not become al-Asad.

A fuzzy hit must also be a plausible misspelling: at most one edit (Damerau OSA) per
:data:`FUZZY_LETTERS_PER_EDIT` letters beyond the first ("Tanuf" is not "Tanf"), the words that differ must be
alike (:data:`MIN_WORD_SIMILARITY`: "Site Condor" is not "Site Conoco"), no word may be a known word plus a
nisba ending ("Hariri", "Tanfi"), and the name must not be a real town (:mod:`geoincidents.places`) that lies
far from the site ("Karak" is not Qasrak). A name made only of given names ("Saddam") is matched only as the
gazetteer writes it.

Descriptive phrases: a locative tail ("... in Deir el-Zour", "..., Syria", "... near Hasakah"; see
:func:`geoincidents.normalize.split_locative`) is split off and the name before it is matched among the sites
the tail agrees with (same country, and same province or within :data:`NEAR_TAIL_M`): a tail confirms or
narrows, never creates. A glued article ("Alasad") is taken off when the name as written finds nothing.

When a name's core leads to sites in more than one country (Rukban camp in Syria, Tower 22 in Jordan), the
answer without a country hint is ambiguous between them. With ``date=``, tied candidates in use that day are
preferred and a single site out of use is flagged (``Match.active_on_date``).

When two sites tie (a name marked ambiguous in the gazetteer, or fuzzy scores within
:data:`AMBIGUITY_MARGIN` of each other) the result is **ambiguous**: no site is chosen, and the candidates are
listed. A country hint keeps only the sites of that country, which often settles a tie.
"""

from __future__ import annotations

import datetime
import html
import math
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ._geo import great_circle_m
from .gazetteer import FACILITY_KINDS, Gazetteer, NameEntry, default_gazetteer
from .normalize import (
    FACILITY_WORDS,
    GENERIC_WORDS,
    NISBA_SUFFIXES,
    PERSONAL_NAME_WORDS,
    core_array,
    core_of,
    locative_splits,
    name_key_array,
    name_keys,
    normalize_name,
    normalize_names,
    split_locative,
    unglued_key,
)

if TYPE_CHECKING:
    import pandas

__all__ = [
    "Match",
    "Candidate",
    "geocode",
    "geocode_all",
    "nearest_site",
    "FUZZY_THRESHOLD",
    "AMBIGUITY_MARGIN",
    "MIN_FUZZY_LENGTH",
    "DEFAULT_MAX_DISTANCE_M",
    "RESULT_COLUMNS",
]

#: Lowest fuzzy score (0-100, rapidfuzz ``fuzz.ratio`` on name cores) accepted as a match.
FUZZY_THRESHOLD = 85.0
#: Two sites whose best fuzzy scores are this close are a tie: the result is ambiguous.
AMBIGUITY_MARGIN = 2.0
#: Cores shorter than this are only matched exactly: a one-letter typo in a four-letter name is a new name.
MIN_FUZZY_LENGTH = 4
#: Score of a match found on the name's core after generic words were dropped.
CORE_SCORE = 95.0
#: A fuzzy match may differ from the known name by one edit (Damerau OSA) per this many letters beyond the
#: first: none for names of up to 5 letters, one for 6-10 letters, two for 11-15 ...
FUZZY_LETTERS_PER_EDIT = 5
#: The words in which a fuzzy match differs from the known name must be this similar (OSA, 0-1) to its words.
MIN_WORD_SIMILARITY = 0.75
#: A real town that has the fuzzy-matched name and lies farther than this (or twice the site's uncertainty)
#: from the site is another place: the match is vetoed.
SAME_PLACE_M = 25_000.0
#: A tail naming a place agrees with a site in the same province, or within this distance of the place.
NEAR_TAIL_M = 50_000.0
#: Farthest a point may be from a site (metres) for :func:`nearest_site` and the distance join to match it.
DEFAULT_MAX_DISTANCE_M = 25_000.0

#: Columns of the table :func:`geocode_all` returns.
RESULT_COLUMNS = (
    "query",
    "site_id",
    "name",
    "country",
    "province",
    "kind",
    "lat",
    "lon",
    "uncertainty_m",
    "score",
    "method",
    "alias",
    "ambiguous",
    "candidates",
    "active_on_date",
)
_FACILITY_WORDS = FACILITY_WORDS
_SETTLEMENT_WORDS = frozenset({"town", "city"}) & GENERIC_WORDS


@dataclass(frozen=True, slots=True)
class Candidate:
    """A site a name could refer to, with the score of the name that led to it."""

    site_id: str
    name: str
    country: str
    score: float
    alias: str


@dataclass(frozen=True, slots=True)
class Match:
    """The result of geocoding one name.

    For an ambiguous name the site fields (``site_id`` to ``uncertainty_m``) are ``None`` and ``candidates``
    lists the sites it could be; otherwise ``candidates`` is empty.
    """

    query: str
    site_id: str | None
    name: str | None
    country: str | None
    province: str | None
    kind: str | None
    lat: float | None
    lon: float | None
    uncertainty_m: float | None
    score: float
    method: str
    alias: str | None
    ambiguous: bool = False
    candidates: tuple[Candidate, ...] = ()
    distance_m: float | None = None
    active_on_date: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the match (candidates as a list of dicts)."""
        out = asdict(self)
        out["candidates"] = [asdict(c) for c in self.candidates]
        return out

    def __repr__(self) -> str:
        if self.ambiguous:
            ids = ", ".join(c.site_id for c in self.candidates)
            return f"<Match {self.query!r}: ambiguous between {ids} (score {self.score:.0f}, {self.method})>"
        where = f"({self.lat:.4f}, {self.lon:.4f})" if self.lat is not None and self.lon is not None else ""
        extra = f", {self.distance_m:.0f} m away" if self.distance_m is not None else ""
        return (
            f"<Match {self.query!r} -> {self.site_id} {self.name!r}, {self.country} {where} "
            f"score {self.score:.0f}, {self.method}{extra}>"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in self.to_dict().items()
            if k != "candidates" and v is not None
        )
        cands = "".join(
            f"<li>{html.escape(c.site_id)} ({html.escape(c.name)}, score {c.score:.0f})</li>"
            for c in self.candidates
        )
        return f"<table>{rows}</table>" + (f"<p>Candidates:</p><ul>{cands}</ul>" if cands else "")


# -- public functions ----------------------------------------------------------------------------------------
def geocode(
    name: str,
    country: str | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    min_score: float = FUZZY_THRESHOLD,
    date: datetime.date | str | None = None,
) -> Match | None:
    """Find the site a place name refers to.

    Parameters
    ----------
    name : str
        The place as a report writes it, in Latin or Arabic script.
    country : str, optional
        Only consider sites in this country: an ISO3 code ("IRQ") or a country name ("Iraq").
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.
    min_score : float, default 85
        Lowest fuzzy score accepted (0-100).
    date : datetime.date or str, optional
        The day of the event (a date, a datetime, a pandas Timestamp or an ISO string). Among tied
        candidates, those in use on that day are preferred (one left: it is the answer); a single site not in
        use on that day is still returned, with ``active_on_date=False``.

    Returns
    -------
    Match or None
        ``None`` when no site matches well enough. An ambiguous name gives a ``Match`` with
        ``ambiguous=True``, no site, and the tied ``candidates``. ``active_on_date`` is None without a date.

    Examples
    --------
    >>> geocode("Ayn al Asad airbase").site_id
    'ain-al-asad-airbase'
    >>> geocode("Kabul") is None
    True
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    iso3 = country_hint(country)
    day = _day(date)
    result = _Resolver(gaz, min_score).resolve([_Query.of(name, iso3)])[0]
    return _to_match(name, gaz, _on_date(result, day, gaz))


def geocode_all(
    names: Iterable[str] | pandas.Series,
    country: str | Sequence[str | None] | pandas.Series | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    min_score: float = FUZZY_THRESHOLD,
    date: Any = None,
) -> pandas.DataFrame:
    """Geocode many names at once; each distinct name is normalised and matched only once.

    Parameters
    ----------
    names : pandas.Series or iterable of str
        Place names; missing values (None, NaN) give empty rows.
    country : str or sequence of str, optional
        One country hint for all names, or one per name (aligned with ``names``; missing values mean no hint).
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.
    min_score : float, default 85
        Lowest fuzzy score accepted.
    date : date, str or sequence, optional
        One day for all names, or one per name (aligned with ``names``; missing values mean no date); see
        :func:`geocode`.

    Returns
    -------
    pandas.DataFrame
        One row per input, with the input's index, and the columns of :data:`RESULT_COLUMNS`; ``candidates``
        holds the tied site ids joined by ``|``. Rows without a match have missing site fields and
        ``method`` NA. ``active_on_date`` is a nullable boolean (NA without a date). Each row equals what
        :func:`geocode` returns for that name, country and date.

    Examples
    --------
    >>> geocode_all(["Irbil", "al-Tanf", "Springfield"])["site_id"].tolist()
    ['erbil', 'al-tanf-garrison', nan]
    """
    import pandas as pd

    series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    inverse, results = match_distinct(series, country, gaz, min_score, date)
    # Columns are built for the distinct results, then broadcast with a C-level take (no per-row Python).
    table = {"query": series.array, **_broadcast(result_columns(results, gaz), inverse)}
    return pd.DataFrame(table, index=series.index, columns=list(RESULT_COLUMNS), copy=False)


def nearest_site(
    lat: float,
    lon: float,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    *,
    country: str | None = None,
    gazetteer: Gazetteer | None = None,
) -> Match | None:
    """Reverse look-up: the site nearest to a point, by geodesic distance on the WGS84 ellipsoid.

    Parameters
    ----------
    lat, lon : float
        The point, WGS84 decimal degrees.
    max_distance_m : float, default 25 000
        Farther sites are not returned.
    country : str, optional
        Only consider sites of this country.
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.

    Returns
    -------
    Match or None
        ``method="nearest"``, ``distance_m`` set, ``score`` 100 at the site's point falling linearly to 0 at
        ``max_distance_m``. ``None`` when no site is close enough.

    Examples
    --------
    >>> nearest_site(33.80, 42.44).site_id
    'ain-al-asad-airbase'
    """
    if not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise ValueError(f"({lat}, {lon}) is not a valid WGS84 latitude, longitude")
    if not max_distance_m > 0:
        raise ValueError("max_distance_m must be positive")
    from pyproj import Geod

    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    iso3 = country_hint(country)
    sites = [s for s in gaz if iso3 is None or s.country == iso3]
    if not sites:
        return None
    n = len(sites)
    _, _, dist = Geod(ellps="WGS84").inv(
        np.full(n, lon), np.full(n, lat), np.array([s.lon for s in sites]), np.array([s.lat for s in sites])
    )
    best = int(np.argmin(dist))
    if dist[best] > max_distance_m:
        return None
    site = sites[best]
    score = round(100.0 * (1.0 - dist[best] / max_distance_m), 1)
    return Match(
        query=f"{lat}, {lon}",
        site_id=site.site_id,
        name=site.name,
        country=site.country,
        province=site.admin1,
        kind=site.kind,
        lat=site.lat,
        lon=site.lon,
        uncertainty_m=site.uncertainty_m,
        score=score,
        method="nearest",
        alias=None,
        distance_m=float(dist[best]),
    )


def match_distinct(
    series: pandas.Series, country: Any, gaz: Gazetteer, min_score: float, date: Any = None
) -> tuple[np.ndarray, list[_Result | None]]:
    """Match each distinct (name, country) pair once, then each distinct (result, date) pair: returns, per
    row, the position of its answer in the list of results."""
    import pandas as pd

    name_codes, name_index = pd.factorize(series, use_na_sentinel=True)  # a hash table: linear in rows
    country_codes, country_uniques = _country_codes(country, series)
    resolver = _Resolver(gaz, min_score)
    answers = _Answers()  # each distinct answer once; position 0 is "no answer" (and a missing name)
    names = _distinct_names(name_index)
    if not country_uniques:  # no hints: the distinct names are the distinct pairs
        positions = np.append(resolver.resolve_names(names, None, answers), 0)  # -1 (a missing name): 0
        inverse = positions[name_codes]
    else:
        # One code per distinct (name, country) pair (-1: a missing name), numbered by a second hash pass;
        # the names of each country are then resolved together.
        width = len(country_uniques) + 1
        pair = name_codes.astype(np.int64) * width + country_codes
        pair[name_codes < 0] = -1
        pair_inverse, pair_uniques = pd.factorize(pair)
        codes = np.asarray(pair_uniques, dtype=np.int64)
        pair_answer = np.zeros(len(codes), dtype=np.intp)
        for c in np.unique(codes[codes >= 0] % width).tolist():
            at = np.flatnonzero((codes >= 0) & (codes % width == c))
            iso3 = country_uniques[c - 1] if c else None
            which = (codes[at] // width).tolist()
            subset = [names[k] for k in which] if isinstance(names, list) else names.take(which)
            pair_answer[at] = resolver.resolve_names(subset, iso3, answers)
        inverse = pair_answer[pair_inverse]
    results = answers.results
    if date is None:
        return inverse, results
    return _dated(inverse, results, _day_codes(date, series), gaz)


def _distinct_names(index: pandas.Index) -> Any:
    """The distinct names as text: a pyarrow string array when there are enough for the column-wise path
    (without a copy when pandas holds them in pyarrow), else a list (anything but a str made one)."""
    import pandas as pd

    if len(index) >= _COLUMNWISE_FROM and isinstance(index.dtype, pd.StringDtype):
        try:
            import pyarrow as pa
        except ImportError:
            pass
        else:
            return pa.array(index.array).cast(pa.large_string())
    texts = [n if isinstance(n, str) else str(n) for n in index.tolist()]
    column = _string_array(texts) if len(texts) >= _COLUMNWISE_FROM else None
    return texts if column is None else column


class _Answers:
    """Distinct answers, each once, and the position of each (``None``, no answer, is at 0)."""

    __slots__ = ("results", "_at")

    def __init__(self) -> None:
        self.results: list[_Result | None] = [None]
        self._at: dict[_Result | None, int] = {None: 0}

    def position(self, result: _Result | None) -> int:
        at = self._at.get(result)
        if at is None:
            at = self._at[result] = len(self.results)
            self.results.append(result)
        return at


# -- the matching engine -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Result:
    site_id: str | None
    score: float
    method: str
    alias: str | None
    candidates: tuple[tuple[str, float, str], ...] = ()  # (site_id, score, alias) when ambiguous
    active: bool | None = None  # on the date asked about; None when no date was given (or still ambiguous)


class _Query(NamedTuple):
    """A name taken apart: its whole key, the name before any locative tail, and the tails."""

    full: str  # key of the whole text (an alias may contain "in" or a comma)
    head_full: str
    head_core: str
    unglued: tuple[str, str] | None  # (full, core) of the head with a glued article taken off
    tails: tuple[tuple[str, bool], ...]  # (raw text, near)
    person: bool  # the head is only given names and honorifics
    iso3: str | None

    @classmethod
    def of(cls, name: str, iso3: str | None) -> _Query:
        return cls(*_parse(name), iso3)


@lru_cache(maxsize=262144)
def _parse(name: str) -> tuple[str, str, str, tuple[str, str] | None, tuple[tuple[str, bool], ...], bool]:
    full = normalize_name(name)
    head, tails = split_locative(name)
    if not tails:
        if head == name:
            return _parse_whole(full)
        # "the American base in Tanf" read as "Tanf American base": the whole text is still tried first
        return (full, *_parse_whole(normalize_name(head))[1:])
    head_full, head_core, unglued = _parse_head(*name_keys(head))
    return (full, head_full, head_core, unglued, tails, _is_person(head_full))


@lru_cache(maxsize=262144)
def _parse_whole(
    full: str,
) -> tuple[str, str, str, tuple[str, str] | None, tuple[tuple[str, bool], ...], bool]:
    """The parts of a name without a locative tail, from its normalised key."""
    head_full, head_core, unglued = _parse_head(full, core_of(full))
    return (full, head_full, head_core, unglued, (), _is_person(full))


def _parse_head(head_full: str, head_core: str) -> tuple[str, str, tuple[str, str] | None]:
    glued = unglued_key(head_full) if ("al" in head_full or "el" in head_full) else ""
    return head_full, head_core, (glued, core_of(glued)) if glued else None


_EMPTY_QUERY = _Query("", "", "", None, (), False, None)


@dataclass(frozen=True, slots=True)
class _Area:
    """One reading of a locative tail: a country, optionally a province, optionally a point."""

    country: str
    province: str | None = None
    lat: float | None = None
    lon: float | None = None


class _Resolver:
    """Resolves queries; fuzzy matching is batched over the unresolved ones, per set of allowed sites."""

    def __init__(self, gazetteer: Gazetteer, min_score: float):
        if not 0 <= min_score <= 100:
            raise ValueError("min_score must be between 0 and 100")
        self.gaz = gazetteer
        self.index = gazetteer.name_index()
        self.min_score = min_score
        self.table = _NameTable.of(self.index, gazetteer)

    def resolve_names(self, names: Any, iso3: str | None, answers: _Answers) -> np.ndarray:
        """The position in ``answers`` of each name's answer (with one country hint, or none).

        ``names`` is a list of str, or a pyarrow string array (no nulls: then the work is column-wise). A
        name without a tail is answered by its normalised key alone, so names that share a key (case,
        article and spelling variants) are resolved once. Column-wise, the keys that no known name or core
        has (most of a feed's free text) are settled column-wise too: only the keys with a hit, or with a
        fuzzy hit above the threshold, take the per-name path.
        """
        out = np.zeros(len(names), dtype=np.intp)
        splits = locative_splits(names)  # the names with a tail, or a generic head "in" a place
        whole = np.ones(len(names), dtype=bool)
        whole[list(splits)] = False
        if isinstance(names, list):  # a few names: one by one
            queries: list[_Query] = []
            rows: list[list[int]] = []  # per query, the names it answers
            at_key: dict[str, int] = {}
            for i, (name, full) in enumerate(zip(names, normalize_names(names), strict=True)):
                if not whole[i]:
                    queries.append(_Query.of(name, iso3))
                    rows.append([i])
                elif full:
                    at = at_key.setdefault(full, len(queries))
                    if at == len(queries):
                        queries.append(_Query(*_parse_whole(full), iso3))
                        rows.append([])
                    rows[at].append(i)
            for answered, result in zip(rows, self.resolve(queries), strict=True):
                out[answered] = answers.position(result)
            return out
        import pyarrow as pa
        import pyarrow.compute as pc

        keys = name_key_array(names)
        whole_at = np.flatnonzero(whole)
        encoded = pc.dictionary_encode(keys.take(pa.array(whole_at)) if len(splits) else keys)
        out[whole_at] = self._resolve_keys(encoded.dictionary, iso3, answers)[encoded.indices.to_numpy()]
        if splits:
            split_at = list(splits)
            texts = names.take(pa.array(split_at, type=pa.int64())).to_pylist()
            found = self.resolve([_Query.of(text, iso3) for text in texts])
            out[split_at] = [answers.position(r) for r in found]
        return out

    def _resolve_keys(self, keys: Any, iso3: str | None, answers: _Answers) -> np.ndarray:
        """The position in ``answers`` of the answer to each distinct normalised key (a pyarrow array) of
        names without a tail.

        Keys that a known name or core has, or that may be a person's name or carry a glued article, take
        :meth:`resolve`. The others have no exact, alias or core answer: their cores long enough to be
        misspellings are scored together (:meth:`_fuzzy`, each distinct core once) and the rest have none.
        """
        import pyarrow.compute as pc

        out = np.zeros(len(keys), dtype=np.intp)
        cores = core_array(keys)
        table = self.table
        special = pc.or_(
            pc.or_(pc.is_in(keys, value_set=table.full_keys), pc.is_in(cores, value_set=table.core_keys)),
            pc.match_substring_regex(keys, _PERSON_OR_GLUED),
        )
        filled = pc.greater(pc.binary_length(keys), 0)
        one_by_one = np.flatnonzero(pc.and_(special, filled).to_numpy(zero_copy_only=False))
        if len(one_by_one):
            found = self.resolve([_Query(*_parse_whole(k), iso3) for k in keys.take(one_by_one).to_pylist()])
            out[one_by_one] = [answers.position(r) for r in found]
        letters = pc.subtract(pc.utf8_length(cores), pc.count_substring(cores, " "))
        typo = pc.and_(pc.invert(special), pc.greater_equal(letters, MIN_FUZZY_LENGTH))
        typo_at = np.flatnonzero(typo.to_numpy(zero_copy_only=False))
        if not len(typo_at):
            return out
        distinct = pc.dictionary_encode(cores.take(typo_at))
        allowed = self._allowed(iso3, ())
        core_texts = distinct.dictionary.to_pylist()
        by_core = self._fuzzy(core_texts, [allowed] * len(core_texts))
        core_of_key = distinct.indices.to_numpy()
        out[typo_at] = np.array([answers.position(r) for r in by_core], dtype=np.intp)[core_of_key]
        # A facility word about a town's misspelling may mean the town's facility (_facility_meant).
        towns = np.array([r is not None and r.site_id in self.table.facility_of for r in by_core], dtype=bool)
        maybe = towns[core_of_key] & pc.match_substring_regex(keys.take(typo_at), _FACILITY_WORD).to_numpy(
            zero_copy_only=False
        )
        for k, key, c in zip(typo_at[maybe].tolist(), keys.take(typo_at[maybe]).to_pylist(),
                             core_of_key[maybe].tolist(), strict=True):  # fmt: skip
            out[k] = answers.position(self._facility_meant(by_core[c], key, allowed))
        return out

    def resolve(self, queries: Sequence[_Query]) -> list[_Result | None]:
        """The answer to each query. The answer of a query without a tail depends only on its key and its
        country hint: it is remembered (in the gazetteer's name table), and a batch resolves each such pair
        once."""
        results: list[_Result | None] = [None] * len(queries)
        fuzzy: list[tuple[int, frozenset[str] | None]] = []
        known = self.table.plain_answers(self.min_score)
        first: dict[tuple[str | None, str], int] = {}  # (country, key) -> the query that answers it here
        copies: list[tuple[int, int]] = []
        for i, q in enumerate(queries):
            if not q.full:
                continue
            if not q.tails:
                answer = known.get((q.iso3, q.full), _UNSET)
                if answer is not _UNSET:
                    results[i] = answer  # type: ignore[call-overload]
                    continue
                at = first.setdefault((q.iso3, q.full), i)
                if at != i:
                    copies.append((i, at))
                    continue
            allowed = self._allowed(q.iso3, q.tails)
            found = self._lookup_whole(q) or self._lookup(q.head_full, q.head_core, allowed, q.person)
            if found is None and q.unglued is not None:
                found = self._lookup(*q.unglued, allowed, _is_person(q.unglued[0]))
            if found is not None:
                results[i] = self._facility_meant(found, q.head_full, allowed)
            elif len(q.head_core.replace(" ", "")) >= MIN_FUZZY_LENGTH and not q.person:
                fuzzy.append((i, allowed))
        if fuzzy:
            cores = [queries[i].head_core for i, _ in fuzzy]
            for (i, allowed), result in zip(fuzzy, self._fuzzy(cores, [a for _, a in fuzzy]), strict=True):
                results[i] = self._facility_meant(result, queries[i].head_full, allowed)
        for key, i in first.items():
            _bounded_put(known, key, results[i])
        for i, at in copies:
            results[i] = results[at]
        return results

    def _facility_meant(
        self, result: _Result | None, full: str, allowed: frozenset[str] | None
    ) -> _Result | None:
        """A report that used a facility word ("Bagdad airport", "Quamishlo airbase") about a town matched
        only through its core or a misspelling means the one facility named after that town, if there is one.

        The same rule as :meth:`_prefer`, for names whose spelling reaches only the town's own entry. A name
        the gazetteer lists as written (score 100) is left alone.
        """
        if result is None or result.site_id is None or result.score >= 100.0:
            return result
        if not set(full.split()) & _FACILITY_WORDS:
            return result
        entry = self.table.facility_of.get(result.site_id)
        if entry is None or (allowed is not None and entry.site_id not in allowed):
            return result
        method = result.method if result.method == "fuzzy" else entry.method
        return _Result(entry.site_id, result.score, method, entry.text)

    # -- exact, alias and core ----------------------------------------------------------------------------
    def _lookup_whole(self, q: _Query) -> _Result | None:
        """The whole text as a known name ("American embassy in Baghdad"), before any tail is split off."""
        if not q.tails:
            return None
        entries = self._keep(self.index.full.get(q.full, ()), self._allowed(q.iso3, ()))
        return self._decide(entries, 100.0) if entries else None

    def _lookup(self, full: str, core: str, allowed: frozenset[str] | None, person: bool) -> _Result | None:
        entries = self._keep(self.index.full.get(full, ()), allowed)
        score = 100.0
        if not entries and not person:
            entries = self._keep(self.index.core.get(core, ()), allowed)
            score = CORE_SCORE
            if len(entries) > 1 and set(full.split()) & _SETTLEMENT_WORDS:
                # "Rmelan town": the descriptor settles even a name shared on purpose.
                settlements = [e for e in entries if self.gaz[e.site_id].kind not in FACILITY_KINDS]
                entries = settlements if len(settlements) == 1 else entries
            if len(entries) > 1 and not any(e.ambiguous for e in entries):
                entries = self._prefer(entries, full, core)
        if not entries:
            return None
        if core in self.table.multi_country:
            entries = entries + self._across_border(entries, core, allowed)
        return self._decide(entries, score)

    def _across_border(
        self, entries: list[NameEntry], core: str, allowed: frozenset[str] | None
    ) -> list[NameEntry]:
        """Sites of another country that share the name's core: without a hint the name is a tie with them."""
        countries = {self.gaz[e.site_id].country for e in entries}
        chosen = {e.site_id for e in entries}
        return [
            e
            for e in self._keep(self.index.core.get(core, ()), allowed)
            if e.site_id not in chosen and self.gaz[e.site_id].country not in countries
        ]

    def _prefer(self, entries: list[NameEntry], full: str, core: str) -> list[NameEntry]:
        """Settle a core-level tie between a place and a facility named after it ("Erbil", "Erbil Air Base").

        A report that used a facility word ("Erbil base") means the facility; one that did not ("near Erbil")
        means the site whose own name has no facility word. Anything else stays a tie.
        """
        if set(full.split()) & _FACILITY_WORDS:
            preferred = [e for e in entries if self.gaz[e.site_id].kind in FACILITY_KINDS]
        else:
            preferred = [e for e in entries if name_keys(e.text)[0] == core]
        return preferred if len(preferred) == 1 else entries

    @staticmethod
    def _keep(entries: Iterable[NameEntry], allowed: frozenset[str] | None) -> list[NameEntry]:
        if allowed is None:
            return list(entries)
        return [e for e in entries if e.site_id in allowed]

    @staticmethod
    def _decide(entries: list[NameEntry], score: float) -> _Result:
        if len(entries) == 1:
            e = entries[0]
            return _Result(e.site_id, score, e.method, e.text)
        method = "exact" if all(e.method == "exact" for e in entries) else "alias"
        ranked = tuple(sorted((e.site_id, score, e.text) for e in entries))
        return _Result(None, score, method, None, ranked)

    # -- country hints and locative tails -----------------------------------------------------------------
    def _allowed(self, iso3: str | None, tails: tuple[tuple[str, bool], ...]) -> frozenset[str] | None:
        """The sites a country hint and the tails leave (None: no restriction)."""
        if iso3 is None and not tails:
            return None
        memo = self.table.allowed
        key = (iso3, tails)
        found = memo.get(key, _UNSET)
        if found is _UNSET:
            sites = self.table.sites
            keep = np.ones(len(sites.ids), dtype=bool) if iso3 is None else sites.country == iso3
            for t, near in tails:
                areas = _tail_areas(self.index, self.gaz, t)
                if areas:  # a tail that names nothing known leaves every site
                    keep &= np.logical_or.reduce([sites.agree(a, near) for a in areas])
            found = frozenset(sites.ids[keep].tolist())
            _bounded_put(memo, key, found)
        return found  # type: ignore[return-value]

    # -- fuzzy --------------------------------------------------------------------------------------------
    def _fuzzy(self, cores: list[str], alloweds: list[frozenset[str] | None]) -> list[_Result | None]:
        """Score every unresolved core against every known core; keep the plausible misspellings.

        A few cores are scored one by one (``process.extract``); a batch by ``process.cdist``, one call per
        core length against the known cores that length can reach (:meth:`_NameTable.within_reach`), and
        the edit budget of :func:`_is_misspelling` is then checked for all the hits at once
        (``process.cpdist``), so that only the hits within it reach the per-name checks (the checks are
        pure and all must pass: their order does not change the answer).
        """
        table = self.table
        out: list[_Result | None] = [None] * len(cores)
        if not table.keys:
            return out
        entries, keys = table.entries, table.keys
        if len(cores) < _CDIST_FROM:
            for i, hits in self._hits(cores):
                allowed, core = alloweds[i], cores[i]
                kept = [
                    (j, score)
                    for j, score in hits
                    if (allowed is None or entries[j].site_id in allowed)
                    and self._is_typo(core, keys[j], entries[j])
                ]
                if kept:
                    out[i] = self._rank(kept)
            return out
        rows, cols, scores = self._within_budget(cores, *self._hit_arrays(cores))
        ok = np.array(
            [
                (alloweds[i] is None or entries[j].site_id in alloweds[i])
                and self._is_typo(cores[i], keys[j], entries[j])
                for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
            ],
            dtype=bool,
        )
        rows, cols, scores = rows[ok], cols[ok], scores[ok]
        if not len(rows):
            return out
        starts = np.flatnonzero(np.diff(rows, prepend=-1))
        ends = np.append(starts[1:], len(rows))
        rows_list, cols_list, scores_list = rows.tolist(), cols.tolist(), scores.tolist()
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            if b == a + 1:  # one kept hit (most misspellings): what _rank gives for it
                e = entries[cols_list[a]]
                out[rows_list[a]] = _Result(e.site_id, round(scores_list[a], 1), "fuzzy", e.text)
            else:
                out[rows_list[a]] = self._rank(list(zip(cols_list[a:b], scores_list[a:b], strict=True)))
        return out

    def _hits(self, cores: list[str]) -> Iterable[tuple[int, list[tuple[int, float]]]]:
        """Per core with any, its (known-core position, score) pairs at or above the threshold, one by one."""
        from rapidfuzz import fuzz, process

        table, cutoff = self.table, self.min_score
        for i, core in enumerate(cores):
            choices, positions = table.within_reach(len(core), cutoff)
            found = process.extract(core, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None)
            if found:  # scores as cdist stores them (float32), so that both paths agree to the last bit
                yield i, sorted((positions[k], float(np.float32(score))) for _, score, k in found)

    def _hit_arrays(self, cores: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(core, known-core position, score) of every pair at or above the threshold, sorted."""
        from rapidfuzz import fuzz, process

        table, cutoff = self.table, self.min_score
        lengths = np.fromiter(map(len, cores), dtype=np.int64, count=len(cores))
        found_rows, found_cols, found_scores = [], [], []
        for length in np.unique(lengths).tolist():
            choices, positions = table.within_reach(length, cutoff)
            if not choices:
                continue
            at = np.flatnonzero(lengths == length)
            for start in range(0, len(at), _CDIST_BLOCK):
                block_at = at[start : start + _CDIST_BLOCK]
                block = process.cdist(
                    [cores[k] for k in block_at.tolist()], choices, scorer=fuzz.ratio, score_cutoff=cutoff,
                    workers=1,
                )  # fmt: skip
                r, c = np.nonzero(block >= cutoff)
                found_rows.append(block_at[r])
                found_cols.append(np.asarray(positions, dtype=np.int64)[c])
                found_scores.append(block[r, c])
        if not found_rows:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0, dtype=np.float32)
        rows, cols = np.concatenate(found_rows), np.concatenate(found_cols)
        order = np.lexsort((cols, rows))
        return rows[order], cols[order], np.concatenate(found_scores)[order]

    def _within_budget(
        self, cores: list[str], rows: np.ndarray, cols: np.ndarray, scores: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The hits within the edit budget of :func:`_is_misspelling` (the same rule, for all at once)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        if not len(rows):
            return rows, cols, scores
        keys = self.table.keys
        core_at, key_at = rows.tolist(), cols.tolist()
        hit_cores, hit_keys = [cores[i] for i in core_at], [keys[j] for j in key_at]
        edits = process.cpdist(hit_cores, hit_keys, scorer=OSA.distance, workers=1)
        core_len = np.fromiter(map(len, hit_cores), dtype=np.int64, count=len(core_at))
        key_len = np.fromiter(map(len, hit_keys), dtype=np.int64, count=len(key_at))
        core_spaces = np.fromiter((c.count(" ") for c in hit_cores), dtype=np.int64, count=len(core_at))
        key_spaces = np.fromiter((k.count(" ") for k in hit_keys), dtype=np.int64, count=len(key_at))
        letters = np.maximum(core_len, key_len) - np.minimum(core_spaces, key_spaces)
        ok = edits <= np.maximum(0, (letters - 1) // FUZZY_LETTERS_PER_EDIT)
        return rows[ok], cols[ok], scores[ok]

    def _rank(self, kept: list[tuple[int, float]]) -> _Result:
        """The best site of the kept hits, or a tie between those within :data:`AMBIGUITY_MARGIN`."""
        entries = self.table.entries
        best: dict[str, tuple[float, str]] = {}
        for j, s in kept:
            e = entries[j]
            if e.site_id not in best or s > best[e.site_id][0]:
                best[e.site_id] = (s, e.text)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        top_id, (top_score, top_alias) = ranked[0]
        tied = [(sid, s, a) for sid, (s, a) in ranked if top_score - s < AMBIGUITY_MARGIN]
        score = round(top_score, 1)
        if len(tied) == 1:
            return _Result(top_id, score, "fuzzy", top_alias)
        return _Result(None, score, "fuzzy", None, tuple((sid, round(s, 1), a) for sid, s, a in tied))

    def _is_typo(self, core: str, key: str, entry: NameEntry) -> bool:
        """Whether a name that scored above the threshold against a known core is a misspelling of it."""
        from .places import real_places

        if not _is_misspelling(core, key):
            return False
        places = real_places(core)
        if not places:  # most misspellings: no town has the name, nothing to remember
            return True
        memo = self.table.other_place
        found = memo.get((core, entry.site_id))
        if found is None:
            found = _is_other_place(places, self.gaz[entry.site_id])
            _bounded_put(memo, (core, entry.site_id), found)
        return not found


class _NameTable:
    """What matching derives from one name index, built once and kept as long as the index lives.

    The gazetteer builds a new index after any change, so a table never outlives the names it was made from.
    It holds no reference to the index or the gazetteer (it is the value of a weak-key dictionary).
    """

    __slots__ = (
        "keys", "entries", "multi_country", "facility_of", "allowed", "other_place", "tails", "reach",
        "plain", "full_keys", "core_keys", "sites", "provinces", "__weakref__",
    )  # fmt: skip

    def __init__(self, index: Any, gaz: Gazetteer):
        #: every known core once per entry, and the entry it belongs to (the fuzzy step's choices)
        self.keys: list[str] = [key for key, key_entries in index.core.items() for _ in key_entries]
        self.entries: list[NameEntry] = [e for key_entries in index.core.values() for e in key_entries]
        #: cores whose names lead to sites in more than one country (the only ones a cross-border tie can hit)
        self.multi_country = frozenset(
            k for k, es in index.core.items() if len({gaz[e.site_id].country for e in es}) > 1
        )
        #: for a town or district, the one facility of its country known by the core of the town's own name
        #: (Erbil: Erbil Air Base), as the entry that carries it; towns with none or several are left out
        self.facility_of: dict[str, NameEntry] = {}
        for site in gaz:
            if site.kind in FACILITY_KINDS:
                continue
            own = core_of(normalize_name(site.name))
            facilities = {
                e.site_id: e
                for e in index.core.get(own, ())
                if e.site_id != site.site_id
                and gaz[e.site_id].kind in FACILITY_KINDS
                and gaz[e.site_id].country == site.country  # never across a border (Rukban camp, Tower 22)
            }
            if len(facilities) == 1:
                self.facility_of[site.site_id] = next(iter(facilities.values()))
        # Memos of pure answers (bounded: a long-running service sees unbounded distinct names).
        self.allowed: dict[tuple[str | None, tuple[tuple[str, bool], ...]], frozenset[str]] = {}
        self.other_place: dict[tuple[str, str], bool] = {}
        self.tails: dict[str, tuple[_Area, ...]] = {}
        self.reach: dict[tuple[int, float], tuple[list[str], list[int]]] = {}
        self.plain: dict[float, dict[tuple[str | None, str], _Result | None]] = {}
        #: the sites as columns (tail rules), and the provinces by the core of their name
        self.sites = _Sites(gaz)
        self.provinces: dict[str, set[tuple[str, str]]] = {}
        for site in gaz:
            self.provinces.setdefault(core_of(normalize_name(site.admin1)), set()).add(
                (site.country, site.admin1)
            )
        #: the known keys and cores as pyarrow arrays (the batch path looks keys up column-wise)
        self.full_keys, self.core_keys = _string_array(list(index.full)), _string_array(list(index.core))

    def plain_answers(self, min_score: float) -> dict[tuple[str | None, str], _Result | None]:
        """Answers of queries without a tail, by (country hint, normalised key), at this threshold."""
        return self.plain.setdefault(min_score, {})

    def within_reach(self, length: int, cutoff: float) -> tuple[list[str], list[int]]:
        """The known cores a name of ``length`` letters can score ``cutoff`` against, and their positions.

        ``fuzz.ratio`` is ``100 * (1 - indel / (a + b))`` and the Indel distance is at least ``|a - b|``, so a
        name can score at most ``200 * min(a, b) / (a + b)`` against a key: keys of other lengths are skipped
        unscored, and the answer is the same as scoring them all.
        """
        found = self.reach.get((length, cutoff))
        if found is None:
            positions = [
                j
                for j, key in enumerate(self.keys)
                if 200.0 * min(length, len(key)) / max(1, length + len(key)) >= cutoff - 1e-9
            ]
            found = ([self.keys[j] for j in positions], positions)
            self.reach[(length, cutoff)] = found
        return found

    @classmethod
    def of(cls, index: Any, gaz: Gazetteer) -> _NameTable:
        table = _TABLES.get(index)
        if table is None:
            table = _TABLES[index] = cls(index, gaz)
        return table


def _string_array(texts: list[str]) -> Any:
    try:
        import pyarrow as pa
    except ImportError:  # the batch path then works name by name
        return None
    return pa.array(texts, type=pa.large_string())


_TABLES: weakref.WeakKeyDictionary[Any, _NameTable] = weakref.WeakKeyDictionary()
_UNSET = object()
#: From this many unresolved names on, the fuzzy step scores them with ``cdist``, by name length.
_CDIST_FROM = 64
#: Names per ``cdist`` call (bounds the score matrix: 8,192 x a few hundred known cores of float32).
_CDIST_BLOCK = 8192
#: From this many names on, :meth:`_Resolver.resolve_names` works column-wise.
_COLUMNWISE_FROM = 256
#: Most answers a memo keeps before it starts again.
_MEMO_SIZE = 100_000


def _bounded_put(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value


@lru_cache(maxsize=262144)  # pure, and the same (name, known name) pairs recur across calls
def _is_misspelling(core: str, key: str) -> bool:
    """The rules a fuzzy hit must pass besides its score (see the module docstring)."""
    from rapidfuzz.distance import OSA

    words, key_words = core.split(), key.split()
    if set(words) < set(key_words) or _number_tokens(core) != _number_tokens(key):
        return False  # a whole word missing ("Euphrates" vs "MSS Euphrates"), or another number ("Tower 23")
    letters = max(len(core), len(key)) - min(core.count(" "), key.count(" "))
    if OSA.distance(core, key) > max(0, (letters - 1) // FUZZY_LETTERS_PER_EDIT):
        return False  # too many edits for the length: "Tanuf" is not "Tanf"
    own = [w for w in words if w not in key_words]
    theirs = [w for w in key_words if w not in words]
    if own and theirs:
        if OSA.normalized_similarity(" ".join(own), " ".join(theirs)) < MIN_WORD_SIMILARITY:
            return False  # the distinctive word differs: "Site Condor" is not "Site Conoco"
        if any(w == k + suffix for w in own for k in theirs for suffix in NISBA_SUFFIXES):
            return False  # a nisba or family name built on the name: "Hariri", "Tanfi", "al-Asadi"
    return True


def _is_other_place(places: Sequence[Any], site: Any) -> bool:
    """Real towns of the name exist (``places``, not empty), and none lies at the site: another place."""
    reach = max(SAME_PLACE_M, 2 * site.uncertainty_m)
    return all(_distance_m(p.lat, p.lon, site.lat, site.lon) > reach for p in places)


def _is_person(full: str) -> bool:
    """A name made only of given names and honorifics, with no facility word ("Saddam", "Prince Sultan")."""
    words = full.split()
    return bool(words) and all(w in PERSONAL_NAME_WORDS for w in words)


def _tail_areas(index: Any, gaz: Gazetteer, tail: str) -> tuple[_Area, ...]:
    """What a tail may name: a country, else gazetteer provinces, sites and real towns of that name."""
    memo = _NameTable.of(index, gaz).tails
    found = memo.get(tail)
    if found is None:
        found = _read_tail(index, gaz, tail)
        _bounded_put(memo, tail, found)
    return found


def _read_tail(index: Any, gaz: Gazetteer, tail: str) -> tuple[_Area, ...]:
    from .countries import to_iso3
    from .places import real_places

    words = [w for w in _TAIL_WORD.findall(tail) if w.lower() not in _DIRECTION_WORDS]
    text = " ".join(words)
    iso3 = to_iso3(text) if len(text) >= 4 or text.upper() == "UAE" else None
    if iso3 is not None:
        return (_Area(iso3),)
    core = core_of(normalize_name(text))
    if not core:
        return ()
    areas = {
        _Area(country, province) for country, province in _NameTable.of(index, gaz).provinces.get(core, ())
    }
    for e in index.full.get(normalize_name(text), []) + index.core.get(core, []):
        s = gaz[e.site_id]
        areas.add(_Area(s.country, s.admin1, s.lat, s.lon))
    areas.update(_Area(p.country, None, p.lat, p.lon) for p in real_places(text))
    return tuple(sorted(areas, key=lambda a: (a.country, a.province or "", a.lat or 0.0, a.lon or 0.0)))


class _Sites:
    """The gazetteer's sites as columns, for the tail rule over every site at once."""

    __slots__ = ("ids", "country", "province", "lat", "lon")

    def __init__(self, gaz: Gazetteer):
        sites = list(gaz)
        self.ids = np.array([s.site_id for s in sites], dtype=object)
        self.country = np.array([s.country for s in sites], dtype=object)
        self.province = np.array([s.admin1 for s in sites], dtype=object)
        self.lat = np.array([s.lat for s in sites], dtype="float64")
        self.lon = np.array([s.lon for s in sites], dtype="float64")

    def agree(self, area: _Area, near: bool) -> np.ndarray:
        """Which sites lie where one tail reading says: its country, and its province or close to its point
        (:data:`NEAR_TAIL_M`); "near" tails accept a site that close across a border too."""
        same_country = self.country == area.country
        if area.lat is None or area.lon is None:
            return same_country & (True if area.province is None else self.province == area.province)
        in_province = same_country & (self.province == area.province) if area.province is not None else False
        return in_province | (self.within(area.lat, area.lon, NEAR_TAIL_M) & (same_country | near))

    def within(self, lat: float, lon: float, reach: float) -> np.ndarray:
        """Which sites lie within ``reach`` metres of the point by :func:`_distance_m`: computed column-wise,
        and again one by one for the sites within a metre of the limit (the two may differ in the last
        bits)."""
        distance = great_circle_m(lat, lon, self.lat, self.lon)
        close = distance <= reach
        for k in np.flatnonzero(np.abs(distance - reach) <= 1.0).tolist():
            close[k] = _distance_m(lat, lon, self.lat[k], self.lon[k]) <= reach
        return close


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (mean Earth radius): thresholds of tens of km need no ellipsoid."""
    return float(great_circle_m(float(lat1), float(lon1), float(lat2), float(lon2)))


_TAIL_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_DIRECTION_WORDS = frozenset(
    f"{d}{end}"
    for d in ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "central")
    for end in ("", "ern")
) | {"the", "far", "rural", "desert", "countryside", "outskirts", "of", "area", "region", "province",
     "governorate", "eastern", "western", "northern", "southern", "central"}  # fmt: skip


# Keys that may be a person's name (only given names and honorifics: _is_person) or carry a glued article
# (a word "al"/"el" + three letters or more: unglued_key); a superset, checked again one by one.
_PERSON_WORD = "(?:" + "|".join(sorted(map(re.escape, PERSONAL_NAME_WORDS), key=len, reverse=True)) + ")"
_PERSON_OR_GLUED = rf"^{_PERSON_WORD}(?: {_PERSON_WORD})*$|(?:^| )[ae]l\pL{{3}}"


# Keys with a facility word (the words of _FACILITY_WORDS, whole).
_FACILITY_WORD = "(?:^| )(?:" + "|".join(sorted(map(re.escape, _FACILITY_WORDS))) + ")(?: |$)"


# -- helpers -------------------------------------------------------------------------------------------------
def _number_tokens(key: str) -> tuple[str, ...]:
    return tuple(sorted(w for w in key.split() if w.isdigit()))


def _day(value: Any) -> datetime.date | None:
    """A calendar day from a date, datetime, pandas Timestamp, numpy datetime64 or ISO string (None: none)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"date must be a date or an ISO date string, not {value!r}") from None
    return None if pd.isna(stamp) else stamp.date()


def _active(site: Any, day: datetime.date) -> bool:
    """In use on ``day``: on or after ``active_from`` and on or before ``active_to`` (open ends: in use)."""
    start, end = getattr(site, "active_from", None), getattr(site, "active_to", None)
    return (start is None or start <= day) and (end is None or day <= end)


def _on_date(result: _Result | None, day: datetime.date | None, gaz: Gazetteer) -> _Result | None:
    """Apply the incident's day: among tied candidates keep those in use; flag a single site not in use."""
    if result is None or day is None:
        return result
    if result.site_id is not None:
        return replace(result, active=_active(gaz[result.site_id], day))
    in_use = [c for c in result.candidates if _active(gaz[c[0]], day)]
    if len(in_use) == 1:
        site_id, score, alias = in_use[0]
        return _Result(site_id, score, result.method, alias, (), True)
    if 1 < len(in_use) < len(result.candidates):
        return replace(result, candidates=tuple(in_use), score=max(c[1] for c in in_use))
    return result


def _day_codes(date: Any, series: pandas.Series) -> tuple[np.ndarray, list[datetime.date | None]]:
    """Per-row codes into a list of distinct days (code 0 is "no day")."""
    import pandas as pd

    if isinstance(date, pd.Series | np.ndarray | list | tuple):
        if len(date) != len(series):
            raise ValueError(f"date has {len(date)} values for {len(series)} names")
        values = pd.to_datetime(pd.Series(np.asarray(date, dtype=object)), errors="raise").dt.normalize()
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes.astype(np.int64) + 1, [None] + [u.date() for u in uniques]
    return np.ones(len(series), dtype=np.int64), [None, _day(date)]


def _dated(
    inverse: np.ndarray,
    results: list[_Result | None],
    day_codes: tuple[np.ndarray, list[datetime.date | None]],
    gaz: Gazetteer,
) -> tuple[np.ndarray, list[_Result | None]]:
    """Apply each row's day to its result, once per distinct (result, day) pair."""
    import pandas as pd

    codes, days = day_codes
    pair = inverse.astype(np.int64) * len(days) + codes
    new_inverse, uniques = pd.factorize(pair)  # a hash table, not a sort: linear in rows
    width = len(days)
    dated = [_on_date(results[u // width], days[u % width], gaz) for u in uniques.tolist()]
    return new_inverse, dated


def country_hint(country: str | None) -> str | None:
    if country is None:
        return None
    from .countries import to_iso3

    iso3 = to_iso3(country) if isinstance(country, str) else None
    if iso3 is None:
        raise ValueError(f"unknown country {country!r}: give an ISO 3166-1 alpha-3 code or a country name")
    return iso3


def _country_codes(country: Any, series: pandas.Series) -> tuple[np.ndarray, list[str]]:
    """Per-row country codes (0 = no hint, k = k-th unique ISO3) and the unique ISO3 codes."""
    import pandas as pd

    if country is None or isinstance(country, str):
        iso3 = country_hint(country)
        return np.full(len(series), 1 if iso3 else 0, dtype=np.int64), [iso3] if iso3 else []
    hints = country if isinstance(country, pd.Series) else list(country)
    if len(hints) != len(series):
        raise ValueError(f"country has {len(hints)} values for {len(series)} names")
    codes, uniques = pd.factorize(np.asarray(hints, dtype=object))
    iso3s = [country_hint(str(u)) for u in uniques]
    # Two spellings of one country ("Iraq", "IRQ") share a code.
    distinct = sorted(set(iso3s), key=str)
    remap = np.array([distinct.index(c) + 1 for c in iso3s] + [0], dtype=np.int64)
    return remap[np.where(codes < 0, len(iso3s), codes)], [str(d) for d in distinct]


def _to_match(query: str, gaz: Gazetteer, result: _Result | None) -> Match | None:
    if result is None:
        return None
    if result.site_id is None:
        candidates = tuple(
            Candidate(sid, gaz[sid].name, gaz[sid].country, score, alias)
            for sid, score, alias in result.candidates
        )
        return Match(
            query,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            result.score,
            result.method,
            None,
            ambiguous=True,
            candidates=candidates,
        )
    s = gaz[result.site_id]
    return Match(
        query,
        s.site_id,
        s.name,
        s.country,
        s.admin1,
        s.kind,
        s.lat,
        s.lon,
        s.uncertainty_m,
        result.score,
        result.method,
        result.alias,
        active_on_date=result.active,
    )


def _broadcast(columns: dict[str, Any], inverse: np.ndarray) -> dict[str, Any]:
    """Each column of distinct answers taken to the rows; in threads for a big table (the takes of pyarrow
    strings release the GIL)."""
    if len(inverse) < _THREADED_TAKE_FROM:
        return {col: values.take(inverse) for col, values in columns.items()}
    import os
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(columns), os.cpu_count() or 1)) as pool:
        taken = list(pool.map(lambda values: values.take(inverse), columns.values()))
    return dict(zip(columns, taken, strict=True))


#: From this many rows on, :func:`geocode_all` takes its columns in threads.
_THREADED_TAKE_FROM = 200_000


def result_columns(results: Sequence[_Result | None], gaz: Gazetteer) -> dict[str, Any]:
    """Column arrays of :data:`RESULT_COLUMNS` (without ``query``), one row per answer of
    :func:`match_distinct` (``None``: no answer), to be broadcast to every row."""
    import pandas as pd

    columns: dict[str, list[Any]] = {c: [] for c in RESULT_COLUMNS if c != "query"}
    for r in results:
        site = gaz[r.site_id] if r is not None and r.site_id is not None else None
        columns["site_id"].append(site.site_id if site else None)
        columns["name"].append(site.name if site else None)
        columns["country"].append(site.country if site else None)
        columns["province"].append(site.admin1 if site else None)
        columns["kind"].append(site.kind if site else None)
        columns["lat"].append(site.lat if site else math.nan)
        columns["lon"].append(site.lon if site else math.nan)
        columns["uncertainty_m"].append(site.uncertainty_m if site else math.nan)
        columns["score"].append(r.score if r is not None else math.nan)
        columns["method"].append(r.method if r is not None else None)
        columns["alias"].append(r.alias if r is not None else None)
        columns["ambiguous"].append(bool(r is not None and r.site_id is None))
        columns["candidates"].append(
            "|".join(c[0] for c in r.candidates) if r is not None and r.candidates else None
        )
        columns["active_on_date"].append(r.active if r is not None else None)
    numeric = {"lat", "lon", "uncertainty_m", "score"}
    return {
        col: np.array(values, dtype="float64")
        if col in numeric
        else np.array(values, dtype=bool)
        if col == "ambiguous"
        else pd.array(values, dtype="boolean")
        if col == "active_on_date"
        else pd.array(values, dtype="str")
        for col, values in columns.items()
    }
