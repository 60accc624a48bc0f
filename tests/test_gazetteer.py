"""Tests for geoincidents.gazetteer: the bundled data, loading and checking files, extending in code."""

from __future__ import annotations

import csv
import dataclasses
import re
from pathlib import Path

import pytest

from geoincidents.countries import country_codes
from geoincidents.gazetteer import (
    SITE_COLUMNS,
    SITE_KINDS,
    Gazetteer,
    GazetteerError,
    Problem,
    Site,
    load_gazetteer,
)
from geoincidents.matching import geocode
from geoincidents.normalize import normalize_name

REPO = Path(__file__).resolve().parent.parent
BUNDLED_SITES = REPO / "gazetteer" / "sites.csv"
BUNDLED_ALIASES = REPO / "gazetteer" / "aliases.csv"
FIXTURES = Path(__file__).resolve().parent / "data" / "gazetteer"
FIXTURE_SITES = FIXTURES / "sites.csv"
FIXTURE_ALIASES = FIXTURES / "aliases.csv"

ISSUE_SITES = [
    "ain-al-asad-airbase",
    "al-tanf-garrison",
    "erbil-airbase",
    "erbil",
    "harir-airbase",
    "abu-hajar-airport",
    "shaddadi-base",
    "conoco-gas-field",
    "baghdad-airport",
    "us-embassy-baghdad",
    "boukamal",
    "mayadin",
    "maysulun",
    "green-village",
    "mss-euphrates",
    "rumalyn-landing-zone",
    "tal-baydar",
    "qasrak",
    "tower-22",
    "muwaffaq-salti-airbase",
    "union-iii",
]
ARABIC = re.compile("[\u0600-\u06ff]")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def bundled() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture()
def fixture_gaz() -> Gazetteer:
    return Gazetteer.from_files(FIXTURE_SITES, FIXTURE_ALIASES)


def _new_site_fields(**over):
    fields = dict(
        site_id="camp-example",
        name="Camp Example",
        name_ar="معسكر مثال",
        kind="base",
        country="IRQ",
        admin1="Anbar",
        lat=33.4,
        lon=42.4,
        uncertainty_m=5000,
        coord_source="analyst estimate",
    )
    fields.update(over)
    return fields


# ============================================================================== the bundled gazetteer
def test_bundled_has_at_least_30_sites_with_unique_ids(bundled):
    rows = _csv_rows(BUNDLED_SITES)
    ids = [r["site_id"] for r in rows]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)
    assert bundled.site_ids == ids  # loaded in file order, nothing dropped


def test_bundled_rows_sorted_by_country_then_id():
    rows = _csv_rows(BUNDLED_SITES)
    keys = [(r["country"], r["site_id"]) for r in rows]
    assert keys == sorted(keys), "README: rows are sorted by country, then site_id"


@pytest.mark.parametrize("row", _csv_rows(BUNDLED_SITES), ids=lambda r: r["site_id"])
def test_bundled_site_has_arabic_name_source_and_url(row):
    assert ARABIC.search(row["name_ar"]), "name_ar must be in Arabic script"
    assert row["coord_source"].strip()
    assert row["coord_source_url"].startswith("https://")
    assert row["kind"] in SITE_KINDS
    assert row["country"] in set(country_codes()), "every country needs an outline to check the point"
    assert re.fullmatch(r"-?\d+\.\d{5}", row["lat"]) and re.fullmatch(r"-?\d+\.\d{5}", row["lon"])
    assert int(row["uncertainty_m"]) > 0


def test_bundled_validates_clean(bundled):
    assert bundled.validate() == []


@pytest.mark.parametrize("site_id", ISSUE_SITES)
def test_issue_sites_present(bundled, site_id):
    assert site_id in bundled


def test_bundled_alias_rows_point_at_known_sites():
    known = {r["site_id"] for r in _csv_rows(BUNDLED_SITES)}
    for row in _csv_rows(BUNDLED_ALIASES):
        assert row["site_id"] in known, row
        assert row["script"] == ("arabic" if ARABIC.search(row["alias"]) else "latin"), row
        assert row["ambiguous"] in ("", "yes"), row


def _ambiguous_keys(gaz: Gazetteer) -> set[str]:
    return {normalize_name(a) for a, _, amb in gaz.aliases if amb}


@pytest.mark.parametrize(("alias", "site_id", "ambiguous"), load_gazetteer().aliases, ids=lambda v: str(v))
def test_every_bundled_alias_resolves_to_its_site(alias, site_id, ambiguous):
    match = geocode(alias)
    assert match is not None
    if ambiguous:
        assert match.ambiguous and match.site_id is None
        assert site_id in {c.site_id for c in match.candidates}
        assert len(match.candidates) >= 2
    else:
        assert match.site_id == site_id
        assert match.score == 100
        assert match.method in ("exact", "alias")


@pytest.mark.parametrize("site", list(load_gazetteer()), ids=lambda s: s.site_id)
def test_every_bundled_site_name_and_arabic_name_resolve(site, bundled):
    for text in (site.name, site.name_ar):
        match = geocode(text)
        assert match is not None, text
        if normalize_name(text) in _ambiguous_keys(bundled):
            assert site.site_id in {c.site_id for c in match.candidates}
        else:
            assert match.site_id == site.site_id, text
            assert match.score == 100


def test_bundled_repr_counts(bundled):
    text = repr(bundled)
    assert f"{len(bundled)} sites" in text
    assert f"{len(bundled.aliases)} aliases" in text
    assert "ARE, BHR, IRQ, JOR, KWT, QAT, SAU, SYR" in text


def test_getitem_unknown_id_raises_keyerror_naming_it(bundled):
    with pytest.raises(KeyError, match="no-such-site"):
        bundled["no-such-site"]


def test_names_of_lists_name_arabic_name_and_aliases(bundled):
    names = bundled.names_of("tower-22")
    assert names[:2] == ["Tower 22", "البرج 22"]
    assert "T22" in names and "Rukban outpost" in names


# ============================================================================== loading fixture files
def test_fixture_loads_and_validates(fixture_gaz):
    assert fixture_gaz.site_ids == ["camp-alpha", "alpha-town", "bravo-outpost", "charlie-field"]
    assert fixture_gaz.validate() == []
    site = fixture_gaz["alpha-town"]
    assert site.notes == "a town, with a comma in its note"
    assert (site.lat, site.lon, site.uncertainty_m) == (33.76, 40.55, 15000.0)
    assert fixture_gaz["charlie-field"].coord_source_url == ""


def test_from_files_accepts_a_folder():
    gaz = Gazetteer.from_files(FIXTURES)
    assert len(gaz) == 4
    assert len(gaz.aliases) == 6  # aliases.csv was picked up from the folder


def test_from_files_without_aliases_has_only_own_names():
    gaz = Gazetteer.from_files(FIXTURE_SITES)
    assert gaz.aliases == []
    assert geocode("Camp Alpha", gazetteer=gaz).site_id == "camp-alpha"
    assert geocode("Alpha base", gazetteer=gaz).method != "alias"


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        Gazetteer.from_files(tmp_path / "nope.csv")


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    text = FIXTURE_SITES.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "sites.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    gaz = Gazetteer.from_files(path)
    assert gaz.site_ids[0] == "camp-alpha"
    assert len(gaz) == 4


# ------------------------------------------------------------------------------ bad files
def _write_sites(tmp_path: Path, edit) -> Path:
    """Copy the fixture sites.csv with ``edit(lines)`` applied; returns the new file's path."""
    lines = FIXTURE_SITES.read_text(encoding="utf-8").splitlines()
    edit(lines)
    path = tmp_path / "bad_sites.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _set_cell(lines: list[str], line_no: int, column: str, value: str) -> None:
    header = lines[0].split(",")
    row = next(csv.reader([lines[line_no - 1]]))
    row[header.index(column)] = value
    out = []
    for cell in row:
        out.append(f'"{cell}"' if "," in cell else cell)
    lines[line_no - 1] = ",".join(out)


def _load_error(sites: Path, aliases: Path | None = None) -> GazetteerError:
    with pytest.raises(GazetteerError) as info:
        Gazetteer.from_files(sites, aliases)
    return info.value


def _assert_problem(err: GazetteerError, file: Path, line: int, column: str, fragment: str) -> None:
    hits = [p for p in err.problems if p.file == str(file) and p.line == line and p.column == column]
    assert hits, f"no problem at {file}:{line} column {column!r}; got {err.problems}"
    assert any(fragment in p.message for p in hits), hits
    # The message shown to users names all three too.
    assert f"{file}:{line}: column {column!r}" in str(err)


@pytest.mark.parametrize(
    ("line", "column", "value", "fragment"),
    [
        (3, "lat", "91.5", "outside -90..90"),
        (3, "lat", "-90.01", "outside"),
        (4, "lon", "38,7E", "not a number"),
        (4, "lon", "east", "not a number"),
        (2, "lon", "nan", "outside"),
        (5, "kind", "fortress", "is not one of"),
        (5, "country", "Syria", "ISO 3166-1 alpha-3"),
        (5, "country", "syr", "ISO 3166-1 alpha-3"),
        (5, "country", "XYZ", "ISO 3166-1 alpha-3"),
        (2, "coord_source", "", "empty"),
        (2, "name_ar", "", "empty"),
        (2, "name_ar", "Camp Alpha", "no Arabic-script letters"),
        (2, "site_id", "Camp Alpha", "not a slug"),
        (2, "site_id", "camp--alpha", "not a slug"),
        (3, "uncertainty_m", "0", "outside"),
        (3, "coord_source_url", "ftp://example.org/x", "not an http(s) URL"),
    ],
)
def test_bad_site_value_is_reported_with_file_line_and_column(tmp_path, line, column, value, fragment):
    path = _write_sites(tmp_path, lambda lines: _set_cell(lines, line, column, value))
    err = _load_error(path)
    _assert_problem(err, path, line, column, fragment)
    assert len(err.problems) == 1


def test_duplicate_id_names_both_lines(tmp_path):
    path = _write_sites(tmp_path, lambda lines: _set_cell(lines, 4, "site_id", "camp-alpha"))
    err = _load_error(path)
    _assert_problem(err, path, 4, "site_id", "duplicate site id 'camp-alpha' (first on line 2)")


def test_missing_column_reported_on_header_line(tmp_path):
    def drop_kind(lines):
        for i, line in enumerate(lines):
            row = next(csv.reader([line]))
            del row[3]
            lines[i] = ",".join(f'"{c}"' if "," in c else c for c in row)

    path = _write_sites(tmp_path, drop_kind)
    err = _load_error(path)
    _assert_problem(err, path, 1, "kind", "missing column")


def test_optional_columns_may_be_missing(tmp_path):
    def drop_optional(lines):
        for i, line in enumerate(lines):
            row = next(csv.reader([line]))
            lines[i] = ",".join(f'"{c}"' if "," in c else c for c in row[:10])

    path = _write_sites(tmp_path, drop_optional)
    gaz = Gazetteer.from_files(path)
    assert gaz["camp-alpha"].coord_source_url == "" and gaz["camp-alpha"].notes == ""


def test_wrong_field_count_reported(tmp_path):
    path = _write_sites(tmp_path, lambda lines: lines.__setitem__(2, lines[2] + ",extra"))
    err = _load_error(path)
    _assert_problem(err, path, 3, "-", "13 fields, the header has 12")


def test_every_bad_row_is_reported_at_once(tmp_path):
    def two_errors(lines):
        _set_cell(lines, 2, "lat", "100")
        _set_cell(lines, 5, "kind", "castle")

    path = _write_sites(tmp_path, two_errors)
    err = _load_error(path)
    assert {(p.line, p.column) for p in err.problems} == {(2, "lat"), (5, "kind")}


def test_non_utf8_bytes_reported_with_line(tmp_path):
    data = FIXTURE_SITES.read_bytes().split(b"\n")
    data[3] = data[3].replace(b"Bravo Outpost", b"Bravo Outp\xe9st")  # Latin-1 e-acute
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\n".join(data))
    err = _load_error(path)
    [problem] = err.problems
    assert (problem.file, problem.line) == (str(path), 4)
    assert "not UTF-8" in problem.message
    assert f"{path}:4:" in str(err)


def test_empty_sites_file_reported(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    err = _load_error(path)
    assert err.problems[0].line == 1 and "empty" in err.problems[0].message


def _write_aliases(tmp_path: Path, extra_lines: list[str]) -> Path:
    path = tmp_path / "bad_aliases.csv"
    path.write_text(
        FIXTURE_ALIASES.read_text(encoding="utf-8") + "\n".join(extra_lines) + "\n", encoding="utf-8"
    )
    return path


def test_alias_pointing_to_unknown_site(tmp_path):
    path = _write_aliases(tmp_path, ["Delta,delta-camp,latin,,"])
    err = _load_error(FIXTURE_SITES, path)
    _assert_problem(err, path, 8, "site_id", "unknown site id 'delta-camp'")


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        ("al-,camp-alpha,latin,,", "alias", "only articles or punctuation"),
        (",camp-alpha,latin,,", "alias", "empty"),
        ("Alpha2,camp-alpha,latin,maybe,", "ambiguous", "not 'yes', 'no' or empty"),
        ("Alpha3,camp-alpha,greek,,", "script", "not 'latin' or 'arabic'"),
        ("Alpha4,camp-alpha,arabic,,", "script", "no Arabic letters"),
    ],
)
def test_bad_alias_rows(tmp_path, line, column, fragment):
    path = _write_aliases(tmp_path, [line])
    err = _load_error(FIXTURE_SITES, path)
    _assert_problem(err, path, 8, column, fragment)


# ------------------------------------------------------------------------------ validate()
def _outside_country(tmp_path: Path) -> Path:
    # camp-alpha stays "IRQ" but moves to the Conoco point in Syria.
    def move(lines):
        _set_cell(lines, 2, "lat", "35.33611")
        _set_cell(lines, 2, "lon", "40.30944")

    return _write_sites(tmp_path, move)


def test_validate_reports_point_outside_its_country(tmp_path):
    path = _outside_country(tmp_path)
    gaz = Gazetteer.from_files(path, FIXTURE_ALIASES)  # loading does not check geography
    problems = gaz.validate()
    assert len(problems) == 1
    [p] = problems
    assert p.column == "lat/lon"
    assert "camp-alpha" in p.message and "IRQ" in p.message
    assert "sites.csv" in p.file


def test_validate_outside_country_names_file_and_line(tmp_path):
    path = _outside_country(tmp_path)
    [p] = Gazetteer.from_files(path, FIXTURE_ALIASES).validate()
    assert (p.file, p.line) == (str(path), 2)


def test_validate_reports_unmarked_alias_collision(tmp_path):
    path = _write_aliases(tmp_path, ["Bravo,camp-alpha,latin,,"])
    gaz = Gazetteer.from_files(FIXTURE_SITES, path)
    problems = gaz.validate()
    assert len(problems) == 1
    [p] = problems
    assert p.column == "alias"
    assert "'bravo'" in p.message
    assert "bravo-outpost" in p.message and "camp-alpha" in p.message
    assert "aliases.csv" in p.file


def test_validate_reports_collision_with_a_site_name(tmp_path):
    # An alias equal (after normalisation) to another site's own name collides too.
    path = _write_aliases(tmp_path, ["CHARLIE FIELD,camp-alpha,latin,,"])
    problems = Gazetteer.from_files(FIXTURE_SITES, path).validate()
    assert [p.column for p in problems] == ["alias"]
    assert "charlie-field" in problems[0].message


def test_validate_alias_collision_names_file_and_line(tmp_path):
    path = _write_aliases(tmp_path, ["Bravo,camp-alpha,latin,,"])
    [p] = Gazetteer.from_files(FIXTURE_SITES, path).validate()
    assert (p.file, p.line) == (str(path), 8)


def test_validate_accepts_collision_marked_ambiguous_on_every_row(fixture_gaz):
    # "Twin Name" is on two sites, both rows marked: no problem.
    assert fixture_gaz.validate() == []
    match = geocode("Twin Name", gazetteer=fixture_gaz)
    assert match.ambiguous and {c.site_id for c in match.candidates} == {"camp-alpha", "charlie-field"}


def test_validate_reports_half_marked_collision(tmp_path):
    path = _write_aliases(tmp_path, ["Twin Name,bravo-outpost,latin,,"])
    problems = Gazetteer.from_files(FIXTURE_SITES, path).validate()
    assert [p.column for p in problems] == ["alias"]
    assert "bravo-outpost" in problems[0].message


def test_validate_reports_ambiguous_mark_on_single_site(tmp_path):
    path = _write_aliases(tmp_path, ["Lonely,camp-alpha,latin,yes,"])
    problems = Gazetteer.from_files(FIXTURE_SITES, path).validate()
    assert [p.column for p in problems] == ["ambiguous"]
    assert "'Lonely'" in problems[0].message


def test_validate_reports_country_without_outline(fixture_gaz):
    fixture_gaz.add_site(**_new_site_fields(site_id="paris-camp", country="FRA", lat=48.85, lon=2.35))
    problems = fixture_gaz.validate()
    assert any("paris-camp" in p.message for p in problems)


# ============================================================================== add_site, copies
def test_add_site_keyword_form_in_place_and_geocodes_by_alias(fixture_gaz):
    returned = fixture_gaz.add_site(**_new_site_fields(), aliases=["Example base", "Exemplar"])
    assert returned is fixture_gaz
    assert "camp-example" in fixture_gaz and len(fixture_gaz) == 5
    site = fixture_gaz["camp-example"]
    assert (site.lat, site.lon, site.uncertainty_m) == (33.4, 42.4, 5000.0)
    match = geocode("Exemplar", gazetteer=fixture_gaz)
    assert (match.site_id, match.method, match.score) == ("camp-example", "alias", 100)
    assert geocode("Camp Example", gazetteer=fixture_gaz).method == "exact"


def test_add_site_with_site_object(fixture_gaz):
    site = Site(**_new_site_fields(uncertainty_m=5000.0))
    fixture_gaz.add_site(site, aliases=["Exemplar"])
    assert fixture_gaz["camp-example"] is site
    assert geocode("exemplar", gazetteer=fixture_gaz).site_id == "camp-example"


def test_add_site_duplicate_id_raises(fixture_gaz):
    with pytest.raises(GazetteerError, match="duplicate site id 'camp-alpha'"):
        fixture_gaz.add_site(**_new_site_fields(site_id="camp-alpha"))
    assert len(fixture_gaz) == 4


@pytest.mark.parametrize(
    ("field", "value", "column"),
    [
        ("lat", 95, "lat"),
        ("lon", "x", "lon"),
        ("kind", "castle", "kind"),
        ("country", "Iraq", "country"),
        ("name_ar", "", "name_ar"),
        ("site_id", "Bad Id", "site_id"),
    ],
)
def test_add_site_keyword_form_validates_fields(fixture_gaz, field, value, column):
    with pytest.raises(GazetteerError) as info:
        fixture_gaz.add_site(**_new_site_fields(**{field: value}))
    assert column in {p.column for p in info.value.problems}
    assert "camp-example" not in fixture_gaz


def test_add_site_unknown_field_or_both_forms_raise_type_error(fixture_gaz):
    with pytest.raises(TypeError, match="colour"):
        fixture_gaz.add_site(**_new_site_fields(colour="red"))
    with pytest.raises(TypeError):
        fixture_gaz.add_site(Site(**_new_site_fields()), name="Other")


def test_add_site_object_is_validated(fixture_gaz):
    bad = dataclasses.replace(fixture_gaz["camp-alpha"], site_id="camp-bad", lat=200.0)
    with pytest.raises(GazetteerError):
        fixture_gaz.add_site(bad)


def test_load_gazetteer_returns_independent_copies():
    first, second = load_gazetteer(), load_gazetteer()
    assert first is not second
    first.add_site(**_new_site_fields(), aliases=["Zyxwv Camp"])
    assert "camp-example" in first
    assert "camp-example" not in second
    assert "camp-example" not in load_gazetteer()
    assert geocode("Zyxwv Camp") is None  # the default gazetteer is unchanged
    assert geocode("Zyxwv Camp", gazetteer=first).site_id == "camp-example"


def test_copy_is_independent(fixture_gaz):
    clone = fixture_gaz.copy()
    clone.add_site(**_new_site_fields())
    assert len(clone) == 5 and len(fixture_gaz) == 4
    assert clone.aliases == fixture_gaz.aliases


# ============================================================================== output
def test_to_files_round_trip(tmp_path, fixture_gaz):
    fixture_gaz.add_site(**_new_site_fields(notes='quotes "here", commas, and عربي'), aliases=["Exemplar"])
    folder = fixture_gaz.to_files(tmp_path / "out")
    assert folder == tmp_path / "out"
    again = Gazetteer.from_files(folder)
    assert list(again) == list(fixture_gaz)
    assert again.aliases == fixture_gaz.aliases
    assert again.validate() == []
    rows = _csv_rows(folder / "aliases.csv")
    assert {r["alias"]: r["script"] for r in rows}["قاعدة ألفا"] == "arabic"
    assert list(rows[0]) == ["alias", "site_id", "script", "ambiguous", "note"]
    assert list(_csv_rows(folder / "sites.csv")[0]) == list(SITE_COLUMNS)


def test_bundled_round_trip(tmp_path, bundled):
    again = Gazetteer.from_files(bundled.to_files(tmp_path))
    assert list(again) == list(bundled)
    assert again.aliases == bundled.aliases


def test_to_files_round_trip_keeps_newline_in_notes(tmp_path, fixture_gaz):
    fixture_gaz.add_site(**_new_site_fields(notes="first line\nsecond line"))
    again = Gazetteer.from_files(fixture_gaz.to_files(tmp_path))
    assert again["camp-example"].notes == "first line\nsecond line"


def test_unicode_line_separator_in_notes_loads(tmp_path, fixture_gaz):
    fixture_gaz.add_site(**_new_site_fields(notes="first\u2028second"))
    again = Gazetteer.from_files(fixture_gaz.to_files(tmp_path))
    assert again["camp-example"].notes == "first\u2028second"


def test_to_frame_and_geodataframe(fixture_gaz):
    gdf = fixture_gaz.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.index) == fixture_gaz.site_ids
    assert gdf.index.name == "site_id"
    for site in fixture_gaz:
        point = gdf.loc[site.site_id, "geometry"]
        assert (point.x, point.y) == (site.lon, site.lat)
        assert gdf.loc[site.site_id, "name_ar"] == site.name_ar
    assert list(fixture_gaz.to_frame().columns) == list(SITE_COLUMNS[1:])


def test_repr_html_escapes(fixture_gaz):
    fixture_gaz.add_site(**_new_site_fields(name="<script>alert(1)</script> & Co", admin1='A"nbar'))
    out = fixture_gaz._repr_html_()
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in out
    assert "A&quot;nbar" in out
    assert out.count("<tr>") == 1 + len(fixture_gaz)  # header + one row per site
    assert "5 sites, 6 aliases" in out


def test_problem_str_format():
    p = Problem("x/sites.csv", 7, "lat", "bad")
    assert str(p) == "x/sites.csv:7: column 'lat': bad"
