"""UCDP GED (Georeferenced Event Dataset): the CSV, its HDX export and the API's ``Result`` pages.

Recognised by ``where_prec``, ``date_prec``, ``date_start`` and ``side_a``. Mapped (UCDP GED codebook,
"where_prec" and "date_prec"; ``docs/sources.md`` has both directions):

* ``id`` -> ``incident_id``; ``date_start``/``date_end`` -> ``date``/``date_end``; ``where_coordinates``
  -> ``location``; ``latitude``/``longitude``; ``country`` name -> ISO3; ``best`` -> ``killed`` (``low``
  and ``high`` kept as extra columns); ``source_office`` (``;``-separated) -> ``sources``;
  ``type_of_violence`` 1/2/3 -> ``source_event_type`` (state-based, non-state, one-sided violence);
  ``dyad_name`` -> ``source_sub_event_type``; ``side_a`` -> ``actor``.
* ``where_prec`` 1 -> exact, 2 -> approximate (within about 25 km of a known place), 3 -> approximate (ADM2
  centroid), 4 -> province (ADM1), 5 -> province (a larger part of the country), 6 -> country, 7 -> unknown
  (international waters or airspace).
* ``date_prec`` 1 -> day, 2 -> range (2-6 days), 3 -> week, 4 -> month, 5 -> range (longer); a row whose
  ``date_end`` equals ``date_start`` is a day.
* ``side_b`` -> ``target``: ``Civilians`` -> civilians, US/coalition -> us_coalition, ``Government of ...``
  -> local_security_forces, any other organisation -> armed_group.
* UCDP sides carry no direction (the government is side_a by convention), so: side_a US/coalition ->
  ``strike``, side_b US/coalition -> ``attack``, everything else -> ``other_conflict_event``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .layout import SourceLayout, input_text, involves_us_coalition

if TYPE_CHECKING:
    from ..incidents.validation import Checks

__all__ = ["LAYOUT", "is_ucdp", "ucdp_columns", "WHERE_PREC", "DATE_PREC", "VIOLENCE_TYPES"]

WHERE_PREC = {"1": "exact", "2": "approximate", "3": "approximate", "4": "province", "5": "province",
              "6": "country", "7": "unknown"}
"""UCDP ``where_prec`` -> ``location_precision``."""
DATE_PREC = {"1": "day", "2": "range", "3": "week", "4": "month", "5": "range"}
"""UCDP ``date_prec`` -> ``date_precision``."""
VIOLENCE_TYPES = {"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}
"""UCDP ``type_of_violence`` -> ``source_event_type``."""

_COLUMNS = {
    "id": "incident_id",
    "date_start": "date",
    "date_end": "date_end",
    "where_coordinates": "location",
    "best": "killed",
    "side_a": "actor",
    "source_office": "sources",
    "dyad_name": "source_sub_event_type",
    "type_of_violence": "source_event_type",
    "where_prec": "location_precision",
    "date_prec": "date_precision",
}


def is_ucdp(columns: frozenset[str]) -> bool:
    """Whether lower-case column names are those of UCDP GED.

    Examples
    --------
    >>> is_ucdp(frozenset({"id", "where_prec", "date_prec", "date_start", "side_a", "side_b"}))
    True
    """
    return {"where_prec", "date_prec", "date_start", "side_a"} <= columns


def ucdp_columns(checks: Checks) -> dict[str, Any]:
    """Precision codes, violence type, event type and target of every UCDP row; unknown codes are
    problems naming the column."""
    n = checks.n
    out: dict[str, Any] = {}
    for name, codes in (("location_precision", WHERE_PREC), ("date_precision", DATE_PREC),
                        ("source_event_type", VIOLENCE_TYPES)):
        text = input_text(checks, *[k for k, v in _COLUMNS.items() if v == name])
        text = text.str.replace(r"\.0$", "", regex=True)
        mapped = text.map(lambda v, c=codes: c.get(v) if isinstance(v, str) else None)
        bad = text.notna().to_numpy() & mapped.isna().to_numpy()
        checks.report(bad, name, f"not a UCDP code (allowed: {', '.join(codes)})")
        default = "unknown" if name == "location_precision" else ("day" if name == "date_precision" else None)
        out[name] = mapped.where(mapped.notna(), default).to_numpy(dtype=object)
    same_day = (input_text(checks, "date_start") == input_text(checks, "date_end")).fillna(False).to_numpy()
    out["date_precision"][same_day & (out["date_precision"] == "range")] = "day"

    side_a, side_b = input_text(checks, "side_a"), input_text(checks, "side_b")
    us_a, us_b = involves_us_coalition(side_a), involves_us_coalition(side_b)
    out["event_type"] = np.select([us_a, us_b], ["strike", "attack"], "other_conflict_event").astype(object)
    b = side_b.str.lower().fillna("")
    target = np.where(b.str.startswith("government of").to_numpy(), "local_security_forces", "armed_group")
    target = np.where(b.str.contains("civilians").to_numpy(), "civilians", target).astype(object)
    target[(b == "").to_numpy()] = "unknown"
    target[us_b] = "us_coalition"
    out["target"] = target
    checks.warn(
        f"UCDP GED: {n:,} rows read: {int((us_a | us_b).sum()):,} involve US/coalition forces, "
        f"{int(us_b.sum()):,} attacks on them, {int(us_a.sum()):,} strikes by them, "
        f"{n - int((us_a | us_b).sum()):,} other events"
    )
    return out


LAYOUT = SourceLayout(
    name="ucdp",
    title="UCDP GED",
    matches=is_ucdp,
    columns=_COLUMNS,
    derive=ucdp_columns,
    split_sources=True,
)
"""The UCDP GED layout."""
