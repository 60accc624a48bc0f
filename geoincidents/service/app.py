"""The HTTP service: a Starlette application answering Nominatim's ``/search``, ``/reverse`` and ``/status``
from the gazetteer, plus ``/sites`` (the gazetteer as GeoJSON) and ``POST /geocode`` (a batch).

Every answer is JSON (``/status`` in its default text format is the two letters ``OK``, as Nominatim's), with
``X-Content-Type-Options: nosniff`` and a ``Content-Security-Policy`` that forbids running anything; ``<``,
``>`` and ``&`` are escaped inside JSON strings, so nothing from a query can become HTML. Bad parameters give
``400`` with ``{"error": {"code": 400, "message": ..., "parameter": ...}}`` (Nominatim's error shape, plus the
name of the parameter).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import math
import sys
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from .. import __version__
from ..countries import to_iso3
from ..gazetteer import Gazetteer, default_gazetteer
from ..geocoders import GazetteerGeocoder
from ..matching import (
    FUZZY_THRESHOLD,
    Match,
    geocode,
    geocode_all,
    match_distinct,
    nearest_site,
    result_columns,
)
from .nominatim import (
    EXTRA_KEY,
    FORMATS,
    LICENCE,
    Place,
    fallback_place,
    place_id_of,
    render_places,
    render_reverse,
    site_place,
)

if TYPE_CHECKING:
    from geopy.geocoders.base import Geocoder
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "create_app",
    "MAX_QUERY_LENGTH",
    "MAX_LIMIT",
    "MAX_BATCH_ROWS",
    "MAX_BODY_BYTES",
    "REVERSE_RADIUS_M",
]

#: Longest accepted ``q`` (characters, after trimming spaces); longer is a 400.
MAX_QUERY_LENGTH = 256
#: Largest ``limit`` of ``/search`` (Nominatim's own maximum is 40; ambiguous ties are never cut).
MAX_LIMIT = 50
#: Most names in one ``POST /geocode``.
MAX_BATCH_ROWS = 100_000
#: Largest ``POST /geocode`` body, bytes (10 MiB: 100,000 names of up to ~100 bytes each).
MAX_BODY_BYTES = 10 * 1024 * 1024
#: ``/reverse`` returns the nearest site within this distance.
REVERSE_RADIUS_M = 25_000.0

# Nominatim's documented parameters: accepted, and ignored when the gazetteer has no use for them, so that
# clients sending them (geopy, Leaflet, QGIS) work unchanged. Anything else is a 400 naming it.
_COMMON = {
    "format", "addressdetails", "extratags", "namedetails", "accept-language", "email", "debug", "layer",
    "polygon_geojson", "polygon_kml", "polygon_svg", "polygon_text", "polygon_threshold", "entrances",
}  # fmt: skip
_SEARCH_PARAMS = _COMMON | {
    "q", "amenity", "street", "city", "county", "state", "country", "postalcode", "limit", "countrycodes",
    "featureType", "featuretype", "exclude_place_ids", "viewbox", "bounded", "dedupe",
}  # fmt: skip
_REVERSE_PARAMS = _COMMON | {"lat", "lon", "zoom"}
_STRUCTURED = ("amenity", "city", "county", "state", "street")  # the first one given is the name
_JSON_TYPE = "application/json; charset=utf-8"
_GEOJSON_TYPE = "application/geo+json; charset=utf-8"
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
]
_SEARCH_CACHE_SIZE = 4096
_BATCH_MIN = 8  # searches arriving together are matched with one geocode_all call from this many on


class BadRequest(Exception):
    """A request the service refuses: answered with ``status`` and a JSON error naming ``parameter``."""

    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message
        self.status = status


def create_app(
    gazetteer: Gazetteer | None = None,
    *,
    fallback: Geocoder | None = None,
    cors_origins: Iterable[str] = (),
    rate_limit: float | None = None,
    max_batch_rows: int = MAX_BATCH_ROWS,
    max_body_bytes: int = MAX_BODY_BYTES,
    gazetteer_label: str = "bundled",
) -> Starlette:
    """Build the ASGI application of the geocoding service.

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.
    fallback : geopy.geocoders.base.Geocoder, optional
        Asked (through :class:`geoincidents.GazetteerGeocoder`, at most once a second, answers cached) for
        names the gazetteer does not know, when ``/search`` has no ``countrycodes``. Its answers keep their
        own
        licence and carry ``geoincidents.method = "fallback"``.
    cors_origins : iterable of str
        Origins allowed to call the service from a browser (``"*"`` for any). None by default: no CORS
        headers.
    rate_limit : float, optional
        Requests per second allowed to each client address (bursts of up to ``max(1, rate_limit)``); more get
        ``429`` with ``Retry-After``. No limit by default.
    max_batch_rows, max_body_bytes : int
        Limits of ``POST /geocode``.
    gazetteer_label : str
        Where the gazetteer came from, shown by ``/status?format=json``.

    Returns
    -------
    starlette.applications.Starlette

    Examples
    --------
    >>> import httpx
    >>> app = create_app()
    >>> async def ask(url):
    ...     transport = httpx.ASGITransport(app=app)
    ...     async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
    ...         return (await client.get(url)).json()
    >>> import asyncio
    >>> asyncio.run(ask("/search?q=Ayn+al+Asad&format=jsonv2"))[0]["geoincidents"]["site_id"]
    'ain-al-asad-airbase'
    """
    if rate_limit is not None and not (isinstance(rate_limit, int | float) and rate_limit > 0):
        raise ValueError("rate_limit must be a positive number of requests per second")
    if max_batch_rows < 1 or max_body_bytes < 1:
        raise ValueError("max_batch_rows and max_body_bytes must be positive")
    service = _Service(
        gazetteer if gazetteer is not None else default_gazetteer(),
        fallback,
        max_batch_rows,
        max_body_bytes,
        gazetteer_label,
    )
    routes = [
        Route("/search", service.search, methods=["GET", "HEAD"]),
        Route("/search.php", service.search, methods=["GET", "HEAD"]),
        Route("/reverse", service.reverse, methods=["GET", "HEAD"]),
        Route("/reverse.php", service.reverse, methods=["GET", "HEAD"]),
        Route("/status", service.status, methods=["GET", "HEAD"]),
        Route("/status.php", service.status, methods=["GET", "HEAD"]),
        Route("/sites", service.sites, methods=["GET", "HEAD"]),
        Route("/geocode", service.batch, methods=["POST"]),
        Route("/openapi.json", service.openapi, methods=["GET", "HEAD"]),
        Route("/docs", service.openapi, methods=["GET", "HEAD"]),
        Route("/", service.index, methods=["GET", "HEAD"]),
    ]
    middleware = [Middleware(_Guard, rate_limit=rate_limit)]  # type: ignore[arg-type]
    origins = list(cors_origins)
    if origins:
        middleware.append(
            Middleware(
                CORSMiddleware,  # type: ignore[arg-type]
                allow_origins=origins,
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Content-Type", "Accept", "Accept-Language"],
                max_age=600,
            )
        )
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            BadRequest: _bad_request,  # type: ignore[dict-item]
            HTTPException: _http_error,  # type: ignore[dict-item]
            Exception: _server_error,
        },
    )


class _Service:
    """The endpoints, sharing one gazetteer and its caches."""

    def __init__(
        self,
        gazetteer: Gazetteer,
        fallback: Geocoder | None,
        max_batch_rows: int,
        max_body_bytes: int,
        label: str,
    ):
        self.gaz = gazetteer
        # Build the name index and import the batch path (pandas) now, not during the first requests.
        geocode_all([site.name for site in list(gazetteer)[:_BATCH_MIN]], gazetteer=gazetteer)
        self.fallback_name = type(fallback).__name__ if fallback is not None else None
        self.coder = GazetteerGeocoder(gazetteer, fallback=fallback) if fallback is not None else None
        self.max_batch_rows = max_batch_rows
        self.max_body_bytes = max_body_bytes
        self.label = label
        self.countries = frozenset(site.country for site in gazetteer)
        self._search_cache: OrderedDict[tuple[Any, ...], tuple[Place, ...]] = OrderedDict()
        self._sites_body = _dumps(_sites_geojson(gazetteer))
        self._restricted = lru_cache(maxsize=64)(self._restrict)
        self._pending: list[tuple[str, str | None, asyncio.Future[Match | None]]] = []

    # -- endpoints ---------------------------------------------------------------------------------------
    async def search(self, request: Request) -> Response:
        params = _params(request, _SEARCH_PARAMS)
        fmt = _choice(params, "format", FORMATS, "json")
        # Checked, then unused: a name gives one site or one tie, and a tie is never cut.
        _integer(params, "limit", 10, 1, MAX_LIMIT)
        addressdetails = _flag(params, "addressdetails")
        query, country_param = _query(params)
        countries = _countrycodes(params.get("countrycodes"), country_param)
        arabic = _wants_arabic(params.get("accept-language") or request.headers.get("accept-language", ""))
        places = await self._search(query, countries, arabic)  # one site, or every candidate of a tie
        if not places and self.coder is not None and countries is None:
            places = await run_in_threadpool(self._ask_fallback, query)
        return _json(render_places(places, fmt, addressdetails=addressdetails, query=query), fmt)

    async def reverse(self, request: Request) -> Response:
        params = _params(request, _REVERSE_PARAMS)
        fmt = _choice(params, "format", FORMATS, "xml_is_not_served")
        if fmt == "xml_is_not_served":  # Nominatim's default for /reverse is xml, which is not served
            fmt = "json"
        lat = _number(params, "lat", -90.0, 90.0)
        lon = _number(params, "lon", -180.0, 180.0)
        _integer(params, "zoom", 18, 0, 18)  # checked, then unused: the nearest site is the answer
        addressdetails = _flag(params, "addressdetails", default=True)
        arabic = _wants_arabic(params.get("accept-language") or request.headers.get("accept-language", ""))
        match = nearest_site(lat, lon, REVERSE_RADIUS_M, gazetteer=self.gaz)
        place = None
        if match is not None and match.site_id is not None:
            place = site_place(
                self.gaz[match.site_id],
                score=match.score,
                method=match.method,
                query=match.query,
                distance_m=match.distance_m,
                arabic=arabic,
            )
        body = render_reverse(place, fmt, addressdetails=addressdetails, query=f"{lat}, {lon}")
        return _json(body, fmt)

    async def status(self, request: Request) -> Response:
        params = _params(request, {"format"})
        fmt = _choice(params, "format", ("text", "json"), "text")
        if fmt == "text":
            return PlainTextResponse("OK")
        return _json(
            {
                "status": 0,
                "message": "OK",
                "software_version": f"geoincidents {__version__}",
                "database_version": f"gazetteer {self.label}",
                EXTRA_KEY: {
                    "sites": len(self.gaz),
                    "aliases": len(self.gaz.aliases),
                    "countries": sorted(self.countries),
                    "fallback": self.fallback_name,
                },
            },
            "json",
        )

    async def sites(self, request: Request) -> Response:
        params = _params(request, {"countrycodes"})
        countries = _countrycodes(params.get("countrycodes"), None)
        if countries is None:
            return Response(self._sites_body, media_type=_GEOJSON_TYPE)
        return _json(_sites_geojson(self.gaz, countries), "geojson")

    async def batch(self, request: Request) -> Response:
        params = _params(request, {"country", "min_score", "layout"})
        layout = _choice(params, "layout", ("records", "indexed"), "records")
        min_score = _number(params, "min_score", 0.0, 100.0, FUZZY_THRESHOLD)
        hint = params.get("country")
        if hint is not None and to_iso3(hint) is None:
            raise BadRequest(
                "country", f"unknown country {hint!r}: give an ISO 3166-1 code or a country name"
            )
        body = await _read_body(request, self.max_body_bytes)
        kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if kind in ("text/csv", "application/csv"):
            names, countries = _parse_csv(body)
        elif kind in ("application/json", "text/json"):
            names, countries = _parse_json(body)
        else:
            raise BadRequest("content-type", "send application/json or text/csv", status=415)
        if len(names) > self.max_batch_rows:
            raise BadRequest("body", f"{len(names):,} names; at most {self.max_batch_rows:,} in one request")
        _check_names(names, kind)
        if countries is not None and hint is not None:
            raise BadRequest("country", "give the country per row or as a parameter, not both")
        if countries is not None:
            _check_countries(countries, kind)
        body = await run_in_threadpool(
            _batch_answer, names, countries if countries is not None else hint, self.gaz, min_score, layout
        )
        return Response(body, media_type=_JSON_TYPE)

    async def openapi(self, request: Request) -> Response:
        _params(request, set())
        return _json(_OPENAPI, "json")

    async def index(self, request: Request) -> Response:
        _params(request, set())
        endpoints = ["/search", "/reverse", "/status", "/sites", "/geocode (POST)", "/openapi.json"]
        return _json({"service": f"geoincidents {__version__}", "endpoints": endpoints}, "json")

    # -- work --------------------------------------------------------------------------------------------
    async def _search(
        self, query: str, countries: frozenset[str] | None, arabic: bool
    ) -> tuple[Place, ...]:
        """The places for a name, cached (the least recently used answer is dropped first: bounded memory)."""
        key = (query, countries, arabic)
        cached = self._search_cache.get(key)
        if cached is not None:
            self._search_cache.move_to_end(key)
            return cached
        if countries is None or len(countries) == 1:
            country = next(iter(countries)) if countries else None
            in_gazetteer = country is None or country in self.countries
            match = await self._match(query, country) if in_gazetteer else None
        else:
            gaz = self._restricted(countries)
            match = geocode(query, gazetteer=gaz) if len(gaz) else None
        places = tuple(self._places(match, query, arabic))
        self._search_cache[key] = places
        if len(self._search_cache) > _SEARCH_CACHE_SIZE:
            self._search_cache.popitem(last=False)
        return places

    async def _match(self, query: str, country: str | None) -> Match | None:
        """``geocode(query, country)``; searches that arrive together are matched in one ``geocode_all`` call.

        Under load several requests are ready in the same turn of the event loop: they queue here and are
        resolved together once those requests have all queued, which shares the fuzzy matcher's set-up between
        them. Fewer than ``_BATCH_MIN`` are matched one by one with ``geocode`` (no wait either way).
        """
        future: asyncio.Future[Match | None] = asyncio.get_running_loop().create_future()
        self._pending.append((query, country, future))
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._resolve_pending)
        return await future

    def _resolve_pending(self) -> None:
        batch, self._pending = self._pending, []
        try:
            matches = self._match_batch([q for q, _, _ in batch], [c for _, c, _ in batch])
        except Exception as exc:  # passed to every waiting request, answered there as an error
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), match in zip(batch, matches, strict=True):
            if not future.done():  # a request whose client went away is cancelled
                future.set_result(match)

    def _match_batch(self, queries: list[str], countries: list[str | None]) -> list[Match | None]:
        if len(queries) < _BATCH_MIN:  # geocode_all's set-up (~2 ms) pays off from about 8 names on
            return [geocode(q, c, gazetteer=self.gaz) for q, c in zip(queries, countries, strict=True)]
        frame = geocode_all(queries, countries, gazetteer=self.gaz)
        columns = {c: frame[c].tolist() for c in ("site_id", "score", "method", "alias", "ambiguous")}
        out: list[Match | None] = []
        for i, (query, country) in enumerate(zip(queries, countries, strict=True)):
            site_id, alias = columns["site_id"][i], columns["alias"][i]
            if columns["ambiguous"][i]:  # the candidates' own scores come from geocode()
                out.append(geocode(query, country, gazetteer=self.gaz))
            elif not isinstance(site_id, str):
                out.append(None)
            else:
                site = self.gaz[site_id]
                out.append(
                    Match(query, site_id, site.name, site.country, site.admin1, site.kind, site.lat, site.lon,
                          site.uncertainty_m, float(columns["score"][i]), str(columns["method"][i]),
                          alias if isinstance(alias, str) else None)
                )  # fmt: skip
        return out

    def _places(self, match: Match | None, query: str, arabic: bool) -> list[Place]:
        if match is None:
            return []
        if not match.ambiguous:
            assert match.site_id is not None
            site = self.gaz[match.site_id]
            place = site_place(
                site, score=match.score, method=match.method, query=query, alias=match.alias, arabic=arabic
            )
            return [place]
        # Ambiguous: every candidate, best score first, never cut by `limit` (a tie has no winner to keep).
        ranked = sorted(match.candidates, key=lambda c: (-c.score, c.site_id))
        listed = [asdict(c) for c in ranked]
        return [
            site_place(
                self.gaz[c.site_id],
                score=c.score,
                method=match.method,
                query=query,
                alias=c.alias,
                candidates=listed,
                arabic=arabic,
            )
            for c in ranked
        ]

    def _restrict(self, countries: frozenset[str]) -> Gazetteer:
        sites = [s for s in self.gaz if s.country in countries]
        ids = {s.site_id for s in sites}
        return Gazetteer(sites, [a for a in self.gaz.aliases if a[1] in ids])

    def _ask_fallback(self, query: str) -> tuple[Place, ...]:
        from geopy.exc import GeopyError

        assert self.coder is not None
        try:
            found = self.coder.geocode(query, exactly_one=True)
        except GeopyError as exc:
            raise BadRequest("q", f"the fallback geocoder failed: {type(exc).__name__}", status=502) from None
        except (KeyError, TypeError, ValueError):  # geopy could not read the answer (lat/lon not numbers)
            raise BadRequest("q", "the fallback geocoder's answer is unreadable", status=502) from None
        raw = getattr(found, "raw", None)  # one Location (exactly_one) or None
        if not isinstance(raw, dict) or raw.get("method") != "fallback":
            return ()
        try:
            return (fallback_place(raw["fallback_raw"], query, str(self.fallback_name)),)
        except (KeyError, TypeError, ValueError):  # not a Nominatim result: no lat/lon, or not numbers
            raise BadRequest("q", "the fallback geocoder's answer is unreadable", status=502) from None


class _Guard:
    """Security headers on every answer, and the optional per-client rate limit (a token bucket per
    address)."""

    _MAX_CLIENTS = 10_000

    def __init__(self, app: ASGIApp, rate_limit: float | None = None):
        self.app = app
        self.rate = rate_limit
        self.burst = max(1.0, rate_limit or 0.0)
        self.buckets: dict[str, tuple[float, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.rate is not None:
            wait = self._take(scope.get("client"))
            if wait > 0:
                response = _error_response(429, "too many requests from this client", "client")
                response.headers["Retry-After"] = str(math.ceil(wait))
                await response(scope, receive, self._secured(send))
                return
        await self.app(scope, receive, self._secured(send))

    @staticmethod
    def _secured(send: Send) -> Send:
        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_SECURITY_HEADERS]
            await send(message)

        return send_secured

    def _take(self, client: Any) -> float:
        """Take a token for ``client``; returns 0 when allowed, else the seconds until the next token."""
        assert self.rate is not None
        key = str(client[0]) if client else "?"
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self.buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self.buckets[key] = (tokens - 1.0, now)
        if len(self.buckets) > self._MAX_CLIENTS:  # forget clients whose bucket has refilled: bounded memory
            full = now - self.burst / self.rate
            self.buckets = {k: v for k, v in self.buckets.items() if v[1] > full}
        return 0.0


# -- request checks ------------------------------------------------------------------------------------------
def _params(request: Request, known: set[str]) -> dict[str, str]:
    """The query parameters as a dict; unknown or repeated ones are a 400."""
    items = request.query_params.multi_items()
    out: dict[str, str] = {}
    for key, value in items:
        if key not in known:
            raise BadRequest(key[:64], "unknown parameter")
        if key in out:
            raise BadRequest(key, "given more than once")
        if len(value) > 4 * MAX_QUERY_LENGTH:
            raise BadRequest(key, f"longer than {4 * MAX_QUERY_LENGTH} characters")
        out[key] = value
    return out


def _query(params: Mapping[str, str]) -> tuple[str, str | None]:
    """(name, country) from ``q``, or from the structured parameters (amenity, city, ... and country)."""
    structured = [k for k in (*_STRUCTURED, "country", "postalcode") if params.get(k, "").strip()]
    if "q" in params:
        if structured:
            raise BadRequest(structured[0], "cannot be combined with q")
        name, country = params["q"], None
    else:
        given = [params[k] for k in _STRUCTURED if params.get(k, "").strip()]
        if not given:
            raise BadRequest("q", "missing: give q (or a structured query such as city=...)")
        name, country = given[0], params.get("country") or None
    name = " ".join(name.split())
    if not name:
        raise BadRequest("q", "empty")
    if len(name) > MAX_QUERY_LENGTH:
        raise BadRequest("q", f"longer than {MAX_QUERY_LENGTH} characters")
    return name, country


def _choice(params: Mapping[str, str], key: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(key)
    if value is None:
        return default
    if value not in allowed:
        raise BadRequest(key, f"must be one of {', '.join(allowed)}")
    return value


def _integer(params: Mapping[str, str], key: str, default: int, lo: int, hi: int) -> int:
    value = params.get(key)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise BadRequest(key, "must be a whole number") from None
    if not lo <= number <= hi:
        raise BadRequest(key, f"must be between {lo} and {hi}")
    return number


def _number(params: Mapping[str, str], key: str, lo: float, hi: float, default: float | None = None) -> float:
    value = params.get(key)
    if value is None:
        if default is None:
            raise BadRequest(key, "missing")
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise BadRequest(key, "must be a number") from None
    if not (math.isfinite(number) and lo <= number <= hi):
        raise BadRequest(key, f"must be between {lo:g} and {hi:g}")
    return number


def _flag(params: Mapping[str, str], key: str, default: bool = False) -> bool:
    value = params.get(key)
    if value is None:
        return default
    if value.strip().lower() in ("1", "true", "yes"):
        return True
    if value.strip().lower() in ("0", "false", "no", ""):
        return False
    raise BadRequest(key, "must be 0 or 1")


def _countrycodes(value: str | None, country: str | None) -> frozenset[str] | None:
    """ISO3 codes of ``countrycodes`` (comma-separated ISO 3166-1 codes) and of a structured ``country``."""
    found: set[str] = set()
    for key, text in (("countrycodes", value), ("country", country)):
        if text is None:
            continue
        parts = [p.strip() for p in text.split(",")] if key == "countrycodes" else [text.strip()]
        for part in parts:
            iso3 = to_iso3(part) if part else None
            if iso3 is None or (key == "countrycodes" and len(part) not in (2, 3)):
                raise BadRequest(key, f"{part[:20]!r} is not an ISO 3166-1 country code")
            found.add(iso3)
    return frozenset(found) if found else None


def _wants_arabic(accept_language: str) -> bool:
    """True when Arabic is the first language of an ``accept-language`` value (``"ar"``, ``"ar-IQ,en"``)."""
    best, best_q = "", -1.0
    for part in accept_language.split(",")[:20]:
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if weight > best_q:
            best, best_q = tag.strip().lower(), weight
    return best == "ar" or best.startswith("ar-")


# -- POST /geocode -------------------------------------------------------------------------------------------
async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BadRequest("body", f"larger than {limit:,} bytes", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest("body", f"larger than {limit:,} bytes", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(body: bytes) -> tuple[list[Any], list[Any] | None]:
    """A JSON list of names (strings or null), or of objects ``{"name": ..., "country": ...}``."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("body", f"not JSON ({exc})") from None
    if not isinstance(data, list):
        raise BadRequest("body", 'must be a JSON list of names, or of {"name": ..., "country": ...} objects')
    if not data or not isinstance(data[0], dict):
        return data, None
    names, countries = [], []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise BadRequest("body", f"item {i}: every item must be an object like the first")
        unknown = set(item) - {"name", "country"}
        if unknown:
            raise BadRequest("body", f"item {i}: unknown key {sorted(unknown)[0]!r} (use name, country)")
        names.append(item.get("name"))
        countries.append(item.get("country"))
    return names, countries


def _parse_csv(body: bytes) -> tuple[list[Any], list[Any] | None]:
    """A CSV with a ``name`` column (or ``location`` / ``query``) and an optional ``country`` column."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        raise BadRequest("body", f"line {line}: not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    column = next((c for c in ("name", "location", "query") if c in header), None)
    if column is None:
        raise BadRequest("body", "line 1: the CSV needs a name (or location, query) column")
    at, country_at = header.index(column), header.index("country") if "country" in header else None
    names: list[Any] = []
    countries: list[Any] = []
    try:
        for row in reader:
            if len(row) != len(header):
                raise BadRequest(
                    "body", f"line {reader.line_num}: {len(row)} fields, the header has {len(header)}"
                )
            names.append(row[at] or None)
            if country_at is not None:
                countries.append(row[country_at] or None)
    except csv.Error as exc:
        raise BadRequest("body", f"line {reader.line_num}: {exc}") from None
    return names, countries if country_at is not None else None


def _check_names(names: list[Any], kind: str) -> None:
    for i, name in enumerate(names):
        if name is not None and not isinstance(name, str):
            raise BadRequest("body", f"{_row(i, kind)}: a name must be a string or null")
        if name is not None and len(name) > MAX_QUERY_LENGTH:
            raise BadRequest("body", f"{_row(i, kind)}: name longer than {MAX_QUERY_LENGTH} characters")


def _check_countries(countries: list[Any], kind: str) -> None:
    seen: dict[Any, bool] = {}
    for i, value in enumerate(countries):
        if value is None:
            continue
        ok = seen.get(value)
        if ok is None:
            ok = seen[value] = isinstance(value, str) and to_iso3(value) is not None
        if not ok:
            raise BadRequest("body", f"{_row(i, kind)}: unknown country {str(value)[:40]!r}")


def _batch_answer(names: list[Any], country: Any, gaz: Gazetteer, min_score: float, layout: str) -> bytes:
    """The JSON answer of ``POST /geocode``: :func:`geoincidents.geocode_all` on the distinct (name, country)
    pairs, written once per pair and repeated per row (``records``), or sent once with a row index
    (``indexed``)."""
    import numpy as np
    import pandas as pd

    if layout == "indexed":
        return _indexed_answer(names, country, gaz, min_score)
    codes, names_u = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
    missing = codes < 0
    per_row = isinstance(country, list)
    if per_row:
        c_codes, c_u = pd.factorize(pd.Series(country, dtype=object), use_na_sentinel=True)
        pair = np.where(codes < 0, -1, codes.astype(np.int64) * (len(c_u) + 1) + c_codes + 1)
        codes, pairs = pd.factorize(pair)  # -1 (no name) is a pair of its own, found below
        first = pd.Series(np.arange(len(pair))).groupby(codes).first().to_numpy()
        names_d = [names[i] for i in first]
        country_d: Any = [country[i] for i in first]
    else:
        names_d, country_d = list(names_u), country
    frame = geocode_all(names_d, country_d, gazetteer=gaz, min_score=min_score)
    head = f'{{"count":{len(codes)},"licence":{json.dumps(LICENCE)},'
    # Each distinct answer is written once; the rows repeat them (a C-level take and join, no per-row JSON).
    text = frame.to_json(orient="records", lines=True, force_ascii=False) if len(frame) else ""
    lines = _html_safe(text).splitlines()
    empty = json.dumps({**dict.fromkeys(frame.columns), "ambiguous": False}).encode("utf-8")
    rows = np.array([*lines, empty], dtype=object)
    picked = np.where(missing, len(lines), codes)
    return head.encode("utf-8") + b'"results":[' + b",".join(rows.take(picked)) + b"]}"


def _indexed_answer(names: list[Any], country: Any, gaz: Gazetteer, min_score: float) -> bytes:
    """``layout=indexed``: each distinct answer once (the columns of ``geocode_all`` but ``query``) and, per
    row, the position of its answer (``null`` for a missing name). The matching is
    :func:`~geoincidents.matching.match_distinct`, as in ``geocode_all``; only the answers are written."""
    import numpy as np
    import pandas as pd

    series = pd.Series(names, dtype="str")  # the names were checked: text or null
    inverse, results = match_distinct(series, country, gaz, min_score)
    distinct: dict[Any, int] = {}
    position = np.fromiter((distinct.setdefault(r, len(distinct)) for r in results), dtype=np.int64,
                           count=len(results))
    rows: list[Any] = position[inverse].tolist()
    for i in np.flatnonzero(series.isna().to_numpy()).tolist():
        rows[i] = None
    frame = pd.DataFrame(result_columns(list(distinct), gaz))
    index = json.dumps(rows, separators=(",", ":"))
    table = _html_safe(frame.to_json(orient="values", force_ascii=False)).decode("utf-8")
    columns = json.dumps(list(frame.columns))
    return (f'{{"count":{len(rows)},"licence":{json.dumps(LICENCE)},"columns":{columns},'
            f'"distinct":{table},"index":{index}}}').encode()


def _row(i: int, kind: str) -> str:
    return f"line {i + 2}, column name" if "csv" in kind else f"item {i}"


# -- answers -------------------------------------------------------------------------------------------------
def _dumps(data: Any) -> bytes:
    return _html_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


def _html_safe(text: str) -> bytes:
    """JSON text with ``<``, ``>`` and ``&`` written as ``\\u`` escapes (the same JSON; never HTML)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def _json(data: Any, fmt: str, status: int = 200) -> Response:
    media = _GEOJSON_TYPE if fmt in ("geojson", "geocodejson") else _JSON_TYPE
    return Response(_dumps(data), status_code=status, media_type=media)


def _error_response(status: int, message: str, parameter: str | None = None) -> Response:
    error: dict[str, Any] = {"code": status, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    return _json({"error": error}, "json", status)


async def _bad_request(request: Request, exc: BadRequest) -> Response:
    return _error_response(exc.status, f"{exc.parameter}: {exc.message}", exc.parameter)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    messages = {404: "no such endpoint; see /openapi.json", 405: "method not allowed"}
    response = _error_response(exc.status_code, messages.get(exc.status_code, str(exc.detail)))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    print(f"geoincidents serve: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return _error_response(500, "internal error")


def _sites_geojson(gaz: Gazetteer, countries: frozenset[str] | None = None) -> dict[str, Any]:
    features = []
    for site in gaz:
        if countries is not None and site.country not in countries:
            continue
        props = {k: v for k, v in site.to_json_dict().items() if k not in ("lat", "lon")}
        props["place_id"] = place_id_of(site.site_id)
        features.append(
            {
                "type": "Feature",
                "id": site.site_id,
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
            }
        )
    return {"type": "FeatureCollection", "licence": LICENCE, "features": features}


def _param(name: str, description: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


_FORMAT = {"type": "string", "enum": list(FORMATS), "default": "json"}
_ERROR = {"description": "bad parameter: {error: {code, message, parameter}}"}
_OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "geoincidents geocoding service",
        "version": __version__,
        "description": "Nominatim-compatible geocoding of base and site names with the geoincidents "
        "gazetteer. "
        "Results carry the gazetteer's fields under the key 'geoincidents'.",
    },
    "paths": {
        "/search": {
            "get": {
                "summary": "Find sites by name (Nominatim /search)",
                "parameters": [
                    _param("q", f"place name, at most {MAX_QUERY_LENGTH} characters", {"type": "string"}),
                    _param("format", "output format", _FORMAT),
                    _param("limit", "most results (ambiguous ties are never cut)",
                           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10}),
                    _param("countrycodes", "ISO 3166-1 codes, e.g. iq,sy", {"type": "string"}),
                    _param("accept-language", "'ar' gives the Arabic names", {"type": "string"}),
                    _param("addressdetails", "1 adds an address object", {"type": "integer", "enum": [0, 1]}),
                ],
                "responses": {"200": {"description": "list of places (json, jsonv2) or a FeatureCollection"},
                              "400": _ERROR},
            }
        },
        "/reverse": {
            "get": {
                "summary": f"The nearest site within {REVERSE_RADIUS_M / 1000:g} km (Nominatim /reverse)",
                "parameters": [
                    _param("lat", "latitude", {"type": "number", "minimum": -90, "maximum": 90}, True),
                    _param("lon", "longitude", {"type": "number", "minimum": -180, "maximum": 180}, True),
                    _param("format", "output format", _FORMAT),
                    _param("zoom", "accepted and ignored", {"type": "integer", "minimum": 0, "maximum": 18}),
                ],
                "responses": {"200": {"description": "one place, or {error: 'Unable to geocode'}"},
                              "400": _ERROR},
            }
        },
        "/status": {
            "get": {
                "summary": "Service status (Nominatim /status)",
                "parameters": [_param("format", "text or json",
                                      {"type": "string", "enum": ["text", "json"], "default": "text"})],
                "responses": {"200": {"description": "OK, or a JSON status object"}},
            }
        },
        "/sites": {
            "get": {
                "summary": "The gazetteer as GeoJSON",
                "parameters": [_param("countrycodes", "only these countries", {"type": "string"})],
                "responses": {"200": {"description": "FeatureCollection of sites"}},
            }
        },
        "/geocode": {
            "post": {
                "summary": f"Geocode a batch of up to {MAX_BATCH_ROWS:,} names (geoincidents.geocode_all)",
                "parameters": [
                    _param("country", "one country hint for every name", {"type": "string"}),
                    _param("min_score", "lowest fuzzy score", {"type": "number", "default": FUZZY_THRESHOLD}),
                    _param("layout", "records: one object per row; indexed: distinct answers and a row index",
                           {"type": "string", "enum": ["records", "indexed"], "default": "records"}),
                ],
                "requestBody": {
                    "description": f"at most {MAX_BODY_BYTES:,} bytes",
                    "content": {
                        "application/json": {"schema": {"type": "array"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                "responses": {"200": {"description": "{count, licence, results: [geocode_all rows]}"},
                              "400": _ERROR, "413": _ERROR, "415": _ERROR},
            }
        },
    },
}  # fmt: skip
