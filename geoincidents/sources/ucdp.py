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
import pandas as pd

from .layout import (
    SourceLayout,
    input_text,
    involves_us_coalition,
    publisher_text,
    require_incident_table,
    span_days,
    table_column,
    target_labels,
)

if TYPE_CHECKING:
    from ..incidents.validation import Checks

__all__ = ["LAYOUT", "is_ucdp", "ucdp_columns", "to_ucdp_columns", "WHERE_PREC", "DATE_PREC",
           "VIOLENCE_TYPES", "WHERE_PREC_WRITTEN", "DATE_PREC_WRITTEN"]

WHERE_PREC = {"1": "exact", "2": "approximate", "3": "approximate", "4": "province", "5": "province",
              "6": "country", "7": "unknown"}
"""UCDP ``where_prec`` -> ``location_precision``."""
DATE_PREC = {"1": "day", "2": "range", "3": "week", "4": "month", "5": "range"}
"""UCDP ``date_prec`` -> ``date_precision``."""
VIOLENCE_TYPES = {"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}
"""UCDP ``type_of_violence`` -> ``source_event_type``."""
WHERE_PREC_WRITTEN = {"exact": 1, "site": 1, "approximate": 2, "province": 4, "country": 6}
"""``location_precision`` -> UCDP ``where_prec`` (:func:`to_ucdp_columns`); ``unknown`` has no code and is
written empty (7, international waters or airspace, reads as ``unknown`` but is not what it means)."""
DATE_PREC_WRITTEN = {"day": 1, "week": 3, "month": 4}
"""``date_precision`` -> UCDP ``date_prec``; a ``range`` is 2 up to 6 days, 3 up to 7, 4 up to 31, else 5."""

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


def to_ucdp_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The incident table written back as UCDP GED-style columns (the reverse of the UCDP mapping; the
    precision tables in ``docs/sources.md`` show both directions).

    ``location_precision`` -> ``where_prec`` by :data:`WHERE_PREC_WRITTEN`; ``date_precision`` ->
    ``date_prec`` by :data:`DATE_PREC_WRITTEN` (a ``range`` by its length); ``source_event_type`` ->
    ``type_of_violence`` when it is one of UCDP's three; ``side_b``, ``low`` and ``high`` are the source's
    own columns when the table kept them (read from UCDP), else ``side_b`` is the ``target`` label.

    Parameters
    ----------
    table : pandas.DataFrame
        An incident table (:func:`geoincidents.read_incidents`), from UCDP or any other source.

    Returns
    -------
    pandas.DataFrame
        One row per incident: ``id, type_of_violence, dyad_name, side_a, side_b, source_office,
        where_prec, where_coordinates, latitude, longitude, country, date_prec, date_start, date_end, best,
        low, high`` (``where_prec``, ``date_prec`` and ``type_of_violence`` as nullable integers).

    Examples
    --------
    >>> import geoincidents
    >>> out = to_ucdp_columns(geoincidents.example_incidents())
    >>> list(out.columns[:4]), int(out["date_prec"].iloc[0]), out["date_start"].iloc[0][:2]
    (['id', 'type_of_violence', 'dyad_name', 'side_a'], 1, '20')
    """
    from ..style import country_name

    require_incident_table(table, "to_ucdp_columns")
    span = span_days(table)
    by_span = np.select([span <= 6, span <= 7, span <= 31], [2, 3, 4], 5)
    named = table["date_precision"].map(DATE_PREC_WRITTEN).to_numpy(dtype="float64", na_value=np.nan)
    date_prec = np.where(np.isnan(named), by_span, named)
    where_prec = table["location_precision"].map(WHERE_PREC_WRITTEN).astype("Int64")
    violence = {v: int(k) for k, v in VIOLENCE_TYPES.items()}
    end = table_column(table, "date_end")
    end = end.where(end.notna(), table["date"])
    side_b = table["side_b"] if "side_b" in table else target_labels(table)
    return pd.DataFrame({
        "id": table["incident_id"].astype(str),
        "type_of_violence": table_column(table, "source_event_type").map(violence).astype("Int64"),
        "dyad_name": table_column(table, "source_sub_event_type"),
        "side_a": table_column(table, "actor"),
        "side_b": side_b,
        "source_office": publisher_text(table, ";"),
        "where_prec": where_prec,
        "where_coordinates": table_column(table, "location"),
        "latitude": table_column(table, "lat"),
        "longitude": table_column(table, "lon"),
        "country": table_column(table, "country").map(lambda c: country_name(c) if isinstance(c, str) else c),
        "date_prec": pd.array(date_prec.astype("int64"), dtype="Int64"),
        "date_start": table["date"].dt.strftime("%Y-%m-%d"),
        "date_end": end.dt.strftime("%Y-%m-%d"),
        "best": table_column(table, "killed"),
        "low": table_column(table, "low"),
        "high": table_column(table, "high"),
    }).reset_index(drop=True)


LAYOUT = SourceLayout(
    name="ucdp",
    title="UCDP GED",
    matches=is_ucdp,
    columns=_COLUMNS,
    derive=ucdp_columns,
    split_sources=True,
)
"""The UCDP GED layout."""
