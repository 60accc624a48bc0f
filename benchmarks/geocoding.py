"""Geocoding at scale: ``geocode_all`` against the exact-string dict map, and single ``geocode()`` calls.

Three figures, each beside its baseline measured in the same process on the same data (best of a few rounds):

1. ``geocode_all`` on 5M rows drawing from 800 distinct spellings, against a ``dict.get`` per row on the exact
   gazetteer strings (the lower bound: no normalisation, no fuzzy). Target: <= 1.5x (cost linear in rows).
2. ``geocode_all`` on 1M rows with ~100k distinct free-text names (a pool of 300k spellings), against the
   same dict map. Target: <= 3x (normalisation and the fuzzy step done once per distinct name, batched).
3. ``geocode()`` calls per second on 12,000 distinct names, each new to the process (nothing cached from a
   previous call), against ``normalize_name`` on the same names (the floor of any per-name work). Target:
   >= 2,000 calls/s, the budget of one ``/search`` request at 2,000 req/s.

Both ``geocode_all`` figures also check that every distinct name gets what ``geocode()`` gives it (site,
method, ambiguity): 0 mismatches.

    python benchmarks/geocoding.py            # full size
    python benchmarks/geocoding.py --quick    # a tenth

``bench_geocoding(n)`` returns rows in the format of ``benchmarks/run.py``; ``n`` is the size of figure 2
(figure 1 uses ``5 * n`` rows). Nothing is asserted: a miss prints MISS.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGET_FEW = 1.5
TARGET_MANY = 3.0
TARGET_CALLS = 2_000
FEW_DISTINCT = 800
MANY_POOL = 300_000  # the generator's pool per 1M rows that gives ~100k distinct names
SINGLE_NAMES = 12_000


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _exact_names(gaz) -> dict[str, str]:
    """Every name string of the gazetteer (site names, Arabic names, aliases) to its site id."""
    exact: dict[str, str] = {}
    for s in gaz:
        for text in (s.name, s.name_ar):
            if text:
                exact.setdefault(text, s.site_id)
    for alias, sid, _ in gaz.aliases:
        exact.setdefault(alias, sid)
    return exact


def _mismatches(names, out, gaz) -> tuple[int, int, list[str]]:
    """Distinct names whose ``geocode_all`` row differs from ``geocode()`` (site, method, ambiguity)."""
    import pandas as pd

    import geoincidents

    first = pd.Series(range(len(names)), index=names.to_numpy()).groupby(level=0, sort=False).first()
    site, method, amb = out["site_id"].tolist(), out["method"].tolist(), out["ambiguous"].tolist()
    bad, examples = 0, []
    for name, row in first.items():
        m = geoincidents.geocode(name, gazetteer=gaz)
        want = (None, None, False) if m is None else (m.site_id, m.method, m.ambiguous)
        have = (
            site[row] if isinstance(site[row], str) else None,
            method[row] if isinstance(method[row], str) else None,
            bool(amb[row]),
        )
        if want != have:
            bad += 1
            if len(examples) < 3:
                examples.append(f"{name!r}: geocode {want} vs geocode_all {have}")
    return bad, len(first), examples


def _versus_dict(rows: int, pool: int | None, target: float, label: str, repeat: int) -> dict:
    from generate import generate

    import geoincidents

    gaz = geoincidents.load_gazetteer()
    names = generate(rows, pool_size=pool)["location"]
    geoincidents.geocode("Erbil", gazetteer=gaz)  # the name index, untimed
    exact = _exact_names(gaz)

    def dict_map():
        get = exact.get
        return [get(x) for x in names.tolist()]

    t_dict, _ = _best(dict_map, repeat)
    # A fresh gazetteer copy per round: nothing is carried over from the previous round's names.
    rounds = []
    out = None
    for _ in range(repeat):
        fresh = gaz.copy()
        geoincidents.geocode("Erbil", gazetteer=fresh)
        t0 = time.perf_counter()
        out = geoincidents.geocode_all(names, gazetteer=fresh)
        rounds.append(time.perf_counter() - t0)
    t_all = min(rounds)
    bad, distinct, examples = _mismatches(names, out, gaz)
    ratio = t_all / t_dict
    return dict(
        bench=8,
        figure=f"geocode_all, {rows:,} rows, {distinct:,} distinct {label}",
        value=t_all,
        unit="s",
        baseline="exact-string dict.get per row",
        baseline_value=t_dict,
        ratio=ratio,
        target=f"<= {target:g}x the dict map, 0 mismatches",
        ok=ratio <= target and bad == 0,
        notes=[
            f"geocode_all {rows:,} rows / {distinct:,} distinct: {t_all:.2f} s vs dict map {t_dict:.2f} s "
            f"= {ratio:.2f}x (target <= {target:g}x); {bad} mismatches with geocode()",
            *examples,
        ],
    )


def _single_calls(count: int) -> dict:
    from generate import generate

    import geoincidents
    from geoincidents import normalize_name

    gaz = geoincidents.load_gazetteer()
    names = generate(20 * count, seed=11)["location"].dropna().drop_duplicates()
    names = names[~names.isin(set(generate(1000)["location"].dropna()))].head(count).tolist()
    geoincidents.geocode("Erbil", gazetteer=gaz)
    # The floor: normalising each name once (fresh strings, so no cache holds them).
    t0 = time.perf_counter()
    for name in names:
        normalize_name(name + " ")
    t_norm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for name in names:
        geoincidents.geocode(name, gazetteer=gaz)
    t_geo = time.perf_counter() - t0
    rate, floor = len(names) / t_geo, len(names) / t_norm
    return dict(
        bench=8,
        figure=f"geocode() on {len(names):,} distinct new names, calls/s",
        value=rate,
        unit="calls/s",
        baseline="normalize_name per name",
        baseline_value=floor,
        ratio=floor / rate,
        target=f">= {TARGET_CALLS:,} calls/s",
        ok=rate >= TARGET_CALLS,
        notes=[
            f"geocode(): {1000 * t_geo / len(names):.3f} ms per new name; normalize_name alone "
            f"{1000 * t_norm / len(names):.3f} ms"
        ],
    )


def bench_geocoding(n: int) -> list[dict]:
    """The three figures: ``5 * n`` rows / 800 distinct, ``n`` rows / ~``n / 10`` distinct, single calls."""
    repeat = 3 if n <= 200_000 else 2
    return [
        _versus_dict(5 * n, FEW_DISTINCT, TARGET_FEW, "spellings", repeat),
        _versus_dict(n, MANY_POOL * n // 1_000_000, TARGET_MANY, "free-text names", repeat),
        _single_calls(SINGLE_NAMES if n >= 1_000_000 else SINGLE_NAMES // 4),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="geocoding benchmark")
    parser.add_argument("--quick", action="store_true", help="100k rows instead of 1M")
    parser.add_argument("--only", type=int, choices=(1, 2, 3), help="one figure")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else 1_000_000
    repeat = 3 if n <= 200_000 else 2
    figures = {
        1: lambda: _versus_dict(5 * n, FEW_DISTINCT, TARGET_FEW, "spellings", repeat),
        2: lambda: _versus_dict(n, MANY_POOL * n // 1_000_000, TARGET_MANY, "free-text names", repeat),
        3: lambda: _single_calls(SINGLE_NAMES if n >= 1_000_000 else SINGLE_NAMES // 4),
    }
    for number in [args.only] if args.only else sorted(figures):
        r = figures[number]()
        status = "PASS" if r["ok"] else "MISS"
        print(
            f"{r['figure']}: {r['value']:.3g} {r['unit']} vs {r['baseline']} {r['baseline_value']:.3g} "
            f"(ratio {r['ratio']:.2f}; target {r['target']}) {status}"
        )
        for note in r["notes"]:
            print(f"  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
