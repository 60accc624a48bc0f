"""Place names as public reports and ACLED write them (issue 12), and the sites added for them.

Each spelling geocodes to the site stated, or is reported ambiguous with the candidates stated, against the
bundled gazetteer."""

from __future__ import annotations

import pytest
from pyproj import Geod

from geoincidents.countries import country_outlines
from geoincidents.gazetteer import load_gazetteer
from geoincidents.matching import geocode

GAZ = load_gazetteer()
GEOD = Geod(ellps="WGS84")


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize(
    ("query", "site_id"),
    [
        # the strings the issue lists as returning nothing or a wrong answer
        ("the Conoco gas field in Deir el-Zour", "conoco-gas-field"),
        ("al-Tanf U.S. military base", "al-tanf-garrison"),
        ("Harir Airport in Erbil", "harir-airbase"),
        ("al-Shaddadi town", "shaddadi-base"),
        ("Baghdad's airport", "baghdad-airport"),
        ("Baghdad airport", "baghdad-airport"),
        ("Al-Asad air base in western Iraq", "ain-al-asad-airbase"),
        ("Alasad", "ain-al-asad-airbase"),
        ("Qasrek", "qasrak"),
        ("Kisrik", "qasrak"),
        ("Bashur", "harir-airbase"),
        ("Al-Masir base", "green-village"),  # the Islamic Resistance's name for the al-Omar oilfield base
        ("Al-Masir base in Al-Omar oilfield", "green-village"),
        ("Quamishli Airbase", "qamishli-airport"),
        ("Baghdad embassy complex", "us-embassy-baghdad"),
        # ACLED's spellings
        ("Shadadah", "shaddadi-base"),
        ("Koniko Gas Field", "conoco-gas-field"),
        ("Quamishli", "qamishli"),
        ("Qasruk", "qasrak"),
        ("Al Hasakeh", "hasakah"),
        # Rubarya, added: the spellings of SOHR (English and Arabic), Athr Press and the issue
        ("Rubarya", "rubarya-base"),
        ("Rubaria", "rubarya-base"),
        ("Roubaria", "rubarya-base"),
        ("Rubaria base", "rubarya-base"),
        ("Rubarya Base", "rubarya-base"),
        ("روباريا", "rubarya-base"),
        ("قاعدة روباريا", "rubarya-base"),
        ("Rubaria base, Hasakah", "rubarya-base"),
    ],
)
def test_spelling_geocodes_to_the_site(query, site_id):
    match = geocode(query)
    assert match is not None and not match.ambiguous, query
    assert match.site_id == site_id
    assert match.score >= 90


@pytest.mark.parametrize(
    ("query", "candidates"),
    [
        ("Victory Base Complex", {"baghdad-airport", "baghdad-diplomatic-support-center"}),
        ("al-Rukban", {"rukban-camp", "tower-22"}),  # the camp in Syria or the outpost in Jordan
        ("Al Rukban", {"rukban-camp", "tower-22"}),
    ],
)
def test_spelling_is_reported_ambiguous(query, candidates):
    match = geocode(query)
    assert match is not None and match.ambiguous and match.site_id is None
    assert {c.site_id for c in match.candidates} == candidates


@pytest.mark.parametrize(
    ("query", "country", "site_id"), [("al-Rukban", "SYR", "rukban-camp"), ("al-Rukban", "JOR", "tower-22")]
)
def test_a_country_hint_settles_rukban(query, country, site_id):
    assert geocode(query, country).site_id == site_id


def test_karak_in_syria_is_not_qasrak():
    assert geocode("Karak", country="SYR") is None


def test_rubarya_is_a_flagged_stand_in_whose_radius_reaches_the_tripoint():
    site, town = GAZ["rubarya-base"], GAZ["al-malikiyah"]
    assert (site.country, site.admin1, site.kind) == ("SYR", "Al-Hasakah", "base")
    assert site.point_kind == "stand_in" and "not published" in site.stand_in_for
    assert (site.lat, site.lon, site.coord_source) == (town.lat, town.lon, town.coord_source)
    assert not site.checked_against  # no published position of the base to check against
    # Reports place the village in al-Malikiyah's countryside near both borders: the radius must reach the
    # Syria-Turkey-Iraq tripoint on the outlines the validator uses.
    outlines = country_outlines().set_index("iso3").geometry
    tripoint = (
        outlines["SYR"]
        .boundary.intersection(outlines["TUR"].buffer(0.01))
        .intersection(outlines["IRQ"].buffer(0.01))
    ).centroid
    reach = _metres(site.lat, site.lon, tripoint.y, tripoint.x)
    assert 15_000 < reach <= site.uncertainty_m


def test_al_masir_is_an_alias_not_a_second_site():
    assert "al-masir-base" not in GAZ
    assert "Al-Masir base" in GAZ.names_of("green-village")
