"""geoincidents: attacks on bases hosting US and coalition troops in Iraq, Syria, Jordan and the Gulf, mapped.

The public API is re-exported here lazily (PEP 562) so that ``import geoincidents`` stays fast: geopandas,
folium and matplotlib are imported only by the functions that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "normalize_name": "normalize",
    "to_iso3": "countries",
    "country_outlines": "countries",
    "Site": "gazetteer",
    "Gazetteer": "gazetteer",
    "GazetteerError": "gazetteer",
    "load_gazetteer": "gazetteer",
    "Match": "matching",
    "Candidate": "matching",
    "geocode": "matching",
    "geocode_all": "matching",
    "nearest_site": "matching",
    "GazetteerGeocoder": "geocoders",
    "read_incidents": "incidents",
    "write_incidents": "incidents",
    "IncidentWarning": "incidents",
    "parse_sources": "schema",
    "format_sources": "schema",
    "IncidentValidationError": "incidents",
    "ReadResult": "incidents",
    "example_incidents": "examples",
    "campaign_incidents": "examples",
    "campaign_totals": "examples",
    "reported_totals": "examples",
    "join_sites": "join",
    "JoinSummary": "join",
    "weekly_counts": "aggregate",
    "site_counts": "aggregate",
    "summary": "aggregate",
    "site_circles": "circles",
    "incident_map": "maps",
    "save_map": "maps",
    "OfflineAssetError": "maps",
    "static_map": "maps",
    "weekly_chart": "charts",
    "briefing": "briefings",
    "extract_incidents": "extraction",
    "extract_totals": "extraction",
    "merge_incidents": "merging",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geoincidents' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .aggregate import site_counts, summary, weekly_counts
    from .briefings import briefing
    from .charts import weekly_chart
    from .circles import site_circles
    from .countries import country_outlines, to_iso3
    from .examples import campaign_incidents, campaign_totals, example_incidents, reported_totals
    from .extraction import extract_incidents, extract_totals
    from .gazetteer import Gazetteer, GazetteerError, Site, load_gazetteer
    from .geocoders import GazetteerGeocoder
    from .incidents import (
        IncidentValidationError,
        IncidentWarning,
        ReadResult,
        read_incidents,
        write_incidents,
    )
    from .join import JoinSummary, join_sites
    from .maps import OfflineAssetError, incident_map, save_map, static_map
    from .matching import Candidate, Match, geocode, geocode_all, nearest_site
    from .merging import merge_incidents
    from .normalize import normalize_name
    from .schema import format_sources, parse_sources
