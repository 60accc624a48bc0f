"""Tests for the incident sub-commands of the command line: ``weekly``, and the error paths of ``map`` and
``chart`` (bad input -> exit 2, one paragraph on stderr, no traceback, no output or temporary file).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geoincidents.aggregate import weekly_counts
from geoincidents.cli import main
from geoincidents.incidents import read_incidents
from geoincidents.join import join_sites

# Hand-written incidents. ISO weeks: 16-22 Oct 2023 = W42, 23-29 Oct = W43, 30 Oct-5 Nov = W44.
CSV = """\
incident_id,date,location,country,event_type,weapon,injured,killed
a1,2023-10-17,Ain al-Asad air base,IRQ,attack,one_way_drone,2,
a2,2023-10-19,al-Tanf,SYR,attack,unknown,,
a3,2023-10-22,Ain al-Asad,IRQ,attack,rocket,,0
a4,2023-10-23,al-Tanf military base,SYR,interception,one_way_drone,0,
a5,2023-10-25,northern Syria,SYR,attack,rocket,0,
a6,2023-10-26,near Erbil,IRQ,attack,unknown,,
a7,2023-10-27,near Boukamal,SYR,strike,airstrike,,
a8,2023-11-02,Tower 22,JOR,attack,one_way_drone,3,1
"""
# attacks + interceptions per week and country (strike a7 is not counted)
EXPECTED = {("2023-W42", "IRQ"): 2, ("2023-W42", "SYR"): 1, ("2023-W43", "SYR"): 2, ("2023-W43", "IRQ"): 1,
            ("2023-W44", "JOR"): 1}


@pytest.fixture
def incidents_csv(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _run(argv, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _nonzero(table: pd.DataFrame, group: str) -> dict:
    return {(w, g): int(c) for w, g, c in zip(table["week"], table[group], table["count"], strict=True) if c}


# ------------------------------------------------------------------------------------------------------------
# weekly: formats
# ------------------------------------------------------------------------------------------------------------
def test_weekly_csv_parses_back_to_weekly_counts(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--format", "csv"], capsys)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["week_start", "week", "country", "count", "injured", "killed"]
    assert _nonzero(table, "country") == EXPECTED
    # zero-filled: 3 weeks x 3 countries
    assert len(table) == 9
    assert table["week_start"].iloc[0] == "2023-10-16"
    by_week = table.groupby("week")[["injured", "killed"]].sum()
    assert by_week.loc["2023-W42", "injured"] == 2 and by_week.loc["2023-W44", "killed"] == 1
    # and the same numbers as the library
    direct = weekly_counts(join_sites(read_incidents(incidents_csv)), by="country")
    assert table[["count", "injured", "killed"]].to_numpy().tolist() == \
        direct[["count", "injured", "killed"]].to_numpy().tolist()
    assert table["week"].tolist() == direct["week"].tolist()


def test_weekly_json_is_a_list_of_records(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--format", "json"], capsys)
    assert code == 0, err
    records = json.loads(out)
    assert isinstance(records, list) and len(records) == 9
    assert all(isinstance(r, dict) for r in records)
    assert set(records[0]) == {"week_start", "week", "country", "count", "injured", "killed"}
    assert all(isinstance(r["count"], int) for r in records)
    assert {(r["week"], r["country"]): r["count"] for r in records if r["count"]} == EXPECTED
    assert records[0]["week_start"] == "2023-10-16"


def test_weekly_markdown_has_header_and_rule(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--format", "markdown"], capsys)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert [c.strip() for c in lines[0].strip("|").split("|")] == [
        "week_start", "week", "country", "count", "injured", "killed"]
    assert set(lines[1].replace("|", "").replace(":", "").strip()) == {"-"}
    assert lines[1].count("|") == lines[0].count("|")
    assert len(lines) == 2 + 9
    assert all(line.startswith("|") and line.endswith("|") for line in lines)


def test_weekly_table_is_the_default(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv], capsys)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split() == ["week_start", "week", "country", "count", "injured", "killed"]
    assert len(lines) == 1 + 9
    assert any(line.split()[1:4] == ["2023-W43", "SYR", "2"] for line in lines[1:])


# ------------------------------------------------------------------------------------------------------------
# weekly: grouping and filters
# ------------------------------------------------------------------------------------------------------------
def test_weekly_by_site(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--by", "site", "--format", "csv"], capsys)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert "site_id" in table.columns
    assert _nonzero(table, "site_id") == {
        ("2023-W42", "ain-al-asad-airbase"): 2, ("2023-W42", "al-tanf-garrison"): 1,
        ("2023-W43", "al-tanf-garrison"): 1, ("2023-W43", "unknown"): 1, ("2023-W43", "erbil"): 1,
        ("2023-W44", "tower-22"): 1}


@pytest.mark.parametrize("by, column", [("weapon", "weapon"), ("event_type", "event_type")])
def test_weekly_by_other_columns(incidents_csv, capsys, by, column):
    code, out, err = _run(["weekly", incidents_csv, "--by", by, "--format", "csv"], capsys)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert column in table.columns
    assert table["count"].sum() == 7
    if by == "event_type":
        assert set(table["event_type"]) == {"attack", "interception"}


def test_weekly_country_filter(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--country", "IRQ,JOR", "--format", "csv"], capsys)
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert set(table["country"]) == {"IRQ", "JOR"}
    assert _nonzero(table, "country") == {k: v for k, v in EXPECTED.items() if k[1] in ("IRQ", "JOR")}
    # country names are accepted too
    code, out, err = _run(["weekly", incidents_csv, "--country", "Syria", "--format", "csv"], capsys)
    assert code == 0, err
    assert set(pd.read_csv(io.StringIO(out))["country"]) == {"SYR"}


def test_weekly_since_until_are_inclusive(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--since", "2023-10-22", "--until", "2023-10-26",
                           "--format", "json"], capsys)
    assert code == 0, err
    records = json.loads(out)
    # a3 (22 Oct, IRQ, W42), a4 + a5 (SYR, W43), a6 (IRQ, W43)
    assert {(r["week"], r["country"]): r["count"] for r in records if r["count"]} == {
        ("2023-W42", "IRQ"): 1, ("2023-W43", "SYR"): 2, ("2023-W43", "IRQ"): 1}
    assert sum(r["count"] for r in records) == 4


def test_weekly_filters_leaving_nothing(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--since", "2024-01-01", "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out) == []


# ------------------------------------------------------------------------------------------------------------
# weekly: errors
# ------------------------------------------------------------------------------------------------------------
def _assert_one_paragraph(err: str) -> None:
    assert err.startswith("geoincidents: error:")
    assert "Traceback" not in err
    assert "\n\n" not in err.strip()


@pytest.mark.parametrize("value", ["XYZ", "IRQ,Narnia"])
def test_weekly_bad_country_exits_2(incidents_csv, capsys, value):
    code, out, err = _run(["weekly", incidents_csv, "--country", value], capsys)
    assert code == 2
    assert out == ""
    _assert_one_paragraph(err)
    assert "--country" in err and value.split(",")[-1] in err


@pytest.mark.parametrize("option, value", [("--since", "2023-13-45"), ("--until", "yesterday"),
                                           ("--since", "31/12/2023x")])
def test_weekly_bad_date_exits_2(incidents_csv, capsys, option, value):
    code, out, err = _run(["weekly", incidents_csv, option, value], capsys)
    assert code == 2
    assert out == ""
    _assert_one_paragraph(err)
    assert option in err and value in err


def _bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    lines = CSV.splitlines()
    # line 4 of the file (header is line 1) gets an impossible date
    lines[3] = lines[3].replace("2023-10-22", "2023-19-22")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_weekly_bad_row_exits_2_naming_file_row_and_column(tmp_path, capsys):
    path = _bad_csv(tmp_path)
    code, out, err = _run(["weekly", path], capsys)
    assert code == 2
    assert out == ""
    _assert_one_paragraph(err)
    assert f"{path}:4" in err
    assert "'date'" in err and "2023-19-22" in err


def test_weekly_missing_file_exits_2(tmp_path, capsys):
    missing = tmp_path / "no-such.csv"
    code, out, err = _run(["weekly", missing], capsys)
    assert code == 2
    _assert_one_paragraph(err)
    assert str(missing) in err


def test_weekly_unknown_by_is_a_usage_error(incidents_csv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["weekly", str(incidents_csv), "--by", "province"])
    assert exc.value.code == 2


def test_command_line_entry_point_prints_no_traceback(tmp_path):
    path = _bad_csv(tmp_path)
    done = subprocess.run([sys.executable, "-m", "geoincidents.cli", "weekly", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{path}:4" in done.stderr and done.stdout == ""


# ------------------------------------------------------------------------------------------------------------
# map and chart: error paths
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command, name", [("map", "out.html"), ("chart", "out.png"), ("chart", "out.svg")])
def test_bad_input_writes_nothing(tmp_path, capsys, command, name):
    path = _bad_csv(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, err = _run([command, path, "-o", out_dir / name], capsys)
    assert code == 2
    _assert_one_paragraph(err)
    assert f"{path}:4" in err and "'date'" in err
    assert list(out_dir.iterdir()) == []  # no output, no temporary file


@pytest.mark.parametrize("command, name", [("map", "out.html"), ("chart", "out.png")])
def test_missing_input_writes_nothing(tmp_path, capsys, command, name):
    code, out, err = _run([command, tmp_path / "absent.csv", "-o", tmp_path / name], capsys)
    assert code == 2
    _assert_one_paragraph(err)
    assert "absent.csv" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, name", [("map", "out.jpg"), ("map", "out"), ("chart", "out.html"),
                                           ("chart", "out.jpg")])
def test_wrong_output_suffix_exits_2(incidents_csv, capsys, command, name):
    out_path = incidents_csv.parent / name
    code, out, err = _run([command, incidents_csv, "-o", out_path], capsys)
    assert code == 2
    _assert_one_paragraph(err)
    assert name in err
    assert sorted(p.name for p in incidents_csv.parent.iterdir()) == ["incidents.csv"]


@pytest.mark.parametrize("command, name", [("map", "out.html"), ("chart", "out.png")])
def test_output_in_missing_folder_exits_2(incidents_csv, capsys, command, name):
    target = incidents_csv.parent / "missing-folder" / name
    code, out, err = _run([command, incidents_csv, "-o", target], capsys)
    assert code == 2
    _assert_one_paragraph(err)
    assert not target.parent.exists()


def test_output_piped_into_head_is_not_an_error(monkeypatch, capfd):
    # `geoincidents weekly ... | head -1` closes the pipe while we write: a BrokenPipeError (an OSError) must
    # end the command quietly with 0, not as "error: [Errno 32] Broken pipe" with exit 2.
    import geoincidents.cli as cli
    import geoincidents.commands.incidents as incident_commands

    def closed_pipe(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(incident_commands, "run_weekly", closed_pipe)
    assert cli.main(["weekly", "whatever.csv"]) == 0
    assert capfd.readouterr().err == ""


def test_ctrl_c_ends_quietly_with_130_and_never_blames_the_input(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    big = tmp_path / "big.csv"
    row = "2023-10-18,Ain al-Asad,IRQ,attack,one_way_drone\n"
    big.write_text("date,location,country,event_type,weapon\n" + row * 400_000)
    # The signal is meant for the command at work, so the delays count from the moment the interpreter has
    # started and imported the command line (measured now, under whatever load the machine has): a signal
    # before that lands in Python's own start-up, where no program can catch it.
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import geoincidents.cli"], check=True)
    startup = time.perf_counter() - start
    checked = 0
    for delay in (startup + 0.3, startup + 0.8, startup + 1.5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "geoincidents.cli", "weekly", str(big)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        if proc.returncode == 0:  # finished before the signal: nothing to check this round
            continue
        # 130 is what the shell shows for both an exit with status 130 and a death by SIGINT (-2 here), which
        # Python chooses when the signal lands while the interpreter is shutting down.
        assert proc.returncode in (130, -signal.SIGINT), err
        # The interruption is the last word; before it there may only be the notes the command printed before
        # the signal (what it counts), never an error about the input.
        # A death by SIGINT while the interpreter shuts down (the work was done) prints nothing more.
        lines = err.strip().splitlines()
        if proc.returncode == 130:
            assert lines and lines[-1] == "geoincidents: interrupted", err
            lines = lines[:-1]
            checked += 1
        assert all(line.startswith("counting ") for line in lines), err
        assert "Traceback" not in err and "big.csv" not in err
    assert checked, "no round was interrupted while working: make the file bigger"


def test_ctrl_c_while_the_modules_load_ends_quietly_too(tmp_path, incidents_csv):
    # CI once sent the signal while `geoincidents.cli` was still importing pandas: the import traceback was
    # printed. Here the signal lands exactly then, every time: a finder raises SIGINT when pandas is looked
    # up. The command line must load nothing heavy before main() is running, and catch the interrupt there.
    import textwrap

    script = textwrap.dedent("""
        import os, signal, sys
        import geoincidents.cli as cli
        assert "pandas" not in sys.modules, "importing the command line loaded pandas"

        class SigintWhenPandasLoads:
            def find_spec(self, name, path=None, target=None):
                if name == "pandas":
                    os.kill(os.getpid(), signal.SIGINT)
                return None

        sys.meta_path.insert(0, SigintWhenPandasLoads())
        sys.exit(cli.main(sys.argv[1:]))
    """)
    proc = subprocess.run([sys.executable, "-c", script, "weekly", str(incidents_csv)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "geoincidents: interrupted\n"
    assert proc.stdout == ""


def test_weekly_table_with_nothing_to_count_prints_the_header_not_a_pandas_repr(incidents_csv, capsys):
    code, out, err = _run(["weekly", incidents_csv, "--since", "2030-01-01"], capsys)
    assert code == 0, err
    assert out.split() == ["week_start", "week", "country", "count", "injured", "killed"]
    assert "Empty DataFrame" not in out and "no incidents to count" in err


@pytest.mark.parametrize("command", ["validate", "join"])
def test_validate_and_join_take_the_read_options_their_messages_name(command, tmp_path, capsys):
    path = tmp_path / "ambiguous.csv"
    path.write_text("date,location\n05/06/2023,Erbil\n", encoding="utf-8")
    out_args = ["-o", tmp_path / "joined.csv"] if command == "join" else []
    code, _, err = _run([command, path, *out_args], capsys)
    assert code == 2 and "pass --dayfirst or --monthfirst" in err
    code, _, err = _run([command, path, *out_args, "--dayfirst"], capsys)
    assert code == 0, err
    if command == "join":
        dates = read_incidents(tmp_path / "joined.csv")["date"]
        assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2023-06-05"]


def test_join_errors_report_writes_the_valid_rows_and_says_how_many_were_rejected(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,location\n2023-10-17,Erbil\nnot a date,Erbil\n", encoding="utf-8")
    code, _, err = _run(["join", path, "-o", tmp_path / "joined.csv"], capsys)
    assert code == 2 and "--errors report" in err and not (tmp_path / "joined.csv").exists()
    code, _, err = _run(["join", path, "-o", tmp_path / "joined.csv", "--errors", "report"], capsys)
    assert code == 0 and "1 row(s) rejected, 1 kept" in err
    assert len(read_incidents(tmp_path / "joined.csv")) == 1
