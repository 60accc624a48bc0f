"""Experiment behind the map proposal in docs/benchmarks.md: render popup rows without one ``DataFrame.loc``
per incident. Monkeypatches geoincidents.maps._data.RowTable.ref (no file under geoincidents/ is changed) and
compares incident_map time and output (byte-identical HTML expected).

    python benchmarks/experiments/map_rowtable.py 10000
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import geoincidents  # noqa: E402
from generate import generate  # noqa: E402
from geoincidents.maps import _data  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
joined = geoincidents.join_sites(generate(n))
outlines = geoincidents.country_outlines()


def build() -> tuple[float, str]:
    t0 = time.perf_counter()
    m = geoincidents.incident_map(joined, offline=True, countries=outlines)
    took = time.perf_counter() - t0
    return took, hashlib.sha256(m.get_root().render().encode()).hexdigest()[:16]


original = _data.RowTable.ref


def fast_ref(self, label):
    """Same rows, same order; the frame is turned into plain dicts once instead of one .loc per incident."""
    pos = self._index.get(label)
    if pos is None:
        records = self.__dict__.get("_records")
        if records is None:
            records = self.frame.to_dict("index")
            self.__dict__["_records"] = records
        pos = len(self.rows)
        self.rows.append(_data._row_html(records[label]))
        self._index[label] = pos
    return pos


before = min(build() for _ in range(2))
_data.RowTable.ref = fast_ref
after = min(build() for _ in range(2))
_data.RowTable.ref = original
print(f"n={n:,}: incident_map offline {before[0]:.2f} s -> {after[0]:.2f} s "
      f"({before[0] / after[0]:.1f}x); same HTML: {before[1] == after[1]}")
