"""Normalising and validating a loaded table into the incident table.

:func:`validate` maps the input's columns onto the schema, converts every column, and collects every row
problem in one :class:`Checks` object (file name, row numbers, strictness, problems, warnings), then raises
or reports. See :mod:`geoincidents.incidents` for the rules.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

from .. import schema
from ..schema import COLUMN_NAMES, DTYPES, REQUIRED, VOCABULARIES, Vocabulary, format_sources, parse_sources
from .loading import RawTable
from .parsing import (
    NA_TOKENS,
    DateOrderError,
    DistinctText,
    distinct_text,
    parse_dates,
    parse_numbers,
    surely_distinct,
    text_cells,
)
from .problems import (
    REJECTED_HEAD,
    IncidentValidationError,
    IncidentWarning,
    ProblemLog,
    ReadResult,
    counted_values,
    problem_lines,
)

if TYPE_CHECKING:
    from ..sources.layout import SourceLayout


__all__ = ["COUNTRY_TOLERANCE_M", "EARLIEST_DATE", "LATEST_DAYS_AHEAD", "MAX_COUNT", "Checks", "validate"]

EARLIEST_DATE = pd.Timestamp("1900-01-01")
"""Dates before this are rejected ("implausible date"): no incident of this kind predates it."""
LATEST_DAYS_AHEAD = 1
"""Dates more than this many days after today (UTC) are rejected: an event cannot be reported before it
happens (one day of slack for time zones)."""
MAX_COUNT = 2**53 - 1
"""Largest count stored (larger ones cannot be held exactly as numbers and are rejected)."""

COUNTRY_TOLERANCE_M = 10_000.0
"""How far (metres) a point may lie outside its stated country before it counts as outside: the outlines
are generalised and bases sit close to borders (al-Tanf, Tower 22)."""

_MAX_MESSAGE_LINES = 20
_PARALLEL_ROWS = 100_000
"""From this many rows on, :meth:`Checks.prefetch` converts the columns side by side in threads."""
_TEXT_COLUMNS = ("date_precision", "location", "site_id", "location_precision", "country", "event_type",
                 "weapon", "claimed_by", "claim_status", "outcome", "sources", "notes", "actor",
                 "source_event_type", "source_sub_event_type", "target")
"""Schema columns read through :meth:`Checks.distinct`."""
_PREFETCHED = (("dates", ("date", "date_end")), ("numbers", ("lat", "lon", "injured", "killed")),
               ("distinct", _TEXT_COLUMNS))
"""What :meth:`Checks.prefetch` starts, biggest jobs first."""
_BAD_DATE = "unparseable date (expected YYYY-MM-DD or e.g. '16 May 2025')"


@dataclass
class Checks:
    """Everything one validation run carries: the input, where its columns went, and what was found.

    Attributes
    ----------
    frame : pandas.DataFrame
        The input as loaded.
    rows : numpy.ndarray
        Row number in the file of each record.
    label : str
        File name for messages.
    strict : bool
        Reject instead of warn (see :func:`geoincidents.read_incidents`).
    mapping : dict
        Schema column -> input column.
    problems : ProblemLog
        Row problems found so far.
    notes : list of str
        Warning messages (issued as :class:`IncidentWarning` at the end).
    reported : dict
        Schema column -> the original input column, for vocabulary values that were replaced.
    same_text : dict
        Schema column -> (converted value, input column) when the converted column spells every cell
        exactly as the input does: the table then takes the input column as it is (no copy).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    label: str
    strict: bool
    mapping: dict[str, Any]
    problems: ProblemLog = field(default_factory=ProblemLog)
    notes: list[str] = field(default_factory=list)
    reported: dict[str, pd.Series] = field(default_factory=dict)
    dayfirst: bool | None = None
    same_text: dict[str, tuple[Any, pd.Series]] = field(default_factory=dict)
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> pd.Series | None:
        """The input column mapped onto schema column ``name`` (None when the input has none)."""
        return self.frame[self.mapping[name]] if name in self.mapping else None

    def distinct(self, name: str) -> DistinctText:
        """The input column mapped onto schema column ``name`` as distinct stripped text (computed once)."""
        return self._cached("distinct", name)

    def numbers(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """:func:`~geoincidents.incidents.parsing.parse_numbers` of the column (computed once)."""
        return self._cached("numbers", name)

    def dates(self, name: str) -> tuple[pd.Series, np.ndarray]:
        """:func:`~geoincidents.incidents.parsing.parse_dates` of the column (computed once; raises
        :class:`~geoincidents.incidents.parsing.DateOrderError`)."""
        return self._cached("dates", name)

    def prefetch(self, skip: Sequence[str] = ()) -> None:
        """For a big table, start :meth:`dates`, :meth:`numbers` and :meth:`distinct` of its text columns
        side by side in threads (pyarrow's kernels release the GIL). Each result, or the error it raised,
        is handed out when a check asks for it, so the checks run as they would one after another."""
        workers = os.cpu_count() or 1
        if self.n < _PARALLEL_ROWS or workers < 2:
            return
        jobs = [(kind, name) for kind, names in _PREFETCHED for name in names
                if name not in skip and name in self.mapping and (kind, name) not in self._cache
                and isinstance(self.frame[self.mapping[name]].dtype, pd.StringDtype)]
        if len(jobs) < 2:
            return
        pool = ThreadPoolExecutor(max_workers=min(len(jobs), workers))
        for kind, name in jobs:  # columns taken here, in this thread; the threads only compute
            self._cache[(kind, name)] = pool.submit(self._compute, kind, self.column(name))
        pool.shutdown(wait=False)

    def _cached(self, kind: str, name: str) -> Any:
        key = (kind, name)
        if key not in self._cache:
            self._cache[key] = self._compute(kind, self.column(name))
        elif isinstance(self._cache[key], Future):
            self._cache[key] = self._cache[key].result()  # raises what the job raised
        return self._cache[key]

    def _compute(self, kind: str, values: pd.Series | None) -> Any:
        if kind == "distinct":
            return distinct_text(values, self.n)
        if kind == "numbers":
            return parse_numbers(values, self.n)
        return parse_dates(values, self.n, dayfirst=self.dayfirst)

    def keep_input_if_same(self, name: str, text: DistinctText, per_value: Sequence[Any], result: Any
                           ) -> None:
        """Let the table take the input column for ``result`` (schema column ``name``) when ``per_value``, the
        converted value of each of ``text``'s distinct values, spells every cell as the input does."""
        if text.same is not None and text.spelled_as_input(per_value):
            self.same_text[name] = (result, text.same)

    def column_name(self, name: str) -> str:
        """How the input spells schema column ``name`` (the schema name when absent)."""
        return str(self.mapping.get(name, name))

    def report(self, mask: np.ndarray, name: str, reason: str | np.ndarray) -> None:
        """A problem in schema column ``name`` for every row where ``mask`` holds."""
        self.problems.add(mask, self.column_name(name), self.column(name), reason)

    def warn(self, message: str) -> None:
        """A warning about the file (prefixed with its name)."""
        self.notes.append(f"{self.label}: {message}")


def validate(raw: RawTable, *, errors: str, strict: bool, source: str | None = None,
             dayfirst: bool | None = None) -> pd.DataFrame | ReadResult:
    """Normalise and validate a loaded table; raise or report.

    Parameters
    ----------
    raw : RawTable
        From :func:`geoincidents.incidents.loading.read_raw`.
    errors : {"raise", "report"}
    strict : bool
    source : str, optional
        A name from :data:`geoincidents.sources.SOURCE_NAMES`; detected from the columns when None.
    dayfirst : bool, optional
        Day/month order of all-number dates; decided per column from its values when None.

    Returns
    -------
    pandas.DataFrame or ReadResult
    """
    frame = raw.frame
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise IncidentValidationError(
            f"{raw.label}: duplicated column names: {', '.join(repr(str(c)) for c in duplicated.unique())}"
        )
    from ..sources import detect_source, source_layout  # sources build on this package's parsers

    layout = source_layout(source) if source is not None else detect_source(frame.columns)
    mapping, extras = _map_columns(list(frame.columns), layout)
    _require_columns(mapping, frame.columns, raw)
    checks = Checks(frame, raw.rows, raw.label, strict, mapping, dayfirst=dayfirst)
    for note in raw.notes:
        checks.warn(note)
    for pos, column, values, reason in raw.problems:
        checks.problems.add_listed(pos, column, values, reason)
    derived = layout.derive(checks) if layout.derive is not None else {}
    checks.prefetch(skip=list(derived))

    out: dict[str, Any] = {"incident_id": _incident_ids(checks)}
    out.update(_dates(checks, derived))
    location = checks.distinct("location")
    location = location.masked(location.values.str.lower().isin(NA_TOKENS).to_numpy(dtype=bool))
    checks.report(location.missing, "location", "missing location")
    out["location"] = location.text()
    out["site_id"] = checks.distinct("site_id").text()
    lat, lon, coords_ok = _coordinates(checks)
    out["lat"], out["lon"] = lat, lon
    out["location_precision"] = derived.get("location_precision")
    if out["location_precision"] is None:
        out["location_precision"] = _vocabulary(checks, schema.LOCATION_PRECISION)
    out["country"] = _countries(checks, lat, lon, coords_ok)
    _check_in_country(checks, out["country"], lat, lon, coords_ok)
    for name in ("event_type", "weapon"):
        out[name] = derived[name] if name in derived else _vocabulary(checks, VOCABULARIES[name])
    out["claimed_by"] = checks.distinct("claimed_by").text()
    for name in ("claim_status", "outcome"):
        out[name] = _vocabulary(checks, VOCABULARIES[name])
    for name in ("injured", "killed"):
        out[name] = _casualty_counts(checks, name)
    out["sources"] = _sources(checks, layout.split_sources)
    out["notes"] = checks.distinct("notes").text()
    for name in ("actor", "source_event_type", "source_sub_event_type"):
        out[name] = derived[name] if name in derived else checks.distinct(name).text()
    out["target"] = _targets(checks, derived, out["event_type"])
    _check_unique_ids(checks, out["incident_id"])

    table = _assemble(out, checks, extras)
    problem_frame = checks.problems.frame(raw.label, raw.rows)
    for message in checks.notes:
        warnings.warn(message, IncidentWarning, stacklevel=3)
    return _finish(table, frame, problem_frame, raw.label, errors, tuple(checks.notes))


# -- columns -------------------------------------------------------------------------------------------------
def _map_columns(columns: Sequence[Any], layout: SourceLayout) -> tuple[dict[str, Any], list[Any]]:
    """Schema column -> input column name, and the input columns left as extras (input order).

    The source's own column names come first; then a schema name spelled exactly (ignoring case) beats a
    synonym; among synonyms the first column wins; the losers stay as extra columns.
    """
    chosen: dict[str, tuple[int, Any]] = {}
    own = dict(layout.columns)
    for col in columns:
        target = None
        rank = 2
        if isinstance(col, str) and col.strip().lower() in own:
            target, rank = own[col.strip().lower()], 0
        else:
            target = schema.canonical_column(col)
            if target is not None and isinstance(col, str):
                rank = 1 if col.strip().lower().replace(" ", "_") == target else 2
        if target is None:
            continue
        if target not in chosen or rank < chosen[target][0]:
            chosen[target] = (rank, col)
    mapping = {target: col for target, (_, col) in chosen.items()}
    used = set(mapping.values())
    extras = [c for c in columns if c not in used]
    return mapping, extras


def _require_columns(mapping: dict[str, Any], columns: pd.Index, raw: RawTable) -> None:
    missing = [c for c in REQUIRED if c not in mapping]
    if not missing:
        return
    label = raw.label
    if raw.header_line > 1:
        label = (f"{label}: header expected on line {raw.header_line}; lines 1-{raw.header_line - 1} look "
                 f"like a preamble; line {raw.header_line}")
    names = ", ".join(repr(c) for c in missing)
    accepted = "; ".join(
        f"{c}: " + ", ".join([c] + sorted(k for k, v in schema.COLUMN_SYNONYMS.items() if v == c))
        for c in missing
    )
    found = ", ".join(repr(str(c)) for c in columns) or "none"
    raise IncidentValidationError(
        f"{label}: missing required column {names} (accepted names, any case: {accepted}); "
        f"columns found: {found}"
    )


def _incident_ids(checks: Checks) -> pd.Series:
    """Given ids, or ``row-<line number>`` (text)."""
    text = text_cells(checks.column("incident_id"), checks.n)
    no_id = text.isna().to_numpy()
    if no_id.any():
        generated = np.char.add("row-", checks.rows[no_id].astype(str)).astype(object)
        text = text.copy()
        text[no_id] = generated
    return text


def _check_unique_ids(checks: Checks, ids: pd.Series) -> None:
    """Every occurrence of an id after the first is a problem naming the first."""
    if surely_distinct(ids):
        return
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    if len(uniques) == checks.n:
        return
    # factorize numbers ids in order of first appearance: a row is a first occurrence where the code rises
    running = np.maximum.accumulate(codes)
    first_seen = np.ones(checks.n, dtype=bool)
    first_seen[1:] = running[1:] > running[:-1]
    dup = ~first_seen
    first = np.flatnonzero(first_seen)[codes]
    reason = np.full(checks.n, "", dtype=object)
    reason[dup] = np.char.add("duplicate incident_id, first on row ", checks.rows[first[dup]].astype(str))
    values = checks.column("incident_id")
    shown = values if values is not None else ids
    checks.problems.add(dup, checks.column_name("incident_id"), shown, reason)


def _dates(checks: Checks, derived: dict[str, Any]) -> dict[str, Any]:
    """``date``, ``date_precision`` and ``date_end``.

    Precision, when the input (or its source layout) states none: ``range`` with a ``date_end``, ``month``
    for a date written as a month (``2023-10``), else ``day``. Dates outside :data:`EARLIEST_DATE` .. today
    + :data:`LATEST_DAYS_AHEAD` are rejected as implausible.
    """
    date, bad_date = _parse_date_column(checks, "date")
    checks.report(bad_date, "date", _BAD_DATE)
    checks.report(date.isna().to_numpy() & ~bad_date, "date", "missing date")
    date_end, bad_end = _parse_date_column(checks, "date_end")
    checks.report(bad_end, "date_end", _BAD_DATE)
    checks.report((date_end < date).to_numpy(), "date_end", "date_end before date")
    latest = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize() + pd.Timedelta(days=LATEST_DAYS_AHEAD)
    for name, values in (("date", date), ("date_end", date_end)):
        early = (values < EARLIEST_DATE).to_numpy()
        late = (values > latest).to_numpy()
        checks.report(early, name, f"implausible date (before {EARLIEST_DATE.date()})")
        checks.report(late, name, "implausible date (in the future)")
    if "date_precision" in derived:
        return {"date": date, "date_precision": derived["date_precision"], "date_end": date_end}
    precision: Any = _vocabulary(checks, schema.DATE_PRECISION)
    stated = ~checks.distinct("date_precision").missing
    # A date_end without a stated precision means the event spans a range; a date written as a month is one.
    spans = ~stated & date_end.notna().to_numpy()
    if spans.any():
        precision = np.where(spans, "range", precision)
    if checks.column("date") is not None and not stated.all():
        written = checks.distinct("date")
        as_month = written.spread(written.values.str.fullmatch(r"\d{4}-\d{2}").to_numpy(dtype=bool), False,
                                  dtype=bool)
        precision = np.where(~stated & as_month & date_end.isna().to_numpy(), "month", precision)
    return {"date": date, "date_precision": precision, "date_end": date_end}


def _parse_date_column(checks: Checks, name: str) -> tuple[pd.Series, np.ndarray]:
    """One date column, its day/month order decided once; an undecidable order is a file-level error."""
    try:
        return checks.dates(name)
    except DateOrderError as exc:
        raise IncidentValidationError(
            f"{checks.label}: column {checks.column_name(name)!r}: {exc} (command line: --dayfirst or "
            f"--monthfirst)"
        ) from exc


def _targets(checks: Checks, derived: dict[str, Any], event_type: Any) -> Any:
    """``target``: the source's, the input column's, or for a plain table without one ``us_coalition``
    for attacks and interceptions (what such a table lists) and ``unknown`` otherwise."""
    if "target" in derived:
        return np.asarray(derived["target"], dtype=object)
    if "target" in checks.mapping:
        return _vocabulary(checks, schema.TARGET)
    if isinstance(event_type, pd.Categorical):  # one test per category
        kinds = np.isin(np.asarray(event_type.categories, dtype=object), list(schema.ATTACK_EVENT_TYPES))
        attack = np.append(kinds, False)[event_type.codes]
    else:
        attack = np.isin(np.asarray(event_type, dtype=object), list(schema.ATTACK_EVENT_TYPES))
    return pd.Categorical.from_codes(np.where(attack, 0, 1).astype(np.int8),
                                     categories=pd.Index(["us_coalition", "unknown"], dtype=object))


def _coordinates(checks: Checks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``lat`` and ``lon`` (NaN when missing or bad) and the mask of usable points."""
    lat, lat_bad = checks.numbers("lat")
    lon, lon_bad = checks.numbers("lon")
    checks.report(lat_bad, "lat", "latitude is not a number")
    checks.report(lon_bad, "lon", "longitude is not a number")
    with np.errstate(invalid="ignore"):
        lat_range = ~np.isnan(lat) & ~((lat >= -90) & (lat <= 90))
        lon_range = ~np.isnan(lon) & ~((lon >= -180) & (lon <= 180))
    checks.report(lat_range, "lat", "latitude outside -90..90")
    checks.report(lon_range, "lon", "longitude outside -180..180")
    has_lat = ~np.isnan(lat) | lat_bad
    has_lon = ~np.isnan(lon) | lon_bad
    checks.report(has_lat & ~has_lon, "lon", "latitude given without longitude")
    checks.report(has_lon & ~has_lat, "lat", "longitude given without latitude")
    return lat, lon, ~np.isnan(lat) & ~np.isnan(lon) & ~lat_range & ~lon_range


def _casualty_counts(checks: Checks, name: str) -> pd.Series:
    """Nullable integer counts; non-numbers, fractions and negatives are problems."""
    nums, bad = checks.numbers(name)
    checks.report(bad, name, "not a whole number")
    with np.errstate(invalid="ignore"):
        given = ~np.isnan(nums)
        fraction = given & (~np.isfinite(nums) | (nums != np.floor(nums)))
        negative = given & ~fraction & (nums < 0)
    checks.report(fraction, name, "not a whole number")
    checks.report(negative, name, "negative count")
    with np.errstate(invalid="ignore"):
        huge = given & ~fraction & ~negative & (nums > MAX_COUNT)
    checks.report(huge, name, f"count too large (more than {MAX_COUNT})")
    clean = np.where(given & ~fraction & ~negative & ~huge, nums, np.nan)
    return pd.Series(pd.array(clean, dtype="Int64"))


def _vocabulary(checks: Checks, vocab: Vocabulary) -> pd.Categorical:
    """Allowed values (defaults for missing cells); unrecognised ones rejected or replaced with a warning."""
    values = checks.column(vocab.column)
    if values is None:
        return pd.Categorical.from_codes(np.zeros(checks.n, dtype=np.int8),
                                         categories=pd.Index([vocab.default], dtype=object))
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        text = distinct_text(_whole_numbers_as_text(values), checks.n)
    else:
        text = checks.distinct(vocab.column)
    mapped = [vocab.lookup(v) for v in text.values.tolist()]
    unknown = text.spread([m is None for m in mapped], False, dtype=bool)
    lookup = [m if m is not None else (vocab.fallback or vocab.default) for m in mapped] + [vocab.default]
    lookup_codes, categories = pd.factorize(pd.Series(lookup, dtype=object))
    result = pd.Categorical.from_codes(lookup_codes[text.codes],
                                       categories=pd.Index(categories, dtype=object))
    checks.keep_input_if_same(vocab.column, text, lookup[:-1], result)
    if unknown.any():
        if checks.strict or vocab.fallback is None:
            allowed = ", ".join(vocab.values)
            checks.report(unknown, vocab.column, f"not a known {vocab.column} (allowed: {allowed})")
        else:
            column = checks.column_name(vocab.column)
            checks.warn(
                f"column {column!r}: {int(unknown.sum())} value(s) not in the {vocab.column} "
                f"vocabulary became {vocab.fallback!r} (originals kept in '{vocab.column}_reported'): "
                f"{counted_values(text.text()[unknown])}"
            )
            checks.reported[vocab.column] = values
    return result


def _whole_numbers_as_text(values: pd.Series) -> pd.Series:
    """Numeric codes as their text: ``1.0`` (a JSON integer next to a null becomes a float) reads as ``1``."""
    if not is_numeric_dtype(values.dtype) or is_bool_dtype(values.dtype):
        return values
    numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
    whole = (numbers == numbers.round()).fillna(False).to_numpy(dtype=bool)
    text = values.astype("string")
    return text.where(~whole, numbers.round().astype("Int64").astype("string"))


def _countries(checks: Checks, lat: np.ndarray, lon: np.ndarray, coords_ok: np.ndarray) -> pd.Categorical:
    """ISO3 codes from codes or names; from the point when no country is given (NaN: none)."""
    from ..countries import country_at, to_iso3

    codes = np.full(checks.n, -1, dtype=np.intp)
    names: list[str] = []
    given = np.zeros(checks.n, dtype=bool)
    if checks.column("country") is not None:
        text = checks.distinct("country")
        iso = [to_iso3(v) for v in text.values.tolist()]
        iso_codes, found = pd.factorize(pd.Series(iso, dtype=object), use_na_sentinel=True)
        names = [str(c) for c in found]
        codes = np.append(iso_codes, -1).astype(np.intp)[text.codes]
        given = ~text.missing
        checks.report(given & (codes < 0), "country",
                      "unknown country (not an ISO3 code or a known country name)")
    infer = ~given & coords_ok
    if infer.any():
        at_codes, at_names = pd.factorize(pd.Series(country_at(lat[infer], lon[infer]), dtype=object),
                                          use_na_sentinel=True)
        new_names = [str(c) for c in at_names if c not in names]
        names += new_names
        position = {name: k for k, name in enumerate(names)}
        codes[infer] = np.array([position[str(c)] for c in at_names] + [-1], dtype=np.intp)[at_codes]
        _check_outside_outlines(checks, infer & (codes < 0), lat, lon)
    result = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))
    if checks.column("country") is not None:
        checks.keep_input_if_same("country", checks.distinct("country"), names, result)
    return result


def _check_outside_outlines(checks: Checks, outside: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> None:
    """Points with no stated country that fall in no outline: swapped (a problem) or far away (a warning)."""
    if not outside.any():
        return
    from ..countries import country_at

    idx = np.flatnonzero(outside)
    can_swap = np.abs(lon[idx]) <= 90
    swapped_in = np.full(len(idx), None, dtype=object)
    if can_swap.any():
        swapped_in[can_swap] = country_at(lon[idx][can_swap], lat[idx][can_swap])
    swapped = np.zeros(checks.n, dtype=bool)
    swapped[idx[pd.notna(swapped_in)]] = True
    if swapped.any():
        reasons = np.full(checks.n, "", dtype=object)
        inside = swapped_in[pd.notna(swapped_in)].astype(str)
        reasons[swapped] = np.char.add("lat/lon look swapped: (lon, lat) falls inside ", inside)
        checks.report(swapped, "lat", reasons)
    far = outside & ~swapped
    if not far.any():
        return
    if checks.strict:
        checks.report(far, "lat", "point outside every country outline (the outlines cover the region)")
    else:
        rows = ", ".join(f"row {r}" for r in checks.rows[far][:10])
        more = f" and {int(far.sum()) - 10} more" if far.sum() > 10 else ""
        checks.warn(f"{int(far.sum())} point(s) with no country lie outside every country outline of the "
                    f"region, so no country was inferred (strict=True rejects them): {rows}{more}")


def _check_in_country(checks: Checks, country: pd.Categorical, lat: np.ndarray, lon: np.ndarray,
                      coords_ok: np.ndarray) -> None:
    """Swapped lat/lon (always a problem) and points outside the stated country (strict: a problem)."""
    if checks.column("country") is None or not coords_ok.any():
        return
    from ..countries import country_codes, point_in_country

    all_groups = np.asarray(country.codes, dtype=np.intp)
    names = np.asarray(country.categories, dtype=object)
    known = np.append(np.isin(names, list(country_codes())), False)
    check = coords_ok & known[all_groups]
    idx = np.flatnonzero(check)
    if len(idx) == 0:
        return
    group = all_groups[idx]
    # The points to test, grouped by country (one vectorised test per country, in code order).
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(names) + 1))
    idx_lat, idx_lon = lat[idx], lon[idx]
    inside = np.zeros(len(idx), dtype=bool)
    swapped = np.zeros(len(idx), dtype=bool)
    for k in np.argsort(names.astype(str)):
        sel = order[bounds[k] : bounds[k + 1]]
        if not known[k] or not len(sel):
            continue  # no outline for this country: its rows are not in ``idx``
        inside[sel] = point_in_country(idx_lat[sel], idx_lon[sel], str(names[k]),
                                       tolerance_m=COUNTRY_TOLERANCE_M)
    out = np.flatnonzero(~inside)
    if len(out):
        olat, olon, ocode = idx_lat[out], idx_lon[out], names[group[out]]
        can_swap = np.abs(olon) <= 90
        for code in np.unique(ocode.astype(str)):
            sel = (ocode == code) & can_swap
            if sel.any():
                swapped[out[sel]] = point_in_country(olon[sel], olat[sel], code,
                                                     tolerance_m=COUNTRY_TOLERANCE_M)
    row_country = np.append(names, np.array([None], dtype=object))[all_groups]
    swap_mask = np.zeros(checks.n, dtype=bool)
    swap_mask[idx[swapped]] = True
    if swap_mask.any():
        reasons = np.full(checks.n, "", dtype=object)
        reasons[swap_mask] = np.char.add("lat/lon look swapped: (lon, lat) falls inside ",
                                         row_country[swap_mask].astype(str))
        checks.report(swap_mask, "lat", reasons)
    outside = np.zeros(checks.n, dtype=bool)
    outside[idx[~inside & ~swapped]] = True
    if not outside.any():
        return
    km = int(COUNTRY_TOLERANCE_M / 1000)
    if checks.strict:
        reasons = np.full(checks.n, "", dtype=object)
        reasons[outside] = np.char.add(f"outside stated country (more than {km} km from ",
                                       np.char.add(row_country[outside].astype(str), ")"))
        checks.report(outside, "country", reasons)
    else:
        where = np.flatnonzero(outside)
        listed = ", ".join(f"row {checks.rows[i]} ({row_country[i]})" for i in where[:10])
        more = f" and {len(where) - 10} more" if len(where) > 10 else ""
        checks.warn(f"{len(where)} point(s) lie more than {km} km outside their stated country "
                    f"(kept; strict=True rejects them): {listed}{more}")


def _sources(checks: Checks, split: bool) -> Any:
    """The sources JSON text per row ("[]" when none); unreadable cells are problems."""
    values = checks.column("sources")
    if values is None:
        return pd.Categorical.from_codes(np.zeros(checks.n, dtype=np.int8),
                                         categories=pd.Index(["[]"], dtype=object))
    text = checks.distinct("sources")
    if values.dtype == object:  # in-memory input may hold lists of dicts already: write them as JSON
        decoded = values.map(lambda v: isinstance(v, list | tuple | dict))
        if decoded.any():
            values = values.where(~decoded, values[decoded].map(_json_sources))
            text = distinct_text(values, checks.n)

    def convert(cell: str) -> tuple[str | None, str | None]:
        try:
            if split and cell[:1] not in "[{":  # ACLED: "Reuters; Shafaq News"
                items = [part for part in (p.strip() for p in cell.split(";")) if part]
                return format_sources(parse_sources(p)[0] for p in items), None
            return format_sources(parse_sources(cell)), None
        except ValueError as exc:
            return None, str(exc)

    converted = [convert(cell) for cell in text.values.tolist()]
    bad = text.spread([c[1] is not None for c in converted], False, dtype=bool)
    if bad.any():
        why = text.spread([f"unreadable sources: {c[1]}" for c in converted], "")
        checks.problems.add(bad, checks.column_name("sources"), values, why)
    lookup = [c[0] if c[0] is not None else "[]" for c in converted] + ["[]"]
    lookup_codes, distinct = pd.factorize(pd.Series(lookup, dtype=object))
    result = pd.Categorical.from_codes(lookup_codes[text.codes], categories=pd.Index(distinct, dtype=object))
    checks.keep_input_if_same("sources", text, lookup[:-1], result)
    return result


def _json_sources(value: Any) -> str:
    """Already-decoded sources as JSON text; bad items are left for the reader to reject."""
    try:
        return format_sources(parse_sources(value))
    except ValueError:
        return json.dumps(value, default=str)


# -- the result ----------------------------------------------------------------------------------------------
def _assemble(out: dict[str, Any], checks: Checks, extras: list[Any]) -> pd.DataFrame:
    """Schema columns with their dtypes, then extras unchanged, then the ``_reported`` originals."""
    index = pd.RangeIndex(checks.n)
    cols: dict[str, Any] = {}
    for name in COLUMN_NAMES:
        value = out[name]
        dtype = DTYPES[name]
        same = checks.same_text.get(name)
        if same is not None and same[0] is value:  # spelled as the input: the input column, no copy
            cols[name] = same[1].astype("string").set_axis(index)
        elif dtype == "string":
            cols[name] = pd.Series(_text_array(value), index=index, dtype="string")
        elif dtype == "datetime64[ns]":
            cols[name] = pd.Series(value, index=index).astype("datetime64[ns]")
        elif dtype == "Int64":
            cols[name] = pd.Series(value, index=index, dtype="Int64")
        else:
            cols[name] = pd.Series(np.asarray(value, dtype="float64"), index=index)
    parts = [pd.DataFrame(cols, index=index)]
    taken = set(COLUMN_NAMES)
    if extras:
        extra_frame = checks.frame[extras].set_axis(index, axis=0)
        parts.append(extra_frame)
        taken |= {str(c) for c in extra_frame.columns}
    if checks.reported:
        rep = {}
        for name, values in checks.reported.items():
            target = f"{name}_reported"
            while target in taken:  # never overwrite an input column
                target += "_"
            taken.add(target)
            rep[target] = values.set_axis(index)
        parts.append(pd.DataFrame(rep, index=index))
    return pd.concat(parts, axis=1) if len(parts) > 1 else parts[0]


def _text_array(value: Any) -> Any:
    """A column of text for the ``string`` dtype: a Categorical (the vocabularies) through one take of its
    categories, anything else as it is."""
    if isinstance(value, pd.Categorical):
        return pd.array(np.asarray(value.categories, dtype=object), dtype="string").take(
            np.asarray(value.codes, dtype=np.int64), allow_fill=True)
    return value


def _finish(table: pd.DataFrame, frame: pd.DataFrame, problems: pd.DataFrame, label: str, errors: str,
            notes: tuple[str, ...]) -> pd.DataFrame | ReadResult:
    """Split valid and rejected rows; raise or report."""
    bad_pos = np.unique(problems["pos"].to_numpy()) if len(problems) else np.array([], dtype=np.int64)
    rejected = _rejected(frame, problems, bad_pos)
    public_problems = problems.drop(columns="pos", errors="ignore").reset_index(drop=True)
    if errors == "raise":
        if len(problems):
            raise IncidentValidationError(_message(public_problems, label, len(bad_pos), len(table)),
                                          public_problems, rejected)
        return table
    incidents = _without_rows(table, bad_pos)
    return ReadResult(incidents, rejected, public_problems, label, notes)


_SLICED_UP_TO = 1000
"""Up to this many rejected rows, the kept rows are joined from slices of the table (no copy of each column
through a take)."""


def _without_rows(table: pd.DataFrame, bad_pos: np.ndarray) -> pd.DataFrame:
    """The table without the rows at ``bad_pos`` (sorted, unique), with a fresh RangeIndex."""
    if len(bad_pos) == 0:
        return table
    if len(bad_pos) > _SLICED_UP_TO:
        keep = np.ones(len(table), dtype=bool)
        keep[bad_pos] = False
        return table[keep].reset_index(drop=True)
    bounds = np.concatenate([[-1], bad_pos, [len(table)]])
    pieces = [table.iloc[a + 1 : b] for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a + 1]
    if not pieces:
        return table.iloc[:0]
    return pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0].reset_index(drop=True)


def _rows(frame: pd.DataFrame, pos: np.ndarray) -> pd.DataFrame:
    """``frame.iloc[pos]`` (sorted, unique) with a fresh RangeIndex; up to :data:`_SLICED_UP_TO` rows joined
    from slices (a take from a pyarrow column of many chunks costs as much as the whole column)."""
    if len(pos) == 0 or len(pos) > _SLICED_UP_TO:
        return frame.iloc[pos].reset_index(drop=True)
    first = np.flatnonzero(np.diff(pos, prepend=-2) != 1)  # runs of consecutive rows
    last = np.append(first[1:], len(pos)) - 1
    return pd.concat([frame.iloc[pos[a] : pos[b] + 1] for a, b in zip(first, last, strict=True)],
                     ignore_index=True)


def _rejected(frame: pd.DataFrame, problems: pd.DataFrame, bad_pos: np.ndarray) -> pd.DataFrame:
    """One row per rejected input row: problems joined, then the raw input values."""
    if len(bad_pos) == 0:
        head = pd.DataFrame({"row": pd.Series(dtype="int64"), "column": pd.Series(dtype=str),
                             "value": pd.Series(dtype=str), "reason": pd.Series(dtype=str)})
    else:
        grouped = problems.groupby("pos", sort=True)
        head = pd.DataFrame(
            {
                "row": grouped["row"].first().to_numpy(),
                "column": grouped["column"].agg("; ".join).to_numpy(),
                "value": grouped["value"].agg("; ".join).to_numpy(),
                "reason": grouped["reason"].agg("; ".join).to_numpy(),
            }
        )
    raw = _rows(frame, bad_pos)
    raw = raw.rename(columns={c: f"input_{c}" for c in raw.columns if c in REJECTED_HEAD})
    return pd.concat([head, raw], axis=1)


def _message(problems: pd.DataFrame, label: str, n_rows: int, n: int) -> str:
    head = (f"{label}: {len(problems)} problem(s) in {n_rows} of {n} row(s); "
            f"use errors='report' to keep the valid rows")
    return "\n".join([head] + problem_lines(problems, _MAX_MESSAGE_LINES))
