"""What a data source module provides: :class:`SourceLayout`, and the actor helpers the sources share.

A source recognises its layout by its columns and maps it onto the incident schema in two steps that the
validator (:func:`geoincidents.incidents.validation.validate`) calls:

1. ``columns``: input column (lower case) -> schema column, for the columns that carry a schema column one
   to one under a name the schema's synonyms do not know (``event_id_cnty`` -> ``incident_id``). The generic
   synonyms (:data:`geoincidents.schema.COLUMN_SYNONYMS`) map the rest; problems then name the input column.
2. ``derive(checks)``: schema columns computed from several input columns (``event_type``, ``weapon``,
   ``target``, precision codes), returned as arrays aligned with the rows. Problems and warnings go to the
   :class:`~geoincidents.incidents.validation.Checks` context, so they name the file, row and column.

Everything else (dates, coordinates, countries, counts, vocabularies) is the generic validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..incidents.parsing import text_cells

if TYPE_CHECKING:
    from ..incidents.validation import Checks

__all__ = ["SourceLayout", "US_COALITION", "involves_us_coalition", "lower_columns", "input_text",
           "table_column", "target_labels", "publisher_text", "span_days", "require_incident_table"]

US_COALITION = re.compile(
    r"\bunited states\b|\bu\.s\.|\busa\b|\bglobal coalition\b|\binternational coalition\b|"
    r"\bus-led coalition\b|\bcoalition forces\b|\boperation inherent resolve\b|\bcjtf-oir\b",
    re.IGNORECASE,
)
"""Actor names that are US or US-led coalition forces, as ACLED and UCDP write them ("Military Forces of the
United States (2021-)", "Global Coalition Against Daesh", "Government of United States of America"). Other
coalitions ("Saudi-led coalition") do not match. Matched against the name without its parenthesised
qualifiers (see :func:`involves_us_coalition`)."""

_QUALIFIER = re.compile(r"\([^()]*\)")
"""A parenthesised qualifier in an actor name: ACLED's years of a force ("(2021-)") and the nationality of a
group that is not a force ("Civilians (United States)", "Protesters (United States)")."""


@dataclass(frozen=True)
class SourceLayout:
    """One data source's layout.

    Attributes
    ----------
    name : str
        What ``read_incidents(source=...)`` calls it.
    title : str
        How messages name it ("ACLED export").
    matches : callable
        Lower-case column names -> whether a table has this layout.
    columns : mapping
        Input column (lower case) -> schema column, taking precedence over the generic synonyms.
    derive : callable or None
        ``Checks`` -> {schema column: array}, the columns computed from several inputs.
    split_sources : bool
        ``sources`` cells are ``;``-separated publisher names (ACLED ``source``, UCDP ``source_office``).
    """

    name: str
    title: str
    matches: Callable[[frozenset[str]], bool]
    columns: Mapping[str, str] = field(default_factory=dict)
    derive: Callable[[Checks], dict[str, Any]] | None = None
    split_sources: bool = False


def lower_columns(columns: Iterable[Any]) -> frozenset[str]:
    """The string column names, stripped and lower case.

    Examples
    --------
    >>> sorted(lower_columns([" Event_Date", "LOCATION", 3]))
    ['event_date', 'location']
    """
    return frozenset(c.strip().lower() for c in columns if isinstance(c, str))


def input_text(checks: Checks, *names: str) -> pd.Series:
    """The first input column among ``names`` (any case) as stripped text; all NA when none is there."""
    by_lower = {c.strip().lower(): c for c in checks.frame.columns if isinstance(c, str)}
    for name in names:
        if name in by_lower:
            return text_cells(checks.frame[by_lower[name]], checks.n)
    return text_cells(None, checks.n)


def involves_us_coalition(actors: pd.Series) -> np.ndarray:
    """Mask of actor names that are US or coalition forces (:data:`US_COALITION`).

    ACLED names a group that is not a force by its type and, in parentheses, its nationality:
    "Civilians (United States)" are US civilians (a contractor, an aid worker, the victims of an embassy
    bombing), "Protesters (United States)" US protesters. The parenthesised qualifiers are dropped before
    matching, so only the name itself ("Military Forces of the United States", "Government of the United
    States") makes an actor US/coalition forces. ``;``-separated lists (associated actors) match when any
    name does.

    Examples
    --------
    >>> involves_us_coalition(pd.Series(["Military Forces of the United States (2021-)",
    ...                                  "Military Forces of Turkey (2016-)", None,
    ...                                  "Civilians (Kenya); Civilians (United States)"])).tolist()
    [True, False, False, False]
    """
    names = actors.astype("string").str.replace(_QUALIFIER, " ", regex=True)
    return names.str.contains(US_COALITION, regex=True).fillna(False).to_numpy(dtype=bool)


# -- writing the schema back as a source's columns (to_acled_columns, to_ucdp_columns) ---------------------
def require_incident_table(table: pd.DataFrame, writer: str) -> None:
    """Raise ``ValueError`` naming ``writer`` when ``table`` lacks the incident table's core columns."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{writer} expects a pandas DataFrame, got {type(table).__name__}")
    missing = {"incident_id", "date", "date_precision", "location_precision"} - set(table.columns)
    if missing:
        raise ValueError(f"{writer} needs an incident table (from read_incidents); missing {sorted(missing)}")


def table_column(table: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` that ``table`` has (a source's own column kept as an extra comes first when
    listed first); all NA when none is there.

    Examples
    --------
    >>> t = pd.DataFrame({"actor2": ["Kataib Hezbollah"], "target": ["armed_group"]})
    >>> table_column(t, "actor2", "target").tolist(), bool(table_column(t, "side_b").isna().all())
    (['Kataib Hezbollah'], True)
    """
    for name in names:
        if name in table.columns:
            return table[name]
    return pd.Series(pd.NA, index=table.index, dtype="string")


def target_labels(table: pd.DataFrame) -> pd.Series:
    """The readable label of each row's ``target`` ("US/coalition forces"), NA where there is none."""
    from ..style import vocabulary_label

    return table_column(table, "target").map(
        lambda v: vocabulary_label("target", v) if isinstance(v, str) else v)


def publisher_text(table: pd.DataFrame, separator: str) -> pd.Series:
    """The publishers of each row's ``sources`` joined by ``separator`` (ACLED ``"; "``, UCDP ``";"``)."""
    from ..schema import parse_sources

    return table_column(table, "sources").map(
        lambda s: separator.join(p["publisher"] for p in parse_sources(s)) if isinstance(s, str) else "")


def span_days(table: pd.DataFrame) -> np.ndarray:
    """Days from ``date`` to ``date_end`` (0 where there is no end)."""
    if "date_end" not in table:
        return np.zeros(len(table), dtype="int64")
    return (table["date_end"] - table["date"]).dt.days.fillna(0).to_numpy(dtype="int64")
