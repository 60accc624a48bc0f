"""The pyarrow CSV path gives what the python path gives: same table, row numbers, problems and warnings.

Each file is read twice, with ``load_csv(engine="python")`` (pandas' C reader and the ``csv`` module: the
reference) and with the default engine (pyarrow), then validated; every output is compared. The tricky
layouts (quoted newlines, BOM, preamble, HXL row, blank lines, CRLF, mixed date formats, bad rows) must be
read by pyarrow itself; the ones it cannot account for record by record (ragged rows, stray quotes, lone
carriage returns, bad UTF-8) must fall back to the python path with its messages.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pandas as pd
import pytest

import geoincidents as gi
from geoincidents.incidents import ReadResult, validate
from geoincidents.incidents.loading import RawTable, drop_hxl_row, load_csv

pytest.importorskip("pyarrow")

HEADER = "incident_id,date,location,lat,lon,country,weapon,injured,killed,sources,notes,extra\n"
ROWS = [
    'a1,2024-01-28,Tower 22,33.3210,38.6870,JOR,one-way attack drone,34,3,"[{""publisher"": ""AP"", '
    '""date"": ""2024-01-29"", ""url"": ""https://apnews.com/x""}]",,kept\n',
    "a2,28 January 2024,Erbil Air Base,36.2376,43.9632,IRQ,rocket,0,0,,,\n",
    "a3,2024-02,Ain al-Asad,,,IRQ,drone,,,[],\"note with, comma\",x\n",
]
BAD = "b1,not a date,,95.0,200,XXX,rocket,-1,1.5,{oops,,y\n"

FILES = {
    "plain": HEADER + "".join(ROWS),
    "quoted newline": (HEADER + ROWS[0] + 'a4,2024-01-30,"Tower\n22",,,JOR,rocket,,,,"two\n\nlines",z\n'
                       + ROWS[1]),
    "bom": "\ufeff" + HEADER + "".join(ROWS),
    "preamble": "(Sample export)\n\n" + HEADER + "".join(ROWS),
    "preamble and bom": "\ufeffACLED sample\n" + HEADER + "".join(ROWS),
    "hxl row": HEADER + "#id,#date,#loc,#geo+lat,#geo+lon,#country,,,,,,\n" + "".join(ROWS),
    "blank lines": HEADER + "\n" + ROWS[0] + "\n\n" + ROWS[1] + "\r\n" + ROWS[2] + "\n\n",
    "crlf": (HEADER + "".join(ROWS)).replace("\n", "\r\n"),
    "no final newline": HEADER + "".join(ROWS).rstrip("\n"),
    "mixed dates": HEADER + "".join(
        f"d{i},{d},Tower 22,,,JOR,rocket,,,,,\n"
        for i, d in enumerate(["2024-01-28", "28 January 2024", "\"Jan 28, 2024\"", "2024-01", "9-May-20",
                               "28/01/2024", "2024/01/28", "", "yesterday"])
    ),
    "bad rows": HEADER + ROWS[0] + BAD + ROWS[1] + BAD.replace("b1", "a1") + ROWS[2],
    "quoted newline then bad row": HEADER + 'q1,2024-01-30,"Tower\n22",,,JOR,rocket,,,,,\n' + BAD,
    "formula cells": HEADER + "f1,2024-01-28,'=cmd,,,JOR,rocket,,,,\"'+1\",'plain\n",
    "semicolons": HEADER.replace(",", ";") + "s1;2024-01-28;Tower 22;;;JOR;rocket;;;;;\n",
    "tabs": HEADER.replace(",", "\t") + "t1\t2024-01-28\tTower 22\t\t\tJOR\trocket\t\t\t\t\t\n",
    "header only": HEADER,
    "unicode": HEADER + "u1,2024-01-28,قاعدة عين الأسد,,,IRQ,صاروخ,,,,ملاحظة,\u00e9\n",
    "spaces kept": HEADER + "  s2 , 2024-01-28 ,  Tower 22  ,,,JOR,rocket,,,,, padded \n",
    "stray quote": HEADER + 'r3,2024-01-28,Tower 22,,,JOR,12" rocket,,,,,\n' + ROWS[1],
    "quoted empty": HEADER + 's3,2024-01-28,"Tower 22","","",JOR,"",,,"","",""\n',
}
FALLBACK = {
    "too few fields": HEADER + ROWS[0] + "r1,2024-01-28,Tower 22\n" + ROWS[1],
    "too many fields": HEADER + ROWS[0] + "r2,2024-01-28,Tower 22,,,JOR,rocket,,,,,,surplus\n",
    "stray quote and a blank line": HEADER + 'r3,2024-01-28,Tower 22,,,JOR,12" rocket,,,,,\n\n' + ROWS[1],
    "lone carriage return": HEADER + ROWS[0].replace("\n", "\r") + ROWS[1],
    "whitespace line": HEADER + ROWS[0] + "   \n" + ROWS[1],
}


def _read(data: bytes, engine: str) -> tuple[RawTable, ReadResult, list[str]]:
    raw = drop_hxl_row(load_csv(data, "t.csv", engine=engine))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = validate(raw, errors="report", strict=False)
    assert isinstance(result, ReadResult)
    return raw, result, [str(w.message) for w in caught]


def _assert_same(data: bytes) -> str:
    """Compare both engines on ``data``; return the reader the default engine used."""
    ref_raw, ref, ref_warnings = _read(data, "python")
    raw, got, got_warnings = _read(data, "auto")
    pd.testing.assert_frame_equal(raw.frame, ref_raw.frame)
    assert raw.rows.tolist() == ref_raw.rows.tolist()
    assert raw.rows.dtype == ref_raw.rows.dtype
    assert (raw.header_line, raw.notes) == (ref_raw.header_line, ref_raw.notes)
    assert [(p.tolist(), c, v, r) for p, c, v, r in raw.problems] == [
        (p.tolist(), c, v, r) for p, c, v, r in ref_raw.problems
    ]
    pd.testing.assert_frame_equal(got.incidents, ref.incidents)
    pd.testing.assert_frame_equal(got.rejected, ref.rejected)
    pd.testing.assert_frame_equal(got.problems, ref.problems)
    assert got_warnings == ref_warnings
    # errors="report" accounts for every record: kept + rejected = records read
    assert len(got.incidents) + len(got.rejected) == len(raw.frame)
    return raw.reader


@pytest.mark.parametrize("name", sorted(FILES))
def test_pyarrow_reads_tricky_files_like_the_python_path(name):
    assert _assert_same(FILES[name].encode("utf-8")) == "pyarrow"


@pytest.mark.parametrize("name", sorted(FALLBACK))
def test_files_pyarrow_cannot_account_for_fall_back_to_the_python_path(name):
    assert _assert_same(FALLBACK[name].encode("utf-8")) == "python"


@pytest.mark.parametrize("data", [
    b'date,location\nab"c,d"e\n', b'date,location\n"x"y,z\n', b'date,location\n x "q" ,z\n',
    b'date,location\n"",""""\n', b'date,location\nx,"y"  \n', b'date,location\n"x" ,y\n',
])
def test_quotes_inside_and_after_fields_read_as_pandas_reads_them(data):
    python, arrow = load_csv(data, "t.csv", engine="python"), load_csv(data, "t.csv")
    pd.testing.assert_frame_equal(arrow.frame, python.frame)
    assert arrow.rows.tolist() == python.rows.tolist() == [2]


def test_line_numbers_after_quoted_newlines_and_blank_lines_name_the_physical_line():
    data = (HEADER + 'q1,2024-01-30,"Tower\n22",,,JOR,rocket,,,,"a\n\nb",\n\n' + BAD).encode()
    _, result, _ = _read(data, "auto")
    # header line 1; q1 spans lines 2-5; line 6 blank; the bad row is on line 7
    assert set(result.problems["row"]) == {7}
    assert result.rejected["row"].tolist() == [7]
    assert "date" in set(result.problems["column"])


def test_bad_utf8_falls_back_and_names_the_byte_and_line():
    data = (HEADER + ROWS[0]).encode() + b"x1,2024-01-28,Tow\x81er,,,JOR,rocket,,,,,\n"
    # 0x81 is neither UTF-8 nor Windows-1252 (which the python path tries next)
    with pytest.raises(gi.IncidentValidationError, match=r"byte 0x81 at byte offset \d+ \(line 3\)"):
        load_csv(data, "t.csv")


def test_duplicated_header_is_an_error_on_both_paths():
    data = b"(title)\ndate,location,date\n2024-01-28,Tower 22,x\n"
    for engine in ("auto", "python"):
        with pytest.raises(gi.IncidentValidationError, match=r"line 2\): 'date'"):
            load_csv(data, "t.csv", engine=engine)


def test_quote_never_closed_is_an_error_naming_its_line_and_column_not_one_cell_of_the_rest():
    data = b'(title)\ndate,location,notes\n2024-01-27,Erbil,ok\n2024-01-28,"Tower 22,x\n2024-01-29,Erbil,y\n'
    for engine in ("auto", "python"):
        with pytest.raises(gi.IncidentValidationError, match=r"t.csv: line 4: a quote opened in column "
                                                             r"'location' is never closed"):
            load_csv(data, "t.csv", engine=engine)


def test_quote_never_closed_in_a_one_column_file_is_refused_too():
    # `cut -f3 | geoincidents geocode --input -`: one column, read record by record for its blank lines, must
    # not let an open quote swallow the later names into one cell either.
    data = b'place\nErbil\n"Kabul\nTower 22\n'
    for engine in ("auto", "python"):
        with pytest.raises(gi.IncidentValidationError, match=r"t.csv: line 3: a quote opened in column "
                                                             r"'place' is never closed"):
            load_csv(data, "t.csv", engine=engine)


def test_broken_geojson_names_the_line_and_column_in_one_sentence(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "Feature', encoding="utf-8")
    with pytest.raises(gi.IncidentValidationError) as info:
        gi.read_incidents(path)
    assert str(info.value).endswith("broken.geojson: not valid JSON: Unterminated string starting at line 1 "
                                    "column 10")


@pytest.mark.parametrize("engine", ["auto", "python"])
def test_blank_line_in_a_one_column_file_is_an_empty_cell_not_a_dropped_row(engine):
    # `cut -d, -f3 reports.csv` writes an empty cell as a blank line; each line must stay a row
    data = b'place\nErbil\n\n"Kut\nx"\nTanf\n'
    raw = load_csv(data, "t.csv", engine=engine)
    assert raw.frame["place"].tolist() == ["Erbil", "", "Kut\nx", "Tanf"]
    assert raw.rows.tolist() == [2, 3, 4, 6] and raw.problems == []


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine must be one of"):
        load_csv(b"date,location\n", "t.csv", engine="c")


def _random_cell(r: random.Random) -> str:
    kind = r.randrange(10)
    if kind == 0:
        return ""
    if kind == 1:
        return '"' + r.choice(["a\nb", "x,y", 'say ""hi""', "", "\n", "l1\r\nl2"]) + '"'
    if kind == 2:
        return r.choice(["2024-01-28", "28 Jan 2024", "1/28/24", "bad", "2023-13-01"])
    if kind == 3:
        return f"{r.uniform(-100, 100):.{r.randrange(1, 9)}f}"
    if kind == 4:
        return r.choice(["IRQ", "Syria", "jordan", "XXX", " SYR "])
    return "".join(r.choice("abc XYZ-'#é") for _ in range(r.randrange(1, 8)))


@pytest.mark.parametrize("seed", range(20))
def test_random_files_read_the_same_on_both_paths(seed):
    r = random.Random(seed)
    names = ["incident_id", "date", "location", "lat", "lon", "country", "notes", "other"]
    lines = [",".join(names)]
    for i in range(r.randrange(0, 40)):
        if r.random() < 0.1:
            lines.append("")  # a blank line
        cells = [f"id{i % 25}"] + [_random_cell(r) for _ in names[1:]]
        lines.append(",".join(cells))
    newline = r.choice(["\n", "\r\n"])
    text = newline.join(lines) + (newline if r.random() < 0.8 else "")
    if r.random() < 0.2:
        text = "\ufeff" + text
    if r.random() < 0.2:
        text = "Exported 2024\n" + text
    reader = _assert_same(text.encode("utf-8"))
    assert reader == "pyarrow"


def test_large_file_every_row_numbered(tmp_path):
    n = 20_000
    rows = np.arange(n)
    body = "".join(
        f'r{i},2024-01-{1 + i % 28:02d},"Site\n{i}",33.{i % 1000:03d},38.5,JOR,rocket,{i % 3},0,,,\n'
        for i in rows
    )
    path = tmp_path / "big.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    raw = load_csv(path, str(path))
    assert raw.reader == "pyarrow"
    assert raw.rows.tolist() == (2 + 2 * rows).tolist()
    assert raw.frame["location"].iloc[-1] == f"Site\n{n - 1}"


def test_country_without_an_outline_is_kept_unchecked_beside_outlined_ones(tmp_path):
    # a real ACLED export of Ukraine rows beside Iraq rows raised "no country outline for iso3 code 'UKR'"
    path = tmp_path / "mixed.csv"
    path.write_text(HEADER + ROWS[1] + "u1,2024-02-20,Avdiivka,48.14,37.74,UKR,rocket,0,0,,,\n"
                    + "u2,2024-02-21,Kharkiv,49.99,36.23,Ukraine,drone,0,0,,,\n", encoding="utf-8")
    result = gi.read_incidents(path, errors="report")
    assert result.rejected.empty
    assert result.incidents["country"].tolist() == ["IRQ", "UKR", "UKR"]
    assert result.incidents["lat"].tolist() == [36.2376, 48.14, 49.99]


# Cells the fast paths for big pyarrow-backed tables must treat as the cell-by-cell reference does: padded
# and empty text, NA tokens, numbers pyarrow's cast reads or refuses ("-nan" is not a number), months,
# vocabulary synonyms and unknown values, country names, duplicated ids, an all-empty column.
_BIG_CELLS = {
    "incident_id": ["a{i}", " b{i} ", "a7", "", "c{i}"],
    "date": ["2024-01-28", " 2024-02", "28 January 2024", "bad", ""],
    "location": ["Tower 22", " Erbil ", "n/a", "", "Ain al-Asad"],
    "lat": ["33.321", "", "nan", " 36.2 ", "-nan", "91", "north"],
    "lon": ["38.687", "", "inf", "43.96", "44.0"],
    "country": ["JOR", " Syria ", "", "XXX", "IRQ"],
    "weapon": ["rocket", "one-way attack drone", " rocket", "catapult", ""],
    "injured": ["0", "3", "", "1.5", "-1", "n/a"],
    "sources": ["[]", "", "{oops", '"[{""publisher"": ""AP""}]"'],
    "notes": [""],
}


def _big_table(n: int) -> str:
    names = list(_BIG_CELLS)
    lines = [",".join(names)]
    for i in range(n):
        cells = _BIG_CELLS
        lines.append(",".join(cells[c][(i * (k + 1) + i // 7) % len(cells[c])].replace("{i}", str(i))
                              for k, c in enumerate(names)))
    return "\n".join(lines) + "\n"


def test_big_files_read_as_the_same_table_in_memory_reads(tmp_path):
    # 120,000 rows: the columns are converted side by side in threads, by distinct value, numbers cast by
    # pyarrow, ids checked by hash. The same cells as a DataFrame of Python strings take the cell-by-cell
    # paths; both must give the same table, rejected rows, problems (row numbers, columns, values,
    # reasons) and warnings.
    path = tmp_path / "big.csv"
    path.write_text(_big_table(120_000), encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = gi.read_incidents(path, errors="report")
    frame = pd.read_csv(path, dtype=object, keep_default_na=False).astype(object)
    assert frame.dtypes.eq(object).all()
    with warnings.catch_warnings(record=True) as ref_caught:
        warnings.simplefilter("always")
        ref = gi.read_incidents(frame, errors="report")
    assert isinstance(got, ReadResult) and isinstance(ref, ReadResult)
    # input columns kept as they came (text from the file, Python objects from the frame)
    kept = ref.incidents.astype({"weapon_reported": got.incidents["weapon_reported"].dtype})
    pd.testing.assert_frame_equal(got.incidents, kept)
    pd.testing.assert_frame_equal(got.rejected, ref.rejected.astype(got.rejected.dtypes.to_dict()))
    pd.testing.assert_frame_equal(got.problems.drop(columns="file"), ref.problems.drop(columns="file"))
    label = str(path)
    assert [str(w.message) for w in caught] == [str(w.message).replace("<DataFrame>", label)
                                                for w in ref_caught]
    assert len(got.incidents) + len(got.rejected) == 120_000
    reasons = set(got.problems["reason"])
    assert any(r.startswith("duplicate incident_id, first on row ") for r in reasons)
    assert {"latitude is not a number", "unparseable date (expected YYYY-MM-DD or e.g. '16 May 2025')",
            "missing location"} <= reasons
