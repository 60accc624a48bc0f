"""The command line in real pipes: `-` for stdin/stdout, join/validate/geocode --input/gazetteer list, exit
codes, the progress bar (a pty shows it, a pipe never), a missing extra (exit 3), `python -m geoincidents`."""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pandas as pd
import pytest

from geoincidents import read_incidents
from geoincidents.cli import main
from geoincidents.commands import EXIT_CODES
from geoincidents.gazetteer import load_gazetteer
from geoincidents.join import join_sites
from tests.test_incidents import DATA

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "geoincidents"]
BAD = DATA / "bad.csv"
FULL = DATA / "full.csv"


def _run(args, stdin: bytes = b"", **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], input=stdin, capture_output=True, timeout=120, **kwargs)


def _pipe(*commands: list[str], stdin: bytes) -> tuple[list[int], bytes, list[bytes]]:
    """Run `a | b | c` with real OS pipes; return every exit code, the last stdout and every stderr."""
    procs = []
    previous = subprocess.PIPE
    for i, args in enumerate(commands):
        proc = subprocess.Popen([*CLI, *args], stdin=previous, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if i == 0:
            first = proc
        else:
            procs[-1].stdout.close()  # the next process owns the read end
        procs.append(proc)
        previous = proc.stdout
    first.stdin.write(stdin)
    first.stdin.close()
    out = procs[-1].stdout.read()
    errs = [p.stderr.read() for p in procs]
    codes = [p.wait(timeout=120) for p in procs]
    return codes, out, errs


# ------------------------------------------------------------------------------------------------- validate
def test_validate_from_stdin_reports_rows_like_a_file():
    piped = _run(["validate", "-", "--format", "csv"], stdin=BAD.read_bytes())
    direct = _run(["validate", BAD, "--format", "csv"])
    assert piped.returncode == direct.returncode == 2
    assert piped.stdout == direct.stdout  # same report, row numbers as in the file
    report = pd.read_csv(io.BytesIO(piped.stdout), dtype=str, keep_default_na=False)
    expected = read_incidents(BAD, errors="report").rejected
    assert report["row"].astype(int).tolist() == expected["row"].tolist()
    assert b"<stdin>: 11 rows, 2 valid, 9 rejected" in piped.stderr


def test_validate_table_report_names_stdin_row_and_column():
    done = _run(["validate", "-"], stdin=BAD.read_bytes())
    assert done.returncode == 2
    first = done.stdout.decode().splitlines()[0]
    assert re.match(r"<stdin>:\d+: column '\w+' value ", first)
    assert "<stdin>:3: column 'date' value 'yesterday'" in done.stdout.decode()


def test_validate_valid_table_exits_0_and_prints_no_rows():
    done = _run(["validate", FULL, "--format", "json"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert b"3 valid, OK" in done.stderr


def test_validate_json_lists_the_rejected_rows():
    done = _run(["validate", "-", "--format", "json"], stdin=BAD.read_bytes())
    records = json.loads(done.stdout)
    assert done.returncode == 2 and len(records) == 9
    assert {"row", "column", "value", "reason"} <= set(records[0])


def test_validate_file_level_problem_exits_2_in_one_paragraph():
    done = _run(["validate", "-"], stdin=b"when,where\n2024-01-01,x\n")
    assert done.returncode == 2
    assert done.stderr.startswith(b"geoincidents: error: <stdin>:") and b"Traceback" not in done.stderr


# ----------------------------------------------------------------------------------------------------- join
def test_join_pipes_through_every_binary_format():
    # csv | join -> gpkg | join -> fgb | join -> geojson | validate: bytes through real pipes all the way
    codes, out, errs = _pipe(
        ["join", "-", "-o", "-", "--format", "gpkg"],
        ["join", "-", "-o", "-", "--format", "fgb"],
        ["join", "-", "-o", "-", "--format", "parquet"],
        ["join", "-", "-o", "-", "--format", "shp"],
        ["join", "-", "-o", "-", "--format", "csv"],
        stdin=FULL.read_bytes(),
    )
    assert codes == [0] * 5, errs
    table = read_incidents(io.BytesIO(out))
    direct = read_incidents(FULL)
    assert table["incident_id"].tolist() == direct["incident_id"].tolist()
    assert table["site_id"].tolist() == join_sites(direct)["site_id"].tolist()
    assert table["lat"].tolist() == direct["lat"].tolist()


def test_join_stdin_to_stdout_then_validate():
    codes, out, errs = _pipe(["join", "-", "-o", "-", "--format", "geojson"], ["validate", "-"],
                             stdin=FULL.read_bytes())
    assert codes == [0, 0], errs
    assert out == b""  # nothing rejected
    assert b"<stdin>: 3 rows, 3 valid, OK" in errs[1]


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg", ".parquet", ".fgb", ".shp"])
def test_join_writes_the_format_of_the_suffix(tmp_path, suffix):
    out = tmp_path / f"joined{suffix}"
    done = _run(["join", FULL, "-o", out])
    assert done.returncode == 0, done.stderr
    again = read_incidents(out)
    expected = join_sites(read_incidents(FULL))
    assert again["site_name"].tolist() == expected["site_name"].tolist()
    assert again["match_method"].tolist() == expected["match_method"].tolist()


def test_join_to_stdout_needs_a_format_and_bad_rows_write_nothing(tmp_path):
    done = _run(["join", FULL, "-o", "-"])
    assert done.returncode == 2 and b"--format" in done.stderr and done.stdout == b""
    done = _run(["join", "-", "-o", tmp_path / "x.gpkg"], stdin=BAD.read_bytes())
    assert done.returncode == 2 and b"<stdin>:3" in done.stderr
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------------------------------------------------- geocode
def test_geocode_batch_from_a_pipe_to_a_file(tmp_path):
    names = "location,country\nAin al-Asad,IRQ\nIrbil,\nSpringfield,\nAin al-Asad,IRQ\nRmelan,SYR\n"
    out = tmp_path / "out.csv"
    done = _run(["geocode", "--input", "-", "--column", "location", "--country-column", "country", "-o", out],
                stdin=names.encode())
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table["location"].tolist() == ["Ain al-Asad", "Irbil", "Springfield", "Ain al-Asad", "Rmelan"]
    from geoincidents import geocode_all
    expected = geocode_all(["Ain al-Asad", "Irbil", "Springfield", "Ain al-Asad", "Rmelan"],
                           ["IRQ", None, None, "IRQ", "SYR"])
    assert table["match_site_id"].tolist() == expected["site_id"].fillna("").tolist()
    assert table["match_method"].tolist() == expected["method"].fillna("").tolist()
    assert b"5 names, 3 matched, 1 ambiguous, 1 not found" in done.stderr


def test_geocode_batch_json_to_stdout_and_errors():
    done = _run(["geocode", "--input", "-", "--column", "place", "--format", "json"],
                stdin=b"place\nTower 22\n")
    assert done.returncode == 0
    assert json.loads(done.stdout.splitlines()[0])["match_site_id"] == "tower-22"
    done = _run(["geocode", "--input", "-", "--column", "nope"], stdin=b"place\nTower 22\n")
    assert done.returncode == 2 and b"'nope' is not a column" in done.stderr
    done = _run(["geocode", "Erbil", "--input", "-", "--column", "place"], stdin=b"place\nx\n")
    assert done.returncode == 2 and b"usage" in done.stderr


# ------------------------------------------------------------------------------------------------ gazetteer
def test_gazetteer_list_csv_and_json():
    gaz = load_gazetteer()
    jor = [s.site_id for s in gaz if s.country == "JOR"]
    done = _run(["gazetteer", "list", "--country", "JOR", "--format", "json"])
    records = json.loads(done.stdout)
    assert [r["site_id"] for r in records] == jor
    assert records[0] == gaz[jor[0]].to_dict()
    done = _run(["gazetteer", "list", "--format", "csv"])
    table = pd.read_csv(io.BytesIO(done.stdout))
    assert table["site_id"].tolist() == gaz.site_ids
    assert table.loc[0, "lat"] == gaz[gaz.site_ids[0]].lat


def test_weekly_and_map_read_stdin_and_map_writes_stdout(tmp_path):
    done = _run(["weekly", "-", "--format", "csv"], stdin=FULL.read_bytes())
    assert done.returncode == 0 and done.stdout == _run(["weekly", FULL, "--format", "csv"]).stdout
    done = _run(["map", "-", "-o", "-"], stdin=FULL.read_bytes())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"<!DOCTYPE html>") and b"wrote -" in done.stderr


# --------------------------------------------------------------------------------------------- exit codes
def test_exit_codes_are_one_table_in_help_and_docs():
    helptext = _run(["--help"]).stdout.decode()
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\d)` \| (.+) \|$", docs, flags=re.M)
    assert [int(code) for code, _ in rows] == [code for code, _ in EXIT_CODES]
    for code, meaning in EXIT_CODES:
        assert f"  {code}  {meaning}" in helptext
        assert dict(rows)[str(code)] == meaning


def test_missing_extra_exits_3_naming_the_extra(tmp_path, monkeypatch, capsys):
    from geoincidents import write_incidents

    path = write_incidents(read_incidents(FULL), tmp_path / "t.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert main(["validate", str(path)]) == 3
    err = capsys.readouterr().err
    assert "install geoincidents[parquet]" in err and "not a readable" not in err


def test_python_dash_m_is_the_console_script():
    done = _run(["geocode", "Irbil", "--json"])
    assert done.returncode == 0 and json.loads(done.stdout)["site_id"] == "erbil"


# ------------------------------------------------------------------------------------------- progress bar
_NO_DELAY = ("import sys, geoincidents.commands.progress as p; p.DELAY_S = 0; "
             "from geoincidents.cli import main; sys.exit(main(sys.argv[1:]))")


def _progress_run(stderr_to_pty: bool) -> tuple[int, bytes]:
    args = [sys.executable, "-c", _NO_DELAY, "join", str(FULL), "-o", "-", "--format", "csv"]
    if not stderr_to_pty:
        done = subprocess.run(args, capture_output=True, timeout=120)
        return done.returncode, done.stderr
    master, slave = pty.openpty()
    # A fresh pty is 0 columns wide; give it a terminal's size, as a terminal window has.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the pty
            break
        if not data:
            break
        chunks.append(data)
    proc.stdout.read()
    code = proc.wait(timeout=60)
    os.close(master)
    return code, b"".join(chunks)


def test_progress_bar_on_a_terminal_only():
    code, on_tty = _progress_run(stderr_to_pty=True)
    assert code == 0
    assert b"join:" in on_tty and b"/3 [" in on_tty and b"\rjoin:" in on_tty  # a bar redrawn in place
    code, in_pipe = _progress_run(stderr_to_pty=False)
    assert code == 0
    assert b"\r" not in in_pipe and b"/3 [" not in in_pipe and b"%|" not in in_pipe
    assert in_pipe.startswith(b"joined 3 incidents")
