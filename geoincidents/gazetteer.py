"""The curated gazetteer of bases and sites: loading, checking, extending.

The data lives in two CSV files (``gazetteer/sites.csv`` and ``gazetteer/aliases.csv`` in the repository,
``geoincidents/gazetteer/`` inside the wheel); ``gazetteer/README.md`` documents every column. The files
are read with the :mod:`csv` module rather than pandas so that every error can name its file, line and column.
"""

from __future__ import annotations

import csv
import datetime
import html
import importlib.resources
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._files import atomic_path
from .normalize import name_keys

if TYPE_CHECKING:
    import geopandas
    import pandas

__all__ = ["Site", "Gazetteer", "GazetteerError", "Problem", "load_gazetteer", "SITE_KINDS", "POINT_KINDS"]

#: Kinds of site a gazetteer row may have.
SITE_KINDS = frozenset(
    {
        "airbase",
        "garrison",
        "outpost",
        "base",
        "oil_gas_field",
        "airport",
        "diplomatic",
        "city",
        "district",
        "border_crossing",
    }
)
#: What a site's point is: the facility itself, an airfield's reference point, a settlement's centre, or
#: another place's point standing in for a site whose own position is not published.
POINT_KINDS = frozenset({"facility", "airfield_reference_point", "town_centroid", "stand_in"})
#: Kinds that are military or diplomatic facilities rather than settlements (used to break ties).
FACILITY_KINDS = SITE_KINDS - {"city", "district"}

SITE_COLUMNS = (
    "site_id",
    "name",
    "name_ar",
    "kind",
    "country",
    "admin1",
    "lat",
    "lon",
    "uncertainty_m",
    "coord_source",
    "coord_source_url",
    "notes",
    "point_kind",
    "stand_in_for",
    "checked_against",
    "check_distance_m",
    "footprint_m",
    "active_from",
    "active_to",
    "active_source",
)
ALIAS_COLUMNS = ("alias", "site_id", "script", "ambiguous", "note")
# Columns a sites.csv may leave out (files written before the reference columns existed still load).
_OPTIONAL_SITE_COLUMNS = {"coord_source_url", "notes", *SITE_COLUMNS[SITE_COLUMNS.index("point_kind") :]}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ARABIC = re.compile("[\u0600-\u06ff]")
# Border outlines are simplified; a site this close to its country's outline still counts as inside. The
# Natural Earth 1:10m Jordan-Syria line at Rukban runs about 540 m north of the camp it leaves in Syria.
_BORDER_TOLERANCE_M = 750.0


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a gazetteer file: where it is and what is wrong."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column {self.column!r}: {self.message}"


class GazetteerError(ValueError):
    """A gazetteer file or site is invalid. ``.problems`` lists every :class:`Problem` found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"invalid gazetteer ({len(self.problems)} problem(s)):\n{shown}{more}")


@dataclass(frozen=True, slots=True)
class Site:
    """One base or site of the gazetteer.

    ``lat``/``lon`` are WGS84 decimal degrees; ``uncertainty_m`` is how far the true facility may be from the
    point; ``coord_source`` (and ``coord_source_url``) say where the coordinate comes from.

    The reference fields (all optional, see ``gazetteer/README.md``): ``point_kind`` (one of
    :data:`POINT_KINDS`), ``stand_in_for`` (what the point really stands for when it is another place's),
    ``checked_against`` and ``check_distance_m`` (the independent reference and the distance to it),
    ``footprint_m`` (half the facility's extent), ``active_from`` / ``active_to`` (dates of use, as far as
    sources say) and ``active_source`` (the reference for those dates).
    """

    site_id: str
    name: str
    name_ar: str
    kind: str
    country: str
    admin1: str
    lat: float
    lon: float
    uncertainty_m: float
    coord_source: str
    coord_source_url: str = ""
    notes: str = ""
    point_kind: str = ""
    stand_in_for: str = ""
    checked_against: str = ""
    check_distance_m: float | None = None
    footprint_m: float | None = None
    active_from: datetime.date | None = None
    active_to: datetime.date | None = None
    active_source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Every field by name, as Python values (dates as :class:`datetime.date`)."""
        return asdict(self)

    def to_json_dict(self) -> dict[str, Any]:
        """Every field by name as JSON holds it: dates as ISO 8601 text, NaN as ``None``.

        Examples
        --------
        >>> import json
        >>> json.loads(json.dumps(load_gazetteer()["al-tanf-garrison"].to_json_dict()))["active_from"]
        '2016-03-03'
        """
        return {key: _json_value(value) for key, value in asdict(self).items()}

    def active_on(self, day: datetime.date) -> bool:
        """Whether the site was in use on ``day`` as far as its dates say (no dates: always).

        Examples
        --------
        >>> import datetime
        >>> site = load_gazetteer()["al-tanf-garrison"]
        >>> site.active_on(datetime.date(2024, 1, 28)), site.active_on(datetime.date(2026, 6, 1))
        (True, False)
        """
        if self.active_from is not None and day < self.active_from:
            return False
        return self.active_to is None or day <= self.active_to


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One name under which a site can be found (its preferred name, its Arabic name or an alias)."""

    site_id: str
    text: str
    method: str  # "exact" for the site's own names, "alias" for aliases
    ambiguous: bool
    origin: tuple[str, int] = ("<Gazetteer>", 0)  # file and line it was read from


class Gazetteer:
    """A set of sites and the names they are known by.

    Use :func:`load_gazetteer` for the bundled gazetteer, :meth:`from_files` for a copy of your own, and
    :meth:`add_site` to add sites in code.

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> gaz["al-tanf-garrison"].country
    'SYR'
    """

    def __init__(self, sites: Iterable[Site] = (), aliases: Iterable[tuple[str, str, bool]] = ()):
        self._sites: dict[str, Site] = {}
        self._aliases: list[tuple[str, str, bool]] = []
        # Where each site and alias was read from, so that validate() can name file and line.
        self._site_origin: dict[str, tuple[str, int]] = {}
        self._alias_origin: list[tuple[str, int]] = []
        self._index: NameIndex | None = None
        for site in sites:
            self._insert(site)
        for alias, site_id, ambiguous in aliases:
            self._add_alias(alias, site_id, ambiguous)

    # -- construction -------------------------------------------------------------------------------------
    @classmethod
    def from_files(cls, sites_path: str | Path, aliases_path: str | Path | None = None) -> Gazetteer:
        """Load a gazetteer from a ``sites.csv`` and an optional ``aliases.csv``.

        Parameters
        ----------
        sites_path : str or Path
            CSV with the columns of ``gazetteer/sites.csv``; a folder holding ``sites.csv`` (and
            ``aliases.csv``) is accepted too.
        aliases_path : str or Path, optional
            CSV with the columns of ``gazetteer/aliases.csv``.

        Returns
        -------
        Gazetteer

        Raises
        ------
        GazetteerError
            Listing file, line and column of every malformed value, unknown site id or duplicated id.

        Examples
        --------
        >>> gaz = Gazetteer.from_files("my-gazetteer/")  # doctest: +SKIP
        """
        sites_path = Path(sites_path)
        if sites_path.is_dir():
            folder = sites_path
            sites_path = folder / "sites.csv"
            if aliases_path is None and (folder / "aliases.csv").exists():
                aliases_path = folder / "aliases.csv"
        sites_text = _read_text(sites_path)
        aliases_text = _read_text(Path(aliases_path)) if aliases_path is not None else None
        return cls._from_text(str(sites_path), sites_text, str(aliases_path), aliases_text)

    @classmethod
    def _from_text(
        cls, sites_name: str, sites_text: str, aliases_name: str, aliases_text: str | None
    ) -> Gazetteer:
        problems: list[Problem] = []
        sites = _parse_sites(sites_name, sites_text, problems)
        known = {site.site_id for site, _ in sites}
        aliases = _parse_aliases(aliases_name, aliases_text, known, problems) if aliases_text else []
        if problems:
            raise GazetteerError(problems)
        gaz = cls([site for site, _ in sites], [alias for alias, _ in aliases])
        gaz._site_origin = {site.site_id: (sites_name, line) for site, line in sites}
        gaz._alias_origin = [(aliases_name, line) for _, line in aliases]
        return gaz

    def add_site(
        self, site: Site | None = None, /, *, aliases: Iterable[str] = (), **fields_: Any
    ) -> Gazetteer:
        """Add a site (and its aliases) to this gazetteer in place.

        Parameters
        ----------
        site : Site, optional
            The site; or give its fields as keyword arguments (``site_id=..., name=..., ...``).
        aliases : iterable of str
            Other names of the site.

        Returns
        -------
        Gazetteer
            ``self``, so calls can be chained.

        Raises
        ------
        GazetteerError
            When a field is invalid or the id exists already.

        Examples
        --------
        >>> gaz = load_gazetteer().add_site(
        ...     site_id="camp-example", name="Camp Example", name_ar="معسكر مثال", kind="base",
        ...     country="IRQ", admin1="Anbar", lat=33.4, lon=42.4, uncertainty_m=5000,
        ...     coord_source="analyst estimate", aliases=["Example base"])
        >>> "camp-example" in gaz
        True
        """
        if site is None:
            row = {name: fields_.get(name, "") for name in SITE_COLUMNS}
            unknown = set(fields_) - set(SITE_COLUMNS)
            if unknown:
                raise TypeError(f"unknown site field(s): {', '.join(sorted(unknown))}")
            problems: list[Problem] = []
            parsed = _parse_site_row("<add_site>", 0, {k: _format_value(v) for k, v in row.items()}, problems)
            if problems or parsed is None:
                raise GazetteerError(problems)
            site = parsed
        elif fields_:
            raise TypeError("give either a Site or its fields, not both")
        else:  # a Site built by hand gets the same checks as a row of sites.csv
            problems = []
            row = {
                name: "" if value is None else _format_value(value) for name, value in site.to_dict().items()
            }
            if _parse_site_row("<add_site>", 0, row, problems) is None:
                raise GazetteerError(problems)
        if site.site_id in self._sites:
            raise GazetteerError([Problem("<add_site>", 0, "site_id", f"duplicate site id {site.site_id!r}")])
        self._insert(site)
        for alias in aliases:
            self._add_alias(alias, site.site_id, False)
        return self

    def copy(self) -> Gazetteer:
        """Return an independent copy (sites are immutable, so the copy is cheap)."""
        gaz = Gazetteer(self._sites.values(), self._aliases)
        gaz._site_origin = dict(self._site_origin)
        gaz._alias_origin = list(self._alias_origin)
        return gaz

    def _insert(self, site: Site) -> None:
        if site.site_id in self._sites:
            raise GazetteerError(
                [Problem("<Gazetteer>", 0, "site_id", f"duplicate site id {site.site_id!r}")]
            )
        self._sites[site.site_id] = site
        self._index = None

    def _add_alias(self, alias: str, site_id: str, ambiguous: bool) -> None:
        if site_id not in self._sites:
            raise GazetteerError(
                [Problem("<Gazetteer>", 0, "site_id", f"alias {alias!r}: unknown site {site_id!r}")]
            )
        self._aliases.append((alias, site_id, ambiguous))
        self._alias_origin.append(("<add_site>", 0))
        self._index = None

    # -- access -------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._sites)

    def __iter__(self) -> Iterator[Site]:
        return iter(self._sites.values())

    def __contains__(self, site_id: object) -> bool:
        return site_id in self._sites

    def __getitem__(self, site_id: str) -> Site:
        try:
            return self._sites[site_id]
        except KeyError:
            raise KeyError(f"no site {site_id!r} in the gazetteer") from None

    @property
    def site_ids(self) -> list[str]:
        """The site ids, in file order."""
        return list(self._sites)

    @property
    def aliases(self) -> list[tuple[str, str, bool]]:
        """``(alias, site_id, ambiguous)`` for every alias, in file order."""
        return list(self._aliases)

    def names_of(self, site_id: str) -> list[str]:
        """Every name a site is known by: preferred name, Arabic name, aliases."""
        site = self[site_id]
        return [site.name, site.name_ar] + [a for a, sid, _ in self._aliases if sid == site_id]

    def to_frame(self) -> pandas.DataFrame:
        """The sites as a DataFrame indexed by ``site_id``."""
        import pandas as pd

        frame = pd.DataFrame([s.to_dict() for s in self._sites.values()], columns=list(SITE_COLUMNS))
        return frame.set_index("site_id")

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        """The sites as a GeoDataFrame of points in EPSG:4326, indexed by ``site_id``."""
        import geopandas as gpd

        frame = self.to_frame()
        return gpd.GeoDataFrame(
            frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326"
        )

    def to_files(self, folder: str | Path) -> Path:
        """Write ``sites.csv`` and ``aliases.csv`` into ``folder`` (created if needed); returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(folder / "sites.csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(SITE_COLUMNS)
            for s in self._sites.values():
                writer.writerow([_format_value(getattr(s, c)) for c in SITE_COLUMNS])
        with atomic_path(folder / "aliases.csv") as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(ALIAS_COLUMNS)
            for alias, site_id, ambiguous in self._aliases:
                script = "arabic" if _ARABIC.search(alias) else "latin"
                writer.writerow([alias, site_id, script, "yes" if ambiguous else "", ""])
        return folder

    # -- checks -------------------------------------------------------------------------------------------
    def validate(self) -> list[Problem]:
        """Check the gazetteer beyond what loading checks.

        Checks that every normalised name leads to one site unless all its rows are marked ambiguous on
        purpose, that names marked ambiguous really lead to two sites or more, and that every coordinate lies
        inside its stated country (Natural Earth outlines, with a tolerance of 750 m for simplified borders).

        Returns
        -------
        list of Problem
            Empty when the gazetteer is valid.
        """
        from .countries import country_codes, point_in_country

        problems: list[Problem] = []
        for key, entries in sorted(self.name_index().full.items()):
            site_ids = {e.site_id for e in entries}
            marked = [e for e in entries if e.ambiguous]
            if len(site_ids) > 1 and len(marked) < len(entries):
                names = ", ".join(sorted({f"{e.text!r} -> {e.site_id}" for e in entries}))
                # Point at the last unmarked alias row if there is one: most likely the row just added.
                unmarked = [e for e in entries if e.method == "alias" and not e.ambiguous]
                culprit = max(unmarked, key=lambda e: e.origin[1]) if unmarked else entries[-1]
                problems.append(
                    Problem(
                        *culprit.origin,
                        "alias",
                        f"name {key!r} leads to several sites ({names}); "
                        "mark every row 'ambiguous' if that is on purpose",
                    )
                )
            if marked and len(site_ids) == 1:
                problems.append(
                    Problem(
                        *marked[0].origin,
                        "ambiguous",
                        f"alias {marked[0].text!r} is marked ambiguous but leads only to {marked[0].site_id}",
                    )
                )
        outlined = set(country_codes())
        sites = [s for s in self._sites.values() if s.country in outlined]
        for site in self._sites.values():
            if site.country not in outlined:
                problems.append(
                    Problem(
                        *self._origin_of(site.site_id),
                        "country",
                        f"site {site.site_id!r}: no outline for {site.country} to check its "
                        "coordinates against (see geoincidents/data/COUNTRIES.md)",
                    )
                )
        if sites:
            inside = point_in_country(
                [s.lat for s in sites],
                [s.lon for s in sites],
                [s.country for s in sites],
                tolerance_m=_BORDER_TOLERANCE_M,
            )
            for site, ok in zip(sites, inside, strict=True):
                if not ok:
                    problems.append(
                        Problem(
                            *self._origin_of(site.site_id),
                            "lat/lon",
                            f"site {site.site_id!r} at ({site.lat}, {site.lon}) is not inside {site.country}",
                        )
                    )
        return problems

    def _origin_of(self, site_id: str) -> tuple[str, int]:
        return self._site_origin.get(site_id, ("<add_site>", 0))

    def name_index(self) -> NameIndex:
        """The index of every name the sites are known by (built on first use, cached until a change)."""
        if self._index is None:
            self._index = NameIndex.build(self)
        return self._index

    # -- display ------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        countries = sorted({s.country for s in self._sites.values()})
        listed = ", ".join(countries)
        return f"<Gazetteer: {len(self._sites)} sites, {len(self._aliases)} aliases, countries {listed}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    s.site_id,
                    s.name,
                    s.name_ar,
                    s.kind,
                    s.country,
                    s.admin1,
                    f"{s.lat:.4f}, {s.lon:.4f}",
                    f"{s.uncertainty_m:g} m",
                )
            )
            + "</tr>"
            for s in self._sites.values()
        )
        head = "".join(
            f"<th>{h}</th>"
            for h in ("id", "name", "Arabic", "kind", "country", "province", "lat, lon", "uncertainty")
        )
        return (
            f"<p><b>Gazetteer</b>: {len(self._sites)} sites, {len(self._aliases)} aliases</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )


class NameIndex:
    """Look-up tables from normalised names to the entries that carry them, one entry per (name, site)."""

    def __init__(self, full: dict[str, list[NameEntry]], core: dict[str, list[NameEntry]]):
        self.full = full
        self.core = core

    @classmethod
    def build(cls, gazetteer: Gazetteer) -> NameIndex:
        entries = [
            NameEntry(s.site_id, text, "exact", False, gazetteer._origin_of(s.site_id))  # noqa: SLF001
            for s in gazetteer
            for text in (s.name, s.name_ar)
            if text
        ]
        entries += [
            NameEntry(site_id, alias, "alias", amb, origin)
            for (alias, site_id, amb), origin in zip(
                gazetteer.aliases, gazetteer._alias_origin, strict=True  # noqa: SLF001 - same module
            )
        ]
        full: dict[str, dict[str, NameEntry]] = defaultdict(dict)
        core: dict[str, dict[str, NameEntry]] = defaultdict(dict)
        for entry in entries:
            full_key, core_key = name_keys(entry.text)
            if not full_key:
                continue
            for table, key in ((full, full_key), (core, core_key)):
                first = table[key].get(entry.site_id)
                if first is None:
                    table[key][entry.site_id] = entry
                elif entry.ambiguous and not first.ambiguous:
                    # The site's own name came first; keep it, but remember the name is shared on purpose.
                    table[key][entry.site_id] = replace(first, ambiguous=True)
        return cls(
            {k: list(v.values()) for k, v in full.items()}, {k: list(v.values()) for k, v in core.items()}
        )


# -- the bundled gazetteer -----------------------------------------------------------------------------------
def load_gazetteer() -> Gazetteer:
    """Return a fresh copy of the gazetteer bundled with geoincidents.

    The copy is yours: adding sites to it does not change what :func:`geoincidents.geocode` uses by default.

    Returns
    -------
    Gazetteer

    Examples
    --------
    >>> gaz = load_gazetteer()
    >>> len(gaz) >= 30
    True
    """
    return default_gazetteer().copy()


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    folder = importlib.resources.files("geoincidents") / "gazetteer"
    if not folder.joinpath("sites.csv").is_file():
        # A source checkout (editable install): the data lives in the top-level folder.
        folder = Path(__file__).resolve().parent.parent / "gazetteer"  # type: ignore[assignment]
    return Gazetteer._from_text(  # noqa: SLF001 - the loader of this module
        "gazetteer/sites.csv",
        folder.joinpath("sites.csv").read_text(encoding="utf-8"),
        "gazetteer/aliases.csv",
        folder.joinpath("aliases.csv").read_text(encoding="utf-8"),
    )


# -- parsing -------------------------------------------------------------------------------------------------
def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"gazetteer file not found: {path}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GazetteerError([Problem(str(path), line, "-", f"not UTF-8 (byte {exc.start})")]) from None


def _rows(name: str, text: str, expected: tuple[str, ...], optional: set[str], problems: list[Problem]):
    """Yield ``(line, row)`` for each data row after checking the header."""
    reader = csv.reader(io.StringIO(text, newline=""))  # keeps newlines inside quoted fields
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(Problem(name, 1, "-", "empty file"))
        return
    missing = [c for c in expected if c not in header and c not in optional]
    if missing:
        problems.append(Problem(name, 1, missing[0], f"missing column(s): {', '.join(missing)}"))
        return
    for unknown in [h for h in header if h not in expected]:
        problems.append(Problem(name, 1, unknown, "unknown column"))
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) != len(header):
            problems.append(Problem(name, line, "-", f"{len(row)} fields, the header has {len(header)}"))
            continue
        yield line, {h: cell.strip() for h, cell in zip(header, row, strict=True)}


def _parse_sites(name: str, text: str, problems: list[Problem]) -> list[tuple[Site, int]]:
    sites: list[tuple[Site, int]] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(name, text, SITE_COLUMNS, _OPTIONAL_SITE_COLUMNS, problems):
        site = _parse_site_row(name, line, row, problems)
        if site is None:
            continue
        if site.site_id in first_line:
            problems.append(
                Problem(
                    name,
                    line,
                    "site_id",
                    f"duplicate site id {site.site_id!r} (first on line {first_line[site.site_id]})",
                )
            )
            continue
        first_line[site.site_id] = line
        sites.append((site, line))
    return sites


def _parse_site_row(name: str, line: int, row: dict[str, str], problems: list[Problem]) -> Site | None:
    from .countries import to_iso3

    before = len(problems)

    def bad(column: str, message: str) -> None:
        problems.append(Problem(name, line, column, message))

    if not _SLUG.fullmatch(row["site_id"]):
        bad("site_id", f"{row['site_id']!r} is not a slug (lower-case letters, digits, hyphens)")
    for column in ("name", "name_ar", "admin1", "coord_source"):
        if not row.get(column):
            bad(column, "empty")
    if row.get("name_ar") and not _ARABIC.search(row["name_ar"]):
        bad("name_ar", f"{row['name_ar']!r} has no Arabic-script letters")
    if row["kind"] not in SITE_KINDS:
        bad("kind", f"{row['kind']!r} is not one of {', '.join(sorted(SITE_KINDS))}")
    if to_iso3(row["country"]) != row["country"]:
        bad("country", f"{row['country']!r} is not an ISO 3166-1 alpha-3 code")
    lat = _number(row["lat"], -90, 90, "lat", bad)
    lon = _number(row["lon"], -180, 180, "lon", bad)
    radius = _number(row["uncertainty_m"], 1, 500_000, "uncertainty_m", bad)
    url = row.get("coord_source_url", "")
    if url and not url.startswith(("https://", "http://")):
        bad("coord_source_url", f"{url!r} is not an http(s) URL")
    point_kind = row.get("point_kind", "")
    if point_kind and point_kind not in POINT_KINDS:
        bad("point_kind", f"{point_kind!r} is not one of {', '.join(sorted(POINT_KINDS))}")
    if point_kind == "stand_in" and not row.get("stand_in_for"):
        bad("stand_in_for", "empty: a stand-in must say which site or place the point really is")
    if row.get("stand_in_for") and point_kind != "stand_in":
        bad("stand_in_for", f"given but point_kind is {point_kind!r}, not 'stand_in'")
    check = _optional_number(row.get("check_distance_m", ""), 0, 1_000_000, "check_distance_m", bad)
    if bool(row.get("checked_against")) != (row.get("check_distance_m", "") != ""):
        bad("check_distance_m", "give checked_against and check_distance_m together, or neither")
    footprint = _optional_number(row.get("footprint_m", ""), 0, 500_000, "footprint_m", bad)
    active_from = _optional_date(row.get("active_from", ""), "active_from", bad)
    active_to = _optional_date(row.get("active_to", ""), "active_to", bad)
    if active_from and active_to and active_from > active_to:
        bad("active_to", f"{active_to} is before active_from {active_from}")
    if (active_from or active_to) and not row.get("active_source"):
        bad("active_source", "empty: dates of use need a source")
    if len(problems) > before:
        return None
    return Site(
        site_id=row["site_id"],
        name=row["name"],
        name_ar=row["name_ar"],
        kind=row["kind"],
        country=row["country"],
        admin1=row["admin1"],
        lat=lat,
        lon=lon,
        uncertainty_m=radius,
        coord_source=row["coord_source"],
        coord_source_url=url,
        notes=row.get("notes", ""),
        point_kind=point_kind,
        stand_in_for=row.get("stand_in_for", ""),
        checked_against=row.get("checked_against", ""),
        check_distance_m=check,
        footprint_m=footprint,
        active_from=active_from,
        active_to=active_to,
        active_source=row.get("active_source", ""),
    )


def _optional_number(text: str, low: float, high: float, column: str, bad) -> float | None:
    return None if text == "" else _number(text, low, high, column, bad)


def _optional_date(text: str, column: str, bad) -> datetime.date | None:
    if text == "":
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        bad(column, f"{text!r} is not an ISO date (YYYY-MM-DD)")
        return None


def _number(text: str, low: float, high: float, column: str, bad) -> float:
    try:
        value = float(text)
    except ValueError:
        bad(column, f"{text!r} is not a number")
        return math.nan
    if not (low <= value <= high):
        bad(column, f"{text} is outside {low:g}..{high:g}")
    return value


def _parse_aliases(
    name: str, text: str, known: set[str], problems: list[Problem]
) -> list[tuple[tuple[str, str, bool], int]]:
    aliases: list[tuple[tuple[str, str, bool], int]] = []
    for line, row in _rows(name, text, ALIAS_COLUMNS, {"script", "note"}, problems):
        alias, site_id, flag = row["alias"], row["site_id"], row["ambiguous"].lower()
        if not alias:
            problems.append(Problem(name, line, "alias", "empty"))
        elif not name_keys(alias)[0]:
            problems.append(Problem(name, line, "alias", f"{alias!r} is only articles or punctuation"))
        if site_id not in known:
            problems.append(Problem(name, line, "site_id", f"unknown site id {site_id!r}"))
        if flag not in ("", "yes", "no"):
            problems.append(
                Problem(name, line, "ambiguous", f"{row['ambiguous']!r} is not 'yes', 'no' or empty")
            )
        script = row.get("script", "")
        if script and script not in ("latin", "arabic"):
            problems.append(Problem(name, line, "script", f"{script!r} is not 'latin' or 'arabic'"))
        elif script == "arabic" and not _ARABIC.search(alias):
            problems.append(
                Problem(name, line, "script", f"{alias!r} is marked arabic but has no Arabic letters")
            )
        aliases.append(((alias, site_id, flag == "yes"), line))
    return aliases


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _format_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
