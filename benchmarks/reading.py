"""Benchmark 8: ``read_incidents`` of a 1M-row CSV against ``pandas.read_csv`` of the same file.

The file is the synthetic table of ``generate.py`` in the incident schema, written as a real export would be:
coordinates with 4 decimals (ACLED's precision), ``sources`` (a quoted JSON array) on one row in four and
``[]`` elsewhere, no ``true_site_id`` (the generator's answer key): about 158 bytes per row. Each reader runs
best of 3 (wall and CPU time) in the same process, the readers
taking turns in each round, on the same file (in the page cache after the first round):

* ``read_incidents(path, errors="report")``: read, typed, every row validated;
* ``pd.read_csv(path)`` with its defaults (C engine, type guessing, no validation): the target's baseline;
* ``pd.read_csv(path, engine="pyarrow")``: a second baseline (multi-threaded parse, no validation);
* ``pyarrow.csv.read_csv`` with every column as text: the parse ``read_incidents`` starts from, so that the
  figure splits into parsing and checking.

    python benchmarks/reading.py 1000000
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ROUNDS = 3
TARGET_RATIO = 2.0


def write_csv(n: int, path: Path) -> int:
    """Write the benchmark CSV of ``n`` rows to ``path``; return its size in bytes."""
    from generate import generate

    frame = generate(n).drop(columns="true_site_id")
    frame["lat"] = frame["lat"].round(4)
    frame["lon"] = frame["lon"].round(4)
    sources = frame["sources"].to_numpy(dtype=object)
    sources[np.arange(n) % 4 != 0] = "[]"
    frame["sources"] = sources
    frame.to_csv(path, index=False)
    return path.stat().st_size


def interleaved(fns: dict[str, object], repeat: int = ROUNDS) -> dict[str, tuple[float, float]]:
    """Best (wall seconds, CPU seconds of this process) of each function over ``repeat`` rounds, the
    functions taking turns within a round so that they see the same machine load."""
    best = {name: (float("inf"), float("inf")) for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def bench_reading(n: int) -> list[dict]:
    """Rows for ``benchmarks/run.py``: read_incidents beside pd.read_csv (defaults, then pyarrow)."""
    import geoincidents

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.csv"
        size = write_csv(n, path)
        results: dict[str, object] = {}

        def ours():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", geoincidents.IncidentWarning)
                results["ours"] = geoincidents.read_incidents(path, errors="report")

        def pandas_defaults():
            results["pandas"] = pd.read_csv(path)

        times = interleaved({"ours": ours, "pandas": pandas_defaults,
                             "arrow": lambda: pd.read_csv(path, engine="pyarrow"),
                             "parse": lambda: _parse_as_text(path)})
    result, frame = results["ours"], results["pandas"]
    kept, rejected = len(result.incidents), len(result.rejected)  # type: ignore[attr-defined]
    (t_ours, c_ours), (t_pandas, c_pandas) = times["ours"], times["pandas"]
    t_arrow, c_arrow = times["arrow"]
    t_parse, c_parse = times["parse"]
    notes = [
        f"{n:,} rows, {size / 1e6:.0f} MB ({size / n:.0f} bytes/row); kept {kept:,}, rejected {rejected:,} "
        f"(every row accounted for: {kept + rejected == len(frame)})",  # type: ignore[arg-type]
        f"wall: read_incidents {t_ours:.2f} s = {t_ours / t_pandas:.2f}x pd.read_csv ({t_pandas:.2f} s), "
        f"{t_ours / t_arrow:.2f}x pd.read_csv(engine='pyarrow') ({t_arrow:.2f} s)",
        f"CPU time of the process (all threads; less sensitive to other load): read_incidents {c_ours:.2f} s "
        f"= {c_ours / c_pandas:.2f}x pd.read_csv ({c_pandas:.2f} s), {c_ours / c_arrow:.2f}x "
        f"pd.read_csv(engine='pyarrow') ({c_arrow:.2f} s)",
        f"the parse alone (pyarrow.csv.read_csv, text columns): wall {t_parse:.2f} s = "
        f"{t_parse / t_pandas:.2f}x pd.read_csv, CPU {c_parse:.2f} s = {c_parse / c_pandas:.2f}x; "
        f"the checks add {(c_ours - c_parse) / c_pandas:.2f}x pd.read_csv's CPU time",
    ]
    return [
        dict(bench=9, figure=f"read_incidents(errors='report'), {n:,}-row CSV", value=t_ours, unit="s",
             baseline="pd.read_csv defaults", baseline_value=t_pandas, ratio=t_ours / t_pandas,
             target=f"<= {TARGET_RATIO:g}x pd.read_csv", ok=t_ours <= TARGET_RATIO * t_pandas, notes=notes),
        dict(bench=9, figure=f"read_incidents vs pd.read_csv(engine='pyarrow'), {n:,} rows", value=t_ours,
             unit="s", baseline="pd.read_csv engine='pyarrow'", baseline_value=t_arrow,
             ratio=t_ours / t_arrow,
             target="", ok=None),
    ]


def _parse_as_text(path: Path) -> object:
    """pyarrow's CSV reader with every column as text, as ``read_incidents`` calls it (no checks)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = pacsv.open_csv(path).schema.names
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.large_string()), strings_can_be_null=False))


if __name__ == "__main__":
    for row in bench_reading(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000):
        print(row)
