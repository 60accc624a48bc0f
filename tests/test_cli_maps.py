"""The map, chart and demo commands on real input, and writing the joined table back out."""

from __future__ import annotations

import json
import re
import stat

import pandas as pd
import pytest

import geoincidents as gi
from geoincidents.cli import main
from geoincidents.incidents import read_incidents, write_incidents


@pytest.fixture(scope="module")
def example_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("input") / "incidents.csv"
    write_incidents(gi.example_incidents(), path)
    return path


def test_demo_writes_map_chart_and_table(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == ["campaign-briefing.html", "campaign-map.html", "example-map-offline.html",
                       "example-map.html", "weekly-chart.png", "weekly-chart.svg", "weekly-counts.csv"]
    printed = capsys.readouterr().out
    assert all(name in printed for name in written)
    offline = (out / "example-map-offline.html").read_text(encoding="utf-8")
    assert "<script src=" not in offline and "unpkg.com" not in offline
    # The weekly table is the chart's data: the October 2023 wave only, every week of its span present.
    table = pd.read_csv(out / "weekly-counts.csv")
    wave = gi.example_incidents()
    wave = wave[(wave["date"] >= "2023-10-01") & wave["event_type"].isin(["attack", "interception"])]
    assert table["count"].sum() == len(wave)
    assert table["week"].str.match(r"^2023-W\d\d$").all()
    # The campaign beside the seeds: its map is self-contained and its briefing counts every campaign attack.
    campaign = (out / "campaign-map.html").read_text(encoding="utf-8")
    assert "<script src=" not in campaign
    attacks = gi.campaign_incidents()["event_type"].isin(["attack", "interception"]).sum()
    brief = (out / "campaign-briefing.html").read_text(encoding="utf-8")
    assert f"<b>{attacks}</b> attacks" in brief
    # Files for a briefing are readable by others, not mkstemp's owner-only 0600.
    mode = (out / "example-map.html").stat().st_mode
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH


def test_map_command_filters_and_titles(example_csv, tmp_path, capsys):
    out = tmp_path / "iraq.html"
    code = main(["map", str(example_csv), "-o", str(out), "--offline", "--country", "IRQ",
                 "--since", "2023-10-01", "--title", "Iraq <b>since</b> October"])
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "Iraq &lt;b&gt;since&lt;/b&gt; October" in html and "<b>since</b>" not in html
    assert "Syria" not in re.sub(r"<[^>]+>", "", html.split("<script>")[0])
    assert "incidents)" in capsys.readouterr().out


def test_map_is_reproducible_from_the_command_line(example_csv, tmp_path):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for path in (first, second):
        assert main(["map", str(example_csv), "-o", str(path), "--time-slider"]) == 0
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("suffix, signature", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_chart_command_writes_the_format_of_its_suffix(example_csv, tmp_path, suffix, signature):
    out = tmp_path / f"chart{suffix}"
    assert main(["chart", str(example_csv), "-o", str(out), "--by", "weapon", "--since", "2023-10-01"]) == 0
    assert out.read_bytes().startswith(signature)


def test_geocode_json_is_one_object(capsys):
    assert main(["geocode", "Hawler", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["site_id"], record["country"]) == ("erbil", "IRQ")


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".parquet"])
def test_joined_table_written_back_keeps_every_row_and_column(tmp_path, suffix):
    incidents = gi.example_incidents()
    incidents["analyst_tag"] = [f"tag-{i}" for i in range(len(incidents))]
    joined = gi.join_sites(incidents)
    path = write_incidents(joined, tmp_path / f"joined{suffix}")
    back = read_incidents(path)
    assert len(back) == len(joined)
    expected = [c for c in joined.columns if c != "geometry"]
    assert [c for c in expected if c not in back.columns] == []
    for column in ("incident_id", "site_id", "match_method", "analyst_tag", "location"):
        assert back[column].fillna("").tolist() == joined[column].fillna("").tolist(), column
    # CSV keeps columns the schema does not know as text; the numbers must survive all the same.
    distance = pd.to_numeric(back["distance_m"].replace("", None), errors="raise")
    assert distance.fillna(-1).round(3).tolist() == joined["distance_m"].fillna(-1).round(3).tolist()


def test_unwritable_output_is_a_clear_error_not_a_traceback(example_csv, tmp_path, capsys):
    target = tmp_path / "taken.html"
    target.mkdir()  # a folder where the map should go: the write fails with an OSError
    assert main(["map", str(example_csv), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("geoincidents: error:") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.html"]  # no temp file left behind
