"""Bad and hostile incident tables: every problem is a row-level problem (file, row, column), report mode
keeps the other rows and accounts for every row, and nothing is silently changed (issue 15)."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geoincidents as gi
from geoincidents.incidents import IncidentValidationError, IncidentWarning


def _report(path_or_frame, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = gi.read_incidents(path_or_frame, errors="report", **kwargs)
    return result, [str(w.message) for w in caught if issubclass(w.category, IncidentWarning)]


def _problems(result) -> list[tuple[int, str, str]]:
    return [(int(r.row), r.column, r.reason) for r in result.problems.itertuples()]


def _accounted(result, n: int) -> None:
    assert len(result.incidents) + len(result.rejected) == n
    assert len(set(result.rejected["row"])) == len(result.rejected)


HEAD = "date,location,country,killed\n"


# -- reader crashes that lost every row --
def test_count_too_large_for_int64_is_a_row_problem(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEAD + "2024-01-28,Tower 22,JOR,99999999999999999999\n2024-01-28,Tower 22,JOR,3\n")
    result, _ = _report(path)
    assert _problems(result) == [(2, "killed", "count too large (more than 9007199254740991)")]
    assert result.incidents["killed"].tolist() == [3]
    _accounted(result, 2)


def test_counts_that_floats_cannot_hold_exactly_are_rejected_not_rounded(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        HEAD + "2024-01-28,Tower 22,JOR,9007199254740993\n2024-01-28,Tower 22,JOR,9007199254740991\n"
    )
    result, _ = _report(path)
    assert [p[0] for p in _problems(result)] == [2]
    assert result.incidents["killed"].tolist() == [9007199254740991]


@pytest.mark.parametrize("layout", ["blank line", "quoted newline"])
def test_cells_over_the_csv_field_limit_do_not_crash(tmp_path, layout):
    big = "x" * 200_000
    extra = "\n" if layout == "blank line" else ""
    note = f'"{big}\nsecond line"' if layout == "quoted newline" else big
    path = tmp_path / "t.csv"
    path.write_text(f"date,location,notes\n2024-01-28,Tower 22,{note}\n{extra}2024-01-29,al-Tanf,short\n")
    table = gi.read_incidents(path)
    assert len(table) == 2 and table["notes"].str.len().iloc[0] >= 200_000
    assert table["incident_id"].tolist() == ["row-2", "row-4"]


@pytest.mark.parametrize(
    "geometry, reason",
    [
        ("POINT (1 2)", "geometry is not a GeoJSON object (it is a str)"),
        ([42.4, 33.8], "geometry is not a GeoJSON object (it is a list)"),
        ({"type": "Point", "coordinates": ["a", "b"]}, "Point coordinates are not numbers"),
        ({"type": "Point", "coordinates": [42.4]}, "Point coordinates must be [longitude, latitude]"),
        ({"type": "Point", "coordinates": [True, 33.8]}, "Point coordinates are not numbers"),
        ({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, "geometry is not a Point"),
    ],
)
def test_bad_geojson_geometries_are_row_problems(tmp_path, geometry, reason):
    good = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [42.44, 33.80]},
        "properties": {"date": "2024-01-20", "location": "Ain al-Asad"},
    }
    bad = {"type": "Feature", "geometry": geometry, "properties": {"date": "2024-01-21", "location": "X"}}
    path = tmp_path / "t.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [good, bad]}))
    result, _ = _report(path)
    assert _problems(result) == [(3, "geometry", reason)]
    assert result.incidents["lat"].tolist() == [33.80]
    _accounted(result, 2)


# -- silent or misleading reads --
def test_a_month_is_read_with_month_precision():
    table = gi.read_incidents(pd.DataFrame({"date": ["2023-10", "2023-10-17"], "location": ["a", "b"]}))
    assert table["date_precision"].tolist() == ["month", "day"]
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-10-01", "2023-10-17"]
    stated = gi.read_incidents(
        pd.DataFrame({"date": ["2023-10"], "location": ["a"], "date_precision": ["day"]})
    )
    assert stated["date_precision"].tolist() == ["day"]  # what the input states wins


@pytest.mark.parametrize(
    "value, reason", [("1800-05-01", "before 1900-01-01"), ("2099-01-01", "in the future")]
)
def test_implausible_dates_are_rejected(value, reason):
    result, _ = _report(pd.DataFrame({"date": [value, "2024-01-28"], "location": ["a", "b"]}))
    assert _problems(result) == [(2, "date", f"implausible date ({reason})")]
    _accounted(result, 2)


def test_duplicate_csv_headers_are_an_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("date,location,date\n2024-01-28,Tower 22,2024-01-29\n")
    with pytest.raises(IncidentValidationError, match=r"t.csv: duplicated column names .*line 1.*'date'"):
        gi.read_incidents(path)


def test_swapped_lat_lon_without_a_country_is_reported():
    frame = pd.DataFrame(
        {
            "date": ["2024-01-20"] * 3,
            "location": ["Ain al-Asad", "ok", "far"],
            "lat": [42.44, 33.80, 52.5],
            "lon": [33.80, 42.44, 13.4],
        }
    )
    result, notes = _report(frame)
    assert _problems(result) == [(2, "lat", "lat/lon look swapped: (lon, lat) falls inside IRQ")]
    assert result.incidents["country"].fillna("none").tolist() == ["IRQ", "none"]
    assert any("outside every country outline" in n and "row 4" in n for n in notes)
    strict, _ = _report(frame, strict=True)
    assert [p[0] for p in _problems(strict)] == [2, 4]


@pytest.mark.parametrize("token", ["NaN", "null", "None", "n/a", "-"])
def test_na_tokens_are_not_place_names(token):
    result, _ = _report(pd.DataFrame({"date": ["2024-01-20"], "location": [token]}))
    assert _problems(result) == [(2, "location", "missing location")]


def test_ragged_rows_are_problems_of_their_own_and_values_never_shift(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "date,location,country\n"
        "2024-01-20,Ain al-Asad,IRQ\n"
        "2024-01-21,al-Tanf,SYR,extra\n"  # one field too many
        "2024-01-22,Tower 22\n"  # one too few
        "2024-01-23,Erbil,IRQ\n"
    )
    result, _ = _report(path)
    assert _problems(result) == [
        (3, "country", "the row has 4 fields, the header 3"),
        (4, "country", "the row has 2 fields, the header 3"),
    ]
    assert result.incidents["location"].tolist() == ["Ain al-Asad", "Erbil"]
    assert result.rejected["location"].tolist() == ["al-Tanf", "Tower 22"]  # nothing moved to another column
    _accounted(result, 4)


def test_only_too_few_fields_is_also_caught(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("date,location,country\n2024-01-20,Ain al-Asad\n2024-01-21,Erbil,IRQ\n")
    result, _ = _report(path)
    assert [p[0] for p in _problems(result)] == [2]


# -- formula injection --
def test_csv_output_neutralises_formulas_and_round_trips(tmp_path):
    frame = pd.DataFrame(
        {
            "date": ["2024-01-28"] * 5,
            "location": ['=HYPERLINK("http://evil/")', "+cmd", "@SUM(A1)", "'=already quoted", "Tower 22"],
            "notes": ["-2 hurt", "\tx", "\rx", "fine", "ok"],
            "lat": [-31.5, 33.0, 33.0, 33.0, 33.3],
            "lon": [40.0, 40.0, 40.0, 40.0, 38.8],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IncidentWarning)
        table = gi.read_incidents(frame)
        path = gi.write_incidents(table, tmp_path / "out.csv")
        back = gi.read_incidents(path)
    written = pd.read_csv(path, dtype=str, keep_default_na=False)
    for cell in [*written["location"], *written["notes"]]:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    assert written["location"].tolist()[3] == "''=already quoted"
    assert written["lat"].tolist()[0] == "-31.5"  # numbers are numbers
    pd.testing.assert_frame_equal(back, table)


# -- fuzz: generated tables never crash the reader and every row is accounted for --
_cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["2024-01-28", "2023-10", "9-May-20", "NaN", "null", "=1+1", "IRQ", "Syria", "33.8", "-"]
    ),
)
_columns = st.sampled_from(
    [
        "date",
        "location",
        "lat",
        "lon",
        "country",
        "killed",
        "injured",
        "weapon",
        "event_type",
        "sources",
        "date_end",
        "incident_id",
        "notes",
        "x",
    ]
)


@st.composite
def _tables(draw):
    names = draw(st.lists(_columns, min_size=2, max_size=7, unique=True))
    for required in ("date", "location"):
        if required not in names:
            names.append(required)
    rows = draw(st.integers(min_value=1, max_value=6))
    return pd.DataFrame({n: draw(st.lists(_cells, min_size=rows, max_size=rows)) for n in names})


def _geojson_text(draw_geoms, frame: pd.DataFrame) -> str:
    features = []
    for i, record in enumerate(frame.to_dict("records")):
        props = {
            k: (v if not (isinstance(v, float) and not np.isfinite(v)) else None) for k, v in record.items()
        }
        features.append({"type": "Feature", "geometry": draw_geoms[i % len(draw_geoms)], "properties": props})
    return json.dumps({"type": "FeatureCollection", "features": features}, default=str)


_geometries = st.lists(
    st.one_of(
        st.none(),
        st.text(max_size=5),
        st.lists(st.floats(allow_nan=False), max_size=3),
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["Point", "Polygon", "Nope"]),
                "coordinates": st.one_of(
                    st.lists(st.one_of(st.floats(), st.text(max_size=2)), max_size=3), st.text(max_size=3)
                ),
            }
        ),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    frame=_tables(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
    sep=st.sampled_from([",", ";", "\t"]),
    geoms=_geometries,
    fmt=st.sampled_from(["frame", "csv", "geojson"]),
)
def test_fuzz_reader_never_raises_anything_but_validation_errors(tmp_path, frame, encoding, sep, geoms, fmt):
    if fmt == "frame":
        source = frame
    elif fmt == "csv":
        source = tmp_path / "fuzz.csv"
        source.write_bytes(frame.to_csv(index=False, sep=sep).encode(encoding))
    else:
        source = tmp_path / "fuzz.geojson"
        source.write_text(_geojson_text(geoms, frame))
    try:
        result, _ = _report(source)
    except IncidentValidationError:
        return  # a file-level problem, stated as such
    expected = len(frame)
    if fmt == "csv" and b"\r" in source.read_bytes():
        # A bare carriage return in an unquoted cell makes the file ambiguous (a line end to some readers):
        # every record the loader sees is still accounted for.
        from geoincidents.incidents import read_raw

        expected = len(read_raw(source).frame)
    _accounted(result, expected)
    assert set(result.problems["file"]) <= {str(source) if fmt != "frame" else "<DataFrame>"}


@pytest.mark.parametrize("cells", [["#", "Tower 22"], ["#1", "Erbil"], ["#date", ""]])
def test_a_data_row_that_starts_with_a_hash_is_not_a_hxl_tag_row(cells):
    # Found by the fuzz test: a lone "#" cell made the first row vanish as a "HXL tag row".
    frame = pd.DataFrame({"date": ["2024-01-28", "2024-01-29"], "location": ["x", "y"]})
    frame.iloc[0] = cells
    result, _ = _report(frame)
    _accounted(result, 2)


def test_a_real_hxl_tag_row_is_skipped_and_said(tmp_path):
    path = tmp_path / "hdx.csv"
    path.write_text("date,location\n#date,#loc +name\n2024-01-28,Tower 22\n")
    result, notes = _report(path)
    assert result.incidents["incident_id"].tolist() == ["row-3"]
    assert any("row 2 is a HXL tag row" in n for n in notes)
