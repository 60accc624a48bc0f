"""Sources read in the layouts real public files have.

Each fixture in tests/data/sources keeps a few rows of a public file with its exact header, delimiter,
quoting, line ends, encoding and date style; the ``notes`` (ACLED) and headlines (UCDP) are rewritten, and
ACLED's terms keep the files themselves out of this repository. Where each layout came from:

* ``acled_2021_semicolon.csv``: ACLED export tool, ``;``-separated, texts with spaces quoted; from
  AbdelTID/Armed-Conflict-Event ``data/1900-01-01-2021-11-29-Kenya.csv`` at
  f98cb061c1a34fe85c3755b523a113e4d36d3670 (7,701 rows).
* ``acled_2024_numeric_inter.csv``: ACLED export of February 2024, 32 columns (``population_best``),
  ``inter1``/``inter2`` as numbers, CRLF; from GISRedeDev/PyNetworkFriction ``tests/test_data/ACLED.csv`` at
  fcf40bd293d31c27b7fe5977176e70cd5f497b84 (155 rows). Row IRQ9001 is written for the layout from the
  CENTCOM statement of 7 February 2024 (US strike in Baghdad on a Kataib Hezbollah commander).
* ``acled_api_2024_strings.json``: a saved ACLED API answer (every value a string, ``\\/`` escapes,
  ``messages`` and ``filename`` keys); from the same repository, ``tests/test_data_preparation.py``
  ``MOCK_RESPONSE``.
* ``acled_2016_africa_cp1252.csv``: ACLED All-Africa file of 2016 (upper-case 25-column layout, Windows-1252,
  CRLF, seven empty header cells at the end of every line, ``dd/mm/yyyy``); from OCHA-DAP/hdx-scraper-acled
  ``tests/fixtures/2016/06/ACLED-All-Africa-File_20160101-to-20160528_csv.zip`` at
  0f674693f0542afd5681fa77f8f5077c708c549b (6,831 rows).
* ``acled_2001_ddmmyyyy.csv``: ACLED rows of 2001 as HDX's library keeps them (``dd/mm/yyyy``, ``YEAR``
  ``2001-2002``, ids like ``1416RTA``, empty ``EVENT_ID_NO_CNTY``); from OCHA-DAP/hdx-python-api
  ``tests/fixtures/test_data.csv`` at 07f4d641b57473571b1eec153bca0777e300ca3f.
* ``ucdp_ged_hdx_bgd.csv``: UCDP GED as HDX publishes it (43 columns with ``iso3``, a HXL row whose first cell
  is empty, UTF-8 place names, tripled quotes); from OCHA-DAP/hdx-scraper-ucdp
  ``tests/fixtures/conflict_data_BGD.csv`` at b27080bbc4ad6a70e0a785cab5b8296d1c02427c (601 rows).
* ``ucdp_ged_231.csv``: UCDP GED 23.1 (49 columns, UCDP's country names "DR Congo (Zaire)" and "Macedonia,
  FYR"); rows of cran/uncertainUCDP ``data/ucdpged.rda`` at 5307652184fcb979f544d8821b337575dfd86688 (R data,
  so quoting is pandas' and the dates are written ``YYYY-MM-DD 00:00:00.000``, the date-time the R reader
  found).
"""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents.schema import ATTACK_EVENT_TYPES
from geoincidents.sources import to_acled_columns, to_ucdp_columns

DATA = Path(__file__).parent / "data" / "sources"


def _read(name_or_frame, **kwargs):
    source = DATA / name_or_frame if isinstance(name_or_frame, str) else name_or_frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = gi.read_incidents(source, **kwargs)
    return table, [str(w.message) for w in caught]


def _column(table: pd.DataFrame, name: str) -> list:
    values = table[name]
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").tolist()
    return values.tolist()


# -- ACLED ---------------------------------------------------------------------------------------------------
def test_acled_semicolon_export_and_us_civilians_are_not_us_forces():
    table, notes = _read("acled_2021_semicolon.csv")
    assert _column(table, "incident_id") == ["KEN7194", "KEN5967", "KEN254", "KEN7395", "KEN6783"]
    assert _column(table, "date") == ["2020-01-05", "2018-02-04", "1998-08-07", "2020-06-02", "2019-01-16"]
    # Manda Bay: US forces as associated actor 2 -> an attack on them. "Civilians (United States)" (a
    # murdered conservationist, the 1998 embassy bombing) are civilians, not US forces.
    assert _column(table, "event_type") == ["attack"] + ["other_conflict_event"] * 4
    assert _column(table, "target") == ["us_coalition", "civilians", "civilians", "local_security_forces",
                                        "local_security_forces"]
    assert _column(table, "weapon") == ["small_arms", "unknown", "ied", "unknown", "small_arms"]
    assert _column(table, "killed") == [8, 1, 213, 0, 1]
    assert table["lat"].tolist()[:2] == [-2.2722, -1.283]
    assert set(table["country"]) == {"KEN"} and set(table["location_precision"]) == {"exact"}
    assert "5 rows read: 1 involve US/coalition forces, 1 attacks on them, 0 strikes by them" in notes[0]
    assert int(gi.weekly_counts(gi.join_sites(table))["count"].sum()) == 1


def test_acled_2024_export_with_numeric_inter_codes():
    table, _ = _read("acled_2024_numeric_inter.csv")
    assert _column(table, "date") == ["2024-02-16", "2024-02-07", "2024-01-31", "2023-12-31", "2024-02-07"]
    # inter2 0 (no actor2), 7 with civilian targeting, 8 (a foreign force), 1 (state forces), 3 (militia)
    assert _column(table, "target") == ["unknown", "civilians", "other", "local_security_forces",
                                        "armed_group"]
    assert _column(table, "weapon") == ["airstrike", "airstrike", "unknown", "indirect_fire", "airstrike"]
    assert _column(table, "event_type") == ["other_conflict_event"] * 4 + ["strike"]
    assert _column(table, "location_precision") == ["approximate"] * 4 + ["exact"]
    assert _column(table, "country") == ["UKR"] * 4 + ["IRQ"]
    # the column ACLED added in 2024 is kept as it was
    assert table["population_best"].tolist()[:2] == ["1191", "96999"]


def test_saved_acled_api_answer_with_escaped_slashes():
    table, notes = _read("acled_api_2024_strings.json")
    assert _column(table, "incident_id") == ["UKR142665", "UKR142667", "UKR142669", "UKR142670"]
    assert _column(table, "source_event_type") == ["Battles", "Explosions/Remote violence", "Battles",
                                                   "Strategic developments"]
    assert _column(table, "weapon") == ["small_arms", "indirect_fire", "small_arms", "unknown"]
    assert _column(table, "target") == ["local_security_forces", "civilians", "other",
                                        "local_security_forces"]
    assert _column(table, "killed") == [2, 1, 1, 0]
    assert _attacks(table) == 0
    assert "4 rows read" in notes[0]


def _attacks(table: pd.DataFrame) -> int:
    return int(table["event_type"].isin(ATTACK_EVENT_TYPES).sum())


def test_records_parsed_by_the_acled_client_read_like_the_saved_answer():
    pytest.importorskip("acled")
    from acled.clients.acled_data_client import AcledDataClient

    records = json.loads((DATA / "acled_api_2024_strings.json").read_text())["data"]
    # what AcledClient.get_data returns: dates, ints, floats and a UTC datetime timestamp
    parsed = [AcledDataClient._parse_event(None, dict(r)) for r in records]  # type: ignore[arg-type]
    from_client, _ = _read(parsed)
    from_file, _ = _read("acled_api_2024_strings.json")
    fields = ["incident_id", "date", "lat", "lon", "killed", "event_type", "target", "weapon",
              "location_precision", "date_precision", "country"]
    assert from_client[fields].equals(from_file[fields])
    assert str(from_client["timestamp"].dtype).startswith("datetime64")


def test_acled_2016_all_africa_file_as_published():
    # Windows-1252 bytes and seven empty header cells at the end, as the file was published
    table, caught = _read("acled_2016_africa_cp1252.csv")
    assert _column(table, "incident_id") == ["1901RTA", "3286RTA", "2242RTA", "1RTA"]
    assert _column(table, "event_type") == ["strike", "strike", "other_conflict_event",
                                            "other_conflict_event"]
    assert table["notes"].iloc[3] == "SDE workers\u2019 sit-in in Batna in support of their director."
    assert any("read as Windows-1252" in m for m in caught)
    assert any("header ends in 7 empty cell(s)" in m for m in caught)


def test_acled_2016_all_africa_rows_once_decoded():
    # what a user does today: decode Windows-1252 and drop the empty columns, then read the frame
    text = (DATA / "acled_2016_africa_cp1252.csv").read_bytes().decode("cp1252")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    frame = frame.loc[:, [c for c in frame.columns if not c.startswith("Unnamed")]]
    table, _ = _read(frame)
    assert _column(table, "incident_id") == ["1901RTA", "3286RTA", "2242RTA", "1RTA"]
    assert _column(table, "date") == ["2016-02-09", "2016-03-09", "2016-02-14", "2015-12-29"]
    # US forces as ACTOR1 or ALLY_ACTOR_1 in Remote violence or a battle: strikes; a drone crash
    # (Strategic development) and a sit-in: other events
    assert _column(table, "event_type") == ["strike", "strike", "other_conflict_event",
                                            "other_conflict_event"]
    assert _column(table, "country") == ["SOM", "SOM", "SOM", "DZA"]
    assert table["notes"].iloc[3] == "SDE workers\u2019 sit-in in Batna in support of their director."


def test_acled_2001_rows_day_first_and_a_year_range():
    table, _ = _read("acled_2001_ddmmyyyy.csv")
    assert _column(table, "incident_id") == ["1416RTA", "2229RTA", "2230RTA", "2231RTA"]
    assert _column(table, "date") == ["2001-04-18", "2001-04-19", "2001-04-20", "2001-04-21"]
    assert table["YEAR"].tolist() == ["2001", "2001", "2001-2002", "2001"]  # kept as written
    assert _column(table, "location_precision") == ["exact", "province", "exact", "exact"]
    assert _column(table, "target") == ["civilians", "local_security_forces", "unknown",
                                        "local_security_forces"]
    assert set(table["event_type"]) == {"other_conflict_event"}


# -- UCDP ----------------------------------------------------------------------------------------------------
def test_ucdp_as_hdx_publishes_it():
    table, notes = _read("ucdp_ged_hdx_bgd.csv")
    assert any("row 2 is a HXL tag row" in m for m in notes)
    assert _column(table, "incident_id") == ["71663", "73855", "84006", "51122"]
    assert _column(table, "location") == ["Bh\u0101nd\u0101ria town", "Rangamati town", "Bangladesh",
                                          "Bay of Bengal"]
    assert _column(table, "date") == ["2013-12-13", "1989-09-30", "1991-01-01", "1998-10-07"]
    assert _column(table, "date_end") == ["2013-12-14", "1989-09-30", "1991-12-31", "1998-10-07"]
    # where_prec 1, 2, 6, 7 and date_prec 2, 1, 5, 1
    assert _column(table, "location_precision") == ["exact", "approximate", "country", "unknown"]
    assert _column(table, "date_precision") == ["range", "day", "range", "day"]
    assert _column(table, "target") == ["armed_group", "civilians", "armed_group", "civilians"]
    assert _column(table, "killed") == [1, 6, 3, 5]
    assert set(table["country"]) == {"BGD"}
    assert table["number_of_sources"].tolist() == ["1", "-1", "-1", "-1"]


def test_ucdp_231_dates_with_a_time_and_ucdp_country_names():
    table, notes = _read("ucdp_ged_231.csv")
    assert _column(table, "date") == ["2013-10-28", "2017-07-21", "2001-03-28", "2016-04-25"]
    assert _column(table, "country") == ["SOM", "COD", "MKD", "IRQ"]
    assert _column(table, "event_type") == ["strike", "other_conflict_event", "other_conflict_event",
                                            "other_conflict_event"]
    assert _column(table, "location_precision") == ["approximate", "exact", "approximate", "exact"]
    assert "1 strikes by them" in notes[0]


# -- writing back --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ucdp_ged.csv", "ucdp_ged_hdx_bgd.csv", "ucdp_ged_231.csv"])
def test_ucdp_write_back_round_trips(name, tmp_path):
    table, _ = _read(name)
    back = to_ucdp_columns(table)
    raw = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
    raw = raw[~raw["id"].str.startswith("#") & raw["id"].ne("")].reset_index(drop=True)
    # where_prec 1, 2, 4, 6 and date_prec 1-5 come back as they were; 3 reads as approximate (written 2),
    # 5 as province (written 4), 7 as unknown (written empty: UCDP has no code for "unknown")
    lossless = raw["where_prec"].isin(["1", "2", "4", "6"])
    assert back["where_prec"][lossless].astype(str).tolist() == raw["where_prec"][lossless].tolist()
    assert back["where_prec"][raw["where_prec"].eq("7")].isna().all()
    assert back["date_prec"].astype(str).tolist() == raw["date_prec"].tolist()
    assert back["side_b"].tolist() == raw["side_b"].tolist()
    path = tmp_path / "back.csv"
    back.to_csv(path, index=False)
    again, _ = _read(str(path))
    fields = ["incident_id", "date", "date_end", "date_precision", "country", "event_type", "target",
              "killed", "actor", "source_event_type"]
    assert _frame(again, fields).equals(_frame(table, fields))


def _frame(table: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    return pd.DataFrame({f: [str(v) for v in _column(table, f)] for f in fields})


def test_acled_write_back_keeps_actor2_and_reads_again(tmp_path):
    table, _ = _read("acled_2024_numeric_inter.csv")
    back = to_acled_columns(table)
    assert back["actor2"].tolist()[1:] == [
        "Civilians (Ukraine)", "Military Forces of Russia (2000-) Air Force",
        "Military Forces of Ukraine (2019-) Air Force", "Kataib Hezbollah"]
    assert back["actor2"].fillna("").iloc[0] == ""  # no actor2 in the source: none made up
    path = tmp_path / "back.csv"
    back.to_csv(path, index=False)
    again, _ = _read(str(path))
    fields = ["incident_id", "date", "date_precision", "location_precision", "country", "killed", "actor",
              "source_event_type", "source_sub_event_type"]
    assert _frame(again, fields).equals(_frame(table, fields))
    assert _column(again, "weapon") == _column(table, "weapon")


def test_write_back_refuses_a_table_that_is_not_an_incident_table():
    with pytest.raises(ValueError, match="to_ucdp_columns needs an incident table"):
        to_ucdp_columns(pd.DataFrame({"date": []}))
    with pytest.raises(TypeError, match="to_acled_columns expects a pandas DataFrame"):
        to_acled_columns([{"date": "2024-01-01"}])  # type: ignore[arg-type]


def test_air_strikes_by_state_forces_without_inter_codes():
    # an API answer with chosen ``fields`` (no inter1): ACLED's names of state forces still make a state
    frame = pd.read_csv(DATA / "acled_2024_numeric_inter.csv", dtype=str, keep_default_na=False)
    frame = frame.drop(columns=["inter1", "inter2", "interaction"])
    militia = frame.iloc[[0]].assign(event_id_cnty="IRQ9002", actor1="Islamic Resistance in Iraq",
                                     country="Iraq", latitude="36.2370", longitude="43.9630")
    table, _ = _read(pd.concat([frame, militia], ignore_index=True))
    assert _column(table, "weapon") == ["airstrike", "airstrike", "unknown", "indirect_fire", "airstrike",
                                        "one_way_drone"]
