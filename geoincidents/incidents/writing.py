"""Writing incident tables back to files, so that reading them again gives the same table."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype

from .._files import atomic_path
from .._geo import drop_geometry, latlon_columns, points_from_latlon
from .loading import FORMULA_START, format_of

__all__ = ["write_incidents"]


def write_incidents(
    df: pd.DataFrame, path: str | os.PathLike[str], *, file_format: str | None = None
) -> Path:
    """Write an incident table so that :func:`read_incidents` reads back the same rows and columns.

    Dates are written as ``YYYY-MM-DD``; missing values as empty cells (CSV) or ``null`` (GeoJSON).
    GeoJSON features get a Point geometry from ``lat``/``lon`` (``null`` when missing) and every other
    column as a property; GeoParquet gets a Point geometry in EPSG:4326 and keeps every column. A
    GeoDataFrame's own geometry column is not written (geometry comes from ``lat``/``lon``).

    Spreadsheet formula injection: in CSV, a text cell that a spreadsheet would run as a formula (one
    starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, as OWASP lists them) is written
    with a leading ``'``, which spreadsheets show as text; so is a text cell that already starts with
    quotes before such a character. :func:`read_incidents` removes exactly that one quote again, so a
    table round-trips unchanged. Number columns are never touched (``-3.5`` stays a number).

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
    >>> from geoincidents import read_incidents
    >>> table = read_incidents(pd.DataFrame({"date": ["2024-01-28"], "location": ["Tower 22"]}))
    >>> path = write_incidents(table, os.path.join(tempfile.mkdtemp(), "out.csv"))
    >>> read_incidents(path).equals(table)
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"write_incidents expects a pandas DataFrame, got {type(df).__name__}")
    path = Path(path)
    fmt = file_format or format_of(path)
    if fmt not in ("csv", "geojson", "parquet"):
        raise ValueError(f"write_incidents writes csv, geojson or parquet, not {fmt!r}")
    plain = drop_geometry(df)
    if fmt != "csv" and not {"lat", "lon"} <= set(plain.columns):
        raise ValueError(f"writing {fmt} needs 'lat' and 'lon' columns")
    if fmt == "csv":
        plain = _neutralise_formulas(plain)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            # The csv module quotes a field only for characters of the line terminator, so a lone "\r" in a
            # value would be written bare and read back as a line break: use CRLF (RFC 4180) in that case.
            plain.to_csv(tmp, index=False, date_format="%Y-%m-%d", encoding="utf-8",
                         lineterminator="\r\n" if _has_carriage_return(plain) else "\n")
        elif fmt == "geojson":
            _write_geojson(plain, tmp)
        else:
            import geopandas

            lat, lon = latlon_columns(plain)
            geometry = points_from_latlon(lat, lon)
            gdf = geopandas.GeoDataFrame(plain, geometry=geometry, crs="EPSG:4326")
            gdf.to_parquet(tmp, index=False)
    return path


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
    lat, lon = latlon_columns(df)
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
