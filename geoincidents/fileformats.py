"""The file formats incident tables are read from and written to: one table, one home.

Each format has a name (what ``file_format=`` and the command line's ``--format`` take), the suffixes that
imply it, the GDAL driver when it goes through ``geopandas.read_file``/``to_file`` (pyogrio), and the optional
extra a user must install when it needs one.

=========== ============================== ================ ========== ==============
name        suffixes                       library          extra      stdin/stdout
=========== ============================== ================ ========== ==============
csv         .csv .tsv .txt                 pandas           -          yes
geojson     .geojson .json                 pyogrio (GDAL)   -          yes
gpkg        .gpkg                          pyogrio (GDAL)   -          yes
fgb         .fgb                           pyogrio (GDAL)   -          yes
shp         .shp, .shp.zip / .shz (zipped) pyogrio (GDAL)   -          zipped only
parquet     .parquet .geoparquet .pq       pyarrow          parquet    yes
excel       .xlsx .xlsm                    openpyxl         excel      read only
=========== ============================== ================ ========== ==============

A Shapefile's ``.dbf`` keeps field names of at most 10 characters: :data:`SHAPEFILE_FIELDS` gives the short
name of every schema and join column (and of their ``_reported`` originals), so that reading a Shapefile
written by :func:`~geoincidents.write_incidents` gives the same columns back.
"""

from __future__ import annotations

import importlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import schema

__all__ = [
    "FileFormat",
    "FILE_FORMATS",
    "FORMATS",
    "WRITABLE_FORMATS",
    "MissingExtraError",
    "SHAPEFILE_FIELDS",
    "format_of",
    "sniff_format",
    "require_extra",
]


@dataclass(frozen=True)
class FileFormat:
    """One file format: its name, suffixes, GDAL driver (or None) and the extra it needs (or None)."""

    name: str
    title: str
    suffixes: tuple[str, ...]
    driver: str | None = None
    module: str | None = None
    extra: str | None = None
    writable: bool = True


FILE_FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat("csv", "CSV", (".csv", ".tsv", ".txt")),
        FileFormat("geojson", "GeoJSON", (".geojson", ".json"), driver="GeoJSON"),
        FileFormat("gpkg", "GeoPackage", (".gpkg",), driver="GPKG"),
        FileFormat("fgb", "FlatGeobuf", (".fgb",), driver="FlatGeobuf"),
        FileFormat("shp", "Shapefile", (".shp", ".shp.zip", ".shz"), driver="ESRI Shapefile"),
        FileFormat("parquet", "Parquet", (".parquet", ".geoparquet", ".pq"), module="pyarrow",
                   extra="parquet"),
        FileFormat("excel", "Excel", (".xlsx", ".xlsm"), module="openpyxl", extra="excel", writable=False),
    )
}
"""Every format, by name."""

FORMATS = tuple(FILE_FORMATS)
"""The names of the formats read."""

WRITABLE_FORMATS = tuple(name for name, f in FILE_FORMATS.items() if f.writable)
"""The names of the formats written."""


class MissingExtraError(ImportError):
    """A format needs an optional dependency that is not installed; the message names the extra.

    Attributes
    ----------
    extra : str
        The extra to install, as in ``pip install "geoincidents[parquet]"``.
    """

    def __init__(self, message: str, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


_JOIN_COLUMNS = (
    "site_name", "match_method", "match_score", "distance_m", "match_candidates", "match_warning"
)


def _abbreviations() -> dict[str, str]:
    short = {"incident_id": "inc_id", "date_precision": "date_prec", "location_precision": "loc_prec",
             "claim_status": "claim_stat", "match_method": "match_meth", "match_score": "match_scor",
             "match_candidates": "match_cand", "match_warning": "match_warn"}
    fields: dict[str, str] = {}

    def add(name: str, candidate: str) -> None:
        taken = set(fields.values())
        unique, n = candidate[:10], 1
        while unique in taken:  # a numbered variant that still fits 10 characters
            n += 1
            unique = f"{candidate[:10 - len(str(n))]}{n}"
        fields[name] = unique

    for name in (*schema.COLUMN_NAMES, *_JOIN_COLUMNS):
        if name not in fields:
            add(name, short.get(name, name))
    for name in schema.COLUMN_NAMES:
        add(f"{name}_reported", f"{fields[name][:6].rstrip('_')}_rep")
    return fields


SHAPEFILE_FIELDS: dict[str, str] = _abbreviations()
"""Column name -> Shapefile field name (at most 10 characters) for the schema and join columns."""


def format_of(path: str | Path) -> str:
    """The format of a path from its suffix, with a helpful error for the ones not read.

    Examples
    --------
    >>> format_of("attacks.gpkg"), format_of("attacks.shp.zip"), format_of("a.CSV")
    ('gpkg', 'shp', 'csv')
    """
    name = Path(path).name.lower()
    for fmt in FILE_FORMATS.values():
        if any(name.endswith(suffix) for suffix in fmt.suffixes):
            return fmt.name
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise ValueError(f"{path}: the old .xls Excel format is not supported; save the sheet as .xlsx")
    raise ValueError(
        f"{path}: cannot tell the format from the suffix {suffix!r}; give the format "
        f"(file_format= or --format), one of {', '.join(FORMATS)}"
    )


def sniff_format(data: bytes) -> str:
    """The format of a file's bytes (for standard input, which has no suffix), from its first bytes.

    Parquet, GeoPackage (SQLite), FlatGeobuf and ZIP (Excel or a zipped Shapefile) have magic numbers; text
    that starts with ``{`` is GeoJSON; any other text is CSV.

    Examples
    --------
    >>> sniff_format(b'{"type": "FeatureCollection", "features": []}'), sniff_format(b"date,location\\n")
    ('geojson', 'csv')
    """
    if data.startswith(b"PAR1"):
        return "parquet"
    if data.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if data.startswith(b"fgb\x03"):
        return "fgb"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "excel"
        return "shp" if any(n.lower().endswith(".shp") for n in names) else "excel"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):  # GeoJSON or API JSON
        return "geojson"
    return "csv"


def require_extra(file_format: str, label: str) -> None:
    """Import the optional module a format needs; raise :class:`MissingExtraError` naming the extra if absent.

    Examples
    --------
    >>> require_extra("csv", "x.csv")  # nothing to import
    """
    fmt = FILE_FORMATS[file_format]
    if fmt.module is None or fmt.extra is None:
        return
    try:
        importlib.import_module(fmt.module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{label}: {fmt.title} files need the optional dependency {fmt.module}, which is not installed: "
            f'install geoincidents[{fmt.extra}] (pip install "geoincidents[{fmt.extra}]")',
            fmt.extra,
        ) from exc
