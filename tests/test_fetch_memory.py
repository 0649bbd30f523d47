"""Fetching to Arrow streams in batches: peak memory stays under twice the resulting table.

The measurement runs in a fresh process (benchmarks/fetch_speed.py --child) so that nothing
else this test session allocated counts: Python's allocator is traced with tracemalloc and
Arrow's with its memory pool's high-water mark.  The ADBC path is left out here (its driver
allocates outside both); the benchmark measures it by resident memory.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import datajoint_sa as dj

BENCHMARK = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "fetch_speed.py"
ROWS = 150_000


def test_arrow_peak_memory_is_bounded(schema, connection):
    sys.path.insert(0, str(BENCHMARK.parent))
    try:
        from fetch_speed import fill, sample_table
    finally:
        sys.path.remove(str(BENCHMARK.parent))
    table = sample_table(schema)
    fill(table, ROWS)
    url = connection.engine.url.render_as_string(hide_password=False)
    args = [sys.executable, str(BENCHMARK), "--child", url, schema.database, str(ROWS), "0", "1"]
    done = subprocess.run(args, capture_output=True, text=True, check=True, timeout=600)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["rows"] == ROWS
    assert got["traced"] < 2 * got["table"], got
    assert len(table()) == ROWS and isinstance(table, type) and issubclass(table, dj.Manual)
