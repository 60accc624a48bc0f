"""Experiment behind the geocode proposal in docs/benchmarks.md: look generic phrases up by their first word
instead of trying all of them at every word. Monkeypatches geoincidents.normalize._replace_phrases (no file
under geoincidents/ is changed); checks the keys are identical and times name_keys on the distinct names of
the 1M benchmark and geocode_all on the 1M rows (best of 3).

    python benchmarks/experiments/normalize_phrases.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geoincidents  # noqa: E402
from generate import generate  # noqa: E402
from geoincidents import normalize  # noqa: E402

names = generate(1_000_000)["location"]
distinct = names.unique().tolist()
geoincidents.geocode("Erbil")

by_first: dict[str, list] = {}
for phrase, canonical in normalize._PHRASES:
    by_first.setdefault(phrase[0], []).append((phrase, canonical))


def fast_replace(words: list[str]) -> list[str]:
    out: list[str] = []
    i, n_words = 0, len(words)
    get = normalize._WORDS.get
    while i < n_words:
        word = words[i]
        for phrase, canonical in by_first.get(word, ()):
            n = len(phrase)
            if tuple(words[i:i + n]) == phrase:
                out.append(canonical)
                i += n
                break
        else:
            out.append(get(word, word))
            i += 1
    return out


def clear() -> None:
    for f in (getattr(normalize, "_normalize_cached", None), getattr(normalize, "name_keys", None)):
        if hasattr(f, "cache_clear"):
            f.cache_clear()


def timed() -> tuple[float, float, list]:
    best_keys, best_all, keys = float("inf"), float("inf"), None
    for _ in range(3):
        clear()
        t0 = time.perf_counter()
        keys = [normalize.name_keys(x) for x in distinct]
        best_keys = min(best_keys, time.perf_counter() - t0)
        clear()
        t0 = time.perf_counter()
        geoincidents.geocode_all(names)
        best_all = min(best_all, time.perf_counter() - t0)
    return best_keys, best_all, keys


original = normalize._replace_phrases
k0, a0, keys0 = timed()
normalize._replace_phrases = fast_replace
k1, a1, keys1 = timed()
normalize._replace_phrases = original
print(f"name_keys on {len(distinct):,} distinct names: {k0:.2f} s -> {k1:.2f} s; "
      f"geocode_all 1M: {a0:.2f} s -> {a1:.2f} s; identical keys: {keys0 == keys1}")
