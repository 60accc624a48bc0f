"""Data sources: one module per source, each recognising its layout by its columns and mapping it onto the
one incident schema. A new source is a new module with a :class:`~geoincidents.sources.layout.SourceLayout`
added to :data:`LAYOUTS`.

* :mod:`~geoincidents.sources.acled`: ACLED exports (every layout since 2015), HDX exports, API JSON;
* :mod:`~geoincidents.sources.ucdp`: UCDP GED CSV, HDX export, API ``Result`` pages;
* :mod:`~geoincidents.sources.table`: the plain incident table (the default).

:func:`geoincidents.read_incidents` detects the source (:func:`detect_source`); ``source=`` forces one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import acled, table, ucdp
from .acled import to_acled_columns
from .layout import SourceLayout, lower_columns

if TYPE_CHECKING:
    from ..incidents.problems import ReadResult

__all__ = ["LAYOUTS", "SOURCE_NAMES", "SourceLayout", "detect_source", "source_layout", "fetch_acled",
           "to_acled_columns"]

LAYOUTS: tuple[SourceLayout, ...] = (acled.LAYOUT, ucdp.LAYOUT)
"""The sources recognised by their columns, tried in order; a table none matches is a plain table."""
SOURCE_NAMES: tuple[str, ...] = tuple(s.name for s in LAYOUTS) + (table.LAYOUT.name,)


def detect_source(columns: Iterable[Any]) -> SourceLayout:
    """The layout whose columns a table has (the plain table when none).

    Examples
    --------
    >>> detect_source(["EVENT_ID_CNTY", "EVENT_DATE", "ACTOR1", "GEO_PRECISION"]).name
    'acled'
    >>> detect_source(["date", "location"]).name
    'table'
    """
    names = lower_columns(columns)
    return next((s for s in LAYOUTS if s.matches(names)), table.LAYOUT)


def source_layout(name: str) -> SourceLayout:
    """The layout called ``name`` (one of :data:`SOURCE_NAMES`).

    Examples
    --------
    >>> source_layout("ucdp").title
    'UCDP GED'
    """
    for layout in (*LAYOUTS, table.LAYOUT):
        if layout.name == name:
            return layout
    raise ValueError(f"source must be one of {', '.join(SOURCE_NAMES)}, got {name!r}")


def fetch_acled(*, country: str | None = None, since: str | None = None, until: str | None = None,
                limit: int = 5000, client: Any = None, **kwargs: Any) -> pd.DataFrame | ReadResult:
    """Fetch ACLED events with the ``acled`` client (``pip install geoincidents[acled]``) and read them.

    Parameters
    ----------
    country : str, optional
        ACLED country name ("Iraq").
    since, until : str, optional
        ``YYYY-MM-DD`` bounds of ``event_date`` (inclusive).
    limit : int, default 5000
        Most events to fetch.
    client : acled.AcledClient, optional
        A configured client; by default one is made from the ``ACLED_*`` environment variables the client
        reads (credentials stay with the client).
    **kwargs
        Passed to :func:`geoincidents.read_incidents` (``errors``, ``strict``).

    Returns
    -------
    pandas.DataFrame or ReadResult
        As :func:`geoincidents.read_incidents` returns.
    """
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    if client is None:
        try:
            from acled import AcledClient
        except ImportError as exc:
            raise ImportError(
                "fetch_acled needs the acled client: pip install 'geoincidents[acled]'"
            ) from exc
        client = AcledClient()
    query: dict[str, Any] = {"limit": limit}
    if country:
        query["country"] = country
    if since and until:
        query.update(event_date=f"{since}|{until}", query_params={"event_date_where": "BETWEEN"})
    elif since:
        query.update(event_date=since, query_params={"event_date_where": ">="})
    elif until:
        query.update(event_date=until, query_params={"event_date_where": "<="})
    records = client.get_data(**query)
    from ..incidents import read_incidents

    if not records:
        raise ValueError(f"ACLED returned no events for {query}")
    return read_incidents(list(records), source="acled", **kwargs)
