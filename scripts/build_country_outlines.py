#!/usr/bin/env python3
"""Build ``geoincidents/data/countries.geojson`` from Natural Earth admin-0 outlines.

The outlines come from the npm package ``world-atlas`` (Mike Bostock, ISC licence), which redistributes
Natural Earth's public-domain 1:10m "Admin 0 - Countries" layer as TopoJSON (``countries-10m.json``).
The package is fetched from the npm registry with ``npm pack`` into a temporary directory (no other
network access is needed), or read from a tarball / unpacked file given with ``--source``.

What the script does
--------------------
1. Decode the TopoJSON topology itself (quantised, delta-encoded arcs; no GDAL needed).
2. Keep the countries of the region (``KEEP``), identified by their ISO 3166-1 numeric id.
3. Simplify the *shared arcs* once, all together, with GEOS' topology-preserving simplifier, so that the
   border between two neighbours is the same line in both outlines (no slivers or gaps appear between
   countries) and no arc crosses another.
4. Rebuild polygons from the simplified arcs, orient them as RFC 7946 asks (exterior rings
   counter-clockwise), round coordinates to 5 decimals (about 1 m) and check they are valid.
5. Write a FeatureCollection sorted by ``iso3`` with properties ``iso3`` and ``name`` only. The bytes
   written depend only on the input file: the script is deterministic.

Usage::

    python scripts/build_country_outlines.py                 # npm pack world-atlas@2.0.2
    python scripts/build_country_outlines.py --source world-atlas-2.0.2.tgz
    python scripts/build_country_outlines.py --tolerance 0.0015 --output /tmp/countries.geojson
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely

NPM_PACKAGE = "world-atlas"
NPM_VERSION = "2.0.2"
TOPOJSON_MEMBER = "package/countries-10m.json"

# ISO 3166-1 numeric (the TopoJSON feature id) -> (ISO3, display name).
KEEP: dict[str, tuple[str, str]] = {
    "368": ("IRQ", "Iraq"),
    "760": ("SYR", "Syria"),
    "400": ("JOR", "Jordan"),
    "792": ("TUR", "Turkey"),
    "364": ("IRN", "Iran"),
    "682": ("SAU", "Saudi Arabia"),
    "414": ("KWT", "Kuwait"),
    "422": ("LBN", "Lebanon"),
    "376": ("ISR", "Israel"),
    "275": ("PSE", "Palestine"),
    "818": ("EGY", "Egypt"),
    "634": ("QAT", "Qatar"),
    "048": ("BHR", "Bahrain"),
    "784": ("ARE", "United Arab Emirates"),
    "512": ("OMN", "Oman"),
    "887": ("YEM", "Yemen"),
}

DEFAULT_TOLERANCE = 0.0  # degrees; see COUNTRIES.md: world-atlas is already simplified and quantised
DECIMALS = 5
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "geoincidents" / "data" / "countries.geojson"


def main(argv: list[str] | None = None) -> int:
    """Run the build; see the module docstring.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        Process exit status (0 on success).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        help="world-atlas .tgz from `npm pack` or an unpacked countries-10m.json (default: run npm pack)",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="GeoJSON file to write")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"simplification tolerance in degrees (default {DEFAULT_TOLERANCE})",
    )
    args = parser.parse_args(argv)
    if not args.tolerance >= 0:
        parser.error("--tolerance must be >= 0")

    if args.source is not None:
        topology = _load_topology(args.source)
        source_label = str(args.source)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            tarball = _npm_pack(Path(tmp))
            topology = _load_topology(tarball)
        source_label = f"npm {NPM_PACKAGE}@{NPM_VERSION}"

    features = _build_features(topology, args.tolerance)
    text = _dump_feature_collection(features)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(text.encode("utf-8"))

    n_vertices = sum(_count_vertices(f["geometry"]) for f in features)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    print(f"source: {source_label} ({TOPOJSON_MEMBER}, Natural Earth 1:10m admin-0)")
    print(
        f"wrote {args.output}: {len(features)} countries, {n_vertices} vertices, "
        f"{len(text.encode('utf-8'))} bytes, sha256 {digest}"
    )
    for f in features:
        print(
            f"  {f['properties']['iso3']}  {f['properties']['name']:<14} "
            f"{_count_vertices(f['geometry']):>6} vertices"
        )
    return 0


def _npm_pack(dest: Path) -> Path:
    """Fetch the world-atlas tarball from the npm registry into *dest* and return its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not on PATH; install Node.js/npm or pass --source")
    spec = f"{NPM_PACKAGE}@{NPM_VERSION}"
    subprocess.run([npm, "pack", spec, "--silent"], cwd=dest, check=True, stdout=subprocess.DEVNULL)
    tarball = dest / f"{NPM_PACKAGE}-{NPM_VERSION}.tgz"
    if not tarball.is_file():
        raise SystemExit(f"npm pack {spec} did not produce {tarball.name}")
    return tarball


def _load_topology(source: Path) -> dict[str, Any]:
    """Read the TopoJSON topology from a tarball or a JSON file."""
    if not source.exists():
        raise SystemExit(f"{source}: no such file")
    if source.suffix in {".tgz", ".gz"}:
        with tarfile.open(source, "r:gz") as tar:
            member = tar.extractfile(TOPOJSON_MEMBER)
            if member is None:
                raise SystemExit(f"{source}: no {TOPOJSON_MEMBER}")
            return json.load(member)
    with source.open(encoding="utf-8") as fh:
        return json.load(fh)


def _decode_arcs(topology: dict[str, Any], wanted: list[int]) -> dict[int, np.ndarray]:
    """Decode the quantised, delta-encoded arcs listed in *wanted* into (n, 2) lon/lat arrays."""
    transform = topology.get("transform")
    out: dict[int, np.ndarray] = {}
    for i in wanted:
        arc = np.asarray(topology["arcs"][i], dtype=np.float64)[:, :2]
        if transform is not None:
            arc = np.cumsum(arc, axis=0) * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
        out[i] = arc
    return out


def _polygons_of(geometry: dict[str, Any]) -> list[list[list[int]]]:
    """The rings (as lists of arc indices) of each polygon of a TopoJSON geometry."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    raise SystemExit(f"unexpected geometry type {geometry['type']!r} for id {geometry.get('id')}")


def _cancel_spikes(ring: list[int]) -> list[int]:
    """Drop arcs walked forward then straight back (``i, ~i``), cyclically.

    world-atlas' 1:10m topology has such zero-width spikes on the Dead Sea shore (Jordan and the West
    Bank walk one arc out and back); they make the polygon invalid and carry no area.
    """
    out: list[int] = []
    for index in ring:
        if out and out[-1] == ~index:
            out.pop()
        else:
            out.append(index)
    while len(out) > 1 and out[0] == ~out[-1]:
        out = out[1:-1]
    return out


def _ring_coords(ring: list[int], arcs: dict[int, np.ndarray]) -> np.ndarray:
    """Stitch the arcs of one ring (``~i`` means arc ``i`` reversed) into a closed coordinate array."""
    ring = _cancel_spikes(ring)
    parts = []
    for k, index in enumerate(ring):
        coords = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(coords if k == 0 else coords[1:])
    return np.concatenate(parts)


def _build_features(topology: dict[str, Any], tolerance: float) -> list[dict[str, Any]]:
    """Select, simplify and round the kept countries; return GeoJSON features sorted by iso3."""
    geometries = {g.get("id"): g for g in topology["objects"]["countries"]["geometries"]}
    missing = sorted(set(KEEP) - set(geometries))
    if missing:
        raise SystemExit(f"countries missing from the topology: {missing}")

    used = sorted(
        {
            i if i >= 0 else ~i
            for num in KEEP
            for poly in _polygons_of(geometries[num])
            for ring in poly
            for i in ring
        }
    )
    raw = _decode_arcs(topology, used)
    if tolerance > 0:
        # One MultiLineString of every arc: GEOS keeps arc end points (the nodes shared by neighbours)
        # and prevents any simplified arc from crossing another, so shared borders stay shared.
        lines = shapely.multilinestrings([shapely.linestrings(raw[i]) for i in used])
        simplified = shapely.simplify(lines, tolerance, preserve_topology=True)
        parts = shapely.get_parts(simplified)
        if len(parts) != len(used):
            raise SystemExit("simplification dropped arcs; lower --tolerance")
        arcs = {i: shapely.get_coordinates(p) for i, p in zip(used, parts, strict=True)}
    else:
        arcs = raw

    features = []
    for num, (iso3, name) in KEEP.items():
        polygons = []
        for poly in _polygons_of(geometries[num]):
            rings = [np.round(_ring_coords(ring, arcs), DECIMALS) for ring in poly]
            polygons.append(shapely.polygons(rings[0], holes=rings[1:] or None))
        geom = polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)
        if not shapely.is_valid(geom):
            # The source itself has a few defects (e.g. a self-touching coastline on the Saudi Red Sea
            # coast, present before any simplification); repair them locally and say so.
            reason = shapely.is_valid_reason(geom)
            geom = _polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
            print(f"  note: {iso3} repaired with make_valid ({reason})")
        geom = shapely.orient_polygons(geom, exterior_cw=False)  # RFC 7946: exteriors counter-clockwise
        geometry = json.loads(shapely.to_geojson(geom))
        geometry["coordinates"] = _round_nested(geometry["coordinates"])
        final = shapely.from_geojson(json.dumps(geometry))
        if not shapely.is_valid(final):
            raise SystemExit(
                f"{iso3}: invalid outline after simplification and rounding "
                f"({shapely.is_valid_reason(final)}); try another --tolerance"
            )
        features.append({"type": "Feature", "properties": {"iso3": iso3, "name": name}, "geometry": geometry})
    features.sort(key=lambda f: f["properties"]["iso3"])
    return features


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The Polygon / MultiPolygon part of a geometry that ``make_valid`` may return as a collection."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    if not polys:
        raise SystemExit("make_valid left no polygon")
    return polys[0] if len(polys) == 1 else shapely.multipolygons(polys)


def _round_nested(value: Any) -> Any:
    """Round every number of a nested coordinate list to ``DECIMALS`` (undoes float noise from GEOS)."""
    if isinstance(value, list):
        return [_round_nested(v) for v in value]
    return round(float(value), DECIMALS)


def _count_vertices(geometry: dict[str, Any]) -> int:
    """Number of coordinate pairs in a GeoJSON Polygon / MultiPolygon (closing points included)."""
    coords = geometry["coordinates"]
    polys = [coords] if geometry["type"] == "Polygon" else coords
    return sum(len(ring) for poly in polys for ring in poly)


def _dump_feature_collection(features: list[dict[str, Any]]) -> str:
    """Serialise compactly, one feature per line, with a trailing newline (stable bytes)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


if __name__ == "__main__":
    sys.exit(main())
