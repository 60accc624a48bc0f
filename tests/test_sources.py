"""Data sources: every ACLED and UCDP layout in tests/data/sources (rows written in each layout's exact
columns and date style; facts from US DoD/CENTCOM statements and Reuters reports named in each row's
notes)."""

from __future__ import annotations

import json
import threading
import warnings
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents.incidents import IncidentValidationError
from geoincidents.schema import ATTACK_EVENT_TYPES, TARGET
from geoincidents.sources import detect_source, fetch_acled, source_layout, to_acled_columns

DATA = Path(__file__).parent / "data" / "sources"


def _read(name: str, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = gi.read_incidents(DATA / name, **kwargs)
    return table, [str(w.message) for w in caught]


def _attacks(table: pd.DataFrame) -> int:
    return int(table["event_type"].isin(ATTACK_EVENT_TYPES).sum())


CURRENT_2024 = [  # date, precision, location precision, country, event_type, weapon, target
    ("2024-01-28", "day", "exact", "JOR", "attack", "one_way_drone", "us_coalition"),
    ("2024-02-02", "day", "approximate", "IRQ", "strike", "airstrike", "armed_group"),
    ("2024-02-05", "day", "exact", "SYR", "other_conflict_event", "airstrike", "armed_group"),
    ("2024-02-07", "day", "approximate", "IRQ", "other_conflict_event", "ied", "civilians"),
    ("2024-02-10", "week", "exact", "SYR", "other_conflict_event", "unknown", "unknown"),
]
_FIELDS = ["date", "date_precision", "location_precision", "country", "event_type", "weapon", "target"]


def _facts(table: pd.DataFrame) -> list[tuple[str, ...]]:
    out = table[_FIELDS].copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return [tuple(r) for r in out.astype(str).to_numpy().tolist()]


@pytest.mark.parametrize(("name", "rows"), [
    ("acled_2024_current.csv", slice(0, 5)),
    ("acled_2024_hdx.csv", slice(0, 5)),
    ("acled_2024_preamble.csv", slice(0, 2)),
    ("acled_api_key.json", slice(0, 2)),
    ("acled_api_oauth.json", slice(2, 5)),
])
def test_acled_2024_layouts_give_the_same_incidents(name, rows):
    table, notes = _read(name)
    assert _facts(table) == CURRENT_2024[rows]
    raw_ids = ["JOR1001", "IRQ2001", "SYR3001", "IRQ2002", "SYR3002"][rows]
    assert table["incident_id"].tolist() == raw_ids
    assert table["lat"].round(4).tolist() == [33.3228, 34.3687, 35.8125, 34.2697, 32.7094][rows]
    first_actor = {0: "Islamic Resistance in Iraq", 2: "Military Forces of Russia (2000-)"}
    assert table["actor"].iloc[0] == first_actor[rows.start]
    n, attacks = len(table), _attacks(table)
    assert any(f"{n} rows read" in m and f"{attacks} attacks on them" in m for m in notes), notes


def test_hdx_and_preamble_are_said():
    _, notes = _read("acled_2024_hdx.csv")
    assert any("row 2 is a HXL tag row" in m for m in notes)
    table, notes = _read("acled_2024_preamble.csv")
    assert any("header found on line 3; lines 1-2 look like a preamble" in m for m in notes)
    result = gi.read_incidents(DATA / "acled_2024_preamble.csv", errors="report")
    assert len(result.incidents) == 2


def test_preamble_without_a_header_says_where_the_header_was_expected(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("(Sample)\n\nfoo,bar\n1,2\n")
    expected = "header expected on line 3; lines 1-2 look like a preamble"
    with pytest.raises(IncidentValidationError, match=expected):
        gi.read_incidents(path)


def test_2020_iraq_syria_export_without_us_forces_has_no_attacks_on_them():
    table, notes = _read("acled_2020_iraq_syria.csv")
    assert len(table) == 5
    assert _attacks(table) == 0
    assert set(table["event_type"]) == {"other_conflict_event"}
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2020-05-09", "2020-05-13", "2020-05-21", "2020-05-28", "2020-05-30"]
    # Turkish and Israeli air strikes are air strikes, not one-way drones
    assert table["weapon"].tolist() == ["airstrike", "airstrike", "indirect_fire", "ied", "small_arms"]
    assert table["target"].tolist() == ["armed_group", "other", "armed_group", "local_security_forces",
                                        "armed_group"]
    said = "5 rows read: 0 involve US/coalition forces, 0 attacks on them, 0 strikes by them, 5 other"
    assert said in notes[0]
    joined = gi.join_sites(table)
    assert int(gi.weekly_counts(joined)["count"].sum()) == 0


def test_acled_2019_two_digit_day_first_dates():
    table, _ = _read("acled_2019_ddmmyy.csv")
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-31", "2019-12-27", "2019-12-29"]
    # embassy riot: involves US but is not an attack with weapons; K-1 rockets: attack; US strikes: strike
    assert table["event_type"].tolist() == ["other_conflict_event", "attack", "strike"]
    assert table["weapon"].tolist() == ["unknown", "indirect_fire", "airstrike"]
    assert table["killed"].tolist() == [0, 1, 25]
    assert table["country"].tolist() == ["IRQ"] * 3


def test_acled_2022_day_month_name_two_digit_year():
    table, _ = _read("acled_2022_ddmonyy.csv")
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-01-05", "2022-01-04"]
    assert _attacks(table) == 2
    assert table["target"].tolist() == ["us_coalition"] * 2
    assert table["location"].tolist() == ["Ain al-Asad Air Base", "Baghdad International Airport"]


def test_acled_2016_upper_case_layout_with_ally_actors():
    assert detect_source(pd.read_csv(DATA / "acled_2016_upper.csv", nrows=0).columns).name == "acled"
    table, _ = _read("acled_2016_upper.csv")
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2015-12-31", "2016-01-03", "2016-01-14"]
    # coalition as actor1: strike; coalition as ALLY_ACTOR_2: attack on them; IS on civilians: other
    assert table["event_type"].tolist() == ["strike", "attack", "other_conflict_event"]
    assert table["target"].tolist() == ["armed_group", "us_coalition", "civilians"]
    assert table["source_event_type"].tolist() == ["Remote violence", "Battle-No change of territory",
                                                   "Violence against civilians"]
    assert table["source_sub_event_type"].isna().all()
    assert table["date_precision"].tolist() == ["day", "day", "week"]


def test_ucdp_layouts():
    table, notes = _read("ucdp_ged.csv")
    assert table["incident_id"].tolist() == ["1001", "1002", "1003", "1004"]
    assert table["date_precision"].tolist() == ["day", "month", "range", "week"]
    assert table["date_end"].dt.strftime("%Y-%m-%d").tolist() == ["2017-06-10", "2017-03-31", "2017-05-05",
                                                                   "2017-09-07"]
    assert table["location_precision"].tolist() == ["exact", "province", "approximate", "unknown"]
    assert table["killed"].tolist() == [12, 40, 7, 3]
    assert table["low"].tolist() == ["10", "30", "7", "2"]  # low/high kept as they are
    assert table["actor"].tolist() == ["Government of United States of America", "Government of Iraq", "IS",
                                       "SDF"]
    assert table["target"].tolist() == ["armed_group", "armed_group", "civilians", "armed_group"]
    assert table["event_type"].tolist() == ["strike", "other_conflict_event", "other_conflict_event",
                                            "other_conflict_event"]
    assert table["source_event_type"].tolist() == ["state-based conflict", "state-based conflict",
                                                   "one-sided violence", "non-state conflict"]
    assert table["country"].tolist() == ["SYR", "IRQ", "IRQ", "SYR"]
    assert "4 rows read: 1 involve US/coalition forces, 0 attacks on them, 1 strikes by them" in notes[0]
    hdx, _ = _read("ucdp_ged_hdx.csv")
    assert _facts(hdx) == _facts(table)[:2]
    api, _ = _read("ucdp_ged_api.json")
    assert _facts(api) == _facts(table)[2:]


def _report_edited(name: str, tmp_path: Path, edits: dict[tuple[int, str], str]):
    """Read a fixture with some cells changed, errors="report"."""
    frame = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
    for (row, column), value in edits.items():
        frame.loc[row, column] = value
    path = tmp_path / name
    frame.to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gi.read_incidents(path, errors="report"), path


def test_ucdp_bad_code_names_file_row_and_column(tmp_path):
    result, _ = _report_edited("ucdp_ged.csv", tmp_path, {(1, "where_prec"): "9"})
    assert len(result.incidents) + len(result.rejected) == 4
    assert result.rejected[["row", "column", "value"]].values.tolist() == [[3, "where_prec", "9"]]
    assert "not a UCDP code" in result.rejected["reason"].iloc[0]


def test_bad_acled_rows_are_accounted_for(tmp_path):
    edits = {(2, "event_date"): "32-May-20", (4, "latitude"): "north"}
    result, path = _report_edited("acled_2020_iraq_syria.csv", tmp_path, edits)
    assert len(result.incidents) == 3
    assert result.rejected[["row", "column"]].values.tolist() == [[4, "event_date"], [6, "latitude"]]
    assert str(path) in result.problems["file"].iloc[0]


def test_forced_source_and_unknown_source():
    frame = pd.read_csv(DATA / "acled_2024_current.csv", dtype=str, keep_default_na=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = gi.read_incidents(frame, source="table")
    # no ACLED mapping: ACLED's event types are not the schema's, sub_event_type is an extra column
    assert set(plain["event_type"]) == {"other"} and "sub_event_type" in plain.columns
    with pytest.raises(ValueError, match="source must be one of acled, ucdp, table"):
        gi.read_incidents(frame, source="gdelt")
    assert source_layout("ucdp").name == "ucdp"


def test_records_as_the_acled_client_returns_them():
    import datetime

    records = json.loads((DATA / "acled_api_oauth.json").read_text())["data"]
    for r in records:  # the client turns these into Python objects
        r["event_date"] = datetime.date.fromisoformat(r["event_date"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gi.read_incidents(records)
    assert _facts(table) == CURRENT_2024[2:]


def test_acled_country_names_through_pycountry():
    assert [gi.to_iso3(n) for n in ("Democratic Republic of Congo", "Republic of Congo", "eSwatini")] == [
        "COD", "COG", "SWZ"]


def test_write_back_as_acled_columns_round_trips_the_codes():
    table, _ = _read("acled_2024_current.csv")
    back = to_acled_columns(table)
    raw = pd.read_csv(DATA / "acled_2024_current.csv", dtype=str, keep_default_na=False)
    assert back["time_precision"].astype(str).tolist() == raw["time_precision"].tolist()
    assert back["geo_precision"].astype(str).tolist() == raw["geo_precision"].tolist()
    assert back["event_type"].tolist() == raw["event_type"].tolist()
    assert back["country"].tolist() == raw["country"].tolist()
    assert back["event_date"].tolist() == [d for d, *_ in CURRENT_2024]


@pytest.mark.parametrize(("text", "weapon"), [
    ("four Katyusha rockets", "rocket"), ("suicide drones", "one_way_drone"), ("rocket barrage", "rocket"),
    ("armed drone", "one_way_drone"), ("close-range ballistic missile", "missile"), ("2 mortar rounds",
                                                                                      "indirect_fire"),
    ("catapult", None),
])
def test_weapons_as_reports_word_them(text, weapon):
    assert gi.schema.WEAPON.lookup(text) == weapon


def test_target_vocabulary_is_closed():
    assert TARGET.values == ("us_coalition", "local_security_forces", "armed_group", "civilians", "other",
                             "unknown")


def test_day_month_order_decided_once_per_column():
    frame = pd.DataFrame({"date": ["12/31/2019", "01/02/2020"], "location": ["a", "b"]})
    table = gi.read_incidents(frame)
    assert table["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-12-31", "2020-01-02"]
    contradictory = pd.DataFrame({"date": ["12/31/2019", "31/12/2019"], "location": ["a", "b"]})
    with pytest.raises(IncidentValidationError, match="contradicts itself"):
        gi.read_incidents(contradictory)


# -- fetch_acled against a loopback server answering like the ACLED API -------------------------------------
class _Api(BaseHTTPRequestHandler):
    """Answers like the ACLED API: ``limit`` events a page, ``page`` counted from 1."""

    seen: list[str] = []
    events: list[dict] = []

    def do_POST(self):  # noqa: N802 - the OAuth token endpoint
        self._json({"access_token": "t", "refresh_token": "r", "expires_in": 86400, "token_type": "Bearer"})

    def do_GET(self):  # noqa: N802
        _Api.seen.append(self.path)
        query = parse_qs(urlsplit(self.path).query)
        limit, page = int(query.get("limit", ["5000"])[0]), int(query.get("page", ["1"])[0])
        body = json.loads((DATA / "acled_api_key.json").read_text())
        events = _Api.events or body["data"]
        body["data"] = events[(page - 1) * limit:page * limit]
        body["count"] = len(body["data"])
        self._json(body)

    def _json(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def acled_api(monkeypatch):
    """A loopback server answering like the ACLED API, and an ``acled`` client pointed at it."""
    acled = pytest.importorskip("acled")
    from acled.auth import OAuthTokenAuth
    from acled.clients.base_http_client import BaseHttpClient

    server = HTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setattr(OAuthTokenAuth, "TOKEN_ENDPOINT", f"{base}/oauth/token")
    monkeypatch.setattr(BaseHttpClient, "BASE_URL", f"{base}/api")
    _Api.seen, _Api.events = [], []
    try:
        yield acled.AcledClient(auth_method=OAuthTokenAuth(username="user@example.org", password="pw"))
    finally:
        server.shutdown()
        server.server_close()
        _Api.events = []


def _fetch(**kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = fetch_acled(**kwargs)
    return table, [str(w.message) for w in caught]


def test_fetch_acled_with_the_client_against_a_loopback_server(acled_api):
    table, _ = _fetch(country="Jordan", since="2024-01-01", until="2024-02-29", client=acled_api)
    assert _facts(table) == CURRENT_2024[:2]
    assert any("country=Jordan" in p and "2024-01-01" in p for p in _Api.seen), _Api.seen


def _numbered_events(n: int) -> list[dict]:
    template = json.loads((DATA / "acled_api_key.json").read_text())["data"][0]
    return [dict(template, event_id_cnty=f"JOR{9000 + i}") for i in range(n)]


def test_fetch_acled_reads_every_page(acled_api):
    _Api.events = _numbered_events(5)
    table, notes = _fetch(country="Jordan", page_size=2, client=acled_api)
    assert table["incident_id"].tolist() == [f"JOR{9000 + i}" for i in range(5)]
    pages = [parse_qs(urlsplit(p).query)["page"] for p in _Api.seen]
    assert pages == [["1"], ["2"], ["3"]]  # the third page came back short: no fourth request
    assert not any("stopped at limit" in m for m in notes)


def test_fetch_acled_says_when_limit_stops_the_paging(acled_api):
    _Api.events = _numbered_events(5)
    table, notes = _fetch(country="Jordan", page_size=2, limit=4, client=acled_api)
    assert len(table) == 4
    assert any("stopped at limit=4 events" in m for m in notes), notes
    with pytest.raises(ValueError, match="page_size must be positive"):
        fetch_acled(page_size=0, client=acled_api)


# -- joins that respect meaning ------------------------------------------------------------------------------
def _near_harir(target: str) -> pd.DataFrame:
    # 16.7 km north of Harir Air Base (36.5517, 44.3516 in gazetteer/sites.csv)
    return gi.read_incidents(pd.DataFrame({
        "date": ["2020-05-09"], "location": ["Unnamed village"], "lat": [36.7017], "lon": [44.3516],
        "country": ["IRQ"], "event_type": ["other conflict event"], "target": [target],
    }))


def test_distance_fallback_only_for_events_targeting_us_coalition_forces():
    joined = gi.join_sites(_near_harir("armed_group"))
    assert joined["site_id"].isna().all()
    assert joined.attrs["join_summary"]["distance_skipped"] == 1
    assert gi.join_sites(_near_harir("us_coalition"))["match_method"].tolist() == ["distance"]
    assert gi.join_sites(_near_harir("armed_group"), distance_targets=None)["match_method"].tolist() == [
        "distance"]


def test_name_match_far_from_its_own_point_is_flagged():
    table = gi.read_incidents(pd.DataFrame({
        "date": ["2024-01-20", "2024-01-21"], "location": ["Ain al-Asad", "Ain al-Asad"],
        "lat": [33.3, 33.79], "lon": [44.4, 42.44], "location_precision": ["exact", "exact"],
    }))
    joined = gi.join_sites(table)
    assert joined["site_id"].tolist() == ["ain-al-asad-airbase"] * 2  # kept, and flagged
    assert joined["match_warning"].iloc[0].startswith("conflict: the incident's point is")
    assert pd.isna(joined["match_warning"].iloc[1])
    assert joined.attrs["join_summary"]["conflicts"] == 1


# -- command line --------------------------------------------------------------------------------------------
def test_cli_weekly_says_what_it_counts_and_prints_plain_warnings(capsys):
    from geoincidents.cli import main

    assert main(["weekly", str(DATA / "acled_2020_iraq_syria.csv"), "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert out.strip().splitlines() == ["week_start,week,country,count,injured,killed"]  # no attacks on US
    assert "counting attacks on US and coalition forces" in err
    assert "warning: " + str(DATA / "acled_2020_iraq_syria.csv") + ": ACLED: 5 rows read" in err
    assert "IncidentWarning" not in err
    assert main(["weekly", str(DATA / "acled_2020_iraq_syria.csv"), "--format", "csv",
                 "--event-type", "other_conflict_event", "--target", "armed_group"]) == 0
    out, err = capsys.readouterr()
    assert sum(int(line.split(",")[3]) for line in out.strip().splitlines()[1:]) == 3
    assert "counting other conflict event" in err


def test_cli_errors_name_cli_flags(tmp_path, capsys):
    from geoincidents.cli import main

    path = tmp_path / "x.csv"
    path.write_text("date,location\n03/04/2020,Erbil\n04/05/2020,Erbil\n")
    assert main(["weekly", str(path)]) == 2
    err = capsys.readouterr().err
    assert "pass --dayfirst or --monthfirst" in err and "dayfirst=True" not in err
    assert main(["weekly", str(path), "--dayfirst"]) == 0
    path.write_text("date,location\n2020-01-01,Erbil\nnever,Erbil\n")
    assert main(["weekly", str(path)]) == 2
    assert "use --errors report" in capsys.readouterr().err
    assert main(["weekly", str(path), "--errors", "report"]) == 0
    assert "1 row(s) rejected, 1 kept" in capsys.readouterr().err
    assert main(["weekly", str(path), "--event-type", "bombing"]) == 2
    assert "--event-type: unknown value(s) bombing" in capsys.readouterr().err


def test_api_json_integer_codes_next_to_a_null_keep_their_meaning(tmp_path):
    # JSON integers beside a null become floats in a DataFrame (1.0): the precision codes must still map.
    doc = json.loads((DATA / "acled_api_key.json").read_text())
    for row in doc["data"]:
        row["geo_precision"], row["time_precision"] = int(row["geo_precision"]), int(row["time_precision"])
    expected = gi.read_incidents(DATA / "acled_api_key.json")[["location_precision", "date_precision"]]
    doc["data"][0]["geo_precision"] = None
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc))
    got = gi.read_incidents(path)[["location_precision", "date_precision"]]
    assert got["location_precision"].tolist()[1:] == expected["location_precision"].tolist()[1:]
    assert got["location_precision"].iloc[0] == "unknown"
    assert got["date_precision"].tolist() == expected["date_precision"].tolist()
