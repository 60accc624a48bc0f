"""Gazetteer answers in Nominatim's output formats (``json``, ``jsonv2``, ``geojson``, ``geocodejson``).

Field names, order and types follow Nominatim's documented place output (the Python frontend of Nominatim 4.x
and 5.x): ``place_id`` an integer, ``lat``/``lon`` strings, ``boundingbox`` four strings ``[min lat, max lat,
min lon, max lon]``, ``class`` (``json``) or ``category`` (``jsonv2``), ``type``, ``place_rank``,
``importance``, ``addresstype``, ``name``, ``display_name``. A gazetteer site is no OpenStreetMap object, so
``osm_type`` and ``osm_id`` are left out, as Nominatim itself leaves them out for places without one.

What the gazetteer knows beyond that is under the key :data:`EXTRA_KEY` (``"geoincidents"``): site id, score,
method, uncertainty radius, coordinate source and, for an ambiguous name, every candidate with its score.

This module builds plain dicts and knows nothing about HTTP; :mod:`geoincidents.service.app` serves them.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..gazetteer import Site

__all__ = [
    "EXTRA_KEY",
    "FORMATS",
    "LICENCE",
    "Place",
    "site_place",
    "fallback_place",
    "place_id_of",
    "render_places",
    "render_reverse",
]

#: Key under which every result carries the gazetteer's own fields.
EXTRA_KEY = "geoincidents"
#: The output formats of ``/search`` and ``/reverse`` (Nominatim's, less ``xml``).
FORMATS = ("json", "jsonv2", "geojson", "geocodejson")
#: The ``licence`` of every gazetteer answer.
LICENCE = "geoincidents gazetteer, MIT licence; each coordinate cites its source (geoincidents.coord_source)"

_METRES_PER_DEGREE = 111_320.0
# Gazetteer kind -> (OSM key, OSM value) in the sense of Nominatim's class/type, place_rank, addresstype.
_KIND_TAGS: dict[str, tuple[str, str, int, str]] = {
    "airbase": ("military", "airfield", 30, "military"),
    "garrison": ("military", "base", 30, "military"),
    "outpost": ("military", "base", 30, "military"),
    "base": ("military", "base", 30, "military"),
    "oil_gas_field": ("industrial", "oil", 30, "industrial"),
    "airport": ("aeroway", "aerodrome", 30, "aeroway"),
    "diplomatic": ("office", "diplomatic", 30, "office"),
    "city": ("place", "city", 16, "city"),
    "district": ("boundary", "administrative", 12, "county"),
    "border_crossing": ("barrier", "border_control", 30, "barrier"),
}
_GEOCODEJSON_TYPE = {"city": "city", "district": "county"}  # every other kind is a "locality"


@dataclass(frozen=True, slots=True)
class Place:
    """One result, in the terms Nominatim's formats need (coordinates as floats, rendered as strings)."""

    place_id: int | None
    licence: str
    lat: float
    lon: float
    category: str
    type: str
    place_rank: int
    importance: float | None
    addresstype: str
    name: str
    display_name: str
    bbox: tuple[float, float, float, float]  # min lat, max lat, min lon, max lon
    address: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    osm: tuple[str, Any] | None = None  # (osm_type, osm_id) of a fallback answer that has them


def place_id_of(site_id: str) -> int:
    """A stable integer id for a site: the CRC-32 of its id (the same in every run and on every machine).

    Examples
    --------
    >>> place_id_of("erbil")
    1840154084
    """
    return zlib.crc32(site_id.encode("utf-8")) & 0x7FFFFFFF


def site_place(
    site: Site,
    *,
    score: float,
    method: str,
    query: str,
    alias: str | None = None,
    candidates: Sequence[dict[str, Any]] = (),
    distance_m: float | None = None,
    arabic: bool = False,
) -> Place:
    """The :class:`Place` of a gazetteer site found for ``query``.

    Parameters
    ----------
    site : Site
        The site.
    score : float
        Match score, 0-100; ``importance`` is ``score / 100``.
    method : str
        How the site was found (``exact``, ``alias``, ``fuzzy``, ``nearest``).
    query : str
        What was asked (the name, or ``"lat, lon"`` for a reverse look-up).
    alias : str, optional
        The gazetteer name that matched.
    candidates : sequence of dict
        For an ambiguous name, every candidate (``site_id``, ``name``, ``country``, ``score``, ``alias``);
        empty otherwise.
    distance_m : float, optional
        Distance from the asked point (reverse look-ups).
    arabic : bool, default False
        Use the site's Arabic name as ``name`` (``accept-language: ar``).

    Returns
    -------
    Place

    Examples
    --------
    >>> from geoincidents import Site
    >>> town = Site("testville", "Testville", "", "city", "IRQ", "Anbar", 33.0, 42.0, 1113.2, "a test")
    >>> p = site_place(town, score=100, method="exact", query="Testville")
    >>> p.display_name, p.category, p.type
    ('Testville, Anbar, Iraq', 'place', 'city')
    """
    category, osm_type, rank, addresstype = _KIND_TAGS.get(site.kind, ("place", "locality", 30, "place"))
    name = site.name_ar if arabic and site.name_ar else site.name
    country_name, iso2 = _country(site.country)
    display = ", ".join(part for part in (name, site.admin1, country_name) if part)
    address = {addresstype: name}
    if site.admin1:
        address["state"] = site.admin1
    address.update(country=country_name, country_code=iso2)
    extra = {
        "site_id": site.site_id,
        "query": query,
        "score": score,
        "method": method,
        "alias": alias,
        "kind": site.kind,
        "country": site.country,
        "uncertainty_m": site.uncertainty_m,
        "coord_source": site.coord_source,
        "coord_source_url": site.coord_source_url or None,
        "ambiguous": bool(candidates),
        "candidates": list(candidates),
    }
    if distance_m is not None:
        extra["distance_m"] = round(distance_m, 1)
    return Place(
        place_id=place_id_of(site.site_id),
        licence=LICENCE,
        lat=site.lat,
        lon=site.lon,
        category=category,
        type=osm_type,
        place_rank=rank,
        importance=round(score / 100.0, 4),
        addresstype=addresstype,
        name=name,
        display_name=display,
        bbox=_bbox(site.lat, site.lon, site.uncertainty_m),
        address=address,
        extra=extra,
    )


def fallback_place(raw: dict[str, Any], query: str, fallback: str) -> Place:
    """The :class:`Place` of an answer from the fallback geocoder (a Nominatim ``json`` result).

    Its own ``licence``, ``place_id``, ``osm_type`` and ``osm_id`` are kept (OpenStreetMap data must keep its
    attribution); ``geoincidents.method`` is ``"fallback"``.

    Examples
    --------
    >>> raw = {"place_id": 7, "licence": "Data © OpenStreetMap contributors", "lat": "33.3", "lon": "44.4",
    ...        "class": "place", "type": "city", "display_name": "Baghdad, Iraq",
    ...        "boundingbox": ["33.2", "33.4", "44.3", "44.5"]}
    >>> fallback_place(raw, "Baghdad", "Nominatim").extra["method"]
    'fallback'
    """
    lat, lon = float(raw["lat"]), float(raw["lon"])
    box = raw.get("boundingbox")
    try:
        bbox = tuple(float(v) for v in box) if box and len(box) == 4 else (lat, lat, lon, lon)
    except (TypeError, ValueError):
        bbox = (lat, lat, lon, lon)
    osm = (raw["osm_type"], raw.get("osm_id")) if raw.get("osm_type") else None
    importance = raw.get("importance")
    return Place(
        place_id=raw.get("place_id") if isinstance(raw.get("place_id"), int) else None,
        licence=str(raw.get("licence", "")),
        lat=lat,
        lon=lon,
        category=str(raw.get("class", raw.get("category", ""))),
        type=str(raw.get("type", "")),
        place_rank=int(raw.get("place_rank") or 30),
        importance=float(importance) if isinstance(importance, int | float) else None,
        addresstype=str(raw.get("addresstype", raw.get("type", ""))),
        name=str(raw.get("name", "") or str(raw.get("display_name", "")).split(",")[0]),
        display_name=str(raw.get("display_name", "")),
        bbox=bbox,  # type: ignore[arg-type]  # four floats, checked above
        address=dict(raw["address"]) if isinstance(raw.get("address"), dict) else {},
        extra={"site_id": None, "query": query, "score": None, "method": "fallback", "fallback": fallback},
        osm=osm,
    )


def render_places(places: Sequence[Place], fmt: str, *, addressdetails: bool = False, query: str = "") -> Any:
    """The ``/search`` answer for ``places`` in format ``fmt`` (a list, or a FeatureCollection dict).

    Examples
    --------
    >>> from geoincidents import Site
    >>> town = Site("testville", "Testville", "", "city", "IRQ", "Anbar", 33.0, 42.0, 1113.2, "a test")
    >>> p = site_place(town, score=100, method="exact", query="Testville")
    >>> list(render_places([p], "jsonv2")[0])[:8]
    ['place_id', 'licence', 'lat', 'lon', 'category', 'type', 'place_rank', 'importance']
    >>> render_places([p], "json")[0]["boundingbox"]  # 1113.2 m is 0.01 degree of latitude
    ['32.9900000', '33.0100000', '41.9880764', '42.0119236']
    """
    if fmt in ("json", "jsonv2"):
        label = "class" if fmt == "json" else "category"
        return [_json_place(p, label, addressdetails) for p in places]
    if fmt == "geojson":
        return {
            "type": "FeatureCollection",
            "licence": places[0].licence if places else LICENCE,
            "features": [_geojson_feature(p, addressdetails) for p in places],
        }
    if fmt == "geocodejson":
        return {
            "type": "FeatureCollection",
            "geocoding": {"version": "0.1.0", "attribution": LICENCE, "licence": "MIT", "query": query},
            "features": [_geocodejson_feature(p) for p in places],
        }
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def render_reverse(place: Place | None, fmt: str, *, addressdetails: bool = True, query: str = "") -> Any:
    """The ``/reverse`` answer: one place (``json``/``jsonv2``) or a FeatureCollection of at most one.

    Nothing found is ``{"error": "Unable to geocode"}`` in ``json``/``jsonv2``, as Nominatim answers (geopy
    reads it as "no result"), and an empty FeatureCollection otherwise.

    Examples
    --------
    >>> render_reverse(None, "jsonv2")
    {'error': 'Unable to geocode'}
    """
    if fmt in ("json", "jsonv2"):
        if place is None:
            return {"error": "Unable to geocode"}
        return render_places([place], fmt, addressdetails=addressdetails)[0]
    return render_places(
        [place] if place is not None else [], fmt, addressdetails=addressdetails, query=query
    )


# -- helpers -------------------------------------------------------------------------------------------------
def _ids(p: Place, licence: bool = False) -> dict[str, Any]:
    """``place_id`` (gazetteer sites and fallback answers that have one), ``licence``, ``osm_type``/``osm_id``
    (fallback answers only), in Nominatim's order."""
    out: dict[str, Any] = {} if p.place_id is None else {"place_id": p.place_id}
    if licence:
        out["licence"] = p.licence
    if p.osm is not None:
        out["osm_type"], out["osm_id"] = p.osm
    return out


def _json_place(p: Place, label: str, addressdetails: bool) -> dict[str, Any]:
    out = _ids(p, licence=True)
    out.update(
        {
            "lat": _coord(p.lat),
            "lon": _coord(p.lon),
            label: p.category,
            "type": p.type,
            "place_rank": p.place_rank,
            "importance": p.importance,
            "addresstype": p.addresstype,
            "name": p.name,
            "display_name": p.display_name,
        }
    )
    if addressdetails:
        out["address"] = dict(p.address)
    out["boundingbox"] = [f"{v:.7f}" for v in p.bbox]
    out[EXTRA_KEY] = p.extra
    return out


def _geojson_feature(p: Place, addressdetails: bool) -> dict[str, Any]:
    props = _ids(p)
    props.update(
        place_rank=p.place_rank,
        category=p.category,
        type=p.type,
        importance=p.importance,
        addresstype=p.addresstype,
        name=p.name,
        display_name=p.display_name,
    )
    if addressdetails:
        props["address"] = dict(p.address)
    props[EXTRA_KEY] = p.extra
    min_lat, max_lat, min_lon, max_lon = p.bbox
    return {
        "type": "Feature",
        "properties": props,
        "bbox": [min_lon, min_lat, max_lon, max_lat],
        "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
    }


def _geocodejson_feature(p: Place) -> dict[str, Any]:
    geocoding = _ids(p)
    geocoding.update(
        osm_key=p.category,
        osm_value=p.type,
        type=_GEOCODEJSON_TYPE.get(str(p.extra.get("kind")), "locality"),
        label=p.display_name,
        name=p.name,
    )
    for key in ("state", "country", "country_code"):
        if key in p.address:
            geocoding[key] = p.address[key]
    return {
        "type": "Feature",
        "properties": {"geocoding": geocoding, EXTRA_KEY: p.extra},
        "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
    }


def _coord(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".") if math.isfinite(value) else "nan"


def _bbox(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """The box around a point that holds the circle of ``radius_m``: (min lat, max lat, min lon, max lon)."""
    dlat = radius_m / _METRES_PER_DEGREE
    dlon = radius_m / (_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    return (
        max(lat - dlat, -90.0),
        min(lat + dlat, 90.0),
        max(lon - dlon, -180.0),
        min(lon + dlon, 180.0),
    )


@lru_cache(maxsize=512)
def _country(iso3: str) -> tuple[str, str]:
    """(English name as the maps show it, lower-case ISO 3166-1 alpha-2 code) of an ISO3 code."""
    import pycountry

    from ..style import country_name

    record = pycountry.countries.get(alpha_3=iso3)
    return country_name(iso3), str(record.alpha_2).lower() if record is not None else ""
