"""ACLED exports: recognised by their columns, mapped onto the incident schema.

ACLED's own ``event_type`` column is kept as ``event_type_reported``; ``event_id_cnty`` becomes
``incident_id`` and ``geo_precision`` ``location_precision``; ``event_type`` and ``weapon`` come from
``sub_event_type`` (and ``actor1`` for air/drone strikes), see :func:`acled_event_types`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .parsing import text_cells
from .problems import counted_values

if TYPE_CHECKING:
    from .validation import Checks

__all__ = ["ACLED_COLUMNS", "is_acled", "acled_event_types"]

# These columns identify an ACLED export; the rest of its 31 are kept as extra columns.
_MARKERS = frozenset(
    {"event_id_cnty", "event_date", "time_precision", "sub_event_type", "actor1", "geo_precision"}
)
ACLED_COLUMNS = {"event_id_cnty": "incident_id", "geo_precision": "location_precision"}
"""ACLED column -> schema column, where the schema's synonyms do not already say it."""
_US = re.compile(r"united states|coalition", re.IGNORECASE)


def is_acled(columns: Iterable[Any]) -> bool:
    """Whether a table's columns are those of an ACLED export.

    Examples
    --------
    >>> is_acled(["event_id_cnty", "event_date", "time_precision", "sub_event_type", "actor1",
    ...           "geo_precision", "notes"])
    True
    >>> is_acled(["date", "location"])
    False
    """
    names = {c.strip().lower() for c in columns if isinstance(c, str)}
    return names >= _MARKERS


def acled_event_types(checks: Checks) -> tuple[np.ndarray, np.ndarray]:
    """``event_type`` and ``weapon`` from ACLED ``sub_event_type`` (and ``actor1`` for air/drone strikes).

    ``Shelling/artillery/missile attack`` -> attack with indirect_fire; ``Remote explosive/landmine/IED`` ->
    attack with ied; ``Air/drone strike`` -> strike with airstrike when ``actor1`` mentions "United States" or
    "Coalition", else attack with one_way_drone; anything else -> other with unknown (a warning, or a problem
    when strict).
    """
    frame, n = checks.frame, checks.n
    by_lower = {c.strip().lower(): c for c in frame.columns if isinstance(c, str)}
    sub_col = by_lower["sub_event_type"]
    sub_values = frame[sub_col]
    sub = text_cells(sub_values, n).str.lower().fillna("").to_numpy(dtype=object)
    actor = text_cells(frame[by_lower["actor1"]], n).fillna("")
    by_us = actor.str.contains(_US, regex=True).fillna(False).to_numpy(dtype=bool)
    shelling = sub == "shelling/artillery/missile attack"
    air = sub == "air/drone strike"
    ied = sub == "remote explosive/landmine/ied"
    event_type = np.select([shelling, ied, air & by_us, air], ["attack", "attack", "strike", "attack"],
                           "other").astype(object)
    weapon = np.select([shelling, ied, air & by_us, air],
                       ["indirect_fire", "ied", "airstrike", "one_way_drone"], "unknown").astype(object)
    unmapped = ~(shelling | air | ied)
    if unmapped.any():
        if checks.strict:
            checks.problems.add(unmapped, str(sub_col), sub_values,
                                "ACLED sub_event_type has no event_type/weapon mapping")
        else:
            listed = counted_values(text_cells(sub_values, n)[unmapped].fillna(""))
            checks.warn(f"{int(unmapped.sum())} ACLED row(s) with a sub_event_type that has no mapping "
                        f"became event_type 'other', weapon 'unknown': {listed}")
    return event_type, weapon
