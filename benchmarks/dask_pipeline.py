"""The distributed path measured: read -> geocode -> join -> weekly on a LocalCluster, 1 and 2 workers.

Writes ``--rows`` synthetic incidents (``generate.py``) as partitioned Parquet (``--partition`` rows per file,
each file written from its own seed so that no process holds the whole table), then runs the pipeline of
:mod:`geoincidents.dask` on a ``distributed.LocalCluster`` (loopback only) with 1 and with 2 worker processes,
and the single-process in-memory pipeline on the largest slice that fits (``--slice`` rows) as the baseline.
Reported: wall time and rows per second of each, the ratio of the distributed throughput to the in-memory
one, the speed-up from 1 to 2 workers, and each worker's peak memory (``ru_maxrss``) against the partition's
size, which is what bounds it. Answers are checked: the weekly table of the slice equals the in-memory one.

    python benchmarks/dask_pipeline.py                      # 20M rows, 1M per partition, 2M-row slice
    python benchmarks/dask_pipeline.py --rows 4000000       # smaller
    make bench-dask
"""

from __future__ import annotations

import argparse
import logging
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def write_dataset(folder: Path, rows: int, partition: int) -> tuple[int, float]:
    """Partitioned Parquet of ``rows`` incidents; returns (files, MB on disk)."""
    from generate import generate

    folder.mkdir(parents=True, exist_ok=True)
    files = 0
    for start in range(0, rows, partition):
        n = min(partition, rows - start)
        table = generate(n, seed=1000 + files).drop(columns=["true_site_id"])
        table["incident_id"] = [f"p{files}-{i}" for i in range(n)]
        table.to_parquet(folder / f"part-{files:05d}.parquet", index=False)
        files += 1
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    return files, size


def in_memory_pipeline(files: list[Path]):
    import pandas as pd

    import geoincidents as gi

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gi.IncidentWarning)
        parts = [gi.read_incidents(f, errors="report").incidents for f in files]
    table = pd.concat(parts, ignore_index=True)
    joined = gi.join_sites(table)  # geocodes every name (then falls back to distance)
    return gi.weekly_counts(joined, by="country", event_types=None)


def dask_pipeline(source):
    """One graph: each file is read, joined (names geocoded) and counted once."""
    from geoincidents import dask as gdask

    joined = gdask.join_sites(gdask.read_incidents(source).incidents)
    return gdask.weekly_counts(joined, by="country", event_types=None)


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker_peak_mb(client) -> list[float]:
    return sorted(client.run(peak_mb).values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--partition", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=2_000_000, help="rows of the in-memory baseline")
    parser.add_argument("--keep", type=Path, help="write the dataset here and keep it")
    args = parser.parse_args(argv)
    import distributed
    import pandas as pd

    folder = args.keep or Path(tempfile.mkdtemp(prefix="gi-dask-"))
    try:
        t0 = time.perf_counter()
        n_files, size = write_dataset(folder, args.rows, args.partition)
        print(f"dataset: {args.rows:,} rows in {n_files} Parquet files ({size:.0f} MB), "
              f"written in {time.perf_counter() - t0:.1f} s")
        files = sorted(folder.glob("*.parquet"))
        slice_files = files[: max(1, args.slice // args.partition)]
        slice_rows = sum(len(pd.read_parquet(f, columns=["incident_id"])) for f in slice_files)

        # The clusters start before the baseline allocates anything, so a worker's peak memory is its own.
        clusters = {}
        for workers in (1, 2):
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, silence_logs=logging.ERROR, memory_limit="8GiB",
            )
            clusters[workers] = (cluster, distributed.Client(cluster, set_as_default=False))

        t0 = time.perf_counter()
        base_weekly = in_memory_pipeline(slice_files)
        base_s = time.perf_counter() - t0
        base_rate = slice_rows / base_s
        print(f"in-memory, one process, {slice_rows:,} rows (read, join, weekly): {base_s:.1f} s, "
              f"{base_rate:,.0f} rows/s, peak {peak_mb():.0f} MB")

        rates = {}
        for workers, (cluster, client) in clusters.items():
            with client.as_current():
                same = dask_pipeline(slice_files).equals(base_weekly)
                t0 = time.perf_counter()
                weekly = dask_pipeline(str(folder))
                seconds = time.perf_counter() - t0
                peaks = worker_peak_mb(client)
            client.close()
            cluster.close()
            total = int(weekly["count"].sum())
            rates[workers] = total / seconds
            print(f"dask, {workers} worker(s), {total:,} rows: {seconds:.1f} s, {rates[workers]:,.0f} rows/s "
                  f"({rates[workers] / base_rate:.2f}x the in-memory rate); worker peak "
                  f"{', '.join(f'{p:.0f}' for p in peaks)} MB with {args.partition:,}-row partitions; "
                  f"weekly table of the slice equals in-memory: {same}")
        print(f"speed-up 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
