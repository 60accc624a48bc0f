"""Read, validate and write incident tables.

:func:`read_incidents` turns a CSV, GeoJSON, (Geo)Parquet or Excel file, an ACLED export, or an in-memory
DataFrame into the incident table described in ``DEVELOPERS.md`` (columns, order and dtypes from
:mod:`geoincidents.schema`), and checks every row. :func:`write_incidents` writes a table back so that
reading it again gives the same table.

Row numbers
-----------
Every problem names the file (its path, or ``"<DataFrame>"``), the row and the input column as the input
spells it. Rows are numbered as in the file, the header being line 1: the first data row is row 2. For CSV
files this is the physical line where the record starts (records spanning several lines and skipped blank
lines are accounted for); for Excel it is the sheet row; for GeoJSON, Parquet and DataFrames, which have no
lines, it is the 0-based position + 2, as if the table were written to a CSV file with a header.

Validation
----------
Always raised at once (file-level, whatever ``errors`` says): empty file, a file that is not UTF-8, a file
that cannot be parsed, a missing required column (``date``, ``location`` or a synonym).

Row problems (collected, then raised together or reported): missing or unparseable ``date``, unparseable
``date_end``, ``date_end`` before ``date``, missing ``location``, ``lat``/``lon`` that are not numbers or out
of range, only one of them given, ``lat``/``lon`` that look swapped (the point is more than 10 km outside
the stated country but (lon, lat) is inside), a ``country`` that is neither an ISO3 code nor a known country
name, duplicated ``incident_id`` (rows after the first), ``injured``/``killed`` negative or not whole
numbers, unreadable ``sources``, a non-Point geometry, and an unrecognised ``date_precision``.

``strict=True`` also rejects: values outside the closed vocabularies, points outside the stated country,
ACLED sub-event types with no mapping. With ``strict=False`` those rows are kept: unrecognised vocabulary
values become the vocabulary's fallback (``unknown``, ``other`` for ``event_type``, ``unverified`` for
``claim_status``), the original column is kept unchanged as ``<column>_reported``, and a
:class:`IncidentWarning` lists the distinct values and their counts.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as _date
from datetime import datetime as _datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from . import schema
from .schema import COLUMN_NAMES, DTYPES, REQUIRED, VOCABULARIES, Vocabulary, format_sources, parse_sources

__all__ = [
    "read_incidents",
    "write_incidents",
    "ReadResult",
    "IncidentValidationError",
    "IncidentWarning",
    "parse_sources",
    "format_sources",
    "FRAME_LABEL",
    "COUNTRY_TOLERANCE_M",
]

FRAME_LABEL = "<DataFrame>"
"""The file name problems give for in-memory input."""

COUNTRY_TOLERANCE_M = 10_000.0
"""How far (metres) a point may lie outside its stated country before it counts as outside: the outlines
are generalised and bases sit close to borders (al-Tanf, Tower 22)."""

_MAX_MESSAGE_LINES = 20
_NA_TOKENS = frozenset({"na", "n/a", "nan", "none", "null", "unknown", "-"})
_FORMATS = {"csv", "geojson", "parquet", "excel"}
_SUFFIX_FORMAT = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}

# ACLED exports: these columns identify one; the rest of the 31 are kept as extra columns.
_ACLED_MARKERS = frozenset(
    {"event_id_cnty", "event_date", "time_precision", "sub_event_type", "actor1", "geo_precision"}
)
_ACLED_COLUMNS = {"event_id_cnty": "incident_id", "geo_precision": "location_precision"}
_ACLED_US = re.compile(r"united states|coalition", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------------
# Public types
# ---------------------------------------------------------------------------------------------------------


class IncidentValidationError(ValueError):
    """An incident table has problems.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem: ``file``, ``row``, ``column``, ``value``, ``reason`` (empty for file-level
        errors such as a missing required column, which name the file in the message).
    rejected : pandas.DataFrame
        One row per rejected input row, as in :attr:`ReadResult.rejected` (empty for file-level errors).
    """

    def __init__(
        self, message: str, problems: pd.DataFrame | None = None, rejected: pd.DataFrame | None = None
    ) -> None:
        super().__init__(message)
        self.problems = problems if problems is not None else _empty_problems()
        self.rejected = rejected if rejected is not None else pd.DataFrame(columns=_REJECTED_HEAD)


class IncidentWarning(UserWarning):
    """Rows were kept but something in them was changed or looks doubtful (non-strict reading)."""


_REJECTED_HEAD = ["row", "column", "value", "reason"]


@dataclass(repr=False)
class ReadResult:
    """What :func:`read_incidents` returns with ``errors="report"``.

    Every input row is in exactly one of :attr:`incidents` and :attr:`rejected`.

    Attributes
    ----------
    incidents : pandas.DataFrame
        The valid rows, as the incident table.
    rejected : pandas.DataFrame
        One row per rejected input row: ``row`` (row number in the file), ``column``, ``value`` and
        ``reason`` (several problems of one row joined with ``"; "`` in the same order in each of the three),
        then the input row's raw values under the input's column names (prefixed ``input_`` if a name
        clashes with the first four).
    problems : pandas.DataFrame
        One row per problem: ``file``, ``row``, ``column``, ``value``, ``reason``.
    file : str
        The path read, or ``"<DataFrame>"``.
    warnings : tuple of str
        The :class:`IncidentWarning` messages issued while reading.
    """

    incidents: pd.DataFrame
    rejected: pd.DataFrame
    problems: pd.DataFrame
    file: str = FRAME_LABEL
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        lines = [
            f"ReadResult(file={self.file!r}, incidents={len(self.incidents)} rows, "
            f"rejected={len(self.rejected)} rows, problems={len(self.problems)})"
        ]
        lines += ["  " + line for line in _problem_lines(self.problems, 5)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (
            f"<p><b>ReadResult</b> from <code>{html.escape(self.file)}</code>: "
            f"{len(self.incidents)} incidents, {len(self.rejected)} rejected rows, "
            f"{len(self.problems)} problems</p>"
        )
        if len(self.problems) == 0:
            return f"<div>{head}</div>"
        table = self.problems.head(20).to_html(index=False, escape=True)
        more = len(self.problems) - 20
        tail = f"<p>... and {more} more</p>" if more > 0 else ""
        return f"<div>{head}{table}{tail}</div>"


# ---------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------


def read_incidents(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    *,
    errors: Literal["raise", "report"] = "raise",
    strict: bool = False,
    file_format: str | None = None,
) -> pd.DataFrame | ReadResult:
    """Read and validate an incident table.

    Input column names are matched ignoring case (spaces and hyphens count as underscores) against the
    schema names and their synonyms (:data:`geoincidents.schema.COLUMN_SYNONYMS`); only ``date`` and
    ``location`` are required, every other schema column is filled with its default when absent. Columns the
    schema does not know follow the schema columns, in input order, with their values unchanged (CSV values
    are read as text, exactly as written). An ACLED export is recognised by its columns and mapped (see
    Notes). See the module docstring for what is validated and how rows are numbered.

    Parameters
    ----------
    path_or_frame : str, path-like or pandas.DataFrame
        A ``.csv``/``.tsv`` (UTF-8, BOM allowed), ``.geojson``/``.json``, ``.parquet``/``.geoparquet``
        (GeoParquet or plain Parquet) or ``.xlsx`` file, or a DataFrame/GeoDataFrame (whose index is
        ignored). A GeoDataFrame's Point geometry gives ``lat``/``lon`` when it has no such columns; the
        geometry column is not kept.
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: raise one :class:`IncidentValidationError` listing every row problem.
        ``"report"``: return a :class:`ReadResult` with the valid rows and the rejected rows.
    strict : bool, default False
        Also reject unrecognised vocabulary values, points outside their stated country and unmapped ACLED
        sub-event types, instead of keeping them with a warning.
    file_format : {"csv", "geojson", "parquet", "excel"}, optional
        Override the format inferred from the file suffix.

    Returns
    -------
    pandas.DataFrame or ReadResult
        The incident table (``errors="raise"``), or a :class:`ReadResult` (``errors="report"``).

    Raises
    ------
    IncidentValidationError
        For file-level problems (always) and row problems (``errors="raise"``).
    FileNotFoundError
        If the file does not exist.
    TypeError, ValueError
        For bad arguments.

    Notes
    -----
    ACLED mapping: ``event_id_cnty`` -> ``incident_id``, ``event_date`` -> ``date``, ``time_precision``
    1/2/3 -> ``day``/``week``/``month``, ``latitude``/``longitude`` -> ``lat``/``lon``, ``geo_precision``
    1/2/3 -> ``exact``/``approximate``/``province``, ``country`` name -> ISO3, ``fatalities`` -> ``killed``,
    ``source`` (``;``-separated publishers) -> ``sources``, ``notes`` -> ``notes``. ``event_type`` and
    ``weapon`` come from ``sub_event_type``: ``Shelling/artillery/missile attack`` -> attack with
    indirect_fire; ``Remote explosive/landmine/IED`` -> attack with ied; ``Air/drone strike`` -> strike with
    airstrike when ``actor1`` mentions "United States" or "Coalition", else attack with one_way_drone;
    anything else -> other with unknown (a warning, or a rejection when strict). ACLED's own ``event_type``
    column is kept as ``event_type_reported``; the other ACLED columns are kept unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> table = read_incidents(pd.DataFrame({"Date": ["2024-01-28"], "Place": ["Tower 22"],
    ...                                      "Weapon": ["one-way attack drone"], "country": ["Jordan"]}))
    >>> table.loc[0, ["incident_id", "location", "weapon", "country"]].tolist()
    ['row-2', 'Tower 22', 'one_way_drone', 'JOR']
    >>> str(table["date"].dtype), list(table.columns[:4])
    ('datetime64[ns]', ['incident_id', 'date', 'date_precision', 'date_end'])
    """
    if errors not in ("raise", "report"):
        raise ValueError(f"errors must be 'raise' or 'report', got {errors!r}")
    if not isinstance(strict, bool):
        raise TypeError(f"strict must be True or False, got {strict!r}")
    if file_format is not None and file_format not in _FORMATS:
        raise ValueError(f"file_format must be one of {sorted(_FORMATS)}, got {file_format!r}")
    raw = _load(path_or_frame, file_format)
    return _read(raw, errors=errors, strict=strict)


@dataclass
class _Raw:
    """An input table as loaded, before any normalisation."""

    frame: pd.DataFrame  # RangeIndex, input column names and values
    rows: np.ndarray  # int64 row number of each record (header = 1)
    label: str  # path or "<DataFrame>"
    # (positions, column, values, reason) found while loading, e.g. non-Point geometries
    problems: list[tuple[np.ndarray, str, list[str], str]] = field(default_factory=list)


def _load(source: Any, file_format: str | None) -> _Raw:
    """Dispatch on the input type and format."""
    if isinstance(source, pd.DataFrame):
        return _from_frame(source, FRAME_LABEL, None)
    if not isinstance(source, str | os.PathLike):
        raise TypeError(
            f"read_incidents expects a path or a pandas DataFrame, got {type(source).__name__}"
        )
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"no such incident file: {str(path)!r}")
    if path.is_dir():
        raise IsADirectoryError(f"{str(path)!r} is a directory, expected an incident file")
    fmt = file_format or _format_of(path)
    if fmt == "csv":
        return _load_csv(path)
    if fmt == "geojson":
        return _load_geojson(path)
    if fmt == "parquet":
        return _load_parquet(path)
    return _load_excel(path)


def _format_of(path: Path) -> str:
    """Format from the suffix, with a helpful error for the ones we do not read."""
    suffix = path.suffix.lower()
    if suffix in _SUFFIX_FORMAT:
        return _SUFFIX_FORMAT[suffix]
    if suffix == ".xls":
        raise ValueError(f"{path}: the old .xls Excel format is not supported; save the sheet as .xlsx")
    raise ValueError(
        f"{path}: cannot tell the format from the suffix {suffix!r}; pass file_format="
        f"one of {sorted(_FORMATS)}"
    )


def _read_utf8(path: Path) -> str:
    """The file's text; raise naming the byte offset and line when it is empty or not UTF-8."""
    data = path.read_bytes()
    label = str(path)
    if not data.strip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n"):
        raise IncidentValidationError(f"{label}: the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise IncidentValidationError(
            f"{label}: not UTF-8 text{hint}: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            f"(line {line}) cannot be decoded; save the file as UTF-8"
        ) from exc
    return text.removeprefix("\ufeff")


def _load_csv(path: Path) -> _Raw:
    """CSV/TSV as text (no type guessing, empty cells stay ""), with each record's line number."""
    label = str(path)
    text = _read_utf8(path)
    first = text.split("\n", 1)[0]
    if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first):
        sep = "\t"
    elif ";" in first and "," not in first:  # spreadsheets in some locales
        sep = ";"
    else:
        sep = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=True,
        )
    except pd.errors.EmptyDataError as exc:
        raise IncidentValidationError(f"{label}: the file is empty") from exc
    except pd.errors.ParserError as exc:
        raise IncidentValidationError(f"{label}: not a readable CSV file: {exc}") from exc
    return _Raw(frame, _csv_line_numbers(text, sep, len(frame)), label)


def _csv_line_numbers(text: str, sep: str, n: int) -> np.ndarray:
    """Line on which each data record starts (header = line 1)."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines == n + 1:  # one line per record: the common case, no need to scan
        return np.arange(2, n + 2, dtype=np.int64)
    # Quoted newlines or blank lines: let the csv module (C) find where each record starts.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    previous = 0
    for record in reader:
        start = previous + 1
        previous = reader.line_num
        if record and any(record):
            starts.append(start)
    starts = starts[1:]  # the header
    if len(starts) != n:  # disagreement with pandas (odd whitespace lines): fall back to positions
        return np.arange(2, n + 2, dtype=np.int64)
    return np.asarray(starts, dtype=np.int64)


def _load_geojson(path: Path) -> _Raw:
    """Feature properties as columns; a Point geometry gives lat/lon when the properties have none."""
    label = str(path)
    text = _read_utf8(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IncidentValidationError(
            f"{label}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "Feature":
        features = [doc]
    elif kind == "FeatureCollection" and isinstance(doc.get("features"), list):
        features = doc["features"]
    else:
        raise IncidentValidationError(f"{label}: not a GeoJSON FeatureCollection")
    if not features:
        raise IncidentValidationError(f"{label}: the file is empty (no features)")
    if not all(isinstance(f, dict) for f in features):
        raise IncidentValidationError(f"{label}: every feature must be a JSON object")
    frame = pd.DataFrame([f.get("properties") or {} for f in features])
    rows = np.arange(2, len(features) + 2, dtype=np.int64)
    raw = _Raw(frame, rows, label)
    if not _has_coordinate_columns(frame.columns):
        geoms = [f.get("geometry") for f in features]
        lat = np.full(len(geoms), np.nan)
        lon = np.full(len(geoms), np.nan)
        bad: list[int] = []
        bad_types: list[str] = []
        for i, g in enumerate(geoms):
            if not g:
                continue
            coords = g.get("coordinates") if isinstance(g, dict) else None
            if g.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
                lon[i], lat[i] = _float_or_nan(coords[0]), _float_or_nan(coords[1])
            else:
                bad.append(i)
                bad_types.append(str(g.get("type") if isinstance(g, dict) else g))
        if not np.isnan(lat).all():
            frame["lat"] = lat
            frame["lon"] = lon
        if bad:
            raw.problems.append((np.asarray(bad), "geometry", bad_types, "geometry is not a Point"))
    return raw


def _float_or_nan(value: Any) -> float:
    """A coordinate as float; anything unreadable becomes NaN (and then fails the range checks)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _load_parquet(path: Path) -> _Raw:
    """GeoParquet through geopandas; plain Parquet (no geo metadata) through pandas."""
    import geopandas

    try:
        frame = geopandas.read_parquet(path)
    except ValueError:  # no geo metadata: plain Parquet
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise IncidentValidationError(f"{path}: not a readable Parquet file: {exc}") from exc
    except Exception as exc:
        raise IncidentValidationError(f"{path}: not a readable Parquet file: {exc}") from exc
    if len(frame.columns) == 0:
        raise IncidentValidationError(f"{path}: the file is empty")
    return _from_frame(frame, str(path), None)


def _load_excel(path: Path) -> _Raw:
    """The first sheet; cell values as openpyxl gives them (dates as datetimes), empty cells as ""."""
    try:
        frame = pd.read_excel(path, sheet_name=0, dtype=object, na_filter=False, engine="openpyxl")
    except ValueError as exc:
        raise IncidentValidationError(f"{path}: not a readable Excel file: {exc}") from exc
    except Exception as exc:  # zipfile.BadZipFile, openpyxl errors
        raise IncidentValidationError(f"{path}: not a readable Excel file: {exc}") from exc
    if len(frame.columns) == 0:
        raise IncidentValidationError(f"{path}: the file is empty")
    # Sheet row numbers: header on row 1. pandas keeps blank rows inside the data; drop them (as the CSV
    # reader skips blank lines) but keep the numbers of the rows that remain.
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    blank = frame.apply(lambda c: c.isna() | (c.astype(str).str.strip() == "")).all(axis=1).to_numpy()
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    return _Raw(frame, rows, str(path))


def _has_coordinate_columns(columns: Iterable[Any]) -> bool:
    return any(schema.canonical_column(c) in ("lat", "lon") for c in columns)


def _from_frame(frame: pd.DataFrame, label: str, rows: np.ndarray | None) -> _Raw:
    """A DataFrame (or GeoDataFrame, whose Point geometry becomes lat/lon) as raw input."""
    problems: list[tuple[np.ndarray, str, list[str], str]] = []
    geo = sys.modules.get("geopandas")
    if geo is not None and isinstance(frame, geo.GeoDataFrame) and frame._geometry_column_name in frame:
        frame, problems = _split_geometry(frame)
    frame = pd.DataFrame(frame).reset_index(drop=True)
    if rows is None:
        rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return _Raw(frame, rows, label, problems)


def _split_geometry(gdf: Any) -> tuple[pd.DataFrame, list[tuple[np.ndarray, str, list[str], str]]]:
    """Drop the active geometry; when there are no lat/lon columns, Points give them."""
    import shapely

    name = gdf.geometry.name
    plain = pd.DataFrame(gdf.drop(columns=name))
    problems: list[tuple[np.ndarray, str, list[str], str]] = []
    if _has_coordinate_columns(plain.columns):
        return plain, problems
    geoms = gdf.geometry
    if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
        geoms = geoms.to_crs("EPSG:4326")
    arr = np.asarray(geoms.array, dtype=object)
    type_id = shapely.get_type_id(arr)  # -1 for None, 0 for Point
    point = (type_id == 0) & ~shapely.is_empty(arr)
    lon = np.where(point, shapely.get_x(arr), np.nan)
    lat = np.where(point, shapely.get_y(arr), np.nan)
    if point.any():
        plain["lat"] = lat
        plain["lon"] = lon
    bad = np.flatnonzero(type_id > 0)
    if len(bad):
        names = [str(t) for t in shapely.get_type_id(arr[bad])]
        kinds = {1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
                 6: "MultiPolygon", 7: "GeometryCollection"}
        problems.append((bad, str(name), [kinds.get(int(t), t) for t in names], "geometry is not a Point"))
    return plain, problems


# ---------------------------------------------------------------------------------------------------------
# Normalisation and validation
# ---------------------------------------------------------------------------------------------------------


class _Problems:
    """Problems found, as vectorised parts (positions + column + values + reasons)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.parts: list[pd.DataFrame] = []

    def add(self, mask: np.ndarray, column: str, values: pd.Series | None, reason: str | np.ndarray) -> None:
        pos = np.flatnonzero(mask)
        if len(pos) == 0:
            return
        shown = _display(values, pos)
        why = reason[pos] if isinstance(reason, np.ndarray) else np.full(len(pos), reason, dtype=object)
        self.parts.append(
            pd.DataFrame({"pos": pos, "column": column, "value": shown, "reason": why}, copy=False)
        )

    def add_listed(self, pos: np.ndarray, column: str, values: list[str], reason: str) -> None:
        if len(pos):
            self.parts.append(pd.DataFrame({"pos": pos, "column": column, "value": values, "reason": reason}))

    def frame(self, label: str, rows: np.ndarray) -> pd.DataFrame:
        if not self.parts:
            return _empty_problems()
        allp = pd.concat(self.parts, ignore_index=True)
        allp = allp.sort_values("pos", kind="stable", ignore_index=True)  # checks keep column order per row
        out = pd.DataFrame(
            {
                "file": label,
                "row": rows[allp["pos"].to_numpy()],
                "column": allp["column"].astype(str).to_numpy(),
                "value": allp["value"].astype(str).to_numpy(),
                "reason": allp["reason"].astype(str).to_numpy(),
            }
        )
        out["pos"] = allp["pos"].to_numpy()
        return out


def _empty_problems() -> pd.DataFrame:
    return pd.DataFrame(
        {"file": pd.Series(dtype=str), "row": pd.Series(dtype="int64"), "column": pd.Series(dtype=str),
         "value": pd.Series(dtype=str), "reason": pd.Series(dtype=str)}
    )


def _display(values: pd.Series | None, pos: np.ndarray) -> np.ndarray:
    """Input values at `pos` as text for messages ("" for missing)."""
    if values is None:
        return np.full(len(pos), "", dtype=object)
    return values.iloc[pos].astype("string").fillna("").to_numpy(dtype=object)


def _text(values: pd.Series | None, n: int) -> pd.Series:
    """Stripped text (nullable string dtype); empty and missing cells are NA."""
    if values is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    text = values.astype("string").str.strip()
    return text.mask((text == "").fillna(False).to_numpy())


def _map_distinct(text: pd.Series, func: Callable[[str], Any]) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 for NA) and `func` applied once per distinct value: the fast path for big tables."""
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    return codes, [func(u) for u in uniques]


def _map_columns(columns: Sequence[Any], acled: bool) -> tuple[dict[str, str], list[Any]]:
    """Schema column -> input column name, and the input columns left as extras (input order).

    A schema name spelled exactly (ignoring case) beats a synonym; among synonyms the first column wins;
    the losers stay as extra columns.
    """
    chosen: dict[str, tuple[int, Any]] = {}
    for col in columns:
        if acled and isinstance(col, str) and col.strip().lower() == "event_type":
            continue  # ACLED's vocabulary, not ours: kept as event_type_reported
        target = None
        rank = 2
        if acled and isinstance(col, str) and col.strip().lower() in _ACLED_COLUMNS:
            target, rank = _ACLED_COLUMNS[col.strip().lower()], 0
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


def _is_acled(columns: Iterable[Any]) -> bool:
    names = {c.strip().lower() for c in columns if isinstance(c, str)}
    return names >= _ACLED_MARKERS


def _read(raw: _Raw, *, errors: str, strict: bool) -> pd.DataFrame | ReadResult:
    """Normalise and validate loaded input; raise or report."""
    frame, label, rows = raw.frame, raw.label, raw.rows
    n = len(frame)
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise IncidentValidationError(
            f"{label}: duplicated column names: {', '.join(repr(str(c)) for c in duplicated.unique())}"
        )
    acled = _is_acled(frame.columns)
    mapping, extras = _map_columns(list(frame.columns), acled)
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        accepted = "; ".join(
            f"{c}: " + ", ".join([c] + sorted(k for k, v in schema.COLUMN_SYNONYMS.items() if v == c))
            for c in missing
        )
        found = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise IncidentValidationError(
            f"{label}: missing required column {names} (accepted names, any case: {accepted}); "
            f"columns found: {found}"
        )

    problems = _Problems(n)
    notes: list[str] = []  # warning messages
    reported: dict[str, pd.Series] = {}

    def col(name: str) -> pd.Series | None:
        return frame[mapping[name]] if name in mapping else None

    def colname(name: str) -> str:
        return str(mapping.get(name, name))

    for pos, column, values, reason in raw.problems:
        problems.add_listed(pos, column, values, reason)

    out: dict[str, Any] = {}

    # incident_id: given, or row-<line number>
    ids = np.array(_text(col("incident_id"), n).astype(object).where(lambda s: s.notna(), None), dtype=object)
    no_id = pd.isna(ids)
    if no_id.any():
        ids[no_id] = np.char.add("row-", rows[no_id].astype(str)).astype(object)
    out["incident_id"] = ids

    # dates
    date, bad_date = _parse_dates(col("date"), n)
    problems.add(bad_date, colname("date"), col("date"),
                 "unparseable date (expected YYYY-MM-DD or e.g. '16 May 2025')")
    problems.add(date.isna().to_numpy() & ~bad_date, colname("date"), col("date"), "missing date")
    date_end, bad_end = _parse_dates(col("date_end"), n)
    problems.add(bad_end, colname("date_end"), col("date_end"),
                 "unparseable date (expected YYYY-MM-DD or e.g. '16 May 2025')")
    problems.add((date_end < date).to_numpy(), colname("date_end"), col("date_end"), "date_end before date")
    out["date"] = date
    precision = _vocabulary(schema.DATE_PRECISION, col("date_precision"), colname("date_precision"), n,
                            strict, problems, notes, reported, label)
    # A date_end without a stated precision means the event spans a range.
    stated = _text(col("date_precision"), n).notna().to_numpy()
    precision = np.where(~stated & date_end.notna().to_numpy(), "range", precision)
    out["date_precision"] = precision
    out["date_end"] = date_end

    # location and site
    location = _text(col("location"), n)
    problems.add(location.isna().to_numpy(), colname("location"), col("location"), "missing location")
    out["location"] = location
    out["site_id"] = _text(col("site_id"), n)

    # coordinates
    lat, lat_bad = _numbers(col("lat"), n)
    lon, lon_bad = _numbers(col("lon"), n)
    problems.add(lat_bad, colname("lat"), col("lat"), "latitude is not a number")
    problems.add(lon_bad, colname("lon"), col("lon"), "longitude is not a number")
    with np.errstate(invalid="ignore"):
        lat_range = ~np.isnan(lat) & ~((lat >= -90) & (lat <= 90))
        lon_range = ~np.isnan(lon) & ~((lon >= -180) & (lon <= 180))
    problems.add(lat_range, colname("lat"), col("lat"), "latitude outside -90..90")
    problems.add(lon_range, colname("lon"), col("lon"), "longitude outside -180..180")
    has_lat = ~np.isnan(lat) | lat_bad
    has_lon = ~np.isnan(lon) | lon_bad
    problems.add(has_lat & ~has_lon, colname("lon"), col("lon"), "latitude given without longitude")
    problems.add(has_lon & ~has_lat, colname("lat"), col("lat"), "longitude given without latitude")
    coords_ok = ~np.isnan(lat) & ~np.isnan(lon) & ~lat_range & ~lon_range
    out["lat"] = lat
    out["lon"] = lon
    out["location_precision"] = _vocabulary(
        schema.LOCATION_PRECISION, col("location_precision"), colname("location_precision"), n, strict,
        problems, notes, reported, label,
    )

    # country: codes or names -> ISO3; inferred from the point when not given
    country = _countries(col("country"), colname("country"), n, lat, lon, coords_ok, problems)
    out["country"] = country
    _check_in_country(country, lat, lon, coords_ok, col("country"), colname("country"), colname("lat"),
                      col("lat"), strict, problems, notes, label, rows)

    # event type and weapon (derived from ACLED sub-event types when that is the input)
    if acled and ("event_type" not in mapping or "weapon" not in mapping):
        acled_type, acled_weapon = _acled_types(frame, n, strict, problems, notes, label)
    for name in ("event_type", "weapon"):
        if acled and name not in mapping:
            out[name] = acled_type if name == "event_type" else acled_weapon
        else:
            out[name] = _vocabulary(VOCABULARIES[name], col(name), colname(name), n, strict, problems, notes,
                                    reported, label)
    out["claimed_by"] = _text(col("claimed_by"), n)
    for name in ("claim_status", "outcome"):
        out[name] = _vocabulary(VOCABULARIES[name], col(name), colname(name), n, strict, problems, notes,
                                reported, label)

    # counts
    for name in ("injured", "killed"):
        out[name] = _counts(col(name), colname(name), n, problems)

    out["sources"] = _sources(col("sources"), colname("sources"), n, acled, problems)
    out["notes"] = _text(col("notes"), n)

    # duplicated ids: every occurrence after the first, naming the first
    ids_s = pd.Series(ids, dtype=object)
    dup = ids_s.duplicated(keep="first").to_numpy()
    if dup.any():
        first = pd.Series(np.arange(n)).groupby(ids_s.to_numpy(), sort=False).transform("min").to_numpy()
        dup_reason = np.char.add("duplicate incident_id, first on row ", rows[first].astype(str))
        problems.add(dup, colname("incident_id"), col("incident_id") if "incident_id" in mapping
                     else pd.Series(ids), dup_reason.astype(object))

    table = _assemble(out, frame, extras, reported, acled, n)
    problem_frame = problems.frame(label, rows)
    for message in notes:
        warnings.warn(message, IncidentWarning, stacklevel=3)
    return _finish(table, frame, problem_frame, label, errors, tuple(notes))




def _assemble(out: dict[str, Any], frame: pd.DataFrame, extras: list[Any], reported: dict[str, pd.Series],
              acled: bool, n: int) -> pd.DataFrame:
    """Schema columns with their dtypes, then extras unchanged, then the `_reported` originals."""
    index = pd.RangeIndex(n)
    cols: dict[str, Any] = {}
    for name in COLUMN_NAMES:
        value = out[name]
        dtype = DTYPES[name]
        if dtype == "string":
            cols[name] = pd.Series(value, index=index, dtype="string")
        elif dtype == "datetime64[ns]":
            cols[name] = pd.Series(value, index=index).astype("datetime64[ns]")
        elif dtype == "Int64":
            cols[name] = pd.Series(value, index=index, dtype="Int64")
        else:
            cols[name] = pd.Series(np.asarray(value, dtype="float64"), index=index)
    parts = [pd.DataFrame(cols, index=index)]
    taken = set(COLUMN_NAMES)
    extra_frame = pd.DataFrame(index=index)
    if extras:
        extra_frame = frame[extras] if not acled else frame[extras].rename(
            columns={c: "event_type_reported" for c in extras
                     if isinstance(c, str) and c.strip().lower() == "event_type"}
        )
        extra_frame = extra_frame.set_axis(index, axis=0)
        parts.append(extra_frame)
        taken |= {str(c) for c in extra_frame.columns}
    if reported:
        rep = {}
        for name, values in reported.items():
            target = f"{name}_reported"
            while target in taken:  # never overwrite an input column
                target += "_"
            taken.add(target)
            rep[target] = values.set_axis(index)
        parts.append(pd.DataFrame(rep, index=index))
    return pd.concat(parts, axis=1) if len(parts) > 1 else parts[0]


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
    keep = np.ones(len(table), dtype=bool)
    keep[bad_pos] = False
    incidents = table.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    return ReadResult(incidents, rejected, public_problems, label, notes)


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
    raw = frame.iloc[bad_pos].reset_index(drop=True)
    raw = raw.rename(columns={c: f"input_{c}" for c in raw.columns if c in _REJECTED_HEAD})
    return pd.concat([head, raw], axis=1)


def _problem_lines(problems: pd.DataFrame, limit: int) -> list[str]:
    """'file:row: column 'x' value 'v': reason' lines, at most `limit`, then '... and N more'."""
    lines = []
    for rec in problems.head(limit).itertuples(index=False):
        value = str(rec.value)
        value = value if len(value) <= 80 else value[:77] + "..."
        lines.append(f"{rec.file}:{rec.row}: column {rec.column!r} value {value!r}: {rec.reason}")
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return lines


def _message(problems: pd.DataFrame, label: str, n_rows: int, n: int) -> str:
    head = (f"{label}: {len(problems)} problem(s) in {n_rows} of {n} row(s); "
            f"use errors='report' to keep the valid rows")
    return "\n".join([head] + _problem_lines(problems, _MAX_MESSAGE_LINES))


# ----- column parsers ---------------------------------------------------------------------------------

_ISO_DATE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DATE_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d-%b-%Y",
                 "%d-%B-%Y", "%Y/%m/%d", "%d %B, %Y", "%d %b, %Y")
_BAD = object()


def _parse_one_date(value: Any) -> Any:
    """A distinct input value -> midnight Timestamp, None (missing) or _BAD."""
    ts: pd.Timestamp | None = None
    if isinstance(value, pd.Timestamp | _datetime | _date | np.datetime64):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        text = " ".join(value.split())
        if not text:
            return None
        if _ISO_DATE.match(text) or _ISO_MONTH.match(text):
            try:
                ts = pd.Timestamp(text)
            except ValueError:
                return _BAD
        else:
            for fmt in _DATE_FORMATS:
                try:
                    ts = pd.Timestamp(_datetime.strptime(text, fmt))
                    break
                except ValueError:
                    continue
        if ts is None:
            return _BAD
    else:
        return _BAD
    assert ts is not None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)  # keep the local calendar day
    try:
        return ts.normalize().as_unit("ns")
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        return _BAD


def _parse_dates(values: pd.Series | None, n: int) -> tuple[pd.Series, np.ndarray]:
    """datetime64[ns] at midnight (NaT when missing) and a mask of unparseable values.

    Accepts datetimes, ISO text (``2025-05-16``, with optional time; ``2025-05`` is the 1st) and English
    day-month-year or month-day-year text (``16 May 2025``, ``May 16, 2025``). Slash dates other than
    ``YYYY/MM/DD`` are ambiguous and rejected. Each distinct value is parsed once.
    """
    index = pd.RangeIndex(n)
    if values is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]"), np.zeros(n, dtype=bool)
    if is_datetime64_any_dtype(values.dtype):
        d = values.reset_index(drop=True)
        if getattr(d.dt, "tz", None) is not None:
            d = d.dt.tz_localize(None)
        return d.dt.normalize().astype("datetime64[ns]"), np.zeros(n, dtype=bool)
    obj = values.astype(object) if not isinstance(values.dtype, np.dtype) else values
    codes, parsed = _map_distinct(obj, _parse_one_date)
    lookup = np.array(
        [p.to_datetime64() if isinstance(p, pd.Timestamp) else np.datetime64("NaT", "ns") for p in parsed]
        + [np.datetime64("NaT", "ns")],
        dtype="datetime64[ns]",
    )
    bad_lookup = np.array([p is _BAD for p in parsed] + [False], dtype=bool)
    return pd.Series(lookup[codes], index=index), bad_lookup[codes]


def _numbers(values: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN when missing or unreadable) and a mask of non-numbers."""
    if values is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    if is_numeric_dtype(values.dtype) and not is_bool_dtype(values.dtype):
        return values.to_numpy(dtype="float64", na_value=np.nan), np.zeros(n, dtype=bool)
    text = _text(values, n)
    text = text.mask(text.str.lower().isin(_NA_TOKENS).fillna(False).to_numpy())
    nums = pd.to_numeric(text, errors="coerce")
    out = np.asarray(pd.Series(nums).to_numpy(dtype="float64", na_value=np.nan))
    bad = text.notna().to_numpy() & np.isnan(out)
    return out, bad


def _counts(values: pd.Series | None, column: str, n: int, problems: _Problems) -> pd.Series:
    """Nullable integer counts; non-numbers, fractions and negatives are problems."""
    nums, bad = _numbers(values, n)
    problems.add(bad, column, values, "not a whole number")
    with np.errstate(invalid="ignore"):
        given = ~np.isnan(nums)
        fraction = given & (~np.isfinite(nums) | (nums != np.floor(nums)))
        negative = given & ~fraction & (nums < 0)
    problems.add(fraction, column, values, "not a whole number")
    problems.add(negative, column, values, "negative count")
    clean = np.where(given & ~fraction & ~negative, nums, np.nan)
    return pd.Series(pd.array(clean, dtype="Int64"))


def _vocabulary(vocab: Vocabulary, values: pd.Series | None, column: str, n: int, strict: bool,
                problems: _Problems, notes: list[str], reported: dict[str, pd.Series],
                label: str) -> np.ndarray:
    """Allowed values (defaults for missing cells); unrecognised ones rejected or replaced with a warning."""
    if values is None:
        return np.full(n, vocab.default, dtype=object)
    text = _text(values, n)
    codes, mapped = _map_distinct(text, vocab.lookup)
    unknown_lookup = np.array([m is None for m in mapped] + [False], dtype=bool)
    lookup = np.array([m if m is not None else (vocab.fallback or vocab.default) for m in mapped]
                      + [vocab.default], dtype=object)
    result = lookup[codes]
    unknown = unknown_lookup[codes]
    if unknown.any():
        allowed = ", ".join(vocab.values)
        if strict or vocab.fallback is None:
            problems.add(unknown, column, values, f"not a known {vocab.column} (allowed: {allowed})")
        else:
            counts = text[unknown].value_counts(sort=False)
            counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
            listed = ", ".join(f"{v!r} ({c})" for v, c in counts.head(20).items())
            notes.append(
                f"{label}: column {column!r}: {int(unknown.sum())} value(s) not in the {vocab.column} "
                f"vocabulary became {vocab.fallback!r} (originals kept in '{vocab.column}_reported'): "
                f"{listed}"
            )
            reported[vocab.column] = values
    return result


def _countries(values: pd.Series | None, column: str, n: int, lat: np.ndarray, lon: np.ndarray,
               coords_ok: np.ndarray, problems: _Problems) -> np.ndarray:
    """ISO3 codes from codes or names; from the point when no country is given."""
    from .countries import country_at, to_iso3

    result = np.full(n, None, dtype=object)
    given = np.zeros(n, dtype=bool)
    if values is not None:
        text = _text(values, n)
        codes, iso = _map_distinct(text, to_iso3)
        lookup = np.array(iso + [None], dtype=object)
        result = lookup[codes]
        given = codes >= 0
        problems.add(given & pd.isna(result), column, values,
                     "unknown country (not an ISO3 code or a known country name)")
    infer = ~given & coords_ok
    if infer.any():
        result[infer] = country_at(lat[infer], lon[infer])
    return result


def _check_in_country(country: np.ndarray, lat: np.ndarray, lon: np.ndarray, coords_ok: np.ndarray,
                      values: pd.Series | None, country_col: str, lat_col: str, lat_values: pd.Series | None,
                      strict: bool, problems: _Problems, notes: list[str], label: str,
                      rows: np.ndarray) -> None:
    """Swapped lat/lon (always a problem) and points outside the stated country (strict: a problem)."""
    if values is None or not coords_ok.any():
        return
    from .countries import country_codes, point_in_country

    outlined = set(country_codes())
    check = coords_ok & pd.Series(country, dtype=object).isin(outlined).to_numpy()
    idx = np.flatnonzero(check)
    if len(idx) == 0:
        return
    codes = country[idx].astype(str)
    inside = np.zeros(len(idx), dtype=bool)
    swapped = np.zeros(len(idx), dtype=bool)
    for code in np.unique(codes):  # one vectorised test per country
        sel = codes == code
        inside[sel] = point_in_country(lat[idx][sel], lon[idx][sel], code, tolerance_m=COUNTRY_TOLERANCE_M)
    out = np.flatnonzero(~inside)
    if len(out):
        olat, olon, ocode = lat[idx][out], lon[idx][out], codes[out]
        can_swap = np.abs(olon) <= 90
        for code in np.unique(ocode):
            sel = (ocode == code) & can_swap
            if sel.any():
                swapped[out[sel]] = point_in_country(olon[sel], olat[sel], code,
                                                     tolerance_m=COUNTRY_TOLERANCE_M)
    swap_mask = np.zeros(len(country), dtype=bool)
    swap_mask[idx[swapped]] = True
    reasons = np.char.add("lat/lon look swapped: (lon, lat) falls inside ",
                          np.asarray(country, dtype=str)).astype(object)
    problems.add(swap_mask, lat_col, lat_values, reasons)
    outside = np.zeros(len(country), dtype=bool)
    outside[idx[~inside & ~swapped]] = True
    if outside.any():
        km = int(COUNTRY_TOLERANCE_M / 1000)
        if strict:
            reasons = np.char.add(f"outside stated country (more than {km} km from ",
                                  np.char.add(np.asarray(country, dtype=str), ")")).astype(object)
            problems.add(outside, country_col, values, reasons)
        else:
            where = np.flatnonzero(outside)
            listed = ", ".join(f"row {rows[i]} ({country[i]})" for i in where[:10])
            more = f" and {len(where) - 10} more" if len(where) > 10 else ""
            notes.append(f"{label}: {len(where)} point(s) lie more than {km} km outside their stated country "
                         f"(kept; strict=True rejects them): {listed}{more}")


def _sources(values: pd.Series | None, column: str, n: int, acled: bool, problems: _Problems) -> np.ndarray:
    """The sources JSON text per row ("[]" when none); unreadable cells are problems."""
    if values is None:
        return np.full(n, "[]", dtype=object)
    if values.dtype == object:  # in-memory input may hold lists of dicts already: write them as JSON
        decoded = values.map(lambda v: isinstance(v, list | tuple | dict))
        if decoded.any():
            values = values.where(~decoded, values[decoded].map(_json_sources))
    text = _text(values, n)

    def convert(cell: str) -> tuple[str | None, str | None]:
        try:
            if acled and cell[:1] not in "[{":  # ACLED: "Reuters; Shafaq News"
                items = [part for part in (p.strip() for p in cell.split(";")) if part]
                return format_sources(parse_sources(p)[0] for p in items), None
            return format_sources(parse_sources(cell)), None
        except ValueError as exc:
            return None, str(exc)

    codes, converted = _map_distinct(text, convert)
    lookup = np.array([c[0] if c[0] is not None else "[]" for c in converted] + ["[]"], dtype=object)
    reasons = np.array([c[1] or "" for c in converted] + [""], dtype=object)
    bad = np.array([c[1] is not None for c in converted] + [False], dtype=bool)[codes]
    why = np.char.add("unreadable sources: ", reasons[codes].astype(str)).astype(object)
    problems.add(bad, column, values, why)
    return lookup[codes]


def _json_sources(value: Any) -> str:
    """Already-decoded sources as JSON text; bad items are left for the reader to reject."""
    try:
        return format_sources(parse_sources(value))
    except ValueError:
        return json.dumps(value, default=str)


def _acled_types(frame: pd.DataFrame, n: int, strict: bool, problems: _Problems, notes: list[str],
                 label: str) -> tuple[np.ndarray, np.ndarray]:
    """event_type and weapon from ACLED sub_event_type (and actor1 for air/drone strikes)."""
    by_lower = {c.strip().lower(): c for c in frame.columns if isinstance(c, str)}
    sub_col = by_lower["sub_event_type"]
    sub_values = frame[sub_col]
    sub = _text(sub_values, n).str.lower().fillna("").to_numpy(dtype=object)
    actor = _text(frame[by_lower["actor1"]], n).fillna("")
    by_us = actor.str.contains(_ACLED_US, regex=True).fillna(False).to_numpy(dtype=bool)
    shelling = sub == "shelling/artillery/missile attack"
    air = sub == "air/drone strike"
    ied = sub == "remote explosive/landmine/ied"
    event_type = np.select([shelling, ied, air & by_us, air], ["attack", "attack", "strike", "attack"],
                           "other").astype(object)
    weapon = np.select([shelling, ied, air & by_us, air],
                       ["indirect_fire", "ied", "airstrike", "one_way_drone"], "unknown").astype(object)
    unmapped = ~(shelling | air | ied)
    if unmapped.any():
        if strict:
            problems.add(unmapped, str(sub_col), sub_values,
                         "ACLED sub_event_type has no event_type/weapon mapping")
        else:
            counts = _text(sub_values, n)[unmapped].fillna("").value_counts(sort=False)
            counts = counts.sort_index(kind="stable").sort_values(ascending=False, kind="stable")
            listed = ", ".join(f"{v!r} ({c})" for v, c in counts.head(20).items())
            notes.append(f"{label}: {int(unmapped.sum())} ACLED row(s) with a sub_event_type that has no "
                         f"mapping became event_type 'other', weapon 'unknown': {listed}")
    return event_type, weapon


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def write_incidents(
    df: pd.DataFrame, path: str | os.PathLike[str], *, file_format: str | None = None
) -> Path:
    """Write an incident table so that :func:`read_incidents` reads back the same rows and columns.

    Dates are written as ``YYYY-MM-DD``; missing values as empty cells (CSV) or ``null`` (GeoJSON).
    GeoJSON features get a Point geometry from ``lat``/``lon`` (``null`` when missing) and every other
    column as a property; GeoParquet gets a Point geometry in EPSG:4326 and keeps every column. A
    GeoDataFrame's own geometry column is not written (geometry comes from ``lat``/``lon``).

    Parameters
    ----------
    df : pandas.DataFrame
        An incident table, normally from :func:`read_incidents` (any columns are written).
    path : str or path-like
        Destination; the format comes from the suffix: ``.csv``, ``.geojson``/``.json``,
        ``.parquet``/``.geoparquet``.
    file_format : {"csv", "geojson", "parquet"}, optional
        Override the format inferred from the suffix.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        If `df` is not a DataFrame.
    ValueError
        If the format is unknown or `df` has no ``lat``/``lon`` columns for a geographic format.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> table = read_incidents(pd.DataFrame({"date": ["2024-01-28"], "location": ["Tower 22"]}))
    >>> path = write_incidents(table, os.path.join(tempfile.mkdtemp(), "out.csv"))
    >>> read_incidents(path).equals(table)
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"write_incidents expects a pandas DataFrame, got {type(df).__name__}")
    path = Path(path)
    fmt = file_format or _format_of(path)
    if fmt not in ("csv", "geojson", "parquet"):
        raise ValueError(f"write_incidents writes csv, geojson or parquet, not {fmt!r}")
    plain = _drop_geometry(df)
    if fmt != "csv" and not {"lat", "lon"} <= set(plain.columns):
        raise ValueError(f"writing {fmt} needs 'lat' and 'lon' columns")
    if fmt == "csv":
        # The csv module quotes a field only for characters of the line terminator, so a lone "\r" in a
        # value would be written bare and read back as a line break: use CRLF (RFC 4180) in that case.
        plain.to_csv(path, index=False, date_format="%Y-%m-%d", encoding="utf-8",
                     lineterminator="\r\n" if _has_carriage_return(plain) else "\n")
    elif fmt == "geojson":
        _write_geojson(plain, path)
    else:
        import geopandas

        geometry = _points(plain)
        gdf = geopandas.GeoDataFrame(plain, geometry=geometry, crs="EPSG:4326")
        gdf.to_parquet(path, index=False)
    return path


def _has_carriage_return(df: pd.DataFrame) -> bool:
    """Whether any text cell or column name contains a carriage return."""
    if any("\r" in str(c) for c in df.columns):
        return True
    for name in df.columns:
        column = df[name]
        is_text = column.dtype == object or isinstance(column.dtype, pd.StringDtype)
        if is_text and column.astype("string").str.contains("\r", regex=False).fillna(False).any():
            return True
    return False


def _drop_geometry(df: pd.DataFrame) -> pd.DataFrame:
    geo = sys.modules.get("geopandas")
    if geo is not None and isinstance(df, geo.GeoDataFrame) and df._geometry_column_name in df:
        return pd.DataFrame(df.drop(columns=df._geometry_column_name))
    return pd.DataFrame(df)


def _points(df: pd.DataFrame) -> Any:
    """Point geometries from lat/lon, None where either is missing."""
    import shapely

    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    pts = shapely.points(lon, lat)
    pts[np.isnan(lat) | np.isnan(lon)] = None
    return pts


def _json_column(values: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values (None for missing, dates as YYYY-MM-DD)."""
    if is_datetime64_any_dtype(values.dtype):
        d = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        midnight = bool((d.dropna() == d.dropna().dt.normalize()).all())
        text = d.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
        return [None if pd.isna(v) else v for v in text.astype(object)]
    out = values.astype(object).where(values.notna(), None).tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in out]


def _write_geojson(df: pd.DataFrame, path: Path) -> None:
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    names = [c for c in df.columns if c not in ("lat", "lon")]
    columns = [_json_column(df[c]) for c in names]
    features = []
    for i in range(len(df)):
        geometry = (None if np.isnan(lat[i]) or np.isnan(lon[i])
                    else {"type": "Point", "coordinates": [float(lon[i]), float(lat[i])]})
        props = {str(name): col[i] for name, col in zip(names, columns, strict=True)}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    doc = {"type": "FeatureCollection", "features": features}
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        json.dump(doc, fh, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
