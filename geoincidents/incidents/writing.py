"""Writing incident tables back to files, so that reading them again gives the same table.

One writer per format (``write_<format>(table, path, layer)``), each writing a plain table (no active
geometry) to a path; :func:`write_incidents` picks the writer, writes through
:func:`geoincidents._files.atomic_path` (or into a temporary folder when the destination is a stream such
as ``sys.stdout.buffer``) and returns the path. GeoJSON, GeoPackage, FlatGeobuf and Shapefile go through
``GeoDataFrame.to_file`` (engine pyogrio); GeoParquet through pyarrow.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from .._files import atomic_file_set, atomic_path
from .._geo import drop_geometry, latlon_columns, points_from_latlon
from ..fileformats import FILE_FORMATS, SHAPEFILE_FIELDS, WRITABLE_FORMATS, format_of, require_extra
from .loading import FORMULA_START

__all__ = [
    "write_incidents",
    "write_csv",
    "write_geojson",
    "write_gpkg",
    "write_fgb",
    "write_shapefile",
    "write_parquet",
]

STREAM_LAYER = "incidents"
"""The layer name of a table written to a stream (a file's layer is named after the file)."""

_FIXED_DATE = "2000-01-01T00:00:00.000Z"  # GeoPackage "last change": fixed, so output is byte-reproducible
_SHAPEFILE_TEXT_BYTES = 254


def write_incidents(
    df: pd.DataFrame, path: str | os.PathLike[str] | BinaryIO, *, file_format: str | None = None
) -> Path | None:
    """Write an incident table so that :func:`read_incidents` reads back the same rows and columns.

    Schema columns come back with the same values and dtypes in every format; extra columns too, except that
    GeoJSON stores numbers as JSON numbers. Dates are written as ``YYYY-MM-DD`` (GeoJSON, Shapefile) or as
    date-times (GeoPackage, FlatGeobuf, Parquet); missing values as empty cells (CSV) or nulls. Geographic
    formats get a Point geometry in EPSG:4326 from ``lat``/``lon`` (none where missing); GeoJSON, GeoPackage,
    FlatGeobuf and Shapefile carry the position only in the geometry, GeoParquet keeps the columns too. A
    GeoDataFrame's own geometry column is not written (geometry comes from ``lat``/``lon``). Output is
    reproducible byte for byte.

    Spreadsheet formula injection: in CSV, a text cell that a spreadsheet would run as a formula (one
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, as OWASP lists them) is written
    with a leading ``'``, which spreadsheets show as text; so is a text cell that already starts with
    quotes before such a character. :func:`read_incidents` removes exactly that one quote again, so a
    table round-trips unchanged. Number columns are never touched (``-3.5`` stays a number).

    Parameters
    ----------
    df : pandas.DataFrame
        An incident table, normally from :func:`read_incidents` (any columns are written).
    path : str, path-like or binary file object
        Destination. The format comes from the suffix (``.csv``, ``.geojson``/``.json``, ``.gpkg``, ``.fgb``,
        ``.shp`` or zipped ``.shp.zip``, ``.parquet``/``.geoparquet``) unless ``file_format`` is given. A
        stream (``sys.stdout.buffer``) needs ``file_format``; a Shapefile is then written zipped.
    file_format : {"csv", "geojson", "gpkg", "fgb", "shp", "parquet"}, optional
        Override the format inferred from the suffix.

    Returns
    -------
    pathlib.Path or None
        The path written (None for a stream).

    Raises
    ------
    TypeError
        If `df` is not a DataFrame.
    ValueError
        If the format is unknown, `df` has no ``lat``/``lon`` columns for a geographic format, or a Shapefile
        cannot hold the table (a text over 254 bytes, a column name over 10 characters that has no short
        name).
    geoincidents.fileformats.MissingExtraError
        If the format needs an optional extra that is not installed (Parquet: ``geoincidents[parquet]``).

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> from geoincidents import read_incidents
    >>> table = read_incidents(pd.DataFrame({"date": ["2024-01-28"], "location": ["Tower 22"],
    ...                                      "lat": [33.32], "lon": [38.70]}))
    >>> folder = tempfile.mkdtemp()
    >>> all(read_incidents(write_incidents(table, os.path.join(folder, name))).equals(table)
    ...     for name in ("out.csv", "out.gpkg", "out.fgb", "out.geojson", "out.shp"))
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"write_incidents expects a pandas DataFrame, got {type(df).__name__}")
    stream = hasattr(path, "write")
    if stream and file_format is None:
        raise ValueError(f"writing to a stream needs file_format= (one of {', '.join(WRITABLE_FORMATS)})")
    label = getattr(path, "name", "<stream>") if stream else str(path)
    fmt = file_format or format_of(Path(path))  # type: ignore[arg-type]
    if fmt not in WRITABLE_FORMATS:
        raise ValueError(f"write_incidents writes {', '.join(WRITABLE_FORMATS)}, not {fmt!r}")
    plain = drop_geometry(df)
    if fmt != "csv" and not {"lat", "lon"} <= set(plain.columns):
        raise ValueError(f"writing {fmt} needs 'lat' and 'lon' columns")
    require_extra(fmt, str(label))
    _check_fits(plain, fmt, str(label))
    writer = _WRITERS[fmt]
    if stream:
        _write_to_stream(plain, path, fmt, writer)  # type: ignore[arg-type]
        return None
    target = Path(path)  # type: ignore[arg-type]
    layer = target.name.split(".")[0] or STREAM_LAYER
    several_files = fmt == "shp" and not target.name.lower().endswith((".zip", ".shz"))
    with (atomic_file_set(target) if several_files else atomic_path(target)) as tmp:
        writer(plain, tmp, layer)
    return target


def write_csv(table: pd.DataFrame, path: Path, layer: str = STREAM_LAYER) -> None:
    """CSV, UTF-8, dates as ``YYYY-MM-DD``; CRLF line ends only when a value holds a carriage return.

    Formula-like text gets a leading ``'`` (see :func:`write_incidents`).
    """
    table = _neutralise_formulas(table)
    # The csv module quotes a field only for characters of the line terminator, so a lone "\r" in a value
    # would be written bare and read back as a line break: use CRLF (RFC 4180) in that case.
    table.to_csv(path, index=False, date_format="%Y-%m-%d", encoding="utf-8",
                 lineterminator="\r\n" if _has_carriage_return(table) else "\n")


def write_geojson(table: pd.DataFrame, path: Path, layer: str = STREAM_LAYER) -> None:
    """A GeoJSON FeatureCollection; text that looks like JSON (``sources``) stays text."""
    _to_file(_dates_as_text(table), path, layer, "geojson", AUTODETECT_JSON_STRINGS="NO")


def write_gpkg(table: pd.DataFrame, path: Path, layer: str = STREAM_LAYER) -> None:
    """A GeoPackage with one layer named ``layer``."""
    from pyogrio import get_gdal_config_option, set_gdal_config_options

    previous = get_gdal_config_option("OGR_CURRENT_DATE")
    set_gdal_config_options({"OGR_CURRENT_DATE": _FIXED_DATE})
    try:
        _to_file(table, path, layer, "gpkg")
    finally:
        set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_fgb(table: pd.DataFrame, path: Path, layer: str = STREAM_LAYER) -> None:
    """FlatGeobuf without a spatial index, so the features keep the table's order."""
    _to_file(table, path, layer, "fgb", SPATIAL_INDEX="NO")


def write_shapefile(table: pd.DataFrame, path: Path, layer: str = STREAM_LAYER) -> None:
    """A Shapefile (``.shp`` and sidecars, or one ``.shp.zip``): short field names, dates as text.

    :func:`write_incidents` first checks that the table fits (field names, text sizes).
    """
    table = _dates_as_text(table)
    renamed = table.rename(columns={c: SHAPEFILE_FIELDS.get(str(c), c) for c in table.columns})
    _to_file(renamed, path, layer, "shp", DBF_DATE_LAST_UPDATE="2000-01-01", ENCODING="UTF-8")


def write_parquet(table: pd.DataFrame, path: Path, layer: str = STREAM_LAYER) -> None:
    """GeoParquet (pyarrow) with a Point geometry in EPSG:4326; every column is kept, ``lat``/``lon`` too."""
    import geopandas

    lat, lon = latlon_columns(table)
    gdf = geopandas.GeoDataFrame(table, geometry=points_from_latlon(lat, lon), crs="EPSG:4326")
    gdf.to_parquet(path, index=False)


# -- helpers -------------------------------------------------------------------------------------------------
def _to_file(table: pd.DataFrame, path: Path, layer: str, fmt: str, **options: Any) -> None:
    """The table with its position as a Point geometry (lat/lon columns dropped), through pyogrio."""
    import geopandas

    lat, lon = latlon_columns(table)
    attributes = table.drop(columns=["lat", "lon"])
    gdf = geopandas.GeoDataFrame(attributes, geometry=points_from_latlon(lat, lon), crs="EPSG:4326")
    with warnings.catch_warnings():
        # pyogrio repeats GDAL's notes ("Field date created as String"): the writers chose these on purpose.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", "Column names longer than 10", UserWarning)
        gdf.to_file(path, driver=FILE_FORMATS[fmt].driver, engine="pyogrio", layer=layer, index=False,
                    geometry_type="Point", **options)


def _write_to_stream(table: pd.DataFrame, stream: BinaryIO, fmt: str, writer: Any) -> None:
    """Write into a temporary folder, then copy the bytes (a zipped Shapefile is one file)."""
    name = {"shp": "incidents.shp.zip"}.get(fmt, f"incidents{FILE_FORMATS[fmt].suffixes[0]}")
    folder = tempfile.mkdtemp(prefix=".geoincidents-")
    try:
        tmp = Path(folder) / name
        writer(table, tmp, STREAM_LAYER)
        with open(tmp, "rb") as fh:
            shutil.copyfileobj(fh, stream)
        stream.flush()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _check_fits(table: pd.DataFrame, fmt: str, label: str) -> None:
    """Refuse, before writing anything, what the format would cut or change without a word."""
    if FILE_FORMATS[fmt].driver is not None:
        _refuse_text(table, label, lambda v: "\x00" in v,
                     "holds a NUL character, which GDAL's formats cannot store; write CSV or Parquet")
    if fmt == "shp":
        long = [c for c in table.columns if len(str(c)) > 10 and str(c) not in SHAPEFILE_FIELDS]
        if long:
            raise ValueError(
                f"{label}: a Shapefile's field names hold at most 10 characters and "
                f"{', '.join(map(repr, long))} has no short name; rename the column(s) or write a GeoPackage"
            )
        _refuse_text(table, label, lambda v: len(v.encode("utf-8")) > _SHAPEFILE_TEXT_BYTES,
                     f"is over {_SHAPEFILE_TEXT_BYTES} bytes of text, the most a Shapefile field holds; "
                     "write a GeoPackage instead")


def _refuse_text(table: pd.DataFrame, label: str, bad: Any, reason: str) -> None:
    """Raise naming the first text cell (row as in a CSV file, column) for which ``bad(value)`` holds."""
    for name in table.columns:
        column = table[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            flags = column.astype("string").map(bad, na_action="ignore")
            hit = flags.astype("boolean").fillna(False).to_numpy(dtype=bool)
            if hit.any():
                raise ValueError(f"{label}: row {int(hit.argmax()) + 2}, column {name!r} {reason}")


def _dates_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """Date columns as ``YYYY-MM-DD`` text (``YYYY-MM-DDTHH:MM:SS`` when a time is set); missing stays NA."""
    out = table.copy()
    for name in table.columns:
        values = table[name]
        if is_datetime64_any_dtype(values.dtype):
            d = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
            midnight = bool((d.dropna() == d.dropna().dt.normalize()).all())
            out[name] = d.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S").astype("string")
    return out


def _neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would evaluate get a leading quote (see write_incidents)."""
    out = df
    for name in df.columns:
        column = df[name]
        if not (column.dtype == object or isinstance(column.dtype, pd.StringDtype)):
            continue
        text = column.astype("string")
        risky = text.str.match(FORMULA_START).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            if out is df:
                out = df.copy()
            out[name] = column.where(~risky, "'" + text)
    return out


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


_WRITERS = {
    "csv": write_csv,
    "geojson": write_geojson,
    "gpkg": write_gpkg,
    "fgb": write_fgb,
    "shp": write_shapefile,
    "parquet": write_parquet,
}
