"""A geopy geocoder backed by the gazetteer, for tools that take any geopy geocoder.

:class:`GazetteerGeocoder` answers from the gazetteer without any network. Names the gazetteer lacks can be
passed on to another geopy geocoder (for example Nominatim); those answers are cached, rate-limited with
geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`, and marked ``"method": "fallback"`` in ``.raw``.

The fallback is held to what the gazetteer would promise:

* the country hint goes to it (``country_codes`` for Nominatim and geocoders with that parameter,
  ``country`` or ``components`` for those that take one) and its answer is checked against the country
  outline (or, for a country without an outline, the answer's own ``address.country_code``): an answer outside
  the hinted country is no answer;
* answers are cached per (query, country), behind a lock, so threads can share one geocoder;
* ``timeout`` (per call, else the constructor's) is passed to the fallback and also bounds the call itself:
  a fallback that does not return in time raises :class:`geopy.exc.GeocoderTimedOut` (the stuck call is left
  to finish in a daemon thread; its answer is dropped);
* anything but a :class:`~geopy.location.Location` or ``None`` from the fallback raises
  :class:`FallbackGeocoderError` naming it; failures are raised, never cached as "not found".
"""

from __future__ import annotations

import inspect
import queue
import threading
from collections import OrderedDict
from typing import Any

from geopy.exc import GeocoderServiceError, GeocoderTimedOut
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from .gazetteer import Gazetteer
from .matching import DEFAULT_MAX_DISTANCE_M, FUZZY_THRESHOLD, Match, country_hint, geocode, nearest_site

__all__ = ["GazetteerGeocoder", "FallbackGeocoderError"]

#: How far (metres) a fallback answer may lie outside the hinted country's outline and still count as in it.
FALLBACK_COUNTRY_TOLERANCE_M = 10_000.0


class FallbackGeocoderError(GeocoderServiceError):
    """The fallback geocoder answered with something that is not a geopy Location."""


class GazetteerGeocoder(Geocoder):
    """Geocode base names with the geoincidents gazetteer through geopy's interface.

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        Defaults to the bundled gazetteer.
    country : str, optional
        Default country hint (ISO3 or name) for every query.
    min_score : float, default 85
        Lowest fuzzy score accepted.
    fallback : geopy.geocoders.base.Geocoder, optional
        Asked for names the gazetteer does not know. Not asked for ambiguous names: the gazetteer knows they
        are ambiguous, a general-purpose geocoder would only guess.
    fallback_min_delay_seconds : float, default 1.0
        Least time between two calls to the fallback (Nominatim's usage policy asks for one per second).
    cache_size : int, default 1024
        How many fallback answers to remember (least recently used are forgotten first).
    **kwargs
        Passed to :class:`geopy.geocoders.base.Geocoder` (``user_agent``, ``timeout``, ...).

    Examples
    --------
    >>> from geopy.extra.rate_limiter import RateLimiter
    >>> coder = GazetteerGeocoder()
    >>> coder.geocode("Ayn al Asad").raw["site_id"]
    'ain-al-asad-airbase'
    >>> RateLimiter(coder.geocode, min_delay_seconds=0)("Irbil").address
    'Erbil'
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        country: str | None = None,
        min_score: float = FUZZY_THRESHOLD,
        fallback: Geocoder | None = None,
        fallback_min_delay_seconds: float = 1.0,
        cache_size: int = 1024,
        user_agent: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(user_agent=user_agent or "geoincidents", **kwargs)
        if fallback is not None and not callable(getattr(fallback, "geocode", None)):
            raise TypeError("fallback must be a geopy geocoder (an object with a geocode method)")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int):
            raise TypeError("cache_size must be an int")
        if cache_size < 0:
            raise ValueError("cache_size must be >= 0")
        self.gazetteer = gazetteer
        self.country = country
        self.min_score = min_score
        self.fallback = fallback
        self._fallback_geocode = (
            # Errors propagate (geopy's GeocoderServiceError and kin) so that a failure is never cached as
            # "not found".
            RateLimiter(
                self._bounded_fallback_call,
                min_delay_seconds=fallback_min_delay_seconds,
                max_retries=0,
                swallow_exceptions=False,
            )
            if fallback is not None
            else None
        )
        self._cache: OrderedDict[tuple[str, str | None], Location | None] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()

    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        country: str | None = None,
    ) -> Location | list[Location] | None:
        """Return the site a name refers to as a :class:`geopy.location.Location`.

        Parameters
        ----------
        query : str
            The place name.
        exactly_one : bool, default True
            Return one Location (or None). With False, a list: the match, or all candidates of an ambiguous
            name (each with ``raw["ambiguous"]`` True).
        timeout : float, optional
            Passed to the fallback geocoder, and bounds the fallback call (default: the constructor's).
        country : str, optional
            Country hint for this query (overrides the one given to the constructor).

        Returns
        -------
        Location, list of Location or None
            ``.raw`` holds the match (:meth:`geoincidents.Match.to_dict`).

        Raises
        ------
        geopy.exc.GeopyError
            When the fallback geocoder fails; the failure is not cached.
        """
        if not isinstance(query, str):
            raise TypeError(f"query must be a str, not {type(query).__name__}")
        hint = country or self.country
        match = geocode(query, hint, gazetteer=self.gazetteer, min_score=self.min_score)
        if match is not None and not match.ambiguous:
            location = _location(match)
            return location if exactly_one else [location]
        if match is not None:  # ambiguous: list the candidates, never pick one
            if exactly_one:
                return None
            return [
                Location(
                    c.name,
                    (self._site(c.site_id).lat, self._site(c.site_id).lon),
                    {**match.to_dict(), "site_id": c.site_id, "name": c.name, "country": c.country},
                )
                for c in match.candidates
            ]
        found = self._ask_fallback(query, country_hint(hint), timeout)
        if found is None:
            return None if exactly_one else []
        return found if exactly_one else [found]

    def reverse(
        self,
        query: Any,
        *,
        exactly_one: bool = True,
        timeout: Any = DEFAULT_SENTINEL,
        max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    ) -> Location | list[Location] | None:
        """Return the site nearest to a point (anything :class:`geopy.point.Point` accepts).

        Parameters
        ----------
        query : Point, tuple or str
            ``(lat, lon)``, ``"lat, lon"`` or a Point.
        exactly_one : bool, default True
            Return one Location (or None) rather than a list.
        timeout : float, optional
            Unused (no network); accepted for geopy compatibility.
        max_distance_m : float, default 25 000
            Farther sites are not returned.

        Returns
        -------
        Location, list of Location or None
        """
        point = Point(query)
        match = nearest_site(point.latitude, point.longitude, max_distance_m, gazetteer=self.gazetteer)
        if match is None:
            return None if exactly_one else []
        location = _location(match)
        return location if exactly_one else [location]

    def clear_cache(self) -> None:
        """Forget the fallback answers remembered so far."""
        with self._cache_lock:
            self._cache.clear()

    def _site(self, site_id: str):
        from .gazetteer import default_gazetteer

        return (self.gazetteer or default_gazetteer())[site_id]

    def _ask_fallback(self, query: str, iso3: str | None, timeout: Any) -> Location | None:
        if self._fallback_geocode is None:
            return None
        key = (query, iso3)
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        limit = self.timeout if timeout is DEFAULT_SENTINEL else timeout
        answer = self._fallback_geocode(query, _fallback_country_kwargs(self.fallback, iso3), limit)
        result = None
        if answer is not None and _in_country(answer, iso3):
            raw = {
                "query": query,
                "method": "fallback",
                "fallback": type(self.fallback).__name__,
                "site_id": None,
                "score": None,
                "country": iso3,
                "fallback_raw": answer.raw,
            }
            result = Location(answer.address, (answer.latitude, answer.longitude), raw)
        if self._cache_size:
            with self._cache_lock:
                self._cache[key] = result
                self._cache.move_to_end(key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return result

    def _bounded_fallback_call(self, query: str, country_kwargs: dict[str, Any], timeout: Any) -> Any:
        """Ask the fallback, in a daemon thread bounded by ``timeout``; check what it returns."""
        name = type(self.fallback).__name__
        kwargs: dict[str, Any] = {"exactly_one": True, **country_kwargs}
        if timeout is not None:
            kwargs["timeout"] = timeout
        box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

        def run() -> None:
            try:
                box.put((True, self.fallback.geocode(query, **kwargs)))  # type: ignore[union-attr]
            except BaseException as exc:  # handed to the caller's thread
                box.put((False, exc))

        threading.Thread(target=run, name=f"geoincidents-fallback-{name}", daemon=True).start()
        try:
            ok, value = box.get(timeout=None if timeout is None else float(timeout) + 0.5)
        except queue.Empty:
            raise GeocoderTimedOut(f"fallback geocoder {name} did not answer within {timeout} s") from None
        if not ok:
            raise value
        if value is not None and not isinstance(value, Location):
            raise FallbackGeocoderError(
                f"fallback geocoder {name} returned a {type(value).__name__}, not a geopy Location or None"
            )
        return value


def _fallback_country_kwargs(fallback: Any, iso3: str | None) -> dict[str, Any]:
    """The country restriction in the fallback's own parameter, when it has one."""
    if iso3 is None:
        return {}
    import pycountry

    record = pycountry.countries.get(alpha_3=iso3)
    if record is None:
        return {}
    alpha2 = record.alpha_2
    try:
        params = inspect.signature(fallback.geocode).parameters
    except (TypeError, ValueError):
        return {}
    if "country_codes" in params:  # Nominatim, OpenCage-style
        return {"country_codes": alpha2.lower()}
    if "country" in params:  # GeoNames, Pelias-based
        return {"country": alpha2}
    if "components" in params:  # GoogleV3
        return {"components": {"country": alpha2}}
    return {}


def _in_country(answer: Location, iso3: str | None) -> bool:
    """Whether a fallback answer lies in the hinted country (True without a hint)."""
    if iso3 is None:
        return True
    from .countries import country_codes, point_in_country

    if iso3 in country_codes():
        inside = point_in_country([answer.latitude], [answer.longitude], iso3,
                                  tolerance_m=FALLBACK_COUNTRY_TOLERANCE_M)
        return bool(inside[0])
    raw = answer.raw if isinstance(answer.raw, dict) else {}
    address = raw.get("address")
    code = str(address.get("country_code", "")).upper() if isinstance(address, dict) else ""
    if not code:
        return False  # nothing says it is in the country: refuse rather than guess
    from .countries import to_iso3

    return to_iso3(code) == iso3


def _location(match: Match) -> Location:
    return Location(match.name, (match.lat, match.lon), match.to_dict())
