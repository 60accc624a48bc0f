"""Reading and writing every format through the libraries (pyogrio for the GIS formats, pyarrow for Parquet):
round trips, row numbers and geometry problems, streams, byte-reproducible output, missing extras."""

from __future__ import annotations

import io
import json
import sys
import warnings

import pandas as pd
import pytest

from geoincidents import read_incidents, write_incidents
from geoincidents.fileformats import (
    FILE_FORMATS,
    SHAPEFILE_FIELDS,
    WRITABLE_FORMATS,
    format_of,
    sniff_format,
)
from geoincidents.incidents import IncidentValidationError, MissingExtraError
from geoincidents.join import join_sites
from tests.test_incidents import DATA

GIS = ("geojson", "gpkg", "fgb", "shp")


def _quiet(source, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_incidents(source, **kwargs)


def _suffix(fmt: str) -> str:
    return FILE_FORMATS[fmt].suffixes[0]


@pytest.fixture(scope="module")
def full():
    return _quiet(DATA / "full.csv")


@pytest.mark.parametrize("fmt", WRITABLE_FORMATS)
@pytest.mark.parametrize("fixture", ["full.csv", "acled.csv", "synonyms.csv"])
def test_every_format_round_trips_rows_and_dtypes(tmp_path, fmt, fixture):
    table = _quiet(DATA / fixture)
    if fmt == "shp" and fixture == "acled.csv":  # ACLED's long column names do not fit a .dbf
        with pytest.raises(ValueError, match="has no short name"):
            write_incidents(table, tmp_path / "out.shp")
        return
    path = write_incidents(table, tmp_path / f"out{_suffix(fmt)}")
    again = _quiet(path)
    if fmt == "shp":  # a .dbf pads text with spaces: leading and trailing spaces do not survive (documented)
        text = [c for c in table.columns if isinstance(table[c].dtype, pd.StringDtype)]
        table = table.assign(**{c: table[c].str.strip() for c in text})
    # every column, in order, with the same values and dtypes (the extras are text in these fixtures)
    pd.testing.assert_frame_equal(again, table)


@pytest.mark.parametrize("fmt", WRITABLE_FORMATS)
def test_joined_table_round_trips_with_its_site_columns(tmp_path, full, fmt):
    joined = join_sites(full)
    path = write_incidents(joined, tmp_path / f"joined{_suffix(fmt)}")
    again = _quiet(path)
    assert list(again.columns) == [c for c in joined.columns if c != "geometry"]
    assert again["site_name"].tolist() == joined["site_name"].tolist()
    assert again["match_method"].tolist() == joined["match_method"].tolist()
    assert again["lat"].tolist() == joined["lat"].tolist()


@pytest.mark.parametrize("fmt", [f for f in WRITABLE_FORMATS if f != "csv"])
def test_output_is_byte_reproducible(tmp_path, full, fmt):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    name = f"same{_suffix(fmt)}"
    write_incidents(full, first / name)
    write_incidents(full, second / name)
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    for part in first.iterdir():
        assert part.read_bytes() == (second / part.name).read_bytes(), part.name


def test_written_files_are_what_gis_tools_read(tmp_path, full):
    geopandas = pytest.importorskip("geopandas")
    for fmt in GIS:
        gdf = geopandas.read_file(write_incidents(full, tmp_path / f"g{_suffix(fmt)}"))
        assert gdf.crs.to_epsg() == 4326
        assert (gdf.geometry.geom_type == "Point").all()
        assert gdf.geometry.x.tolist() == full["lon"].tolist()  # same order, same positions
    doc = json.loads((tmp_path / "g.geojson").read_text(encoding="utf-8"))
    props = doc["features"][0]["properties"]
    assert props["date"] == "2024-01-28"  # a date, not a date-time
    assert isinstance(props["sources"], str)  # the JSON text stays text


def test_shapefile_fields_are_short_and_come_back_long(tmp_path, full):
    assert all(len(v) <= 10 for v in SHAPEFILE_FIELDS.values())
    assert len(set(SHAPEFILE_FIELDS.values())) == len(SHAPEFILE_FIELDS)
    pyogrio = pytest.importorskip("pyogrio")
    path = write_incidents(full, tmp_path / "t.shp")
    fields = list(pyogrio.read_info(path)["fields"])
    assert all(len(f) <= 10 for f in fields)
    assert "loc_prec" in fields and "location_precision" not in fields
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".cpg", ".dbf", ".prj", ".shp", ".shx"]
    # the zipped form is one file, read the same
    zipped = write_incidents(full, tmp_path / "t.shp.zip")
    pd.testing.assert_frame_equal(_quiet(zipped), _quiet(path))


def test_shapefile_refuses_what_it_would_cut(tmp_path, full):
    long_text = full.assign(notes=["x" * 300, "ok", "ok"])
    with pytest.raises(ValueError, match=r"row 2, column 'notes' is over 254 bytes"):
        write_incidents(long_text, tmp_path / "cut.shp")
    with pytest.raises(ValueError, match="'a_long_column_name' has no short name"):
        write_incidents(full.assign(a_long_column_name="v"), tmp_path / "cut.shp")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.parametrize("fmt", ["gpkg", "fgb", "geojson"])
def test_non_point_geometry_is_a_row_problem_in_gis_files(tmp_path, fmt):
    geopandas = pytest.importorskip("geopandas")
    from shapely.geometry import LineString, Point

    gdf = geopandas.GeoDataFrame(
        {"date": ["2024-01-28", "2024-01-29", "2024-01-30"], "location": ["Tower 22", "x", "al-Tanf"]},
        geometry=[Point(38.70, 33.32), LineString([(38.7, 33.3), (38.8, 33.4)]), Point(38.62, 33.50)],
        crs="EPSG:4326",
    )
    path = tmp_path / f"mixed{_suffix(fmt)}"
    # FlatGeobuf's spatial index would reorder the features (the row numbers follow the file's order)
    gdf.to_file(path, engine="pyogrio", **({"SPATIAL_INDEX": "NO"} if fmt == "fgb" else {}))
    result = _quiet(path, errors="report")
    assert len(result.incidents) == 2
    assert result.rejected[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "geometry", "LineString", "geometry is not a Point"]]
    with pytest.raises(IncidentValidationError, match=rf"{path.name}:3: column 'geometry'"):
        read_incidents(path)


def test_stdin_bytes_give_stdin_in_every_problem(tmp_path, full):
    bad = (DATA / "bad.csv").read_bytes()
    stream = io.BytesIO(bad)
    stream.name = "<stdin>"
    result = _quiet(stream, errors="report")
    assert result.file == "<stdin>"
    expected = _quiet(DATA / "bad.csv", errors="report")
    assert result.rejected["row"].tolist() == expected.rejected["row"].tolist()
    assert set(result.problems["file"]) == {"<stdin>"}
    for fmt in ("gpkg", "fgb", "geojson", "parquet", "shp"):
        name = "t.shp.zip" if fmt == "shp" else f"t{_suffix(fmt)}"
        data = write_incidents(full, tmp_path / name).read_bytes()
        assert sniff_format(data) == fmt
        expected = full.assign(confidence=full["confidence"].str.strip()) if fmt == "shp" else full
        pd.testing.assert_frame_equal(_quiet(io.BytesIO(data)), expected)


def test_writing_to_a_stream(full):
    out = io.BytesIO()
    assert write_incidents(full, out, file_format="gpkg") is None
    pd.testing.assert_frame_equal(_quiet(io.BytesIO(out.getvalue())), full)
    with pytest.raises(ValueError, match="file_format"):
        write_incidents(full, io.BytesIO())


def test_unreadable_gis_files_name_the_file(tmp_path):
    for name, content in (("bad.gpkg", b"not a geopackage"), ("bad.geojson", b'{"type": "FeatureCollection"'),
                          ("bad.fgb", b"fgb\x03 broken")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(IncidentValidationError, match=rf"^{path}: not (a readable|valid JSON)"):
            read_incidents(path)
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(IncidentValidationError, match="empty"):
        read_incidents(empty)


def test_format_of_suffixes():
    assert [format_of(n) for n in ("a.gpkg", "a.fgb", "a.shp", "a.SHP.ZIP", "a.geojson", "a.pq")] == [
        "gpkg", "fgb", "shp", "shp", "geojson", "parquet"]
    with pytest.raises(ValueError, match="cannot tell the format"):
        format_of("a.kml")


def test_missing_parquet_extra_names_the_extra(tmp_path, full, monkeypatch):
    path = write_incidents(full, tmp_path / "t.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` now raises ImportError
    with pytest.raises(MissingExtraError, match=r"install geoincidents\[parquet\]") as info:
        read_incidents(path)
    assert info.value.extra == "parquet" and str(path) in str(info.value)
    assert "not a readable Parquet file" not in str(info.value)
    with pytest.raises(MissingExtraError, match=r"geoincidents\[parquet\]"):
        write_incidents(full, tmp_path / "again.parquet")
    assert not (tmp_path / "again.parquet").exists()


def test_missing_excel_extra_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingExtraError, match=r"install geoincidents\[excel\]"):
        read_incidents(path)
