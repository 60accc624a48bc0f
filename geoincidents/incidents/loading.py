"""Loading incident files as they are: one function per format, each giving a :class:`RawTable`.

Nothing is normalised here: cells keep the input's column names and values (CSV as text, exactly as written).
What loading finds wrong with the file as a whole raises :class:`IncidentValidationError` at once; row-level
findings (a non-Point geometry) travel with the table for the validator to report.

Row numbers follow the file: the header is line 1, so the first data row is row 2. For CSV this is the
physical line where the record starts (quoted newlines and skipped blank lines are accounted for); for Excel
the sheet row; for GeoJSON, GeoPackage, FlatGeobuf, Shapefile, Parquet and DataFrames, which have no lines,
the 0-based position + 2 (the feature order of the file).

GeoJSON, GeoPackage, FlatGeobuf and Shapefile are read with ``geopandas.read_file`` (engine pyogrio, GDAL);
(Geo)Parquet with pyarrow through geopandas/pandas. Every loader reads a path or the file's bytes (standard
input), so problems in a piped table still name ``<stdin>``, the row and the column.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import mmap
import os
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from .. import schema
from .._geo import GEOMETRY_TYPE_NAMES, geometry_name, latlon_from_geometry
from ..fileformats import FILE_FORMATS, FORMATS, SHAPEFILE_FIELDS, format_of, require_extra, sniff_format
from .problems import FRAME_LABEL, IncidentValidationError

__all__ = [
    "FORMATS",
    "RawTable",
    "Source",
    "read_raw",
    "format_of",
    "load_csv",
    "CSV_ENGINES",
    "load_geojson",
    "load_gpkg",
    "load_fgb",
    "load_shapefile",
    "load_parquet",
    "load_excel",
    "from_frame",
]

Source = Path | bytes
"""What a loader reads: a path, or the whole content of a file (standard input)."""

STREAM_LABEL = "<stream>"
"""The file name problems give for a stream without a name (``sys.stdin.buffer`` is named ``<stdin>``)."""


FORMULA_START = r"^'*[=+\-@\t\r]"
"""A CSV text cell matching this would run as a spreadsheet formula: written with one more leading quote
(:func:`geoincidents.write_incidents`), which :func:`load_csv` removes."""


@dataclass
class RawTable:
    """An input table as loaded, before any normalisation.

    Attributes
    ----------
    frame : pandas.DataFrame
        RangeIndex, the input's column names and values.
    rows : numpy.ndarray
        int64 row number of each record in the file (header = 1).
    label : str
        The path, ``"<stdin>"`` or ``"<DataFrame>"``.
    problems : list of (positions, column, values, reason)
        Row-level findings of the loader (non-Point geometries), reported by the validator.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    label: str
    problems: list[tuple[np.ndarray, str, list[str], str]] = field(default_factory=list)
    header_line: int = 1
    """Line of the header in the file (after a preamble, more than 1)."""
    notes: list[str] = field(default_factory=list)
    """What loading did to the file that a reader should know (a skipped preamble, a HXL tag row)."""
    reader: str = ""
    """Which CSV reader parsed the file (``"pyarrow"`` or ``"python"``, see :data:`CSV_ENGINES`); empty for
    other formats."""


def read_raw(
    source: str | os.PathLike[str] | BinaryIO | pd.DataFrame | list[dict[str, Any]],
    file_format: str | None = None
) -> RawTable:
    """Load a file, a binary stream or a DataFrame as a :class:`RawTable`, dispatching on the format.

    Parameters
    ----------
    source : str, path-like, binary file object, pandas.DataFrame or list of dict
        The input. A path's format comes from its suffix, a stream's (``sys.stdin.buffer``) from its first
        bytes (:func:`~geoincidents.fileformats.sniff_format`), unless ``file_format`` is given. A
        stream is labelled by its ``name`` (``<stdin>``) in messages. A list of dicts (records, e.g. what
        the ``acled`` client's ``get_data`` returns) is read like a DataFrame.
    file_format : str, optional
        One of :data:`FORMATS`.

    Returns
    -------
    RawTable

    Examples
    --------
    >>> raw = read_raw(pd.DataFrame({"date": ["2024-01-28"], "location": ["Tower 22"]}))
    >>> raw.label, raw.rows.tolist(), list(raw.frame.columns)
    ('<DataFrame>', [2], ['date', 'location'])
    >>> import io
    >>> raw = read_raw(io.BytesIO(b"date,location\\n2024-01-28,Tower 22\\n"))
    >>> raw.label, raw.frame["location"].tolist()
    ('<stream>', ['Tower 22'])
    """
    if isinstance(source, pd.DataFrame):
        return drop_hxl_row(from_frame(source, FRAME_LABEL))
    if isinstance(source, list):
        if not all(isinstance(r, dict) for r in source):
            raise TypeError("read_incidents expects a list of dicts (records), got other items")
        return from_frame(pd.DataFrame(source), FRAME_LABEL)
    data: Source
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        label = name if isinstance(name, str) else STREAM_LABEL
        content = source.read()  # type: ignore[union-attr]
        if not isinstance(content, bytes):
            raise TypeError(f"{label}: read_incidents needs a binary stream (sys.stdin.buffer), not text")
        fmt = file_format or sniff_format(content)
        data = content
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"no such incident file: {str(path)!r}")
        if path.is_dir():
            raise IsADirectoryError(f"{str(path)!r} is a directory, expected an incident file")
        fmt = file_format or format_of(path)
        label, data = str(path), path
    else:
        raise TypeError(
            "read_incidents expects a path, a binary stream or a pandas DataFrame, "
            f"got {type(source).__name__}"
        )
    require_extra(fmt, label)
    return drop_hxl_row(_LOADERS[fmt](data, label))


_HXL_TAG = re.compile(r"#[a-z][a-z0-9_]*(?:\s*\+[a-z][a-z0-9_]*)*", re.IGNORECASE)


def drop_hxl_row(raw: RawTable) -> RawTable:
    """Drop a HXL hashtag row (``#date``, ``#adm1+name``, ...) under the header, as HDX exports have.

    Examples
    --------
    >>> raw = drop_hxl_row(from_frame(pd.DataFrame({"date": ["#date", "2024-01-28"],
    ...                                             "location": ["#loc", "Tower 22"]}), "<DataFrame>"))
    >>> raw.frame["date"].tolist(), raw.rows.tolist(), raw.notes
    (['2024-01-28'], [3], ['row 2 is a HXL tag row (#date, #loc): skipped'])
    """
    if not len(raw.frame):
        return raw
    first = [v for v in raw.frame.iloc[0].tolist() if isinstance(v, str) and v.strip()]
    # A tag row tags several columns, each with a hashtag and optional +attributes; a lone "#" or "#1" in a
    # data row is data, never a reason to skip the row.
    if len(first) < 2 or not all(_HXL_TAG.fullmatch(v.strip()) for v in first):
        return raw
    shown = ", ".join(v.strip() for v in first[:3]) + (", ..." if len(first) > 3 else "")
    raw.notes.append(f"row {int(raw.rows[0])} is a HXL tag row ({shown}): skipped")
    raw.frame = raw.frame.iloc[1:].reset_index(drop=True)
    raw.rows = raw.rows[1:]
    kept = []
    for pos, column, values, reason in raw.problems:  # positions follow the rows that remain
        keep = pos > 0
        if keep.any():
            kept.append((pos[keep] - 1, column, [v for v, k in zip(values, keep, strict=True) if k], reason))
    raw.problems = kept
    return raw


CSV_ENGINES = ("auto", "pyarrow", "python")
"""How :func:`load_csv` parses: ``"pyarrow"`` (pyarrow's multi-threaded reader, line numbers from one
vectorised pass over the bytes), ``"python"`` (pandas' C reader plus the ``csv`` module for line numbers),
``"auto"`` (pyarrow when it is installed). Both give the same table, row numbers, notes and problems; a file
the pyarrow path cannot account for record by record (too few or too many fields, a stray quote, a lone
carriage return, text that is not UTF-8) is read by the python path, whose messages name the byte, line and
field."""


def load_csv(source: Source, label: str, engine: str = "auto") -> RawTable:
    """CSV/TSV as text (no type guessing, empty cells stay ""), with each record's line number.

    A record with more or fewer fields than the header is a row problem of its own (its values are not
    shifted into other columns); duplicated header names are an error. ``engine`` is one of
    :data:`CSV_ENGINES`.

    Examples
    --------
    >>> data = b'date,location\\n2024-01-28,"Tower\\n22"\\n\\n2024-01-29,Erbil\\n'
    >>> raw = load_csv(data, "<stream>")
    >>> raw.rows.tolist(), raw.frame["location"].tolist()
    ([2, 5], ['Tower\\n22', 'Erbil'])
    >>> load_csv(data, "<stream>", engine="python").rows.tolist()
    [2, 5]
    """
    if engine not in CSV_ENGINES:
        raise ValueError(f"engine must be one of {CSV_ENGINES}, got {engine!r}")
    tsv = isinstance(source, Path) and source.suffix.lower() == ".tsv"
    if engine != "python":
        raw = _load_csv_arrow(source if isinstance(source, bytes) else _mapped(source), tsv, label)
        if raw is not None:
            return raw
    return _load_csv_python(source if isinstance(source, bytes) else source.read_bytes(), tsv, label)


def _mapped(path: Path) -> bytes | mmap.mmap:
    """The file's bytes memory-mapped (read-only; pyarrow and NumPy read them without a copy)."""
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _load_csv_python(data: bytes, tsv: bool, label: str) -> RawTable:
    """The whole text through pandas' C reader; line numbers and field counts from the ``csv`` module."""
    text, decoded_note = _read_text(data, label)
    preamble = _preamble(text)
    if preamble:
        text = "\n".join(text.split("\n")[preamble:])
    sep = _separator(text.split("\n", 1)[0], tsv)
    text, empty_note = _drop_empty_trailing_columns(text, sep)
    header = _csv_header(text, sep)
    _check_header(header, preamble, label)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=True, index_col=False,
        )
    except pd.errors.EmptyDataError as exc:
        raise IncidentValidationError(f"{label}: the file is empty") from exc
    except pd.errors.ParserError as exc:  # a record with too many fields: read record by record below
        if "EOF inside string" in str(exc):
            _refuse_open_quote(text, sep, label, preamble)
        raw = _load_ragged_csv(text, sep, label)
    else:
        starts, fields = _csv_records(text, sep, len(frame))
        # In a one-column file (`cut -f3`) a blank line is an empty cell, which pandas skipped.
        if len(header) == 1 or (fields != len(frame.columns)).any():
            raw = _load_ragged_csv(text, sep, label)
        else:
            if "'" in text:
                frame = _restore_formulas(frame)
            raw = RawTable(frame, starts, label)
    raw.reader = "python"
    raw.notes.extend(note for note in (decoded_note, empty_note) if note)
    return _after_preamble(raw, preamble)


def _load_csv_arrow(data: bytes | mmap.mmap, tsv: bool, label: str) -> RawTable | None:
    """pyarrow's CSV reader on the bytes; None when pyarrow is missing or the file needs the python path.

    Only the first lines are decoded in Python (preamble, separator, header); pyarrow checks the rest is
    UTF-8. Row numbers: one line per record when the file has as many lines as records (the common case),
    else :func:`_record_lines`.
    """
    try:
        import pyarrow as pa
        from pyarrow import csv as pacsv
    except ImportError:
        return None
    start = len(_BOM) if data[: len(_BOM)] == _BOM else 0
    head_end = start
    for _ in range(_HEAD_LINES):
        found = data.find(b"\n", head_end)
        if found < 0:
            head_end = len(data)
            break
        head_end = found + 1
    try:
        head = data[start:head_end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not head.strip():
        return None
    lines = head.split("\n")
    preamble = _preamble(head)
    first = lines[preamble]
    if not first.strip():
        return None
    sep = _separator(first, tsv)
    header = _csv_header("\n".join(lines[preamble:]), sep)
    if len(header) < 2 or any(not name or "\n" in name or "\r" in name for name in header):
        return None  # one column, unnamed or multi-line names: pandas' own rules apply
    _check_header(header, preamble, label)
    offset = start + sum(len(line.encode("utf-8")) + 1 for line in lines[:preamble])
    body = pa.py_buffer(data).slice(offset)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(use_threads=True, block_size=_block_size(body.size)),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True,
                                             escape_char=False, newlines_in_values=True,
                                             ignore_empty_lines=True),
            # large_string: what pandas' text dtype holds, so to_pandas() makes no copy of the text
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.large_string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # wrong field counts, bad UTF-8, an open quote
        return None
    if table.column_names != header:
        return None
    n = table.num_rows
    line_count = _count_byte(data, offset, 10) + (0 if data[-1:] == b"\n" else 1)
    if line_count == n + 1:  # one line per record, none blank
        rows = np.arange(2, n + 2, dtype=np.int64)
    else:
        found_rows = _record_lines(data, offset, ord(sep), n)
        if found_rows is None:
            return None
        rows = found_rows
    frame = table.to_pandas()
    frame = frame.astype({c: _TEXT_DTYPE for c in frame.columns if frame[c].dtype != _TEXT_DTYPE})
    if _cell_may_start_with_quote(data, offset, sep):
        frame = _restore_formulas(frame)
    return _after_preamble(RawTable(frame, rows, label, reader="pyarrow"), preamble)


def _block_size(size: int) -> int:
    """Bytes pyarrow parses per block (and thread): about :data:`_BLOCKS` blocks, at least 1 MiB (pyarrow's
    default), so that a big file's columns come in a few chunks rather than one per MiB."""
    return max(1 << 20, -(-size // _BLOCKS))


_BLOCKS = 16
"""Blocks a big CSV file is parsed in (each column gets one chunk per block)."""
_BOM = b"\xef\xbb\xbf"
_HEAD_LINES = 21
"""Lines decoded in Python by the pyarrow path: the preamble rule looks at the first 20."""
_TEXT_DTYPE = pd.Series([""], dtype=str).dtype
"""What ``pd.read_csv(dtype=str)`` gives (``str`` on pandas 3, ``object`` before): the python path's dtype."""


def _cell_may_start_with_quote(data: bytes | mmap.mmap, offset: int, sep: str) -> bool:
    """Whether some cell may begin with ``'`` (a formula neutralised by write_incidents): a ``'`` at the
    start, after a separator, a line end or an opening double quote (files have few ``'``: only those)."""
    before = {ord(sep), 10, 13, 34}
    found = data.find(b"'", offset)
    if found == offset:
        return True
    while found >= 0:
        if data[found - 1] in before:
            return True
        found = data.find(b"'", found + 1)
    return False


_COUNT_BLOCK = 1 << 22
"""Bytes compared at a time by :func:`_count_byte` (a small temporary, whatever the file's size)."""


def _count_byte(data: bytes | mmap.mmap, offset: int, byte: int) -> int:
    """How many times ``byte`` occurs in ``data`` from ``offset`` on."""
    body = np.frombuffer(data, dtype=np.uint8)[offset:]
    return sum(int(np.count_nonzero(body[i : i + _COUNT_BLOCK] == byte))
               for i in range(0, len(body), _COUNT_BLOCK))


def _record_lines(data: bytes | mmap.mmap, offset: int, sep: int, n: int) -> np.ndarray | None:
    """Line on which each of the ``n`` data records after ``offset`` starts (its header = line 1), in one
    vectorised pass; None when the quoting is not plain RFC 4180 or the records do not number ``n``.

    A newline ends a record when an even number of quotes precedes it. That holds when every quote opens a
    field, closes one (a separator, line end or the end follows) or is half of a doubled quote inside one;
    anything else (``12" rocket``) and lone carriage returns are left to the ``csv`` module.
    """
    body = np.frombuffer(data, dtype=np.uint8)[offset:]
    size = len(body)
    cr = np.flatnonzero(body == 13)
    if len(cr) and ((cr + 1 >= size) | (body[np.minimum(cr + 1, size - 1)] != 10)).any():
        return None
    newlines = np.flatnonzero(body == 10)
    quotes = np.flatnonzero(body == 34)
    if len(quotes) % 2:
        return None
    if len(quotes):
        ends = (sep, 10, 13)
        before = body[np.maximum(quotes - 1, 0)]
        after = body[np.minimum(quotes + 1, size - 1)]
        adjacent_prev = np.zeros(len(quotes), dtype=bool)
        adjacent_prev[1:] = np.diff(quotes) == 1
        adjacent_next = np.zeros(len(quotes), dtype=bool)
        adjacent_next[:-1] = adjacent_prev[1:]
        opening = (quotes == 0) | np.isin(before, (sep, 10))
        closing = (quotes + 1 == size) | np.isin(after, ends)
        even = np.arange(len(quotes)) % 2 == 0
        if not np.where(even, opening | adjacent_prev, closing | adjacent_next).all():
            return None
        ends_record = np.searchsorted(quotes, newlines) % 2 == 0
        newlines_ending = newlines[ends_record]
    else:
        newlines_ending = newlines
    starts = np.concatenate([[0], newlines_ending + 1])
    starts = starts[starts < size]
    first = body[starts]
    second = body[np.minimum(starts + 1, size - 1)]
    blank = (first == 10) | ((first == 13) & (starts + 1 < size) & (second == 10))
    records = starts[~blank]
    if len(records) != n + 1 or records[0] != 0:
        return None
    return np.searchsorted(newlines, records[1:]).astype(np.int64) + 1


def _separator(first_line: str, tsv: bool) -> str:
    """Tab for ``.tsv`` files and tab-separated headers; ``;`` for a header with ``;``, no comma; or ``,``."""
    if tsv or ("\t" in first_line and "," not in first_line):
        return "\t"
    if ";" in first_line and "," not in first_line:  # spreadsheets in some locales
        return ";"
    return ","


def _check_header(header: list[str], preamble: int, label: str) -> None:
    """Duplicated header names are an error naming the header's line."""
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise IncidentValidationError(
            f"{label}: duplicated column names in the header (line {preamble + 1}): "
            f"{', '.join(map(repr, duplicated))}"
        )


def _after_preamble(raw: RawTable, preamble: int) -> RawTable:
    """Row numbers and the note for a file whose header came after ``preamble`` skipped lines."""
    if preamble:
        raw.rows = raw.rows + preamble
        raw.header_line = preamble + 1
        raw.notes.append(f"header found on line {preamble + 1}; lines 1-{preamble} look like a preamble "
                         f"(skipped)")
    return raw


def load_geojson(source: Source, label: str) -> RawTable:
    """GeoJSON through GDAL: properties as columns (dates kept as their text); a Point gives lat/lon.

    A JSON document that is an ACLED API response (``{"data": [...]}``), a UCDP API page
    (``{"Result": [...]}``) or an array of records is read as a table of those records.
    """
    # Checked before GDAL, whose messages name its in-memory file instead of the input.
    text = _read_utf8(source, label)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IncidentValidationError(
            # json's "Unterminated string starting at" already ends in "at"
            f"{label}: not valid JSON: {exc.msg.removesuffix(' at')} at line {exc.lineno} column {exc.colno}"
        ) from exc
    records = _json_records(doc, label)  # an ACLED or UCDP API response, or an array of records
    if records is not None:
        frame = pd.DataFrame(records)
        return RawTable(frame, np.arange(2, len(frame) + 2, dtype=np.int64), label)
    if not isinstance(doc, dict) or doc.get("type") not in ("Feature", "FeatureCollection"):
        raise IncidentValidationError(
            f"{label}: not a GeoJSON FeatureCollection, an ACLED API response ({{\"data\": [...]}}), "
            f"a UCDP API page ({{\"Result\": [...]}}) or a JSON array of records"
        )
    gdf = _read_with_gdal(source, label, "geojson", DATE_AS_STRING="YES")
    raw = from_frame(gdf, label)
    # GDAL reads a geometry it cannot make sense of (a string, bad coordinates) as none at all: look at those
    # features in the document, so that they are row problems and not incidents silently without a place.
    missing = np.flatnonzero(gdf.geometry.isna().to_numpy())
    if len(missing) and not _has_coordinate_columns(gdf.columns):
        features = doc.get("features") or [] if doc.get("type") != "Feature" else [doc]
        for i in missing:
            feature = features[i] if i < len(features) and isinstance(features[i], dict) else {}
            geometry = feature.get("geometry")
            problem = None if geometry is None or geometry == {} else _point_problem(geometry)
            if problem is not None:
                shown = str(geometry.get("type")) if isinstance(geometry, dict) else json.dumps(geometry)
                raw.problems.append((np.asarray([i]), "geometry", [shown[:200]], problem))
    return raw


def load_gpkg(source: Source, label: str) -> RawTable:
    """The first layer of a GeoPackage through GDAL."""
    return from_frame(_read_with_gdal(source, label, "gpkg"), label)


def load_fgb(source: Source, label: str) -> RawTable:
    """A FlatGeobuf file through GDAL, in the file's feature order."""
    return from_frame(_read_with_gdal(source, label, "fgb"), label)


def load_shapefile(source: Source, label: str) -> RawTable:
    """A Shapefile (``.shp`` with its ``.dbf``, or zipped) through GDAL; short field names made long again.

    The short names are those of :data:`~geoincidents.fileformats.SHAPEFILE_FIELDS`; a field is renamed
    only when the table has no column of the long name already. A ``.dbf`` cannot tell an empty text from a
    missing one: both are read as ``""``, as in a CSV file; nor does it keep leading or trailing spaces.
    """
    raw = from_frame(_read_with_gdal(source, label, "shp"), label)
    for name in raw.frame.columns:
        column = raw.frame[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            raw.frame[name] = column.fillna("")
    long_names = {short: name for name, short in SHAPEFILE_FIELDS.items() if short != name}
    present = set(raw.frame.columns)
    rename = {c: long_names[c] for c in raw.frame.columns if c in long_names and long_names[c] not in present}
    raw.frame = raw.frame.rename(columns=rename)
    return raw


def load_parquet(source: Source, label: str) -> RawTable:
    """GeoParquet through geopandas; plain Parquet (no geo metadata) through pandas (both need pyarrow)."""
    import geopandas

    def target() -> Any:
        return io.BytesIO(source) if isinstance(source, bytes) else source

    try:
        frame = geopandas.read_parquet(target())
    except ValueError:  # no geo metadata: plain Parquet
        try:
            frame = pd.read_parquet(target())
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise IncidentValidationError(f"{label}: not a readable Parquet file: {exc}") from exc
    except Exception as exc:
        raise IncidentValidationError(f"{label}: not a readable Parquet file: {exc}") from exc
    if len(frame.columns) == 0:
        raise IncidentValidationError(f"{label}: the file is empty")
    return from_frame(frame, label)


def load_excel(source: Source, label: str) -> RawTable:
    """The first sheet; cell values as openpyxl gives them (dates as datetimes), empty cells as ""."""
    target = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        frame = pd.read_excel(target, sheet_name=0, dtype=object, na_filter=False, engine="openpyxl")
    except Exception as exc:  # ValueError, zipfile.BadZipFile, openpyxl errors
        raise IncidentValidationError(f"{label}: not a readable Excel file: {exc}") from exc
    if len(frame.columns) == 0:
        raise IncidentValidationError(f"{label}: the file is empty")
    # Sheet row numbers: header on row 1. pandas keeps blank rows inside the data; drop them (as the CSV
    # reader skips blank lines) but keep the numbers of the rows that remain.
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    blank = frame.apply(lambda c: c.isna() | (c.astype(str).str.strip() == "")).all(axis=1).to_numpy()
    if blank.any():
        frame = frame.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    return RawTable(frame, rows, label)


def from_frame(frame: pd.DataFrame, label: str) -> RawTable:
    """A DataFrame (or GeoDataFrame, whose Point geometry becomes lat/lon) as raw input."""
    problems: list[tuple[np.ndarray, str, list[str], str]] = []
    if geometry_name(frame) is not None:
        frame, problems = _split_geometry(frame)
    frame = pd.DataFrame(frame).reset_index(drop=True)
    return RawTable(frame, np.arange(2, len(frame) + 2, dtype=np.int64), label, problems)


# -- helpers -------------------------------------------------------------------------------------------------
def _json_records(doc: Any, label: str) -> list[dict[str, Any]] | None:
    """The records of an API response saved as JSON, or None when the document is not one.

    ACLED (the key-based API and the current OAuth one): ``{"status": 200, "success": true, "count": n,
    "data": [...]}``; UCDP GED API pages: ``{"TotalCount": n, ..., "Result": [...]}``; or a bare array of
    objects.
    """
    if isinstance(doc, list):
        items = doc
    elif isinstance(doc, dict) and isinstance(doc.get("data"), list) and "type" not in doc:
        if doc.get("success") is False:
            raise IncidentValidationError(f"{label}: the API response reports failure: {doc.get('error')!r}")
        items = doc["data"]
    elif isinstance(doc, dict) and isinstance(doc.get("Result"), list):
        items = doc["Result"]
    else:
        return None
    if not items:
        raise IncidentValidationError(f"{label}: the file is empty (no records)")
    bad = next((i for i, item in enumerate(items) if not isinstance(item, dict)), None)
    if bad is not None:
        raise IncidentValidationError(f"{label}: record {bad + 1} is not a JSON object")
    return items


def _preamble(text: str) -> int:
    """How many lines come before the header: leading lines with at most one non-empty field whatever the
    separator (a title such as ``(Sample)``, a blank line) when a line with several fields follows."""
    lines = text.split("\n")
    for skipped, line in enumerate(lines[:20]):
        widest = max(len([f for f in next(csv.reader([line], delimiter=sep), []) if f.strip()])
                     for sep in (",", ";", "\t"))
        if widest > 1:
            return skipped
    return 0


def _read_text(data: bytes, label: str) -> tuple[str, str]:
    """The file's text and a note: UTF-8, else Windows-1252 (ACLED's files before 2017) when every byte
    decodes as it and the file is not UTF-16; else the error of :func:`_read_utf8`."""
    try:
        return _read_utf8(data, label), ""
    except IncidentValidationError as exc:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff") or not isinstance(exc.__cause__, UnicodeDecodeError):
            raise
        first = exc.__cause__.start
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise exc from exc.__cause__
    line = data.count(b"\n", 0, first) + 1
    return text.removeprefix("\ufeff"), (
        f"not UTF-8 (byte 0x{data[first]:02x} on line {line}): read as Windows-1252, the encoding of older "
        f"exports; save the file as UTF-8 to silence this")


def _drop_empty_trailing_columns(text: str, sep: str) -> tuple[str, str]:
    """Cut header cells that are empty at the end of the header when no record has a value under them.

    Spreadsheet exports leave such cells (``...,notes,,,``); kept, they are unnamed duplicate columns.
    A value under one of them keeps them all (the field counts then decide).
    """
    header = _csv_header(text, sep)
    empty = 0
    for name in reversed(header):
        if name.strip():
            break
        empty += 1
    if not empty or empty == len(header):
        return text, ""
    width = len(header) - empty
    with _no_csv_field_limit():
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    if any(any(cell.strip() for cell in record[width:]) for record in records):
        return text, ""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    for record in records:
        writer.writerow(record[:width] if len(record) > width else record)
    return buffer.getvalue(), (f"the header ends in {empty} empty cell(s) with no value under them in any "
                               f"row: those columns were dropped")


def _read_utf8(source: Source, label: str) -> str:
    """The file's text; raise naming the byte offset and line when it is empty or not UTF-8."""
    data = source if isinstance(source, bytes) else source.read_bytes()
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


def _restore_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Remove the one quote that write_incidents put before a formula-like cell."""
    for name in frame.columns:
        column = frame[name]
        quoted = column.str.startswith("'").to_numpy(dtype=bool)
        if quoted.any():
            neutralised = quoted & column.str.match("'" + FORMULA_START[1:]).to_numpy(dtype=bool)
            if neutralised.any():
                frame[name] = column.where(~neutralised, column.str[1:])
    return frame


def _csv_header(text: str, sep: str) -> list[str]:
    """The header record's names (the first non-blank record)."""
    with _no_csv_field_limit():
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            if not _blank(record):
                return record
    return []


def _csv_records(text: str, sep: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Line on which each data record starts (header = line 1) and its number of fields."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines == n + 1 and '"' not in text:
        # One line per record, nothing quoted (the common case): count separators per line, no CSV scan.
        data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
        ends = np.flatnonzero(data == 10)
        if len(ends) < lines:
            ends = np.append(ends, len(data))
        seps = np.flatnonzero(data == ord(sep))
        per_line = np.diff(np.searchsorted(seps, ends), prepend=0) + 1
        return np.arange(2, n + 2, dtype=np.int64), per_line[1 : n + 1].astype(np.int64)
    starts, fields, _ = _scan_csv(text, sep)
    if len(starts) != n:  # disagreement with pandas (odd whitespace lines): fall back to positions
        return np.arange(2, n + 2, dtype=np.int64), np.asarray(fields[:n] + [0] * (n - len(fields[:n])))
    return np.asarray(starts, dtype=np.int64), np.asarray(fields, dtype=np.int64)


def _scan_csv(text: str, sep: str) -> tuple[list[int], list[int], list[list[str]]]:
    """With the csv module (C): start line, field count and fields of each data record (blank lines skipped,
    but in a one-column file, where a blank line is an empty cell)."""
    starts: list[int] = []
    fields: list[int] = []
    records: list[list[str]] = []
    with _no_csv_field_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        previous = 0
        for record in reader:
            start = previous + 1
            previous = reader.line_num
            if _blank(record):
                if not (records and len(records[0]) == 1):
                    continue
                record = [record[0] if record else ""]  # under a one-column header: an empty cell
            starts.append(start)
            fields.append(len(record))
            records.append(record)
    return starts[1:], fields[1:], records  # the header is not a data record


def _load_ragged_csv(text: str, sep: str, label: str) -> RawTable:
    """A CSV whose records do not all have the header's number of fields, read record by record.

    Short records are padded with empty cells and long ones cut to the header's width, so that no value
    lands in another column; each such record is a row problem that says how many fields it has.
    """
    starts, fields, records = _scan_csv(text, sep)
    header, body = records[0], records[1:]
    width = len(header)
    cells = [(r + [""] * (width - len(r)))[:width] for r in body]
    frame = pd.DataFrame(cells, columns=header, dtype=object).astype(str) if cells else pd.DataFrame(
        columns=header, dtype=str
    )
    counts = np.asarray(fields, dtype=np.int64)
    bad = np.flatnonzero(counts != width)
    raw = RawTable(frame, np.asarray(starts, dtype=np.int64), label)
    if len(bad):
        column = str(header[-1])
        values = [sep.join(body[i]) for i in bad]
        reasons = [f"the row has {counts[i]} fields, the header {width}" for i in bad]
        for i, value, reason in zip(bad, values, reasons, strict=True):
            raw.problems.append((np.asarray([i]), column, [value], reason))
    return raw


def _refuse_open_quote(text: str, sep: str, label: str, preamble: int) -> None:
    """Raise for a quote opened in the last record and never closed: the csv module would take the rest
    of the file, every later record included, as that one cell."""
    starts, fields, records = _scan_csv(text, sep)
    header = records[0] if records else []
    line = (starts[-1] if starts else 1) + preamble
    width = fields[-1] if starts else len(header)
    column = header[min(width, len(header)) - 1] if header else ""
    raise IncidentValidationError(
        f"{label}: line {line}: a quote opened in column {column!r} is never closed, so the rest of the file "
        "would be one cell; close the quote or double it (\"\") if it is part of the text"
    )


def _blank(record: list[str]) -> bool:
    """A record pandas skips as a blank line: no fields, or one field of white space (``,`` is not blank)."""
    return not record or (len(record) == 1 and not record[0].strip())


@contextlib.contextmanager
def _no_csv_field_limit() -> Iterator[None]:
    """Lift the csv module's field size limit (131,072 characters) for one scan; it is process-wide."""
    old = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _point_problem(geometry: Any) -> str | None:
    """What is wrong with a GeoJSON geometry that should be a Point (None if it is a good Point)."""
    if not isinstance(geometry, dict):
        return f"geometry is not a GeoJSON object (it is a {type(geometry).__name__})"
    if geometry.get("type") != "Point":
        return "geometry is not a Point"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return "Point coordinates must be [longitude, latitude]"
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in coords[:2])
    if not numbers or not all(np.isfinite(coords[:2])):
        return "Point coordinates are not numbers"
    return None


def _read_with_gdal(source: Source, label: str, fmt: str, **open_options: str) -> Any:
    """A vector file through ``geopandas.read_file`` (pyogrio): its first layer, in file order."""
    import geopandas
    from pyogrio.errors import DataLayerError, DataSourceError

    if isinstance(source, bytes) and not source.strip():
        raise IncidentValidationError(f"{label}: the file is empty")
    title = FILE_FORMATS[fmt].title
    driver = FILE_FORMATS[fmt].driver
    target: Any = source
    if isinstance(source, Path) and fmt == "shp" and source.name.lower().endswith((".zip", ".shz")):
        target = f"/vsizip/{source}"
    try:
        with warnings.catch_warnings():
            # GDAL's notes on in-memory names ("non conformant file extension") are not the user's problem.
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = geopandas.read_file(target, engine="pyogrio", driver=driver if fmt != "shp" else None,
                                        **open_options)
    except (DataSourceError, DataLayerError) as exc:
        detail = str(exc).split(";")[0]
        if "/vsimem/" in detail or str(source) in detail:  # GDAL names its own path: say what it means
            detail = "GDAL does not recognise it"
        raise IncidentValidationError(f"{label}: not a readable {title} file: {detail}") from exc
    except Exception as exc:  # a truncated file can fail deeper in pyogrio (IndexError, ValueError)
        raise IncidentValidationError(f"{label}: not a readable {title} file ({type(exc).__name__})") from exc
    if len(frame) == 0 and len(frame.columns) <= 1:
        raise IncidentValidationError(f"{label}: the file is empty (no features)")
    return frame


def _has_coordinate_columns(columns: Any) -> bool:
    return any(schema.canonical_column(c) in ("lat", "lon") for c in columns)


def _split_geometry(gdf: Any) -> tuple[pd.DataFrame, list[tuple[np.ndarray, str, list[str], str]]]:
    """Drop the active geometry; without lat/lon columns, Points give them (non-Points are problems)."""
    import shapely

    name = str(gdf.geometry.name)
    plain = pd.DataFrame(gdf.drop(columns=name))
    problems: list[tuple[np.ndarray, str, list[str], str]] = []
    if _has_coordinate_columns(plain.columns):
        return plain, problems
    lat, lon, not_point = latlon_from_geometry(gdf.geometry)
    if not np.isnan(lat).all():
        plain["lat"] = lat
        plain["lon"] = lon
    bad = np.flatnonzero(not_point)
    if len(bad):
        type_ids = shapely.get_type_id(np.asarray(gdf.geometry.array, dtype=object)[bad])
        names = [GEOMETRY_TYPE_NAMES.get(int(t), str(t)) for t in type_ids]
        problems.append((bad, name, names, "geometry is not a Point"))
    return plain, problems


_LOADERS = {
    "csv": load_csv,
    "geojson": load_geojson,
    "gpkg": load_gpkg,
    "fgb": load_fgb,
    "shp": load_shapefile,
    "parquet": load_parquet,
    "excel": load_excel,
}
