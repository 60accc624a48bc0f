"""geoincidents.style: every vocabulary value has a label (and every weapon a colour), every country with an
outline a name and a colour, and maps and charts take theirs from here."""

from __future__ import annotations

import re

import pytest

from geoincidents import schema, style
from geoincidents.countries import country_codes

HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@pytest.mark.parametrize("column", sorted(schema.VOCABULARIES))
def test_every_vocabulary_value_has_a_label(column):
    values = set(schema.VOCABULARIES[column].values)
    assert set(style.LABELS[column]) == values, f"{column}: labels for {values ^ set(style.LABELS[column])}"
    assert all(style.LABELS[column][v].strip() for v in values)


def test_labels_cover_only_vocabulary_columns():
    assert set(style.LABELS) == set(schema.VOCABULARIES)


def test_every_weapon_has_a_distinct_colour():
    assert list(style.WEAPON_COLORS) == list(schema.WEAPON.values)
    assert all(HEX.match(c) for c in style.WEAPON_COLORS.values())
    known = [c for w, c in style.WEAPON_COLORS.items() if w != "unknown"]
    assert len(set(known)) == len(known)
    assert list(style.WEAPON_LABELS) == list(schema.WEAPON.values)


def test_every_outlined_country_has_a_name_and_a_colour():
    codes = set(country_codes())
    assert set(style.country_names()) == codes
    assert set(style.country_colors()) == codes
    assert all(HEX.match(c) for c in style.country_colors().values())
    assert style.country_name("SYR") == "Syria" and style.country_name("KWT") == "Kuwait"
    # the campaign's three countries keep distinct colours, different from "other" and "unknown"
    three = {style.country_color(c) for c in ("IRQ", "SYR", "JOR")}
    assert len(three) == 3 and not three & {style.OTHER_COLOR, style.UNKNOWN_COLOR}


def test_missing_and_unknown_values():
    assert style.country_name(None) == "unknown country"
    assert style.country_color("") == style.UNKNOWN_COLOR
    assert style.country_color("ATA") == style.OTHER_COLOR
    assert style.vocabulary_label("weapon", None) == "unknown"
    assert style.vocabulary_label("weapon", "cruise_missile") == "cruise missile"
    with pytest.raises(ValueError, match="not a vocabulary column"):
        style.vocabulary_label("colour", "x")


def test_charts_and_maps_use_the_style_module():
    from geoincidents import charts
    from geoincidents.maps import _data

    assert charts._label("weapon", "ied") == "IED"
    assert charts._label("country", "JOR") == "Jordan"
    assert charts._color("country", "SYR", 0) == style.country_color("SYR")
    assert _data.country_name is style.country_name
