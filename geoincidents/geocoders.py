"""A geopy geocoder backed by the gazetteer, for tools that take any geopy geocoder.

:class:`GazetteerGeocoder` answers from the gazetteer without any network. Names the gazetteer lacks can be
passed on to another geopy geocoder (for example Nominatim); those answers are cached, rate-limited with
geopy's :class:`~geopy.extra.rate_limiter.RateLimiter`, and marked ``"method": "fallback"`` in ``.raw``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location
from geopy.point import Point

from .gazetteer import Gazetteer
from .matching import DEFAULT_MAX_DISTANCE_M, FUZZY_THRESHOLD, Match, geocode, nearest_site

__all__ = ["GazetteerGeocoder"]


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
                fallback.geocode,
                min_delay_seconds=fallback_min_delay_seconds,
                max_retries=0,
                swallow_exceptions=False,
            )
            if fallback is not None
            else None
        )
        self._cache: OrderedDict[str, Location | None] = OrderedDict()
        self._cache_size = cache_size

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
            Passed to the fallback geocoder.
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
        match = geocode(query, country or self.country, gazetteer=self.gazetteer, min_score=self.min_score)
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
        found = self._ask_fallback(query, timeout)
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
        self._cache.clear()

    def _site(self, site_id: str):
        from .gazetteer import default_gazetteer

        return (self.gazetteer or default_gazetteer())[site_id]

    def _ask_fallback(self, query: str, timeout: Any) -> Location | None:
        if self._fallback_geocode is None:
            return None
        if query in self._cache:
            self._cache.move_to_end(query)
            return self._cache[query]
        kwargs = {} if timeout is DEFAULT_SENTINEL else {"timeout": timeout}
        answer = self._fallback_geocode(query, exactly_one=True, **kwargs)
        result = None
        if answer is not None:
            raw = {
                "query": query,
                "method": "fallback",
                "fallback": type(self.fallback).__name__,
                "site_id": None,
                "score": None,
                "fallback_raw": answer.raw,
            }
            result = Location(answer.address, (answer.latitude, answer.longitude), raw)
        if self._cache_size:
            self._cache[query] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result


def _location(match: Match) -> Location:
    return Location(match.name, (match.lat, match.lon), match.to_dict())
