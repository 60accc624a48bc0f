"""Data sources: one module per source, each recognising its layout by its columns and mapping it onto the
one incident schema. A new source is a new module with a :class:`~geoincidents.sources.layout.SourceLayout`
added to :data:`LAYOUTS`.

* :mod:`~geoincidents.sources.acled`: ACLED exports (every layout since 2015), HDX exports, API JSON;
* :mod:`~geoincidents.sources.ucdp`: UCDP GED CSV, HDX export, API ``Result`` pages;
* :mod:`~geoincidents.sources.table`: the plain incident table (the default).

:func:`geoincidents.read_incidents` detects the source (:func:`detect_source`); ``source=`` forces one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..incidents.problems import IncidentWarning
from . import acled, table, ucdp
from .acled import to_acled_columns
from .layout import SourceLayout, lower_columns
from .ucdp import to_ucdp_columns

if TYPE_CHECKING:
    from ..incidents.problems import ReadResult

__all__ = ["LAYOUTS", "SOURCE_NAMES", "SourceLayout", "detect_source", "source_layout", "fetch_acled",
           "ACLED_PAGE_SIZE", "to_acled_columns", "to_ucdp_columns"]

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


ACLED_PAGE_SIZE = 5000
"""Most events the ACLED API returns in one page (its default and largest ``limit``)."""


def fetch_acled(*, country: str | None = None, since: str | None = None, until: str | None = None,
                limit: int = 50_000, page_size: int = ACLED_PAGE_SIZE, client: Any = None,
                **kwargs: Any) -> pd.DataFrame | ReadResult:
    """Fetch ACLED events with the ``acled`` client (``pip install geoincidents[acled]``) and read them.

    The API answers one page at a time; pages are fetched (``page=1, 2, ...``) until one comes back short,
    so no event is silently left out. When ``limit`` stops the paging first, a warning says so.

    Parameters
    ----------
    country : str, optional
        ACLED country name ("Iraq").
    since, until : str, optional
        ``YYYY-MM-DD`` bounds of ``event_date`` (inclusive).
    limit : int, default 50000
        Most events to fetch in all.
    page_size : int, default :data:`ACLED_PAGE_SIZE`
        Events asked for in each request.
    client : acled.AcledClient, optional
        A configured client; by default one is made from the ``ACLED_*`` environment variables the client
        reads (credentials stay with the client).
    **kwargs
        Passed to :func:`geoincidents.read_incidents` (``errors``, ``strict``).

    Returns
    -------
    pandas.DataFrame or ReadResult
        As :func:`geoincidents.read_incidents` returns.

    Raises
    ------
    ValueError
        If ``limit`` or ``page_size`` is not positive, or the API returns no events.
    ImportError
        If no ``client`` is given and the ``acled`` client is not installed.
    """
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    if page_size <= 0:
        raise ValueError(f"page_size must be positive, got {page_size!r}")
    if client is None:
        try:
            from acled import AcledClient
        except ImportError as exc:
            raise ImportError(
                "fetch_acled needs the acled client: pip install 'geoincidents[acled]'"
            ) from exc
        client = AcledClient()
    query: dict[str, Any] = {}
    if country:
        query["country"] = country
    if since and until:
        query.update(event_date=f"{since}|{until}", query_params={"event_date_where": "BETWEEN"})
    elif since:
        query.update(event_date=since, query_params={"event_date_where": ">="})
    elif until:
        query.update(event_date=until, query_params={"event_date_where": "<="})
    size = min(page_size, limit)
    records: list[Any] = []
    page = 1
    while True:
        batch = list(client.get_data(**query, limit=size, page=page))
        records.extend(batch)
        if len(batch) < size:
            break
        if len(records) >= limit:
            warnings.warn(
                f"fetch_acled stopped at limit={limit:,} events ({page} page(s) of {size:,}); ACLED may hold "
                "more for this query: raise limit or narrow since/until",
                IncidentWarning, stacklevel=2)
            break
        page += 1
    if not records:
        raise ValueError(f"ACLED returned no events for {query}")
    from ..incidents import read_incidents

    return read_incidents(records[:limit], source="acled", **kwargs)
