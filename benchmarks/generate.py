"""Seeded, reproducible synthetic incident tables for the benchmarks.

Location strings are drawn from the gazetteer's own names and aliases (``load_gazetteer()``: each site's
``name`` and ``name_ar`` and every alias) with the noise reports really show: case changes, article forms
(al-/el-/ash-/none), hyphens vs spaces, one-letter typos, doubled letters, facility suffixes (" air base",
" base", " airport"), prefixes ("near ", "outskirts of "), Arabic script; about 10 % of the rows name a place
that is not in the gazetteer (real other places such as Kabul, Mosul, Homs, Amman, and random place-like
strings). Rows also get dates over two years, countries (the site's, ~8 % missing), weapons, event types,
casualties, and for ~60 % a point a few km (normal noise) from the site.

How it scales: the noisy spellings are made once, in Python, for a *pool* of distinct strings (``n // 10``,
at least 500, at most 100 000 — a real feed of a million reports repeats the same spellings); the rows then
draw from the pool and every other column with numpy, so a million rows take about a second or two. The
true site of each row is kept in ``true_site_id`` (NA for places not in the gazetteer) so that accuracy can be
measured too.

Usage::

    python benchmarks/generate.py 100000 --out /tmp/incidents.parquet   # or .csv
    from benchmarks.generate import generate; df = generate(1_000_000, seed=7)
"""

from __future__ import annotations

import argparse
import random
import re
import string
import sys
import time

import numpy as np
import pandas as pd

from geoincidents import load_gazetteer

SEED = 20261120
START = np.datetime64("2023-10-01")
DAYS = 731  # two years

OTHER_PLACES = (
    "Kabul",
    "Mosul",
    "Homs",
    "Amman",
    "Aleppo",
    "Damascus",
    "Kirkuk",
    "Basra",
    "Najaf",
    "Karbala",
    "Zarqa",
    "Irbid",
    "Raqqa",
    "Idlib",
    "Latakia",
    "Tikrit",
    "Fallujah",
    "Ramadi",
    "Samarra",
    "Sulaymaniyah",
    "Duhok",
    "Palmyra",
    "Daraa",
    "Kobani",
    "Manbij",
    "Tartus",
    "Hama",
    "Aqaba",
    "Mafraq",
    "Nasiriyah",
    "Kut",
    "Hillah",
    "Diwaniyah",
    "Amarah",
    "Baqubah",
    "Tal Afar",
    "Sinjar",
    "Haditha",
    "Hit",
    "Rutba",
    "Tehran",
    "Beirut",
    "Sanaa",
    "Hodeidah",
    "Riyadh",
    "Kuwait City",
    "Doha",
    "Manama",
    "Ankara",
    "Gaziantep",
)
# Syllables for place-like names that exist nowhere ("Tal Kharuba", "Khirbet Umm Sadiya").
_HEADS = ("Tal", "Khirbet", "Umm", "Bir", "Ain", "Jabal", "Wadi", "Qasr", "Kafr", "Deir", "Ras", "Abu", "")
_SYLLABLES = (
    "kha",
    "ru",
    "ba",
    "sa",
    "di",
    "ya",
    "mar",
    "qa",
    "la",
    "zu",
    "han",
    "ni",
    "fa",
    "tim",
    "ra",
    "sul",
    "ka",
    "ja",
    "wa",
    "dun",
    "na",
    "hi",
    "ta",
    "bak",
    "mi",
    "sha",
    "gha",
    "lu",
)
_ARTICLES = ("al-", "al ", "Al-", "Al ", "el-", "El ", "ash-", "as-", "ul-", "")
_SUFFIXES = (" air base", " base", " airport", " airbase", " Air Base", " AB", " military base", " airfield")
_PREFIXES = ("near ", "outskirts of ", "vicinity of ", "north of ", "the ", "Near ")
_AR_PREFIXES = ("قاعدة ", "مطار ", "قرب ")
WEAPONS = ("one_way_drone", "rocket", "missile", "indirect_fire", "ied", "small_arms", "unknown")
WEAPON_P = (0.46, 0.27, 0.07, 0.08, 0.03, 0.02, 0.07)
EVENT_TYPES = ("attack", "interception", "strike", "other")
EVENT_P = (0.70, 0.15, 0.10, 0.05)
CLAIMANTS = ("Islamic Resistance in Iraq", "Kataib Hezbollah", "Harakat al-Nujaba", "unknown group")
CLAIM_STATUS = ("claimed", "confirmed", "claimed_and_confirmed", "unverified")
OUTCOMES = ("intercepted", "impact", "no_damage", "unknown")
SOURCES = tuple(
    f'[{{"date": "2024-0{m}-1{d}", "publisher": "{p}", "url": "https://example.org/{p.lower()}/{m}{d}"}}]'
    for m in range(1, 4)
    for d in range(3)
    for p in ("Reuters", "AP", "CENTCOM")
)


def generate(
    n: int,
    seed: int = SEED,
    *,
    unknown_share: float = 0.10,
    point_share: float = 0.60,
    pool_size: int | None = None,
) -> pd.DataFrame:
    """A synthetic incident table of ``n`` rows (same ``n`` and ``seed``, same table).

    Columns follow the incident schema (DEVELOPERS.md) plus ``true_site_id``.
    """
    rng = np.random.default_rng(seed)
    gaz = load_gazetteer()
    sites = list(gaz)
    names_of = {s.site_id: [s.name] + ([s.name_ar] if s.name_ar else []) for s in sites}
    for alias, sid, _ in gaz.aliases:
        names_of[sid].append(alias)
    # Some bases are hit far more often than others (Zipf-like weights over a seeded order of the sites).
    site_w = 1.0 / np.arange(1, len(sites) + 1) ** 0.9
    site_w = site_w[rng.permutation(len(sites))]
    site_w /= site_w.sum()

    # -- the pool of distinct spellings (Python, but only pool_size strings) --------------------------------
    pool_size = pool_size or int(min(100_000, max(500, n // 10)))
    n_unknown = max(1, int(round(pool_size * unknown_share)))
    n_known = pool_size - n_unknown
    pool_site = rng.choice(len(sites), size=n_known, p=site_w)
    r = random.Random(int(rng.integers(2**63)))  # per-string noise: Python's generator is cheaper per call
    pool: list[str] = []
    for k, si in enumerate(pool_site.tolist()):
        forms = names_of[sites[si].site_id]
        base = forms[r.randrange(len(forms))]
        pool.append(base if k < len(sites) * 4 else _noisy(base, r))  # a few clean forms are always present
    unknown_pool = [_unknown_name(r) for _ in range(n_unknown)]
    pool_strings = pool + unknown_pool
    pool_true = np.concatenate([pool_site, np.full(n_unknown, -1)])

    # -- the rows (numpy) -----------------------------------------------------------------------------------
    # Rows repeat spellings: half the rows use a clean gazetteer form, the rest any pool entry; an unknown
    # share of the rows comes from the unknown part of the pool.
    is_unknown = rng.random(n) < unknown_share
    clean = rng.random(n) < 0.5
    pick = np.where(
        is_unknown,
        n_known + rng.integers(0, n_unknown, n),
        np.where(clean, rng.integers(0, min(n_known, len(sites) * 4), n), rng.integers(0, n_known, n)),
    )
    true_site = pool_true[pick]

    # Country codes: 0 IRQ, 1 SYR, 2 JOR, -1 missing.
    # The first three keep their codes of the Iraq-Syria-Jordan gazetteer; the Gulf states follow.
    countries = ["IRQ", "SYR", "JOR"] + sorted({s.country for s in sites} - {"IRQ", "SYR", "JOR"})
    site_country = np.array([countries.index(s.country) for s in sites] + [-1])
    country = site_country[true_site]
    unk = true_site < 0
    country[unk] = rng.integers(0, 3, int(unk.sum()))
    country[rng.random(n) < 0.08] = -1

    site_lat = np.array([s.lat for s in sites] + [np.nan])
    site_lon = np.array([s.lon for s in sites] + [np.nan])
    noise_m = rng.normal(0.0, 3000.0, (2, n))  # a few km
    lat = site_lat[true_site] + noise_m[0] / 111_195.0
    lon = site_lon[true_site] + noise_m[1] / (
        111_195.0 * np.cos(np.radians(np.nan_to_num(site_lat[true_site])))
    )
    # Places not in the gazetteer: anywhere in the region (many farther than 25 km from every site).
    lat[unk] = rng.uniform(29.5, 37.0, int(unk.sum()))
    lon[unk] = rng.uniform(36.0, 48.0, int(unk.sum()))
    no_point = rng.random(n) >= point_share
    lat[no_point] = np.nan
    lon[no_point] = np.nan

    # Dates: two years, busier in the first months (the 2023-24 campaign).
    scale = DAYS / 2.5  # truncated exponential (inverse CDF): no pile-up on the last day
    day = (-scale * np.log1p(-rng.random(n) * (1.0 - np.exp(-DAYS / scale)))).astype(np.int64)
    date = (START + day).astype("datetime64[ns]")
    event = rng.choice(len(EVENT_TYPES), n, p=EVENT_P)
    weapon = rng.choice(len(WEAPONS), n, p=WEAPON_P)
    injured = np.where(rng.random(n) < 0.1, rng.poisson(2.0, n), 0)
    killed = np.where(rng.random(n) < 0.01, rng.poisson(1.0, n), 0)
    site_ids = [s.site_id for s in sites]

    frame = pd.DataFrame(
        {
            "incident_id": pd.array(
                np.char.add("syn-", np.arange(1, n + 1).astype("U8")).astype(object), dtype="str"
            ),
            "date": date,
            "date_precision": _take(["day"], np.zeros(n, dtype=np.int64)),
            "date_end": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            "location": _take(pool_strings, pick),
            "lat": lat,
            "lon": lon,
            "location_precision": _take(["approximate", "site"], no_point.astype(np.int64)),
            "country": _take(countries, country),
            "event_type": _take(EVENT_TYPES, event),
            "weapon": _take(WEAPONS, weapon),
            "claimed_by": _take(CLAIMANTS, rng.integers(0, len(CLAIMANTS), n)),
            "claim_status": _take(CLAIM_STATUS, rng.integers(0, 4, n)),
            "outcome": _take(OUTCOMES, rng.integers(0, 4, n)),
            "injured": pd.array(injured, dtype="Int64"),
            "killed": pd.array(killed, dtype="Int64"),
            "sources": _take(SOURCES, rng.integers(0, len(SOURCES), n)),
            "notes": _take([], np.full(n, -1)),
            "true_site_id": _take(site_ids, true_site),
        }
    )
    return frame


def _take(values, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A str column from codes into a few distinct values (-1 = missing): converted once, then a take."""
    return pd.array(list(values) or [""], dtype="str").take(
        np.asarray(codes, dtype=np.int64), allow_fill=True
    )


# -- noise -------------------------------------------------------------------------------------------------
_ARABIC = re.compile("[\u0600-\u06ff]")


def _is_arabic(text: str) -> bool:
    return _ARABIC.search(text) is not None


def _noisy(base: str, r: random.Random) -> str:
    """One to three kinds of noise applied to a gazetteer name."""
    if _is_arabic(base):
        u = r.random()
        if u < 0.3:
            return _AR_PREFIXES[r.randrange(len(_AR_PREFIXES))] + base
        if u < 0.5:
            return base.replace("ال", "", 1)
        if u < 0.7:
            return base + " "
        return base
    text = base
    for _ in range(r.randrange(1, 4)):
        kind = r.randrange(9)
        if kind == 0:  # case
            text = (str.lower, str.upper, str.title)[r.randrange(3)](text)
        elif kind == 1:  # article form
            words = text.split(" ")
            for i, w in enumerate(words):
                low = w.lower()
                for art in ("al-", "el-", "ash-", "as-", "at-", "ad-", "ar-"):
                    if low.startswith(art):
                        words[i] = _ARTICLES[r.randrange(len(_ARTICLES))] + w[len(art) :]
                        break
                else:
                    if low in ("al", "el") and i + 1 < len(words):
                        words[i] = _ARTICLES[r.randrange(len(_ARTICLES))].rstrip(" -")
            text = " ".join(w for w in words if w)
        elif kind == 2:  # hyphens vs spaces
            text = text.replace("-", " ") if "-" in text else text.replace(" ", "-", 1)
        elif kind == 3 or kind == 4:  # one-letter typo
            text = _typo(text, r)
        elif kind == 5:  # doubled letter
            letters = [i for i, ch in enumerate(text) if ch.isalpha()]
            if letters:
                i = letters[r.randrange(len(letters))]
                text = text[:i] + text[i] + text[i:]
        elif kind == 6 or kind == 7:  # facility suffix
            text = text + _SUFFIXES[r.randrange(len(_SUFFIXES))]
        else:  # prefix
            text = _PREFIXES[r.randrange(len(_PREFIXES))] + text
    return text


def _typo(text: str, r: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 4:
        return text
    i = letters[r.randrange(len(letters))]
    op = r.randrange(4)
    ch = string.ascii_lowercase[r.randrange(26)]
    if op == 0:  # substitute
        return text[:i] + ch + text[i + 1 :]
    if op == 1:  # delete
        return text[:i] + text[i + 1 :]
    if op == 2:  # insert
        return text[:i] + ch + text[i:]
    j = i + 1 if i + 1 < len(text) else i - 1  # transpose with a neighbour
    a, b = sorted((i, j))
    return text[:a] + text[b] + text[a] + text[b + 1 :]


def _unknown_name(r: random.Random) -> str:
    if r.random() < 0.4:
        name = OTHER_PLACES[r.randrange(len(OTHER_PLACES))]
        u = r.random()
        if u < 0.2:
            return "near " + name
        if u < 0.35:
            return name.lower()
        if u < 0.5:
            return name + " airport"
        return name
    head = _HEADS[r.randrange(len(_HEADS))]
    word = "".join(r.choice(_SYLLABLES) for _ in range(r.randrange(2, 4)))
    return (head + " " + word.capitalize()).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", help="write the table (.csv or .parquet); otherwise print a summary")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    frame = generate(args.n, args.seed)
    took = time.perf_counter() - t0
    print(
        f"{len(frame):,} rows in {took:.2f} s; {frame['location'].nunique():,} distinct locations; "
        f"{frame['true_site_id'].isna().mean():.1%} not in the gazetteer; "
        f"{frame['lat'].notna().mean():.1%} with a point",
        file=sys.stderr,
    )
    if args.out:
        if args.out.endswith(".parquet"):
            frame.to_parquet(args.out, index=False)
        else:
            frame.to_csv(args.out, index=False)
    else:
        print(frame.head(20).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
