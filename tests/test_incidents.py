"""Tests for the incident schema, readers, validation and writer."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geoincidents import schema
from geoincidents.incidents import (
    IncidentValidationError,
    IncidentWarning,
    ReadResult,
    read_incidents,
    write_incidents,
)
from geoincidents.schema import format_sources, parse_sources

DATA = Path(__file__).parent / "data" / "incidents"


def _read_quiet(*args, **kwargs):
    """read_incidents with IncidentWarnings recorded instead of shown."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = read_incidents(*args, **kwargs)
    return result, [w for w in caught if issubclass(w.category, IncidentWarning)]


def _assert_schema(table: pd.DataFrame) -> None:
    """Schema columns first, in order, with the documented dtypes."""
    assert list(table.columns[: len(schema.COLUMNS)]) == list(schema.COLUMN_NAMES)
    for column in schema.COLUMNS:
        assert str(table[column.name].dtype) == column.dtype, column.name
    for name, vocab in schema.VOCABULARIES.items():
        assert set(table[name].dropna()) <= set(vocab.values), name


# ---------------------------------------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------------------------------------


def test_columns_match_developers_guide_order():
    guide = (Path(__file__).parents[1] / "DEVELOPERS.md").read_text(encoding="utf-8")
    section = guide.split("## The incident table", 1)[1].split("##", 1)[0]
    documented = []
    for cell in re.findall(r"^\| (`[^|]+`) \|", section, flags=re.M):
        documented += re.findall(r"`([a-z_]+)`", cell)
    assert tuple(documented) == schema.COLUMN_NAMES


@pytest.mark.parametrize(
    ("vocab", "values"),
    [
        (schema.WEAPON, {"one_way_drone": ["UAV", "drone", "one-way attack drone", "OWA drone",
                                           "kamikaze drone", "suicide drone", "explosive-laden drone",
                                           "Shahed", "ONE WAY DRONE"],
                         "rocket": ["rockets", "Katyusha", "107mm rocket", "107 mm rocket"],
                         "missile": ["ballistic missile", "cruise missile", "missiles"],
                         "indirect_fire": ["mortar", "mortars", "indirect fire", "IDF", "indirect-fire"],
                         "ied": ["roadside bomb", "IED"],
                         "small_arms": ["gunfire", "small arms fire"],
                         "airstrike": ["air strike", "airstrike", "air strikes", "Air-Strike"],
                         "unknown": ["unknown", "n/a", "UNKNOWN"]}),
        (schema.EVENT_TYPE, {"attack": ["attack on US forces", "attack", "Attack"],
                             "strike": ["US strike", "retaliatory strike", "strike"],
                             "interception": ["interception", "intercepted", "shot down", "Shot-Down"]}),
        (schema.CLAIM_STATUS, {"claimed_and_confirmed": ["claimed and confirmed", "Claimed-and-Confirmed"],
                               "claimed": ["claimed"], "confirmed": ["confirmed"],
                               "unverified": ["unverified", "unconfirmed"]}),
        (schema.DATE_PRECISION, {"day": ["day", "1"], "week": ["week", "2"], "month": ["month", "3"],
                                 "range": ["range", "date range"]}),
        (schema.LOCATION_PRECISION, {"exact": ["exact", "1"], "approximate": ["approximate", "2"],
                                     "province": ["province", "3"], "site": ["site"]}),
        (schema.OUTCOME, {"intercepted": ["intercepted"], "impact": ["impact"], "no_damage": ["no damage"]}),
    ],
)
def test_vocabulary_synonyms(vocab, values):
    for expected, spellings in values.items():
        for spelling in spellings:
            assert vocab.lookup(spelling) == expected, spelling
            assert vocab.lookup(f"  {spelling.upper()} ") == expected, spelling
    assert vocab.lookup("catapult") is None


def test_vocabulary_synonyms_through_the_reader():
    frame = pd.DataFrame(
        {
            "date": ["2024-01-28"] * 4,
            "location": ["Tower 22"] * 4,
            "weapon": ["Shahed", "107mm rocket", "IDF", ""],
            "event_type": ["attack on US forces", "retaliatory strike", "shot down", ""],
            "claim_status": ["claimed and confirmed", "claimed", "confirmed", ""],
        }
    )
    table = read_incidents(frame, strict=True)
    assert table["weapon"].tolist() == ["one_way_drone", "rocket", "indirect_fire", "unknown"]
    assert table["event_type"].tolist() == ["attack", "strike", "interception", "attack"]
    assert table["claim_status"].tolist() == ["claimed_and_confirmed", "claimed", "confirmed", "unverified"]


def test_every_vocabulary_default_and_fallback_is_allowed():
    for vocab in schema.VOCABULARIES.values():
        assert vocab.default in vocab.values
        assert vocab.fallback is None or vocab.fallback in vocab.values
        for value in vocab.values:
            assert vocab.lookup(value) == value


@pytest.mark.parametrize(
    ("name", "expected"),
    [("event_date", "date"), ("Day", "date"), ("place", "location"), ("SITE", "location"),
     ("site_name", "location"), ("Location Name", "location"), ("source", "sources"),
     ("url", "sources"), ("link", "sources"), ("source-url", "sources"), ("Latitude", "lat"),
     ("longitude", "lon"), ("id", "incident_id"), ("event_id", "incident_id"), ("country_code", "country"),
     ("ISO3", "country"), ("fatalities", "killed"), ("deaths", "killed"), ("wounded", "injured"),
     ("injuries", "injured"), ("description", "notes"), ("comment", "notes"), ("precision", "date_precision"),
     ("time_precision", "date_precision"), ("end_date", "date_end"), ("site_id", "site_id"),
     ("colour", None), ("iso", None)],
)
def test_column_synonyms(name, expected):
    assert schema.canonical_column(name) == expected


def test_parse_sources_forms():
    assert parse_sources(None) == []
    assert parse_sources(float("nan")) == []
    assert parse_sources(pd.NA) == []
    assert parse_sources("  ") == []
    assert parse_sources("https://www.reuters.com/a/b") == [
        {"date": "", "publisher": "reuters.com", "url": "https://www.reuters.com/a/b"}
    ]
    assert parse_sources("Kurdistan24") == [{"date": "", "publisher": "Kurdistan24", "url": ""}]
    assert parse_sources("ftp://example.org/x") == [
        {"date": "", "publisher": "ftp://example.org/x", "url": ""}
    ]
    text = '[{"publisher": "AP", "date": "2024-01-28", "url": "https://apnews.com/x"}, {"publisher": "CNN"}]'
    assert parse_sources(text) == [
        {"date": "2024-01-28", "publisher": "AP", "url": "https://apnews.com/x"},
        {"date": "", "publisher": "CNN", "url": ""},
    ]
    assert parse_sources('{"url": "https://apnews.com/x"}') == [
        {"date": "", "publisher": "apnews.com", "url": "https://apnews.com/x"}
    ]
    for broken in ("[{", '[{"title": "x"}]', '[{"url": "javascript:alert(1)"}]', "[1]", '[{"date": 5}]'):
        with pytest.raises(ValueError):
            parse_sources(broken)


def test_format_sources_is_sorted_json_and_round_trips():
    items = [{"url": "https://apnews.com/x", "publisher": "Associated Press", "date": "2024-01-28"},
             {"publisher": "Rudaw"}]
    text = format_sources(items)
    decoded = json.loads(text)
    assert all(list(d) == sorted(d) == ["date", "publisher", "url"] for d in decoded)
    assert parse_sources(text) == decoded
    assert format_sources(parse_sources(text)) == text
    assert format_sources([]) == "[]"
    with pytest.raises(ValueError):
        format_sources("not a list")


@given(st.lists(st.fixed_dictionaries({"date": st.text(), "publisher": st.text(), "url": st.just("")}),
                max_size=4))
def test_sources_round_trip_property(items):
    stripped = [{k: v.strip() for k, v in item.items()} for item in items]
    assert parse_sources(format_sources(items)) == stripped


# ---------------------------------------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------------------------------------


def test_minimal_csv_fills_defaults():
    table = read_incidents(DATA / "minimal.csv")
    _assert_schema(table)
    assert list(table.columns) == list(schema.COLUMN_NAMES)
    assert table["incident_id"].tolist() == ["row-2", "row-3", "row-4"]
    assert table["location"].tolist() == ["Tower 22", "Ain al-Asad air base", "al-Tanf garrison"]
    assert table["date"].tolist() == [pd.Timestamp("2024-01-28"), pd.Timestamp("2023-10-17"),
                                      pd.Timestamp("2023-10-18")]
    assert (table["date_precision"] == "day").all()
    assert (table["weapon"] == "unknown").all()
    assert (table["event_type"] == "attack").all()
    assert (table["claim_status"] == "unverified").all()
    assert (table["sources"] == "[]").all()
    assert table["lat"].isna().all() and table["killed"].isna().all() and table["date_end"].isna().all()


def test_full_csv_normalises_and_keeps_extras_unchanged():
    table = read_incidents(DATA / "full.csv")
    _assert_schema(table)
    assert list(table.columns) == list(schema.COLUMN_NAMES) + ["analyst", "confidence"]
    raw = pd.read_csv(DATA / "full.csv", dtype=str, keep_default_na=False)
    # extras are the file's text, byte for byte (leading space and zeros kept, empty stays empty)
    assert table["confidence"].tolist() == raw["confidence"].tolist() == [" 0007", "", "high"]
    assert table["analyst"].tolist() == raw["analyst"].tolist()
    row = table.set_index("incident_id")
    assert row.loc["erbil-2023-11-01", "country"] == "IRQ"  # "Iraq" -> ISO3
    assert row.loc["asad-2023-10-18", "date_end"] == pd.Timestamp("2023-10-20")
    assert row.loc["t22-2024-01-28", "killed"] == 3 and row.loc["t22-2024-01-28", "injured"] == 40
    assert parse_sources(row.loc["t22-2024-01-28", "sources"])[0]["publisher"] == "Associated Press"
    assert parse_sources(row.loc["asad-2023-10-18", "sources"]) == [
        {"date": "", "publisher": "reuters.com", "url": "https://www.reuters.com/world/example"}
    ]
    assert parse_sources(row.loc["erbil-2023-11-01", "sources"]) == [
        {"date": "", "publisher": "Rudaw", "url": ""}
    ]
    assert pd.isna(row.loc["asad-2023-10-18", "claimed_by"])


def test_column_synonyms_csv():
    table = read_incidents(DATA / "synonyms.csv")
    _assert_schema(table)
    assert list(table.columns) == list(schema.COLUMN_NAMES)  # every input column was a synonym
    assert table["incident_id"].tolist() == ["a1", "a2", "a3"]
    assert table["location"].tolist() == ["Conoco gas field", "Rumeilan", "Harir air base"]
    assert table["lat"].tolist() == [35.37, 36.87, 36.55]
    assert table["country"].tolist() == ["SYR", "SYR", "IRQ"]
    assert table["weapon"].tolist() == ["one_way_drone", "rocket", "indirect_fire"]
    assert table["event_type"].tolist() == ["attack", "strike", "interception"]
    assert table["date_precision"].tolist() == ["day", "range", "day"]
    assert table["date_end"].iloc[1] == pd.Timestamp("2024-02-06")
    assert table["killed"].iloc[0] == 0 and table["injured"].iloc[1] == 2
    assert table["notes"].iloc[0] == "Drone attack on the Conoco base"
    assert json.loads(table["sources"].iloc[0])[0]["publisher"] == "longwarjournal.org"


def test_exact_schema_name_beats_a_synonym_and_the_loser_is_kept():
    frame = pd.DataFrame({"site": ["Tower 22 area"], "date": ["2024-01-28"], "location": ["Tower 22"]})
    table = read_incidents(frame)
    assert table["location"].iloc[0] == "Tower 22"
    assert table["site"].iloc[0] == "Tower 22 area"


def test_geojson_reader():
    table = read_incidents(DATA / "incidents.geojson")
    _assert_schema(table)
    assert table["incident_id"].tolist() == ["g1", "g2", "g3"]
    assert table["lat"].iloc[0] == 33.32 and table["lon"].iloc[0] == 38.70
    assert np.isnan(table["lat"].iloc[2])  # null geometry
    assert table["weapon"].tolist() == ["one_way_drone", "rocket", "unknown"]
    assert table["country"].tolist() == ["JOR", "IRQ", "SYR"]
    assert table["analyst"].iloc[:2].tolist() == ["ak", "bm"]
    assert table["killed"].tolist()[0] == 3


def test_geojson_non_point_geometry_is_rejected(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"date": "2024-01-28", "location": "Tower 22"},
         "geometry": {"type": "Point", "coordinates": [38.70, 33.32]}},
        {"type": "Feature", "properties": {"date": "2024-01-28", "location": "Somewhere"},
         "geometry": {"type": "LineString", "coordinates": [[38.7, 33.3], [38.8, 33.4]]}},
    ]}
    path = tmp_path / "lines.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = read_incidents(path, errors="report")
    assert len(result.incidents) == 1
    assert result.rejected[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "geometry", "LineString", "geometry is not a Point"]
    ]


def test_geoparquet_and_plain_parquet(tmp_path):
    geopandas = pytest.importorskip("geopandas")
    frame = pd.DataFrame({"date": ["2024-01-28", "2023-10-18"], "location": ["Tower 22", "Ain al-Asad"],
                          "weapon": ["drone", "rockets"], "extra": ["x", "y"]})
    gdf = geopandas.GeoDataFrame(frame, geometry=geopandas.points_from_xy([38.70, 42.44], [33.32, 33.80]),
                                 crs="EPSG:4326")
    gpath = tmp_path / "in.parquet"
    gdf.to_parquet(gpath)
    table = read_incidents(gpath)
    _assert_schema(table)
    assert table["lat"].tolist() == [33.32, 33.80] and table["lon"].tolist() == [38.70, 42.44]
    assert "geometry" not in table.columns
    assert table["extra"].tolist() == ["x", "y"]
    assert table["country"].tolist() == ["JOR", "IRQ"]  # inferred from the points

    ppath = tmp_path / "plain.parquet"
    frame.assign(lat=[33.32, 33.80], lon=[38.70, 42.44]).to_parquet(ppath)
    plain = read_incidents(ppath)
    assert plain["weapon"].tolist() == ["one_way_drone", "rocket"]
    assert plain["lat"].tolist() == [33.32, 33.80]


def test_geodataframe_in_other_crs_is_converted():
    geopandas = pytest.importorskip("geopandas")
    gdf = geopandas.GeoDataFrame(
        {"date": ["2024-01-28"], "location": ["Tower 22"]},
        geometry=geopandas.points_from_xy([38.70], [33.32]), crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    table = read_incidents(gdf)
    assert table["lat"].iloc[0] == pytest.approx(33.32) and table["lon"].iloc[0] == pytest.approx(38.70)


def test_excel_reader_with_date_cells_and_sheet_row_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Date", "Location", "Weapon", "Killed", "Analyst"])
    sheet.append([datetime.datetime(2024, 1, 28), "Tower 22", "drone", 3, "ak"])
    sheet.append(["16 May 2025", "Ain al-Asad", "Katyusha", None, None])
    sheet.append([None, None, None, None, None])  # a blank row is skipped, like a blank CSV line
    sheet.append(["not a date", "Erbil", "", 1, "bm"])
    path = tmp_path / "incidents.xlsx"
    book.save(path)
    result = read_incidents(path, errors="report")
    assert result.incidents["date"].tolist() == [pd.Timestamp("2024-01-28"), pd.Timestamp("2025-05-16")]
    assert result.incidents["weapon"].tolist() == ["one_way_drone", "rocket"]
    assert result.incidents["killed"].tolist()[0] == 3
    assert result.rejected[["row", "column", "value"]].values.tolist() == [[5, "Date", "not a date"]]
    assert len(result.incidents) + len(result.rejected) == 3
    expected = re.escape(f"{path}:5: column 'Date' value 'not a date'")
    with pytest.raises(IncidentValidationError, match=expected):
        read_incidents(path)


def test_dataframe_input_is_not_modified_and_rows_are_numbered_from_2():
    frame = pd.DataFrame({"date": ["2024-01-28", "bad"], "location": ["Tower 22", "Erbil"], "x": [1, 2]},
                         index=[10, 20])
    before = frame.copy(deep=True)
    result = read_incidents(frame, errors="report")
    pd.testing.assert_frame_equal(frame, before)
    assert result.file == "<DataFrame>"
    assert result.problems[["file", "row", "column"]].values.tolist() == [["<DataFrame>", 3, "date"]]
    assert result.incidents["x"].tolist() == [1]
    assert result.incidents["x"].dtype == frame["x"].dtype  # extras keep their dtype too


def test_dates_in_several_formats_parse_to_midnight():
    frame = pd.DataFrame({
        "date": ["2025-05-16", "16 May 2025", "May 16, 2025", "16-May-2025", "2025-05-16T23:30:00+03:00",
                 "2025/05/16", " 16  May 2025 "],
        "location": ["Tower 22"] * 7,
    })
    table = read_incidents(frame)
    assert set(table["date"]) == {pd.Timestamp("2025-05-16")}
    assert table["date"].dtype == "datetime64[ns]"


def test_ambiguous_date_column_is_an_error_with_two_readings():
    frame = pd.DataFrame({"Date": ["05/06/2025", "03/04/2025"], "location": ["Tower 22"] * 2})
    with pytest.raises(IncidentValidationError, match=r"column 'Date'.*'05/06/2025' is 2025-06-05 day first "
                                                      r"or 2025-05-06 month first"):
        read_incidents(frame)
    table = read_incidents(frame, dayfirst=False)
    assert table["date"].tolist() == [pd.Timestamp("2025-05-06"), pd.Timestamp("2025-03-04")]


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", "2025-02-30", "1066-10-14", "31/02/2025"])
def test_ambiguous_or_impossible_dates_are_rejected(bad):
    result = read_incidents(pd.DataFrame({"date": [bad], "location": ["Tower 22"]}), errors="report")
    assert len(result.incidents) == 0
    assert result.rejected["reason"].iloc[0].startswith("unparseable date")


def test_datetime_column_input():
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-01-28 13:45", None]), "location": ["a", "b"]})
    result = read_incidents(frame, errors="report")
    assert result.incidents["date"].tolist() == [pd.Timestamp("2024-01-28")]
    assert result.rejected["reason"].tolist() == ["missing date"]


# ---------------------------------------------------------------------------------------------------------
# ACLED
# ---------------------------------------------------------------------------------------------------------

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]


def test_acled_export_is_mapped():
    raw = pd.read_csv(DATA / "acled.csv", dtype=str, keep_default_na=False)
    assert list(raw.columns) == ACLED_COLUMNS
    table, caught = _read_quiet(DATA / "acled.csv")
    _assert_schema(table)
    assert table["incident_id"].tolist() == raw["event_id_cnty"].tolist()
    assert table["date"].tolist() == [pd.Timestamp(f"2025-05-{d}") for d in (16, 17, 18, 19)]
    assert table["date_precision"].tolist() == ["day", "week", "day", "month"]
    assert table["location_precision"].tolist() == ["exact", "approximate", "exact", "province"]
    assert table["country"].tolist() == ["IRQ", "SYR", "SYR", "IRQ"]
    assert table["lat"].tolist() == raw["latitude"].astype(float).tolist()
    assert table["killed"].tolist() == raw["fatalities"].astype(int).tolist()
    # militia drone at US forces -> attack/one_way_drone; rockets at them -> attack/indirect_fire; US air
    # strike -> strike/airstrike; an Iraqi army clash with IS -> other_conflict_event (not an attack on US)
    assert table["event_type"].tolist() == ["attack", "attack", "strike", "other_conflict_event"]
    assert table["weapon"].tolist() == ["one_way_drone", "indirect_fire", "airstrike", "small_arms"]
    assert table["target"].tolist() == ["us_coalition", "us_coalition", "armed_group", "armed_group"]
    assert table["actor"].tolist() == raw["actor1"].tolist()
    assert table["source_event_type"].tolist() == raw["event_type"].tolist()
    assert table["source_sub_event_type"].tolist() == raw["sub_event_type"].tolist()
    assert [s["publisher"] for s in parse_sources(table["sources"].iloc[0])] == ["Shafaq News", "Rudaw"]
    assert table["notes"].tolist() == raw["notes"].tolist()
    # the other ACLED columns are kept unchanged
    consumed = {"event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
                "country", "location", "latitude", "longitude", "geo_precision", "source", "notes",
                "fatalities"}
    kept = [c for c in ACLED_COLUMNS if c not in consumed]
    assert list(table.columns[len(schema.COLUMNS):]) == kept
    for name in kept:
        assert table[name].tolist() == raw[name].tolist(), name
    assert len(caught) == 1
    assert "4 rows read: 3 involve US/coalition forces, 2 attacks on them, 1 strikes by them, 1 other" in str(
        caught[0].message)


@pytest.mark.parametrize(("actor1", "inter1", "event_type", "weapon"), [
    ("Global Coalition Against Daesh", "External/Other forces", "strike", "airstrike"),
    ("Military Forces of the United States (2021-)", "External/Other forces", "strike", "airstrike"),
    ("Military Forces of Turkey (2016-)", "External/Other forces", "attack", "airstrike"),
    ("Military Forces of Russia (2000-)", "1", "attack", "airstrike"),
    ("Islamic Resistance in Iraq", "Political militia", "attack", "one_way_drone"),
])
def test_acled_air_drone_strike_depends_on_actor1(actor1, inter1, event_type, weapon):
    # row 1 has US forces as actor2: whoever flies at them attacks them; a state's air strike is an airstrike
    frame = pd.read_csv(DATA / "acled.csv", dtype=str, keep_default_na=False).iloc[[0]]
    frame["actor1"], frame["inter1"] = actor1, inter1
    with pytest.warns(IncidentWarning, match="1 rows read"):
        table = read_incidents(frame)
    assert (table["event_type"].iloc[0], table["weapon"].iloc[0]) == (event_type, weapon)
    assert table["actor"].iloc[0] == actor1


def test_acled_row_without_us_forces_is_never_an_attack():
    frame = pd.read_csv(DATA / "acled.csv", dtype=str, keep_default_na=False).iloc[[0]]
    frame["actor2"], frame["inter2"] = "Kurdistan Workers Party", "Rebel group"
    frame["actor1"], frame["inter1"] = "Military Forces of Turkey (2016-)", "External/Other forces"
    with pytest.warns(IncidentWarning, match="0 attacks on them, 0 strikes by them, 1 other events"):
        table = read_incidents(frame, strict=True)
    assert table[["event_type", "weapon", "target"]].iloc[0].tolist() == [
        "other_conflict_event", "airstrike", "armed_group"]


# ---------------------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------------------

BAD_EXPECTED = [  # (row, column, value, reason fragment) for tests/data/incidents/bad.csv
    (3, "date", "yesterday", "unparseable date"),
    (4, "date_end", "2024-01-20", "date_end before date"),
    (5, "lat", "95.0", "latitude outside -90..90"),
    (6, "lon", "200", "longitude outside -180..180"),
    (7, "lon", "", "latitude given without longitude"),
    (8, "country", "Narnia", "unknown country"),
    (9, "incident_id", "b1", "duplicate incident_id, first on row 2"),
    (10, "injured", "-2", "negative count"),
    (10, "killed", "1.5", "not a whole number"),
    (11, "lat", "42.44", "lat/lon look swapped"),
]


def test_bad_rows_raise_one_error_naming_file_row_column_and_reason():
    path = DATA / "bad.csv"
    with pytest.raises(IncidentValidationError) as info:
        read_incidents(path)
    message = str(info.value)
    for row, column, value, reason in BAD_EXPECTED:
        assert f"{path}:{row}: column {column!r} value {value!r}: {reason}" in message
    problems = info.value.problems
    assert list(problems.columns) == ["file", "row", "column", "value", "reason"]
    assert len(problems) == len(BAD_EXPECTED)
    for (row, column, value, reason), rec in zip(BAD_EXPECTED, problems.itertuples(), strict=True):
        assert (rec.file, rec.row, rec.column, rec.value) == (str(path), row, column, value)
        assert reason in rec.reason
    assert isinstance(info.value, ValueError)


def test_report_mode_accounts_for_every_row():
    path = DATA / "bad.csv"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = read_incidents(path, errors="report")
    assert isinstance(result, ReadResult)
    assert len(result.incidents) + len(result.rejected) == len(raw)
    assert result.incidents["incident_id"].tolist() == ["b1", "b11"]
    assert sorted(result.rejected["row"]) == sorted({r for r, *_ in BAD_EXPECTED})
    # the rejected rows carry the raw input values: together with the valid rows they are the input
    rejected_lines = set(result.rejected["row"])
    kept_lines = {i + 2 for i in range(len(raw))} - rejected_lines
    assert [raw["incident_id"][i - 2] for i in sorted(kept_lines)] == ["b1", "b11"]
    for rec in result.rejected.itertuples():
        assert raw.iloc[rec.row - 2]["incident_id"] == rec.incident_id
        assert raw.iloc[rec.row - 2]["lat"] == rec.lat
    two = result.rejected.set_index("row").loc[10]
    assert two["column"] == "injured; killed" and two["reason"] == "negative count; not a whole number"
    assert list(result.rejected.columns[:4]) == ["row", "column", "value", "reason"]
    assert list(result.rejected.columns[4:]) == list(raw.columns)


def test_report_mode_renames_raw_columns_that_clash():
    frame = pd.DataFrame({"date": ["bad"], "location": ["x"], "reason": ["mine"]})
    rejected = read_incidents(frame, errors="report").rejected
    assert rejected["reason"].iloc[0].startswith("unparseable date")
    assert rejected["input_reason"].iloc[0] == "mine"


def test_all_duplicates_after_the_first_name_the_first_row():
    frame = pd.DataFrame({"id": ["a", "b", "a", "a"], "date": ["2024-01-01"] * 4, "location": ["x"] * 4})
    result = read_incidents(frame, errors="report")
    assert result.incidents["incident_id"].tolist() == ["a", "b"]
    assert result.rejected["row"].tolist() == [4, 5]
    assert result.rejected["column"].tolist() == ["id", "id"]
    assert (result.rejected["reason"] == "duplicate incident_id, first on row 2").all()


def test_missing_date_and_location_values():
    frame = pd.DataFrame({"date": ["", "2024-01-01"], "location": ["x", "  "]})
    result = read_incidents(frame, errors="report")
    assert result.rejected["reason"].tolist() == ["missing date", "missing location"]


def test_long_error_lists_are_cut_at_twenty():
    frame = pd.DataFrame({"date": ["never"] * 25, "location": ["x"] * 25})
    with pytest.raises(IncidentValidationError) as info:
        read_incidents(frame)
    lines = str(info.value).splitlines()
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "... and 5 more"
    assert lines[1] == "<DataFrame>:2: column 'date' value 'never': " + info.value.problems["reason"][0]
    assert len(info.value.problems) == 25


def test_missing_required_column_always_raises(tmp_path):
    path = tmp_path / "no_location.csv"
    path.write_text("date,lat,lon\n2024-01-28,33.3,38.7\n", encoding="utf-8")
    for errors in ("raise", "report"):
        with pytest.raises(IncidentValidationError, match=rf"{re.escape(str(path))}: missing required column "
                                                          r"'location'.*place.*columns found: 'date', 'lat'"):
            read_incidents(path, errors=errors)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_raises(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(IncidentValidationError, match=rf"{re.escape(str(path))}: the file is empty"):
        read_incidents(path, errors="report")


def test_header_only_file_gives_an_empty_table(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("date,location,extra\n", encoding="utf-8")
    table = read_incidents(path)
    assert len(table) == 0
    _assert_schema(table)
    assert list(table.columns) == list(schema.COLUMN_NAMES) + ["extra"]


def test_windows_1252_file_reads_with_a_warning_naming_byte_and_line(tmp_path):
    path = tmp_path / "latin1.csv"
    content = "date,location\n2024-01-28,Tower 22\n2024-01-29,Qal\xe2t Sukkar\n".encode("cp1252")
    path.write_bytes(content)
    with pytest.warns(IncidentWarning, match=rf"{re.escape(str(path))}: not UTF-8 \(byte 0xe2 on line 3\): "
                                             "read as Windows-1252"):
        table = read_incidents(path)
    assert table["location"].tolist() == ["Tower 22", "Qal\xe2t Sukkar"]


def test_bytes_neither_utf8_nor_windows_1252_name_offset_and_line(tmp_path):
    path = tmp_path / "binary.csv"
    content = b"date,location\n2024-01-28,Tower 22\n2024-01-29,Qal\x81t Sukkar\n"
    path.write_bytes(content)
    offset = content.index(b"\x81")
    expected = rf"{re.escape(str(path))}: not UTF-8.*byte 0x81 at byte offset {offset} \(line 3\)"
    with pytest.raises(IncidentValidationError, match=expected):
        read_incidents(path)


def test_empty_trailing_header_cells_are_dropped_only_when_no_row_fills_them(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("date,location,,\n2024-01-28,Tower 22,,\n2024-01-29,Erbil,,\n", encoding="utf-8")
    with pytest.warns(IncidentWarning, match="header ends in 2 empty cell"):
        table = read_incidents(path)
    assert table["location"].tolist() == ["Tower 22", "Erbil"]
    filled = tmp_path / "filled.csv"
    filled.write_text("date,location,,\n2024-01-28,Tower 22,,x\n", encoding="utf-8")
    with pytest.raises(IncidentValidationError, match="duplicated column names"):
        read_incidents(filled)


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "semicolons.csv"
    path.write_text("Date;Location;Notes\n2024-01-28;Tower 22;drone, three killed\n", encoding="utf-8")
    table = read_incidents(path)
    assert table[["location", "notes"]].values.tolist() == [["Tower 22", "drone, three killed"]]


def test_utf8_with_bom_is_read(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffDate,Location\n2024-01-28,Qalʿat Sukkar\n".encode())
    table = read_incidents(path)
    assert table["location"].tolist() == ["Qalʿat Sukkar"]
    assert table["date"].tolist() == [pd.Timestamp("2024-01-28")]


def test_row_numbers_follow_file_lines_with_multiline_fields_and_blank_lines(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text('date,location,notes\n2024-01-28,a,"two\nlines"\n\n2024-01-29,b,x\nbad,c,y\n',
                    encoding="utf-8")
    result = read_incidents(path, errors="report")
    assert result.rejected["row"].tolist() == [6]
    assert result.incidents["incident_id"].tolist() == ["row-2", "row-5"]
    assert result.incidents["notes"].iloc[0] == "two\nlines"


def test_unknown_vocabulary_non_strict_warns_and_keeps_the_original():
    frame = pd.DataFrame({"date": ["2024-01-01"] * 4, "location": ["x"] * 4,
                          "Weapon": ["drone swarm", "rockets", "drone swarm", "trebuchet"]})
    table, caught = _read_quiet(frame)
    assert table["weapon"].tolist() == ["unknown", "rocket", "unknown", "unknown"]
    assert table["weapon_reported"].tolist() == frame["Weapon"].tolist()
    assert len(caught) == 1
    text = str(caught[0].message)
    assert "column 'Weapon'" in text and "'drone swarm' (2)" in text and "'trebuchet' (1)" in text


def test_unknown_vocabulary_strict_is_a_rejection():
    frame = pd.DataFrame({"date": ["2024-01-01"] * 2, "location": ["x"] * 2,
                          "event_type": ["attack", "parade"]})
    result = read_incidents(frame, strict=True, errors="report")
    assert len(result.incidents) == 1
    assert result.rejected[["row", "column", "value"]].values.tolist() == [[3, "event_type", "parade"]]
    assert "not a known event_type" in result.rejected["reason"].iloc[0]
    assert "event_type_reported" not in result.incidents.columns


def test_unknown_date_precision_is_always_rejected():
    frame = pd.DataFrame({"date": ["2024-01-01"], "location": ["x"], "precision": ["fortnight"]})
    result = read_incidents(frame, errors="report")
    assert result.rejected[["column", "value"]].values.tolist() == [["precision", "fortnight"]]


def test_point_outside_stated_country_warns_or_rejects_when_strict():
    # Ain al-Asad's coordinates stated as Jordan: far outside Jordan, and not a swap either
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "location": ["Ain al-Asad", "Tower 22"],
                          "lat": [33.80, 33.32], "lon": [42.44, 38.70], "country": ["JOR", "JOR"]})
    table, caught = _read_quiet(frame)
    assert len(table) == 2
    assert len(caught) == 1 and "row 2 (JOR)" in str(caught[0].message)
    result = read_incidents(frame, strict=True, errors="report")
    assert result.incidents["location"].tolist() == ["Tower 22"]
    assert result.rejected[["row", "column"]].values.tolist() == [[2, "country"]]
    assert "outside stated country" in result.rejected["reason"].iloc[0]


def test_point_near_the_border_is_inside_within_tolerance():
    # al-Tanf garrison sits a few km from the Jordanian and Iraqi borders
    frame = pd.DataFrame({"date": ["2024-01-01"], "location": ["al-Tanf"], "lat": [33.49], "lon": [38.66],
                          "country": ["SYR"]})
    table, caught = _read_quiet(frame, strict=True)
    assert len(table) == 1 and not caught


def test_country_inferred_from_point_when_not_given():
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "location": ["a", "b"],
                          "lat": [33.80, None], "lon": [42.44, None]})
    table = read_incidents(frame)
    assert table["country"].iloc[0] == "IRQ" and pd.isna(table["country"].iloc[1])


@pytest.mark.parametrize(("value", "reason"), [("abc", "not a whole number"), ("2.5", "not a whole number"),
                                               ("-1", "negative count")])
def test_bad_counts(value, reason):
    frame = pd.DataFrame({"date": ["2024-01-01"], "location": ["x"], "wounded": [value]})
    result = read_incidents(frame, errors="report")
    assert result.rejected[["column", "value", "reason"]].values.tolist() == [["wounded", value, reason]]


def test_counts_accept_whole_floats_and_missing_tokens():
    frame = pd.DataFrame({"date": ["2024-01-01"] * 3, "location": ["x"] * 3, "killed": ["3.0", "n/a", ""]})
    assert read_incidents(frame)["killed"].tolist()[0] == 3
    assert read_incidents(frame)["killed"].isna().tolist() == [False, True, True]


def test_duplicated_column_names_raise():
    frame = pd.DataFrame([["2024-01-01", "x", "y"]], columns=["date", "location", "location"])
    with pytest.raises(IncidentValidationError, match="<DataFrame>: duplicated column names: 'location'"):
        read_incidents(frame, errors="report")


def test_sources_given_as_lists_in_memory():
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "location": ["x", "y"],
                          "sources": [[{"publisher": "AP", "url": "https://apnews.com/x"}], "Rudaw"]})
    table = read_incidents(frame)
    assert parse_sources(table["sources"].iloc[0]) == [
        {"date": "", "publisher": "AP", "url": "https://apnews.com/x"}
    ]
    assert parse_sources(table["sources"].iloc[1])[0]["publisher"] == "Rudaw"


def test_unreadable_sources_are_rejected():
    frame = pd.DataFrame({"date": ["2024-01-01"], "location": ["x"], "sources": ['[{"publisher": "AP"']})
    result = read_incidents(frame, errors="report")
    assert result.rejected["reason"].iloc[0].startswith("unreadable sources: sources is not valid JSON")


def test_not_a_number_coordinates():
    frame = pd.DataFrame({"date": ["2024-01-01"], "location": ["x"], "lat": ["north"], "lon": ["42"]})
    result = read_incidents(frame, errors="report")
    assert result.rejected[["column", "reason"]].values.tolist() == [["lat", "latitude is not a number"]]


def test_argument_checks(tmp_path):
    with pytest.raises(ValueError, match="errors must be"):
        read_incidents(DATA / "minimal.csv", errors="ignore")
    with pytest.raises(ValueError, match="file_format"):
        read_incidents(DATA / "minimal.csv", file_format="shapefile")
    with pytest.raises(TypeError):
        read_incidents(42)
    with pytest.raises(FileNotFoundError):
        read_incidents(tmp_path / "nope.csv")
    weird = tmp_path / "incidents.dat"
    shutil.copy(DATA / "minimal.csv", weird)
    with pytest.raises(ValueError, match="file_format"):
        read_incidents(weird)
    assert len(read_incidents(weird, file_format="csv")) == 3


def test_read_result_repr_and_html():
    result = read_incidents(DATA / "bad.csv", errors="report")
    text = repr(result)
    assert text.startswith(f"ReadResult(file={str(DATA / 'bad.csv')!r}, incidents=2 rows, rejected=9 rows")
    assert "... and 5 more" in text
    page = result._repr_html_()
    assert "<table" in page and "yesterday" in page and page == result._repr_html_()
    assert "&lt;" in ReadResult(result.incidents, result.rejected, result.problems, "<x>")._repr_html_()


# ---------------------------------------------------------------------------------------------------------
# writing and round trips
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".parquet"])
@pytest.mark.parametrize("fixture", ["full.csv", "acled.csv", "synonyms.csv"])
def test_write_then_read_round_trips(tmp_path, suffix, fixture):
    table, _ = _read_quiet(DATA / fixture)
    path = write_incidents(table, tmp_path / f"out{suffix}")
    again, _ = _read_quiet(path, strict=False)
    # ".geojson" gives JSON types to extra columns that look like numbers only if they were numbers:
    # here every extra is text, so the tables are equal, dtypes included
    pd.testing.assert_frame_equal(again, table, check_dtype=suffix != ".geojson")
    schema_part = again[list(schema.COLUMN_NAMES)]
    pd.testing.assert_frame_equal(schema_part, table[list(schema.COLUMN_NAMES)])


def test_round_trip_keeps_reported_columns_and_geometry_is_rebuilt(tmp_path):
    frame = pd.DataFrame({"date": ["2024-01-01"], "location": ["x"], "weapon": ["drone swarm"],
                          "lat": [33.3], "lon": [44.4]})
    table, _ = _read_quiet(frame)
    for suffix in (".csv", ".geojson", ".parquet"):
        again, caught = _read_quiet(write_incidents(table, tmp_path / f"r{suffix}"))
        assert not caught  # "unknown" is a known value now
        pd.testing.assert_frame_equal(again, table, check_dtype=suffix != ".geojson")


def test_write_checks(tmp_path):
    with pytest.raises(TypeError):
        write_incidents([1, 2], tmp_path / "x.csv")
    with pytest.raises(ValueError):
        write_incidents(pd.DataFrame({"a": [1]}), tmp_path / "x.xlsx")
    with pytest.raises(ValueError, match="lat"):
        write_incidents(pd.DataFrame({"a": [1]}), tmp_path / "x.geojson")


_extra_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_extra_text, min_size=1, max_size=5),
       name=st.sampled_from(["Analyst", "my col", "x_1"]))
def test_arbitrary_extra_values_survive_a_round_trip(tmp_path, values, name):
    frame = pd.DataFrame({"date": ["2024-01-28"] * len(values), "location": ["Tower 22"] * len(values),
                          name: values})
    table = read_incidents(frame)
    assert table[name].tolist() == values
    for suffix in (".csv", ".geojson", ".parquet"):
        if suffix == ".geojson" and any("\x00" in v for v in values):
            # GDAL's strings end at NUL: the GIS writers refuse such text rather than cut it
            with pytest.raises(ValueError, match="NUL"):
                write_incidents(table, tmp_path / f"h{suffix}")
            continue
        again = read_incidents(write_incidents(table, tmp_path / f"h{suffix}"))
        assert again[name].tolist() == values, suffix
        assert again["incident_id"].tolist() == table["incident_id"].tolist()
