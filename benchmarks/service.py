"""Benchmark of the HTTP service (``geoincidents serve``) against the in-process calls it wraps.

1. Single-name ``GET /search`` on loopback: the service runs in its own process (``geoincidents serve --port
   0``), this process is the client (raw HTTP/1.1 keep-alive connections on asyncio, so the client is not the
   bottleneck). Throughput and p50/p99 latency, against the in-process ``geocode()`` call per name as the
   baseline. Two name mixes: a few thousand distinct names (as a real feed repeats them; the service's answer
   cache holds them) and more distinct names than the cache holds (every name matched anew).
   Targets: >= 2,000 requests/s with p99 < 20 ms.
2. A 100,000-name batch through ``POST /geocode`` (JSON in, JSON out; wall time at the client until the whole
   answer is read, and until it is also parsed) against ``geocode_all`` in process on the same names, for both
   answer layouts (``records``: one object per row; ``indexed``: each distinct answer once plus a row index).
   Target: within 1.5x.

    python benchmarks/service.py              # both, full size
    python benchmarks/service.py --quick      # 20,000 requests, 20,000-name batch
    python benchmarks/service.py --json out.json

``bench_service(n)`` returns the rows in the format of ``benchmarks/run.py`` (for its ``BENCHES`` table).
Nothing is asserted: a miss prints MISS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CONCURRENCY = 16
TARGET_RPS = 2_000
TARGET_P99_MS = 20.0
TARGET_BATCH_RATIO = 1.5


# -- the service in its own process --------------------------------------------------------------------------
class ServiceProcess:
    """``geoincidents serve --port 0`` in a subprocess; ``.port`` once it listens."""

    def __init__(self, *extra: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "geoincidents.cli", "serve", "--port", "0", *extra],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
        if not found:
            self.proc.kill()
            raise RuntimeError(f"the service did not start: {line}{self.proc.stderr.read()}")
        self.port = int(found.group(1))

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
        return float("nan")

    def stop(self) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout=30)


# -- a lean keep-alive HTTP/1.1 client ---------------------------------------------------------------------
async def _connection(port: int, paths: list[str], start: int, count: int, latencies: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    failures = 0
    host = f"127.0.0.1:{port}"
    clock = time.perf_counter
    for i in range(start, start + count):
        path = paths[i % len(paths)]
        t0 = clock()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        latencies.append(clock() - t0)
        if head[9:12] != b"200":
            failures += 1
    writer.close()
    return failures


async def _load(port: int, paths: list[str], total: int, concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    share = total // concurrency
    t0 = time.perf_counter()
    failures = await asyncio.gather(
        *(_connection(port, paths, k * share, share, latencies) for k in range(concurrency))
    )
    return time.perf_counter() - t0, latencies, sum(failures)


def load(port: int, paths: list[str], total: int, concurrency: int = CONCURRENCY) -> dict:
    """Send ``total`` GETs over ``concurrency`` keep-alive connections; throughput, p50/p99 and failures."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover - uvloop is in the serve extra on Linux
        runner = asyncio.run
    wall, latencies, failures = runner(_load(port, paths, total, concurrency))
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "failures": failures,
    }


def _names(n_distinct: int) -> list[str]:
    from generate import generate

    names = generate(max(10 * n_distinct, 10_000))["location"].dropna().drop_duplicates()
    return names.head(n_distinct).tolist()


# -- 1. /search ----------------------------------------------------------------------------------------------
def bench_search(total: int) -> list[dict]:
    import geoincidents

    rows = []
    geoincidents.geocode("Erbil")  # index built, untimed
    for label, n_distinct in (("repeated names", 2_000), ("distinct names", 20_000)):
        names = _names(n_distinct)
        t0 = time.perf_counter()
        for name in names:
            geoincidents.geocode(name)
        per_call = (time.perf_counter() - t0) / len(names)
        paths = [f"/search?q={urllib.parse.quote(name)}&format=jsonv2" for name in names]
        service = ServiceProcess()
        try:
            load(service.port, paths[:200], 2_000)  # warm-up: connections, caches, the allocator
            rss_before = service.rss_mb()
            result = load(service.port, paths, total)
            rss_after = service.rss_mb()
        finally:
            code = service.stop()
        ok = result["rps"] >= TARGET_RPS and result["p99_ms"] < TARGET_P99_MS and result["failures"] == 0
        rows.append(
            dict(
                bench=6,
                figure=f"GET /search, {label} ({len(names):,} distinct), {CONCURRENCY} connections",
                value=result["rps"],
                unit="req/s",
                baseline="geocode() in process",
                baseline_value=1.0 / per_call,
                ratio=1.0 / (result["rps"] * per_call),
                target=f">= {TARGET_RPS:,} req/s, p99 < {TARGET_P99_MS:g} ms",
                ok=ok,
                notes=[
                    f"/search {label}: {result['requests']:,} requests, {result['failures']} failed, "
                    f"p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms; service RSS "
                    f"{rss_before:.0f} -> {rss_after:.0f} MB; exit code after SIGTERM {code}",
                    f"/search {label}: the service's throughput is {result['rps'] * per_call:.2f}x "
                    f"the in-process geocode() calls ({1000 * per_call:.3f} ms each)",
                ],
            )
        )
    return rows


# -- 2. POST /geocode ----------------------------------------------------------------------------------------
def bench_batch(n: int) -> list[dict]:
    import httpx
    from generate import generate

    import geoincidents

    names = generate(n)["location"].tolist()
    geoincidents.geocode("Erbil")
    t_local = min(_timed(lambda: geoincidents.geocode_all(names)) for _ in range(3))
    expected = [s if isinstance(s, str) else None for s in geoincidents.geocode_all(names)["site_id"]]
    body = json.dumps(names, ensure_ascii=False).encode("utf-8")
    service = ServiceProcess()
    timings, sizes, same = {}, {}, {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{service.port}", timeout=600) as client:
            for layout in ("records", "indexed"):

                def post(layout=layout):
                    response = client.post(
                        f"/geocode?layout={layout}",
                        content=body,
                        headers={"content-type": "application/json"},
                    )
                    response.raise_for_status()
                    return response.content

                post()  # warm-up
                timings[layout] = min(_timed(post) for _ in range(3))
                answer = json.loads(post())
                timings[layout + "+parse"] = min(_timed(lambda: json.loads(post())) for _ in range(2))
                sizes[layout] = len(post())
                if layout == "records":
                    got = [r["site_id"] for r in answer["results"]]
                else:
                    at = answer["columns"].index("site_id")
                    got = [None if i is None else answer["distinct"][i][at] for i in answer["index"]]
                same[layout] = got == expected
    finally:
        service.stop()
    rows = []
    for key, label in (
        ("records", "records, until the answer is read"),
        ("records+parse", "records, read and parsed (json.loads)"),
        ("indexed+parse", "layout=indexed, read and parsed"),
    ):
        layout = key.split("+")[0]
        ratio = timings[key] / t_local
        rows.append(
            dict(
                bench=6,
                figure=f"POST /geocode, {n:,} names, {label}",
                value=timings[key],
                unit="s",
                baseline="geocode_all in process",
                baseline_value=t_local,
                ratio=ratio,
                target=f"within {TARGET_BATCH_RATIO}x" if key != "records+parse" else None,
                ok=(ratio <= TARGET_BATCH_RATIO and same[layout]) if key != "records+parse" else None,
                notes=[
                    f"POST /geocode {key}: request {len(body) / 1e6:.1f} MB, "
                    f"answer {sizes[layout] / 1e6:.1f} "
                    f"MB; site ids equal geocode_all's: {same[layout]}; {ratio:.2f}x the in-process time"
                ],
            )
        )
    return rows


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_service(n: int) -> list[dict]:
    """Both benchmarks, ``n`` requests and an ``n``-name batch (hook for ``benchmarks/run.py``)."""
    return bench_search(n) + bench_batch(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark of geoincidents serve")
    parser.add_argument("--quick", action="store_true", help="20,000 requests and names instead of 100,000")
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 100_000
    print(f"geoincidents serve benchmark: {os.cpu_count()} cores, n={n:,}, {time.strftime('%Y-%m-%d')}")
    rows = bench_service(n)
    for r in rows:
        status = "" if r["ok"] is None else ("PASS" if r["ok"] else "MISS")
        print(
            f"{r['figure']}: {r['value']:.3g} {r['unit']} vs {r['baseline']} {r['baseline_value']:.3g} "
            f"{r['unit']} (ratio {r['ratio']:.2f}x; target {r['target'] or '-'}) {status}"
        )
        for note in r["notes"]:
            print(f"  {note}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
