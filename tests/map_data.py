"""Hand-built joined tables for the map and chart tests (the join itself is tested elsewhere)."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

SITES = {
    # site_id: (name, country, lat, lon) -- approximate positions, good enough for a map test
    "ain-al-asad-airbase": ("Ain al-Asad Air Base", "IRQ", 33.7856, 42.4412),
    "erbil-airbase": ("Erbil Air Base", "IRQ", 36.2376, 43.9632),
    "harir-airbase": ("Al-Harir Air Base", "IRQ", 36.5370, 44.3470),
    "baghdad-victory": ("Victory Base Complex", "IRQ", 33.2600, 44.2400),
    "al-tanf": ("Al-Tanf Garrison", "SYR", 33.4990, 38.6180),
    "mss-green-village": ("Mission Support Site Green Village", "SYR", 35.2470, 40.5300),
    "mss-euphrates": ("Mission Support Site Euphrates", "SYR", 35.0300, 40.5600),
    "al-shaddadi": ("Al-Shaddadi", "SYR", 36.0500, 40.7300),
    "rumalyn-lz": ("Rumalyn Landing Zone", "SYR", 36.8560, 42.0630),
    "tower-22": ("Tower 22", "JOR", 33.3170, 38.6930),
}


def src(publisher: str, url: str, date: str = "2023-10-24") -> str:
    """A sources cell: JSON array with one source, keys sorted."""
    return json.dumps([{"date": date, "publisher": publisher, "url": url}], sort_keys=True)


def make_joined(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """A joined GeoDataFrame with the contract's columns and dtypes from short row dicts.

    Each row needs ``date`` and ``event_type``; ``site_id`` (one of SITES) fills site_name, country and the
    point; ``lat``/``lon`` give an own point; neither leaves the incident unmatched without geometry.
    """
    out = []
    for i, r in enumerate(rows):
        site = r.get("site_id")
        name, country, slat, slon = SITES[site] if site else (None, r.get("country", "IRQ"), None, None)
        lat, lon = r.get("lat"), r.get("lon")
        geom = shapely.Point(lon, lat) if lat is not None else (shapely.Point(slon, slat) if site else None)
        out.append(
            {
                "incident_id": r.get("incident_id", f"inc-{i + 1:04d}"),
                "date": pd.Timestamp(r["date"]),
                "date_precision": r.get("date_precision", "day"),
                "date_end": pd.NaT,
                "location": r.get("location", name or "somewhere"),
                "site_id": site,
                "lat": lat if lat is not None else np.nan,
                "lon": lon if lon is not None else np.nan,
                "location_precision": "site" if site else ("exact" if lat is not None else "unknown"),
                "country": r.get("country", country),
                "event_type": r["event_type"],
                "weapon": r.get("weapon", "one_way_drone"),
                "claimed_by": r.get("claimed_by"),
                "claim_status": r.get("claim_status", "unverified"),
                "outcome": r.get("outcome", "unknown"),
                "injured": r.get("injured"),
                "killed": r.get("killed"),
                "sources": r.get("sources", src("FDD", "https://www.fdd.org/analysis/x")),
                "notes": r.get("notes"),
                "site_name": name,
                "match_method": "given" if site else pd.NA,
                "match_score": 100.0 if site else np.nan,
                "distance_m": np.nan,
                "match_candidates": pd.NA,
                "geometry": geom,
            }
        )
    df = pd.DataFrame(out)
    for col in (
        "incident_id",
        "date_precision",
        "location",
        "site_id",
        "location_precision",
        "country",
        "event_type",
        "weapon",
        "claimed_by",
        "claim_status",
        "outcome",
        "sources",
        "notes",
        "site_name",
        "match_method",
        "match_candidates",
    ):
        df[col] = df[col].astype("string")
    for col in ("injured", "killed"):
        df[col] = df[col].astype("Int64")
    df["date_end"] = pd.to_datetime(df["date_end"])
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")


def realistic_rows() -> list[dict[str, Any]]:
    """About 30 incidents between 17 Oct and 12 Nov 2023, three countries, strikes, odd cases."""
    irq = "Islamic Resistance in Iraq"
    rows = [
        dict(
            date="2023-10-17",
            event_type="attack",
            site_id="ain-al-asad-airbase",
            weapon="one_way_drone",
            outcome="intercepted",
            claimed_by=irq,
            claim_status="claimed",
            injured=0,
            killed=0,
            notes="Two drones shot down near the base.",
        ),
        dict(
            date="2023-10-17",
            event_type="attack",
            site_id="harir-airbase",
            weapon="one_way_drone",
            outcome="impact",
            claimed_by=irq,
            claim_status="claimed",
            injured=2,
            killed=0,
        ),
        dict(
            date="2023-10-18",
            event_type="interception",
            site_id="erbil-airbase",
            weapon="one_way_drone",
            outcome="intercepted",
            injured=0,
            killed=0,
        ),
        dict(
            date="2023-10-18",
            event_type="attack",
            site_id="ain-al-asad-airbase",
            weapon="rocket",
            outcome="no_damage",
            claim_status="confirmed",
        ),
        dict(
            date="2023-10-19",
            event_type="attack",
            site_id="al-tanf",
            weapon="one_way_drone",
            outcome="impact",
            injured=20,
            claim_status="confirmed",
            notes="Minor injuries among US personnel.",
        ),
        dict(
            date="2023-10-19",
            event_type="attack",
            site_id="baghdad-victory",
            weapon="one_way_drone",
            outcome="intercepted",
        ),
        dict(
            date="2023-10-20",
            event_type="attack",
            site_id="mss-green-village",
            weapon="rocket",
            outcome="no_damage",
        ),
        dict(date="2023-10-21", event_type="attack", site_id="ain-al-asad-airbase", weapon="rocket"),
        dict(date="2023-10-23", event_type="attack", site_id="al-shaddadi", weapon="one_way_drone"),
        dict(
            date="2023-10-24",
            event_type="attack",
            site_id="ain-al-asad-airbase",
            weapon="one_way_drone",
            claimed_by=irq,
            claim_status="claimed_and_confirmed",
        ),
        dict(date="2023-10-24", event_type="attack", site_id="al-tanf", weapon="one_way_drone"),
        dict(date="2023-10-25", event_type="attack", site_id="erbil-airbase", weapon="rocket"),
        dict(date="2023-10-26", event_type="attack", site_id="mss-euphrates", weapon="rocket"),
        dict(
            date="2023-10-27",
            event_type="strike",
            lat=34.45,
            lon=40.92,
            location="near Abu Kamal",
            country="SYR",
            weapon="airstrike",
            notes="F-16s strike IRGC weapons storage facility.",
        ),
        dict(
            date="2023-10-27",
            event_type="strike",
            lat=34.99,
            lon=40.46,
            location="near Mayadin",
            country="SYR",
            weapon="airstrike",
        ),
        dict(date="2023-10-28", event_type="attack", site_id="rumalyn-lz", weapon="rocket"),
        dict(date="2023-10-30", event_type="attack", site_id="ain-al-asad-airbase", weapon="missile"),
        dict(date="2023-11-01", event_type="attack", site_id="al-tanf", weapon="one_way_drone"),
        dict(date="2023-11-02", event_type="attack", site_id="harir-airbase", weapon="rocket"),
        dict(
            date="2023-11-03",
            event_type="attack",
            lat=36.191,
            lon=44.009,
            location="Erbil city outskirts",
            country="IRQ",
            weapon="one_way_drone",
            notes="Own coordinates, no base named.",
        ),
        dict(date="2023-11-05", event_type="attack", site_id="mss-green-village", weapon="one_way_drone"),
        dict(date="2023-11-06", event_type="attack", site_id="ain-al-asad-airbase", weapon="indirect_fire"),
        dict(
            date="2023-11-07",
            event_type="attack",
            site_id="tower-22",
            weapon="one_way_drone",
            outcome="no_damage",
            country="JOR",
        ),
        dict(
            date="2023-11-08",
            event_type="strike",
            lat=35.02,
            lon=40.45,
            location="Mayadin",
            country="SYR",
            weapon="airstrike",
        ),
        dict(date="2023-11-09", event_type="attack", site_id="al-shaddadi", weapon="rocket"),
        dict(date="2023-11-10", event_type="attack", site_id="erbil-airbase", weapon="one_way_drone"),
        dict(date="2023-11-12", event_type="attack", site_id="mss-euphrates", weapon="rocket"),
        dict(
            date="2023-11-12",
            event_type="attack",
            location="western Iraq",
            country="IRQ",
            weapon="rocket",
            notes="No site and no coordinates: cannot be drawn.",
        ),
        dict(
            date="2023-11-12",
            event_type="other",
            site_id="erbil-airbase",
            weapon="unknown",
            notes="Not an attack; ignored by the map.",
        ),
    ]
    return rows


def synthetic_joined(n: int = 100_000, seed: int = 7) -> gpd.GeoDataFrame:
    """``n`` incidents over the SITES and a year of weeks, built vectorised."""
    rng = np.random.default_rng(seed)
    ids = np.array(sorted(SITES))
    pick = rng.integers(0, len(ids), n)
    names = np.array([SITES[s][0] for s in ids])[pick]
    countries = np.array([SITES[s][1] for s in ids])[pick]
    lats = np.array([SITES[s][2] for s in ids])[pick]
    lons = np.array([SITES[s][3] for s in ids])[pick]
    dates = pd.Timestamp("2023-10-16") + pd.to_timedelta(rng.integers(0, 364, n), unit="D")
    event = np.where(rng.random(n) < 0.05, "strike", np.where(rng.random(n) < 0.3, "interception", "attack"))
    weapons = np.array(["one_way_drone", "rocket", "missile", "indirect_fire"])[rng.integers(0, 4, n)]
    df = pd.DataFrame(
        {
            "incident_id": pd.array([f"syn-{i:06d}" for i in range(n)], dtype="string"),
            "date": dates,
            "date_precision": pd.array(["day"] * n, dtype="string"),
            "date_end": pd.NaT,
            "location": pd.array(names, dtype="string"),
            "site_id": pd.array(ids[pick], dtype="string"),
            "lat": np.nan,
            "lon": np.nan,
            "location_precision": pd.array(["site"] * n, dtype="string"),
            "country": pd.array(countries, dtype="string"),
            "event_type": pd.array(event, dtype="string"),
            "weapon": pd.array(weapons, dtype="string"),
            "claimed_by": pd.array([pd.NA] * n, dtype="string"),
            "claim_status": pd.array(["unverified"] * n, dtype="string"),
            "outcome": pd.array(["unknown"] * n, dtype="string"),
            "injured": pd.array(rng.integers(0, 3, n), dtype="Int64"),
            "killed": pd.array([0] * n, dtype="Int64"),
            "sources": pd.array([src("FDD", "https://www.fdd.org/analysis/x")] * n, dtype="string"),
            "notes": pd.array([pd.NA] * n, dtype="string"),
            "site_name": pd.array(names, dtype="string"),
            "match_method": pd.array(["given"] * n, dtype="string"),
            "match_score": 100.0,
            "distance_m": np.nan,
            "match_candidates": pd.array([pd.NA] * n, dtype="string"),
        }
    )
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326")


def box_outlines() -> gpd.GeoDataFrame:
    """Rough boxes for IRQ, SYR and JOR (tests do not depend on the Natural Earth file)."""
    return gpd.GeoDataFrame(
        {"iso3": ["IRQ", "JOR", "SYR"], "name": ["Iraq", "Jordan", "Syria"]},
        geometry=[
            shapely.box(38.8, 29.1, 48.6, 37.4),
            shapely.box(34.9, 29.2, 39.3, 33.4),
            shapely.box(35.7, 32.3, 42.4, 37.3),
        ],
        crs="EPSG:4326",
    )
