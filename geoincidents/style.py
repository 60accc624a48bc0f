"""Presentation vocabulary shared by maps, charts and briefings: labels, colours and country names.

Labels exist for every value of every closed vocabulary of the schema
(:data:`geoincidents.schema.VOCABULARIES`) and colours for every weapon; ``tests/test_style.py`` fails when a
vocabulary gains a value without them. Country names and colours cover every country with an outline
(:func:`geoincidents.countries.country_codes`). Colours are Okabe-Ito where the palette has room:
distinguishable with the common colour-vision deficiencies.

Examples
--------
>>> vocabulary_label("weapon", "one_way_drone"), country_name("SYR"), WEAPON_COLORS["rocket"]
('one-way drone', 'Syria', '#D55E00')
"""

from __future__ import annotations

import functools
from typing import Any

from .schema import VOCABULARIES, is_missing

__all__ = [
    "LABELS",
    "WEAPON_LABELS",
    "WEAPON_COLORS",
    "OTHER_COLOR",
    "UNKNOWN_COLOR",
    "STRIKE_COLOR",
    "vocabulary_label",
    "country_name",
    "country_names",
    "country_color",
    "country_colors",
]

OTHER_COLOR = "#CC79A7"
"""A value with no colour of its own (a weapon outside the vocabulary, a country without an outline)."""
UNKNOWN_COLOR = "#999999"
"""A missing value (no country, unknown weapon)."""
STRIKE_COLOR = "#111111"
"""US/coalition strikes."""

LABELS: dict[str, dict[str, str]] = {
    "event_type": {
        "attack": "attack on US/coalition forces",
        "strike": "US/coalition strike",
        "interception": "interception",
        "other": "other event",
        "other_conflict_event": "other conflict event (not involving US/coalition forces)",
    },
    "target": {
        "us_coalition": "US/coalition forces",
        "local_security_forces": "local security forces",
        "armed_group": "armed group",
        "civilians": "civilians",
        "other": "other target",
        "unknown": "unknown target",
    },
    "weapon": {
        "one_way_drone": "one-way drone",
        "rocket": "rocket",
        "missile": "missile",
        "indirect_fire": "indirect fire",
        "ied": "IED",
        "small_arms": "small arms",
        "airstrike": "airstrike",
        "unknown": "unknown weapon",
    },
    "claim_status": {
        "claimed": "claimed",
        "confirmed": "confirmed",
        "claimed_and_confirmed": "claimed and confirmed",
        "unverified": "unverified",
    },
    "outcome": {
        "intercepted": "intercepted",
        "impact": "impact",
        "no_damage": "no damage",
        "unknown": "unknown outcome",
    },
    "date_precision": {"day": "day", "week": "week", "month": "month", "range": "date range"},
    "location_precision": {
        "exact": "exact point",
        "approximate": "approximate point",
        "site": "site",
        "province": "province",
        "country": "country",
        "unknown": "unknown",
    },
}
"""Column -> value -> readable label, for every closed vocabulary of the schema."""

WEAPON_LABELS: dict[str, str] = LABELS["weapon"]
"""Weapon -> label, in the schema's order."""

WEAPON_COLORS: dict[str, str] = {
    "one_way_drone": "#E69F00",
    "rocket": "#D55E00",
    "missile": "#CC79A7",
    "indirect_fire": "#0072B2",
    "ied": "#009E73",
    "small_arms": "#56B4E9",
    "airstrike": "#000000",
    "unknown": UNKNOWN_COLOR,
}
"""Weapon -> fill colour."""

# The three countries of the campaign keep the colours they always had; every other country with an outline
# takes the next colour of this list in the order of its code.
_FIXED_COUNTRY_COLORS = {"IRQ": "#0072B2", "SYR": "#D55E00", "JOR": "#009E73"}
_MORE_COLORS = ("#E69F00", "#56B4E9", "#F0E442", "#8C564B", "#7F7F7F", "#17BECF", "#BCBD22", "#9467BD",
                "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#E377C2")


def vocabulary_label(column: str, value: Any) -> str:
    """The readable label of a vocabulary value (the value itself, with spaces, when it has none).

    Parameters
    ----------
    column : str
        A vocabulary column (``"weapon"``, ``"event_type"``, ...).
    value : Any
        A value of that column.

    Returns
    -------
    str

    Examples
    --------
    >>> vocabulary_label("outcome", "no_damage"), vocabulary_label("weapon", "catapult")
    ('no damage', 'catapult')
    """
    if column not in VOCABULARIES:
        raise ValueError(f"{column!r} is not a vocabulary column (one of {sorted(VOCABULARIES)})")
    if is_missing(value):
        return "unknown"
    text = str(value)
    return LABELS[column].get(text, text.replace("_", " "))


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO3 -> short English name of every country with an outline (``{"IRQ": "Iraq", ...}``)."""
    from .countries import country_names as outline_names

    return dict(outline_names())


def country_name(code: Any, names: dict[str, str] | None = None) -> str:
    """Readable name of an ISO3 code: from ``names`` first, then the outlines; the code itself when unknown.

    Examples
    --------
    >>> country_name("JOR"), country_name("XYZ"), country_name(None), country_name("IRQ", {"IRQ": "Irak"})
    ('Jordan', 'XYZ', 'unknown country', 'Irak')
    """
    if is_missing(code) or str(code) == "":
        return "unknown country"
    code = str(code)
    if names and code in names:
        return names[code]
    return country_names().get(code, code)


@functools.lru_cache(maxsize=1)
def country_colors() -> dict[str, str]:
    """ISO3 -> colour of every country with an outline."""
    from .countries import country_codes

    out = dict(_FIXED_COUNTRY_COLORS)
    rest = [code for code in country_codes() if code not in out]
    for i, code in enumerate(rest):
        out[code] = _MORE_COLORS[i % len(_MORE_COLORS)]
    return out


def country_color(code: Any) -> str:
    """Colour of a country: its own, :data:`OTHER_COLOR` without an outline, :data:`UNKNOWN_COLOR` if missing.

    Examples
    --------
    >>> country_color("IRQ"), country_color("XYZ"), country_color(None)
    ('#0072B2', '#CC79A7', '#999999')
    """
    if is_missing(code) or str(code) == "":
        return UNKNOWN_COLOR
    return country_colors().get(str(code), OTHER_COLOR)
