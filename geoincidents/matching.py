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

When two sites tie (a name marked ambiguous in the gazetteer, or fuzzy scores within
:data:`AMBIGUITY_MARGIN` of each other) the result is **ambiguous**: no site is chosen, and the candidates are
listed. A country hint keeps only the sites of that country, which often settles a tie.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .gazetteer import FACILITY_KINDS, Gazetteer, NameEntry, default_gazetteer
from .normalize import GENERIC_WORDS, name_keys

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
)
_FACILITY_WORDS = frozenset({"airbase", "airport", "base", "field"}) & GENERIC_WORDS


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

    Returns
    -------
    Match or None
        ``None`` when no site matches well enough. An ambiguous name gives a ``Match`` with
        ``ambiguous=True``, no site, and the tied ``candidates``.

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
    full, core = name_keys(name)
    return _to_match(name, gaz, _Resolver(gaz, min_score).resolve([(full, core, iso3)])[0])


def geocode_all(
    names: Iterable[str] | pandas.Series,
    country: str | Sequence[str | None] | pandas.Series | None = None,
    *,
    gazetteer: Gazetteer | None = None,
    min_score: float = FUZZY_THRESHOLD,
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

    Returns
    -------
    pandas.DataFrame
        One row per input, with the input's index, and the columns of :data:`RESULT_COLUMNS`; ``candidates``
        holds the tied site ids joined by ``|``. Rows without a match have missing site fields and
        ``method`` NA. Each row equals what :func:`geocode` returns for that name.

    Examples
    --------
    >>> geocode_all(["Irbil", "al-Tanf", "Springfield"])["site_id"].tolist()
    ['erbil', 'al-tanf-garrison', nan]
    """
    import pandas as pd

    series = names if isinstance(names, pd.Series) else pd.Series(list(names), dtype=object)
    gaz = gazetteer if gazetteer is not None else default_gazetteer()
    inverse, results = match_distinct(series, country, gaz, min_score)
    # Columns are built for the distinct results, then broadcast with a C-level take (no per-row Python).
    table = {col: values.take(inverse) for col, values in _result_table(results, gaz).items()}
    frame = pd.DataFrame(table, index=series.index, copy=False)
    frame.insert(0, "query", series.array)  # type: ignore[arg-type]  # an ExtensionArray is a valid column
    return frame[list(RESULT_COLUMNS)]


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
    series: pandas.Series, country: Any, gaz: Gazetteer, min_score: float
) -> tuple[np.ndarray, list[_Result | None]]:
    """Match each distinct (name, country) pair once: returns, per row, the position of its pair in the list
    of results."""
    import pandas as pd

    name_codes, name_index = pd.factorize(series, use_na_sentinel=True)
    name_uniques = name_index.tolist()  # plain list: indexing a pandas Index per name is slow
    country_codes, country_uniques = _country_codes(country, series)
    width = len(country_uniques) + 1
    # One code per distinct (name, country) pair; -1 marks a missing name.
    pair = name_codes.astype(np.int64) * width + country_codes
    pair[name_codes < 0] = -1
    pair_uniques, inverse = np.unique(pair, return_inverse=True)
    queries: list[tuple[str, str, str | None]] = []
    for code in pair_uniques:
        if code < 0:
            queries.append(("", "", None))
            continue
        full, core = name_keys(str(name_uniques[code // width]))
        c = code % width
        queries.append((full, core, country_uniques[c - 1] if c else None))
    return inverse.reshape(-1), _Resolver(gaz, min_score).resolve(queries)


# -- the matching engine -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Result:
    site_id: str | None
    score: float
    method: str
    alias: str | None
    candidates: tuple[tuple[str, float, str], ...] = ()  # (site_id, score, alias) when ambiguous


class _Resolver:
    """Resolves (full key, core key, country) triples; fuzzy matching is batched over the unresolved ones."""

    def __init__(self, gazetteer: Gazetteer, min_score: float):
        if not 0 <= min_score <= 100:
            raise ValueError("min_score must be between 0 and 100")
        self.gaz = gazetteer
        self.index = gazetteer.name_index()
        self.min_score = min_score

    def resolve(self, queries: Sequence[tuple[str, str, str | None]]) -> list[_Result | None]:
        results: list[_Result | None] = [None] * len(queries)
        fuzzy: dict[str | None, list[int]] = {}
        for i, (full, core, iso3) in enumerate(queries):
            if not full:
                continue
            found = self._lookup(full, core, iso3)
            if found is not None:
                results[i] = found
            elif len(core.replace(" ", "")) >= MIN_FUZZY_LENGTH:
                fuzzy.setdefault(iso3, []).append(i)
        for iso3, positions in fuzzy.items():
            for i, result in zip(
                positions, self._fuzzy([queries[i][1] for i in positions], iso3), strict=True
            ):
                results[i] = result
        return results

    def _lookup(self, full: str, core: str, iso3: str | None) -> _Result | None:
        entries = self._in_country(self.index.full.get(full, ()), iso3)
        if entries:
            return self._decide(entries, 100.0)
        entries = self._in_country(self.index.core.get(core, ()), iso3)
        if entries:
            if len(entries) > 1 and not any(e.ambiguous for e in entries):
                entries = self._prefer(entries, full, core)
            return self._decide(entries, CORE_SCORE)
        return None

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

    def _in_country(self, entries: Iterable[NameEntry], iso3: str | None) -> list[NameEntry]:
        return [e for e in entries if iso3 is None or self.gaz[e.site_id].country == iso3]

    @staticmethod
    def _decide(entries: list[NameEntry], score: float) -> _Result:
        if len(entries) == 1:
            e = entries[0]
            return _Result(e.site_id, score, e.method, e.text)
        method = "exact" if all(e.method == "exact" for e in entries) else "alias"
        ranked = tuple(sorted((e.site_id, score, e.text) for e in entries))
        return _Result(None, score, method, None, ranked)

    def _choices(self, iso3: str | None) -> tuple[list[str], list[NameEntry]]:
        keys, entries = [], []
        for key, key_entries in self.index.core.items():
            for e in self._in_country(key_entries, iso3):
                keys.append(key)
                entries.append(e)
        return keys, entries

    def _fuzzy(self, cores: list[str], iso3: str | None) -> list[_Result | None]:
        from rapidfuzz import fuzz, process

        keys, entries = self._choices(iso3)
        if not keys:
            return [None] * len(cores)
        # One vectorised pass over all unresolved names; ties are settled per name below.
        scores = process.cdist(cores, keys, scorer=fuzz.ratio, score_cutoff=self.min_score, workers=-1)
        key_words = [frozenset(k.split()) for k in keys]
        key_numbers = [_number_tokens(k) for k in keys]
        out: list[_Result | None] = []
        for core, row in zip(cores, scores, strict=True):
            words, numbers = frozenset(core.split()), _number_tokens(core)
            # A name missing a whole word of a known name is another place, not a typo ("Euphrates" is a
            # river; "MSS Euphrates" a base), and so is one with another number ("Tower 23", "Union 4").
            hits = [
                j
                for j in np.flatnonzero(row >= self.min_score)
                if not words < key_words[j] and numbers == key_numbers[j]
            ]
            if not hits:
                out.append(None)
                continue
            best: dict[str, tuple[float, str]] = {}
            for j in hits:
                e, s = entries[j], float(row[j])
                if e.site_id not in best or s > best[e.site_id][0]:
                    best[e.site_id] = (s, e.text)
            ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
            top_id, (top_score, top_alias) = ranked[0]
            tied = [(sid, s, a) for sid, (s, a) in ranked if top_score - s < AMBIGUITY_MARGIN]
            score = round(top_score, 1)
            if len(tied) == 1:
                out.append(_Result(top_id, score, "fuzzy", top_alias))
            else:
                out.append(
                    _Result(None, score, "fuzzy", None, tuple((sid, round(s, 1), a) for sid, s, a in tied))
                )
        return out


# -- helpers -------------------------------------------------------------------------------------------------
def _number_tokens(key: str) -> tuple[str, ...]:
    return tuple(sorted(w for w in key.split() if w.isdigit()))


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
    )


def _result_table(results: list[_Result | None], gaz: Gazetteer) -> dict[str, Any]:
    """Column arrays (without ``query``) for the distinct results, to be broadcast to every row."""
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
    numeric = {"lat", "lon", "uncertainty_m", "score"}
    return {
        col: np.array(values, dtype="float64")
        if col in numeric
        else np.array(values, dtype=bool)
        if col == "ambiguous"
        else pd.array(values, dtype="str")
        for col, values in columns.items()
    }
