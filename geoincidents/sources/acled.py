"""ACLED: every export layout and the API, recognised by their columns, mapped by who attacked whom.

Layouts read (column names compared ignoring case):

* the current export (31 columns: ``event_id_cnty, event_date, year, time_precision, disorder_type,
  event_type, sub_event_type, actor1, assoc_actor_1, inter1, actor2, assoc_actor_2, inter2, interaction,
  civilian_targeting, iso, region, country, admin1, admin2, admin3, location, latitude, longitude,
  geo_precision, source, source_scale, notes, fatalities, tags, timestamp``);
* older exports (``data_id, iso, event_id_cnty, event_id_no_cnty, ..., iso3``) with dates such as
  ``9-May-20``, ``31-12-19`` or ``05-Jan-22``;
* the 2015-2016 layouts (upper-case headers, ``GWNO``, ``ALLY_ACTOR_1``/``ALLY_ACTOR_2``, no
  ``sub_event_type``);
* HDX exports (a ``#hxl`` tag row under the header; dropped by the loader);
* API responses (``{"status": 200, "success": true, "count": n, "data": [...]}``, key-based and OAuth API
  alike) and the records the ``acled`` client returns.

The mapping rules (``docs/sources.md`` has them as a table; ACLED codebook 2019-2024, "Actors" and
"Inter codes"):

1. ``actor1`` (or ``assoc_actor_1``) is US/coalition forces and the event is violent (Battles,
   Explosions/Remote violence, Violence against civilians; old layouts: ``Battle-*``, ``Remote violence``)
   -> ``strike``; ``Disrupted weapons use`` by them -> ``interception`` (target ``us_coalition``);
2. else ``actor2`` or ``assoc_actor_2`` is US/coalition forces and the event is violent -> ``attack``
   (target ``us_coalition``);
3. everything else -> ``other_conflict_event``; no row is dropped.

``target`` comes from ``inter2`` (1 state forces -> ``local_security_forces``; 2 rebel, 3 political
militia, 4 identity militia -> ``armed_group``; 6 protesters, 7 civilians -> ``civilians``; 5 rioters,
8 external/other forces -> ``other``; 0 or empty -> ``unknown``) unless rule 1 or 2 says otherwise.
``weapon`` comes from ``sub_event_type``: ``Air/drone strike`` is ``airstrike`` when ``actor1`` is a state
(inter 1 or 8, US/coalition, or a name "Military Forces of ...", "Police Forces of ...", "Government of
...") and ``one_way_drone`` when a non-state group flies it; shelling/artillery/missile ->
``indirect_fire``; remote explosive/landmine/IED and suicide bomb -> ``ied``; armed clash -> ``small_arms``;
else ``unknown``.
"""

from __future__ import annotations

import re
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

__all__ = ["LAYOUT", "is_acled", "acled_event_types", "to_acled_columns", "INTER_TARGETS"]

INTER_TARGETS: dict[str, str] = {
    "0": "unknown",
    "1": "local_security_forces",
    "2": "armed_group",
    "3": "armed_group",
    "4": "armed_group",
    "5": "other",
    "6": "civilians",
    "7": "civilians",
    "8": "other",
    # the codebook's names (the API and exports since 2024 write the actor type instead of the number)
    "state forces": "local_security_forces",
    "rebel group": "armed_group",
    "rebel groups": "armed_group",
    "political militia": "armed_group",
    "political militias": "armed_group",
    "identity militia": "armed_group",
    "identity militias": "armed_group",
    "rioters": "other",
    "protesters": "civilians",
    "civilians": "civilians",
    "external/other forces": "other",
    "unidentified armed group": "armed_group",
}
"""ACLED ``inter2`` code or actor type -> ``target``."""

_STATE_INTER = frozenset({"1", "8", "state forces", "external/other forces"})
_STATE_ACTOR = re.compile(r"^\s*(?:military forces of|police forces of|government of)\b", re.IGNORECASE)
"""ACLED's names of state forces ("Military Forces of Russia (2000-) Air Force"): a state actor when a table
carries no ``inter1`` (an API answer with chosen ``fields``, a table written by :func:`to_acled_columns`)."""
_VIOLENT = ("battle", "explosions/remote violence", "remote violence", "violence against civilians")
_WEAPONS = {
    "air/drone strike": "airstrike",  # a non-state actor's: one_way_drone (see acled_event_types)
    "shelling/artillery/missile attack": "indirect_fire",
    "remote explosive/landmine/ied": "ied",
    "suicide bomb": "ied",
    "armed clash": "small_arms",
}
_COLUMNS = {
    "event_id_cnty": "incident_id",
    "event_date": "date",
    "time_precision": "date_precision",
    "geo_precision": "location_precision",
    "event_type": "source_event_type",
    "sub_event_type": "source_sub_event_type",
    "actor1": "actor",
    "fatalities": "killed",
    "source": "sources",
    "country": "country",
}


def is_acled(columns: frozenset[str]) -> bool:
    """Whether lower-case column names are those of an ACLED export (any layout since 2015).

    Examples
    --------
    >>> is_acled(frozenset({"event_id_cnty", "event_date", "actor1", "geo_precision", "notes"}))
    True
    >>> is_acled(frozenset({"date", "location", "actor1"}))
    False
    """
    return {"event_id_cnty", "event_date", "actor1"} <= columns and bool(
        columns & {"geo_precision", "time_precision"}
    )


def acled_event_types(checks: Checks) -> dict[str, Any]:
    """``event_type``, ``weapon`` and ``target`` of every ACLED row by the rules of the module docstring,
    and a note with the count per rule."""
    n = checks.n
    sub = input_text(checks, "sub_event_type").str.lower().fillna("").to_numpy(dtype=object)
    kind = input_text(checks, "event_type").str.lower().fillna("")
    violent = kind.str.startswith(_VIOLENT).to_numpy(dtype=bool)
    us1 = involves_us_coalition(input_text(checks, "actor1")) | involves_us_coalition(
        input_text(checks, "assoc_actor_1", "ally_actor_1"))
    us2 = involves_us_coalition(input_text(checks, "actor2")) | involves_us_coalition(
        input_text(checks, "assoc_actor_2", "ally_actor_2"))
    inter1 = _codes(input_text(checks, "inter1"))
    inter2 = _codes(input_text(checks, "inter2"))

    interception = us1 & (sub == "disrupted weapons use")
    strike = us1 & violent & ~interception
    attack = us2 & violent & ~strike & ~interception
    event_type = np.select([strike, interception, attack], ["strike", "interception", "attack"],
                           "other_conflict_event").astype(object)

    target = np.array([INTER_TARGETS.get(c, "unknown") for c in inter2], dtype=object)
    civilian = input_text(checks, "civilian_targeting").str.lower().fillna("").to_numpy(dtype=object)
    target[civilian == "civilian targeting"] = "civilians"
    target[us2 & ~us1] = "us_coalition"
    target[interception] = "us_coalition"

    weapon = np.array([_WEAPONS.get(s, "unknown") for s in sub], dtype=object)
    actor1 = input_text(checks, "actor1").str.contains(_STATE_ACTOR, regex=True).fillna(False)
    state = np.isin(inter1, list(_STATE_INTER)) | us1 | actor1.to_numpy(dtype=bool)
    weapon[(sub == "air/drone strike") & ~state] = "one_way_drone"

    involved = int((us1 | us2).sum())
    other = n - int(strike.sum()) - int(attack.sum()) - int(interception.sum())
    intercepted = f", {int(interception.sum()):,} interceptions by them" if interception.any() else ""
    checks.warn(
        f"ACLED: {n:,} rows read: {involved:,} involve US/coalition forces, {int(attack.sum()):,} attacks "
        f"on them, {int(strike.sum()):,} strikes by them{intercepted}, {other:,} other events"
    )
    return {"event_type": event_type, "weapon": weapon, "target": target}


def to_acled_columns(table: pd.DataFrame) -> pd.DataFrame:
    """The incident table written back as ACLED-style columns (see the precision tables in
    ``docs/sources.md``).

    ``date_precision`` day/week/month -> ``time_precision`` 1/2/3 (a range: 2 up to 7 days, else 3);
    ``location_precision`` exact/site -> ``geo_precision`` 1, approximate -> 2, province/country/unknown -> 3.
    ``actor2`` is the source's own ``actor2`` when the table kept it (read from ACLED), else the ``target``
    label; ``assoc_actor_1/2``, ``inter1/2`` and ``civilian_targeting`` are kept when the table has them, so
    an ACLED table written back reads again to the same incidents.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`geoincidents.read_incidents`.

    Returns
    -------
    pandas.DataFrame
        ``event_id_cnty, event_date, time_precision, event_type, sub_event_type, actor1, assoc_actor_1,
        inter1, actor2, assoc_actor_2, inter2, civilian_targeting, country, location, latitude, longitude,
        geo_precision, source, notes, fatalities`` (the actor columns other than ``actor1`` empty unless the
        table kept them from an ACLED source).

    Examples
    --------
    >>> import geoincidents
    >>> out = to_acled_columns(geoincidents.example_incidents())
    >>> list(out.columns[:3]), int(out["time_precision"].iloc[0]), out["event_date"].iloc[0][:2]
    (['event_id_cnty', 'event_date', 'time_precision'], 1, '20')
    """
    from ..style import country_name

    require_incident_table(table, "to_acled_columns")
    codes = table["date_precision"].map({"day": 1, "week": 2, "month": 3}).to_numpy(dtype="float64",
                                                                                    na_value=np.nan)
    by_span = np.where(span_days(table) <= 7, 2, 3)
    time_precision = pd.Series(np.where(np.isnan(codes), by_span, codes).astype("int64"), index=table.index)
    geo = table["location_precision"].map({"exact": 1, "site": 1, "approximate": 2}).fillna(3).astype("int64")
    actor2 = table["actor2"] if "actor2" in table else target_labels(table)  # noqa: SIM401 - lazy
    return pd.DataFrame({
        "event_id_cnty": table["incident_id"].astype(str),
        "event_date": table["date"].dt.strftime("%Y-%m-%d"),
        "time_precision": time_precision,
        "event_type": table_column(table, "source_event_type"),
        "sub_event_type": table_column(table, "source_sub_event_type"),
        "actor1": table_column(table, "actor"),
        "assoc_actor_1": table_column(table, "assoc_actor_1"),
        "inter1": table_column(table, "inter1"),
        "actor2": actor2,
        "assoc_actor_2": table_column(table, "assoc_actor_2"),
        "inter2": table_column(table, "inter2"),
        "civilian_targeting": table_column(table, "civilian_targeting"),
        "country": table_column(table, "country").map(lambda c: country_name(c) if isinstance(c, str) else c),
        "location": table_column(table, "location"),
        "latitude": table_column(table, "lat"),
        "longitude": table_column(table, "lon"),
        "geo_precision": geo,
        "source": publisher_text(table, "; "),
        "notes": table_column(table, "notes"),
        "fatalities": table_column(table, "killed"),
    }).reset_index(drop=True)


def _codes(values: pd.Series) -> np.ndarray:
    """Inter codes as lower-case text ("1.0" from a float column -> "1")."""
    text = values.str.lower().fillna("").str.replace(r"\.0$", "", regex=True)
    return text.to_numpy(dtype=object)


LAYOUT = SourceLayout(
    name="acled",
    title="ACLED export",
    matches=is_acled,
    columns=_COLUMNS,
    derive=acled_event_types,
    split_sources=True,
)
"""The ACLED layout."""
