"""Extraction benchmark: drafts from the five seed articles against the hand-made example dataset, and
throughput on 1,000 article-length texts.

    python benchmarks/extraction.py            # quality on the seeds + throughput on 1,000 texts
    python benchmarks/extraction.py --json out.json

**Quality.** Each seed is extracted with the publisher and publication date worked out in
``geoincidents/data/README.md`` ("The five articles"). All drafts of the five texts are compared with all rows
of ``geoincidents.example_incidents()``. A draft and an example row match when their places agree (same
``site_id``; for rows without a site, the same normalised ``location``) and their date intervals
(``date``..``date_end``, one day when there is no end) overlap. An example row reported by two articles may
match one draft of each; a second draft of one article for the same row counts as a false positive.
Precision = matched drafts / drafts, recall = matched example rows / example rows. Three example rows
(Green Village and the coalition's counter-fire near Mayadin, January 2022) have places that the article does
not name (the README identifies them from an OIR release); recall is also reported without them. For the
matched pairs, weapon and claim (``claimed_by`` and ``claim_status``) are scored the same way: precision over
the drafts that state the field, recall over the example rows that state it.

**Throughput.** 1,000 texts of seed length are built from the seeds' paragraphs (seeded shuffle, site
names swapped for other gazetteer names so that no two texts are alike) and extracted one by one. The
baseline, measured in the same run on the same texts, is the place search the automaton replaces: one
compiled regular expression per gazetteer name. Nothing is asserted; a target missed prints MISS.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import geoincidents as gi  # noqa: E402
from geoincidents.normalize import normalize_name  # noqa: E402

# Publisher and publication date of each seed, as established in geoincidents/data/README.md.
SEEDS = {
    "000": ("Daily Caller News Foundation", "2023-10-26"),
    "001": ("Foundation for Defense of Democracies (FDD) Flash Brief", "2023-10-24"),
    "002": ("unknown publisher", "2022-01-05"),
    "003": ("Associated Press", "2023-11-18"),
    "004": ("Newsweek", "2023-10-18"),
}
# Example rows whose place the article does not name (README: "Places the articles do not name").
NOT_NAMED = {
    "2022-01-05-green-village-indirect-fire",
    "2022-01-05-green-village-counter-fire",
    "2022-01-04-green-village-launch-site-fire",
}
TARGETS = {"recall": 0.90, "precision": 0.90, "articles_per_s": 200.0}


def seed_folder() -> Path | None:
    """The seed articles: ``../shared/seeds`` beside the repository (CI), else ``/work/shared/seeds``."""
    for folder in (ROOT.parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if folder.is_dir() and any(folder.glob("*.txt")):
            return folder
    return None


def _place(row: pd.Series) -> str:
    return str(row["site_id"]) if pd.notna(row["site_id"]) else "loc:" + normalize_name(str(row["location"]))


def _interval(row: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = row["date_end"] if pd.notna(row["date_end"]) else row["date"]
    return row["date"], end


def match(drafts: pd.DataFrame, gold: pd.DataFrame) -> list[tuple[int, int]]:
    """(draft position, gold position) pairs: each draft with the first example row it agrees with.

    Two articles may report one example row, so a row can match drafts of several articles; a second draft of
    the same article for the same row is a duplicate and matches nothing.
    """
    pairs: list[tuple[int, int]] = []
    seen: set[tuple[str, int]] = set()
    for i in range(len(drafts)):
        drow = drafts.iloc[i]
        d_start, d_end = _interval(drow)
        for j in range(len(gold)):
            g = gold.iloc[j]
            g_start, g_end = _interval(g)
            if _place(drow) == _place(g) and d_start <= g_end and g_start <= d_end:
                if (drow["article"], j) not in seen:
                    pairs.append((i, j))
                    seen.add((drow["article"], j))
                break
    return pairs


def field_scores(
    drafts: pd.DataFrame, gold: pd.DataFrame, pairs: list[tuple[int, int]], column: str, unknown: object
) -> dict[str, float | int]:
    stated_d = stated_g = agree_d = agree_g = 0
    for i, j in pairs:
        dv, gv = drafts.iloc[i][column], gold.iloc[j][column]
        d_known = pd.notna(dv) and dv != unknown
        g_known = pd.notna(gv) and gv != unknown
        stated_d += d_known
        stated_g += g_known
        agree_d += d_known and g_known and dv == gv
        agree_g += g_known and d_known and dv == gv
    return {
        "precision": agree_d / stated_d if stated_d else float("nan"),
        "recall": agree_g / stated_g if stated_g else float("nan"),
        "drafts_stating": stated_d,
        "examples_stating": stated_g,
    }


def quality(folder: Path) -> dict:
    frames = []
    for path in sorted(folder.glob("*.txt")):
        publisher, published = SEEDS[path.name[:3]]
        drafts = gi.extract_incidents(
            path.read_text(encoding="utf-8"), published=published, publisher=publisher
        )
        drafts["article"] = path.name[:3]
        frames.append(drafts)
    drafts = pd.concat(frames, ignore_index=True)
    gold = gi.example_incidents().reset_index(drop=True)
    pairs = match(drafts, gold)
    matched_gold = {j for _, j in pairs}
    named = [j for j in range(len(gold)) if gold.iloc[j]["incident_id"] not in NOT_NAMED]
    out = {
        "drafts": len(drafts),
        "examples": len(gold),
        "matched": len(pairs),
        "precision": len(pairs) / len(drafts) if len(drafts) else float("nan"),
        "recall": len(matched_gold) / len(gold),
        "recall_named_places": len(matched_gold & set(named)) / len(named),
        "weapon": field_scores(drafts, gold, pairs, "weapon", "unknown"),
        "claimed_by": field_scores(drafts, gold, pairs, "claimed_by", None),
        "claim_status": field_scores(drafts, gold, pairs, "claim_status", None),
        "unmatched_drafts": [
            f"{r.article} {r.date:%Y-%m-%d} {r.site_id if pd.notna(r.site_id) else r.location}"
            for k, r in enumerate(drafts.itertuples())
            if k not in {i for i, _ in pairs}
        ],
        "missed_examples": [gold.iloc[j]["incident_id"] for j in range(len(gold)) if j not in matched_gold],
    }
    return out


def synthetic_texts(folder: Path, n: int, seed: int = 13) -> list[str]:
    """``n`` texts of seed length: seed paragraphs shuffled, site names swapped for other gazetteer names."""
    rng = random.Random(seed)
    paragraphs = [
        p
        for path in sorted(folder.glob("*.txt"))
        for p in path.read_text(encoding="utf-8").splitlines()
        if p.strip()
    ]
    names = sorted({s.name for s in gi.load_gazetteer()})
    swap = re.compile(r"al-Asad|al-Tanf|Baghdad|Erbil|Abu Hajar|Boukamal|Maysulun|Al-Shadadi|al-Harir")
    mean = sum(len(p) for p in paragraphs) / len(paragraphs)
    per_text = max(1, round(sum(len(path.read_text()) for path in folder.glob("*.txt")) / 5 / mean))
    texts = []
    for _ in range(n):
        chosen = rng.sample(paragraphs, min(per_text, len(paragraphs)))
        texts.append("\n\n".join(swap.sub(lambda _m: rng.choice(names), p) for p in chosen))
    return texts


def throughput(folder: Path, n: int) -> dict:
    texts = synthetic_texts(folder, n)
    gaz = gi.load_gazetteer()
    gi.extract_incidents(texts[0], published="2023-10-26", gazetteer=gaz)  # build the automaton once
    best = float("inf")
    drafts = 0
    for _ in range(2):
        t0 = time.perf_counter()
        drafts = sum(len(gi.extract_incidents(t, published="2023-10-26", gazetteer=gaz)) for t in texts)
        best = min(best, time.perf_counter() - t0)
    from geoincidents.extraction.places import place_finder

    finder = place_finder(gaz)
    t0 = time.perf_counter()
    for t in texts:
        finder.find(t)
    t_places = time.perf_counter() - t0
    patterns = [
        re.compile(r"\b" + re.escape(name) + r"\b", re.IGNORECASE)
        for s in gaz
        for name in (s.name, s.name_ar, *gaz.names_of(s.site_id))
        if name
    ]
    t0 = time.perf_counter()
    for t in texts:
        for p in patterns:
            p.findall(t)
    t_regex = time.perf_counter() - t0
    return {
        "texts": n,
        "mean_chars": sum(map(len, texts)) / n,
        "drafts": drafts,
        "seconds": best,
        "articles_per_s": n / best,
        "place_search_s": t_places,
        "baseline_regex_per_name_s": t_regex,
        "names": len(patterns),
        "place_search_speedup": t_regex / t_places,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=1000, help="texts for the throughput run")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    folder = seed_folder()
    if folder is None:
        print("extraction benchmark skipped: seed articles not found (../shared/seeds beside the repository)")
        return 0
    q = quality(folder)
    t = throughput(folder, args.texts)

    def verdict(value: float, target: float) -> str:
        return "PASS" if value >= target else "MISS"

    print(f"seeds: {q['drafts']} drafts, {q['examples']} example rows, {q['matched']} matched")
    print(f"(site, date) precision {q['precision']:.1%}  target >= 90%  {verdict(q['precision'], 0.9)}")
    print(f"(site, date) recall    {q['recall']:.1%}  target >= 90%  {verdict(q['recall'], 0.9)}")
    print(f"(site, date) recall, places the articles name: {q['recall_named_places']:.1%}")
    for name in ("weapon", "claimed_by", "claim_status"):
        f = q[name]
        print(
            f"{name:13s} precision {f['precision']:.1%} ({f['drafts_stating']} stated)  "
            f"recall {f['recall']:.1%} ({f['examples_stating']} stated)"
        )
    print("unmatched drafts:", "; ".join(q["unmatched_drafts"]) or "none")
    print("missed example rows:", "; ".join(q["missed_examples"]) or "none")
    print(
        f"throughput: {t['articles_per_s']:.0f} articles/s on {t['texts']} texts of {t['mean_chars']:.0f} "
        f"chars ({t['drafts']} drafts)  target >= 200  {verdict(t['articles_per_s'], 200)}"
    )
    print(
        f"place search: automaton {t['place_search_s']:.2f} s vs one regex per name ({t['names']} names) "
        f"{t['baseline_regex_per_name_s']:.2f} s: x{t['place_search_speedup']:.1f}"
    )
    if args.json:
        args.json.write_text(json.dumps({"quality": q, "throughput": t}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
