"""geoincidents extract / merge through real processes and pipes."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import geoincidents as gi
from geoincidents.schema import parse_sources

ARTICLE_A = (
    "October 24, 2023 | Brief\n\nThe Islamic Resistance in Iraq claimed that two drones attacked "
    "al-Tanf on October 23. Officials said the Pentagon confirmed it.\n"
)
ARTICLE_B = "Two drones attacked the al-Tanf garrison on Monday and were intercepted, the Pentagon said.\n"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from geoincidents.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True, timeout=300
    )


def test_extract_from_stdin_and_files_then_merge(tmp_path):
    b = tmp_path / "b.txt"
    b.write_text(ARTICLE_B, encoding="utf-8")
    drafts_a, drafts_b, merged = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "m.csv"
    done = run("extract", "-", "--publisher", "Brief", "-o", str(drafts_a), stdin=ARTICLE_A)
    assert done.returncode == 0, done.stderr
    done = run(
        "extract",
        str(b),
        "--published",
        "2023-10-24",
        "--publisher",
        "Wire",
        "--url",
        "https://example.org/b",
        "-o",
        str(drafts_b),
    )
    assert done.returncode == 0, done.stderr
    a = gi.read_incidents(drafts_a)
    assert a["date"].tolist() == [pd.Timestamp("2023-10-23")]
    assert "publication date dateline" in a.loc[0, "needs_review"]
    done = run("merge", str(drafts_a), str(drafts_b), "-o", str(merged))
    assert done.returncode == 0, done.stderr
    m = gi.read_incidents(merged)
    assert len(m) == 1 and m.loc[0, "site_id"] == "al-tanf-garrison"
    assert {s["publisher"] for s in parse_sources(m.loc[0, "sources"])} == {"Brief", "Wire"}


def test_several_files_in_one_run_and_totals(tmp_path):
    paths = []
    for i, text in enumerate(
        [ARTICLE_B, "Militants launched 12 attacks since Oct. 17, 5 in Iraq and 7 in Syria.\n"]
    ):
        p = tmp_path / f"{i}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))
    out, totals = tmp_path / "d.csv", tmp_path / "t.csv"
    done = run("extract", *paths, "--published", "2023-10-24", "-o", str(out), "--totals", str(totals))
    assert done.returncode == 0, done.stderr
    assert len(gi.read_incidents(out)) == 1
    assert pd.read_csv(totals)["value"].tolist() == [12, 5, 7]


def test_errors_are_one_line_and_leave_no_file(tmp_path):
    out = tmp_path / "d.csv"
    done = run("extract", str(tmp_path / "missing.txt"), "-o", str(out))
    assert done.returncode == 2 and "error" in done.stderr and not out.exists()
    done = run("extract", "-", "--published", "yesterday", "-o", str(out), stdin="x")
    assert done.returncode == 2 and "published must be an ISO date" in done.stderr and not out.exists()
