"""Tests for the `geoincidents geocode` and `geoincidents gazetteer` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geoincidents.cli import main
from geoincidents.gazetteer import load_gazetteer

GAZ = load_gazetteer()
FIXTURES = Path(__file__).resolve().parent / "data" / "gazetteer"
VENV_SCRIPT = Path(sys.executable).with_name("geoincidents")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ============================================================================== geocode
def test_geocode_json_prints_one_object(capsys):
    code, out, err = run(capsys, "geocode", "Ain al-Asad", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)  # exactly one JSON document
    assert out.count("\n") == 1
    site = GAZ["ain-al-asad-airbase"]
    assert data["site_id"] == "ain-al-asad-airbase"
    assert data["name"] == site.name
    assert data["country"] == "IRQ"
    assert (data["lat"], data["lon"]) == (site.lat, site.lon)
    assert data["score"] == 100
    assert data["method"] == "alias"


def test_geocode_json_keeps_arabic_readable(capsys):
    code, out, _ = run(capsys, "geocode", "عين الأسد", "--json")
    assert code == 0
    assert "عين الأسد" in out  # ensure_ascii=False
    assert json.loads(out)["site_id"] == "ain-al-asad-airbase"


def test_geocode_text_output(capsys):
    code, out, _ = run(capsys, "geocode", "Irbil")
    assert code == 0
    fields = out.rstrip("\n").split("\t")
    assert fields[:4] == ["erbil", "Erbil", "IRQ", "Erbil"]
    erbil = GAZ["erbil"]
    assert f"{erbil.lat:.5f}, {erbil.lon:.5f}" in out and "±6500 m" in out and "alias" in out


def test_geocode_ambiguous_lists_candidates(capsys):
    code, out, _ = run(capsys, "geocode", "Rmelan")
    assert code == 0
    assert "ambiguous" in out
    assert "rmelan\t" in out and "rumalyn-landing-zone\t" in out
    code, out, _ = run(capsys, "geocode", "Rmelan", "--json")
    data = json.loads(out)
    assert data["ambiguous"] is True and data["site_id"] is None
    assert {c["site_id"] for c in data["candidates"]} == {"rmelan", "rumalyn-landing-zone"}


def test_geocode_no_match_exit_1_message_on_stderr(capsys):
    code, out, err = run(capsys, "geocode", "Springfield", "--json")
    assert code == 1
    assert out == ""
    assert "Springfield" in err and "no site" in err


def test_geocode_country_filter(capsys):
    code, out, err = run(capsys, "geocode", "Erbil", "--country", "SYR")
    assert code == 1 and out == "" and "SYR" in err
    code, out, _ = run(capsys, "geocode", "Erbil", "--country", "Iraq", "--json")
    assert code == 0 and json.loads(out)["site_id"] == "erbil"


def test_geocode_bad_country_exit_2(capsys):
    code, out, err = run(capsys, "geocode", "Erbil", "--country", "Atlantis")
    assert code == 2
    assert out == ""
    assert "Atlantis" in err and err.startswith("geoincidents: error:")
    assert "Traceback" not in err


def test_missing_arguments_is_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["geocode"])
    assert info.value.code == 2
    assert "usage" in capsys.readouterr().err


# ============================================================================== gazetteer
def test_gazetteer_validate_bundled(capsys):
    code, out, err = run(capsys, "gazetteer", "validate")
    assert code == 0, err
    assert f"{len(GAZ)} sites" in out and f"{len(GAZ.aliases)} aliases" in out


def test_gazetteer_validate_fixture_folder(capsys):
    code, out, _ = run(capsys, "gazetteer", "--sites", str(FIXTURES), "validate")
    assert code == 0 and "4 sites, 6 aliases" in out


def test_gazetteer_validate_bad_file_exit_1_with_locations(capsys, tmp_path):
    lines = (FIXTURES / "sites.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",33.76000,", ",133.76000,")  # line 3: lat out of range
    lines[4] = lines[4].replace(",oil_gas_field,", ",refinery,")  # line 5: unknown kind
    bad = tmp_path / "sites.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "gazetteer", "--sites", str(bad), "validate")
    assert code == 1
    assert "gazetteer OK" not in out
    assert f"{bad}:3: column 'lat'" in err
    assert f"{bad}:5: column 'kind'" in err
    assert "Traceback" not in err


def test_gazetteer_validate_reports_geography_and_alias_collisions(capsys, tmp_path):
    lines = (FIXTURES / "sites.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("33.78560,42.44120", "35.33611,40.30944")  # camp-alpha (IRQ) moved into Syria
    (tmp_path / "sites.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    aliases = (FIXTURES / "aliases.csv").read_text(encoding="utf-8") + "Bravo,camp-alpha,latin,,\n"
    (tmp_path / "aliases.csv").write_text(aliases, encoding="utf-8")
    code, _, err = run(capsys, "gazetteer", "--sites", str(tmp_path / "sites.csv"),
                       "--aliases", str(tmp_path / "aliases.csv"), "validate")
    assert code == 1
    assert "camp-alpha" in err and "not inside IRQ" in err
    assert "'bravo'" in err and "bravo-outpost" in err
    assert "2 problem(s)" in err


def test_gazetteer_missing_file_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "gazetteer", "--sites", str(tmp_path / "missing.csv"), "validate")
    assert code == 2
    assert "missing.csv" in err


def test_gazetteer_list_country_jor(capsys):
    code, out, _ = run(capsys, "gazetteer", "list", "--country", "JOR")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    expected = [s.site_id for s in GAZ if s.country == "JOR"]
    assert [r[0] for r in rows] == expected
    assert {"tower-22", "muwaffaq-salti-airbase"} <= set(expected)
    assert all(r[3] == "JOR" for r in rows)


def test_gazetteer_list_all_and_by_name(capsys):
    code, out, _ = run(capsys, "gazetteer", "list")
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == GAZ.site_ids
    code, out, _ = run(capsys, "gazetteer", "list", "--country", "Syria")
    assert {line.split("\t")[3] for line in out.splitlines()} == {"SYR"}


def test_gazetteer_list_bad_country_exit_2(capsys):
    code, out, err = run(capsys, "gazetteer", "list", "--country", "Narnia")
    assert code == 2 and out == "" and "Narnia" in err


def test_gazetteer_show_tower_22(capsys):
    code, out, _ = run(capsys, "gazetteer", "show", "tower-22")
    assert code == 0
    site = GAZ["tower-22"]
    assert site.coord_source in out
    assert site.coord_source_url in out
    assert site.name_ar in out
    aliases_line = next(line for line in out.splitlines() if line.strip().startswith("aliases:"))
    for alias in ("T22", "Rukban outpost", "Tower Twenty-Two"):
        assert alias in aliases_line


def test_gazetteer_show_unknown_id_exit_2(capsys):
    code, out, err = run(capsys, "gazetteer", "show", "tower-99")
    assert code == 2
    assert out == ""
    assert "tower-99" in err


# ============================================================================== console script
def _console_command() -> list[str]:
    if VENV_SCRIPT.exists():
        return [str(VENV_SCRIPT)]
    return [sys.executable, "-m", "geoincidents.cli"]


def test_console_script_geocode_json():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(_console_command() + ["geocode", "Ayn al Asad airbase", "--json"],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["site_id"] == "ain-al-asad-airbase"
    proc = subprocess.run(_console_command() + ["geocode", "Springfield"],
                          capture_output=True, text=True, timeout=60, env=env, check=False)
    assert proc.returncode == 1 and proc.stdout == "" and "Springfield" in proc.stderr


def test_gazetteer_list_json_has_every_site_with_dates_as_text(capsys):
    code, out, _ = run(capsys, "gazetteer", "list", "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert [r["site_id"] for r in records] == GAZ.site_ids
    tanf = next(r for r in records if r["site_id"] == "al-tanf-garrison")
    assert tanf["active_from"] == GAZ["al-tanf-garrison"].active_from.isoformat()


def test_geocode_batch_keeps_a_row_for_every_line_of_a_cut_column():
    # `cut -d, -f3 reports.csv | geoincidents geocode --input - ...`: an empty cell is a blank line
    argv = [sys.executable, "-m", "geoincidents", "geocode", "--input", "-", "--column", "place"]
    proc = subprocess.run(argv, input="place\nErbil\n\nKabul\n", capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.splitlines()[1:]
    assert [r.split(",")[:2] for r in rows] == [["Erbil", "erbil"], ["", ""], ["Kabul", ""]]
    assert "3 names, 1 matched" in proc.stderr
