"""Read, validate and write incident tables (a package: one module per step).

* :mod:`~geoincidents.fileformats` (outside the package, so the command line can import it without pandas):
  the formats, their suffixes, drivers and optional extras;
* :mod:`~geoincidents.incidents.loading`: one function per format, each giving a :class:`RawTable`
  (:func:`read_raw` dispatches);
* :mod:`~geoincidents.incidents.validation`: the table mapped onto the schema and checked row by row;
* :mod:`~geoincidents.incidents.parsing`: cell parsers (text, dates, numbers);
* :mod:`~geoincidents.incidents.problems`: errors, warnings, :class:`ReadResult`;
* :mod:`~geoincidents.incidents.writing`: :func:`write_incidents`.

:func:`read_incidents` turns a CSV, GeoJSON, GeoPackage, FlatGeobuf, Shapefile, (Geo)Parquet or Excel file
(or the same bytes on standard input), an ACLED export, or an in-memory DataFrame into the incident table
described in ``DEVELOPERS.md`` (columns, order and dtypes from
:mod:`geoincidents.schema`), and checks every row. :func:`write_incidents` writes a table back so that
reading it again gives the same table.

Row numbers
-----------
Every problem names the file (its path, or ``"<DataFrame>"``), the row and the input column as the input
spells it. Rows are numbered as in the file, the header being line 1: the first data row is row 2. For CSV
files this is the physical line where the record starts (records spanning several lines, skipped blank
lines and a skipped preamble are accounted for); for Excel it is the sheet row; for the GIS formats, Parquet
and DataFrames, which have no lines, it is the 0-based position + 2, as if the table were written to a CSV
file with a header.

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

``strict=True`` also rejects: values outside the closed vocabularies and points outside the stated country
(every ACLED and UCDP row has a mapping: see :mod:`geoincidents.sources`). With ``strict=False`` those rows
are kept: unrecognised vocabulary values become the vocabulary's fallback (``unknown``, ``other`` for
``event_type``, ``unverified`` for ``claim_status``), the original column is kept unchanged as
``<column>_reported``, and a :class:`IncidentWarning` lists the distinct values and their counts.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO, Literal

import pandas as pd

from ..fileformats import FORMATS, WRITABLE_FORMATS, MissingExtraError
from .loading import RawTable, read_raw
from .problems import FRAME_LABEL, IncidentValidationError, IncidentWarning, ReadResult
from .validation import COUNTRY_TOLERANCE_M, validate
from .writing import write_incidents

__all__ = [
    "read_incidents",
    "write_incidents",
    "read_raw",
    "validate",
    "RawTable",
    "ReadResult",
    "IncidentValidationError",
    "IncidentWarning",
    "FRAME_LABEL",
    "COUNTRY_TOLERANCE_M",
    "FORMATS",
    "WRITABLE_FORMATS",
    "MissingExtraError",
]


def read_incidents(
    path_or_frame: str | os.PathLike[str] | BinaryIO | pd.DataFrame | list[dict[str, Any]],
    *,
    errors: Literal["raise", "report"] = "raise",
    strict: bool = False,
    file_format: str | None = None,
    source: str | None = None,
    dayfirst: bool | None = None,
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
    path_or_frame : str, path-like, binary file object or pandas.DataFrame
        A ``.csv``/``.tsv`` (UTF-8, BOM allowed), ``.geojson``/``.json``, ``.gpkg``, ``.fgb``, ``.shp`` (or
        zipped ``.shp.zip``), ``.parquet``/``.geoparquet`` (GeoParquet or plain Parquet) or ``.xlsx`` file; a
        binary stream such as ``sys.stdin.buffer`` (its format from ``file_format`` or its first bytes,
        problems labelled with its name, ``<stdin>``); or a DataFrame/GeoDataFrame (whose index is
        ignored). A GeoDataFrame's Point geometry gives ``lat``/``lon`` when it has no such columns; the
        geometry column is not kept.
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: raise one :class:`IncidentValidationError` listing every row problem.
        ``"report"``: return a :class:`ReadResult` with the valid rows and the rejected rows.
    strict : bool, default False
        Also reject unrecognised vocabulary values and points outside their stated country, instead of
        keeping them with a warning.
    file_format : {"csv", "geojson", "gpkg", "fgb", "shp", "parquet", "excel"}, optional
        Override the format inferred from the file suffix or a stream's first bytes (``"geojson"`` also reads
        API responses saved as JSON: ACLED ``{"data": [...]}``, UCDP ``{"Result": [...]}``,
        or an array of records).
    source : {"acled", "ucdp", "table"}, optional
        Force a data source (:mod:`geoincidents.sources`); by default it is detected from the columns.
    dayfirst : bool, optional
        Day/month order of all-number dates (``31-12-19``, ``12/31/2019``). By default it is decided once
        per column from all its values; a column whose every value reads both ways is then an error.

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
    MissingExtraError
        If the format needs an optional extra that is not installed (the message names it, e.g.
        ``install geoincidents[parquet]``); an :class:`ImportError`.
    TypeError, ValueError
        For bad arguments.

    Notes
    -----
    CSV files are parsed by pyarrow's multi-threaded reader when pyarrow is installed (``pip install
    geoincidents[parquet]``), else by pandas' C reader; both give the same table, row numbers and problems
    (see :data:`geoincidents.incidents.loading.CSV_ENGINES`).

    ACLED and UCDP GED are mapped by :mod:`geoincidents.sources.acled` and :mod:`geoincidents.sources.ucdp`
    (rules in ``docs/sources.md``): who attacked whom decides ``event_type``; rows that do not involve
    US/coalition forces become ``other_conflict_event`` (none is dropped), and an :class:`IncidentWarning`
    gives the count per rule. The sources' own classes are kept in ``source_event_type`` and
    ``source_sub_event_type``; their other columns are kept unchanged.

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
    if file_format is not None and file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {sorted(FORMATS)}, got {file_format!r}")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise TypeError(f"dayfirst must be True, False or None, got {dayfirst!r}")
    if source is not None:
        from ..sources import source_layout

        source_layout(source)  # raises for an unknown name
    return validate(read_raw(path_or_frame, file_format), errors=errors, strict=strict, source=source,
                    dayfirst=dayfirst)
