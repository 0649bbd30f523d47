"""Fetch speed: to_dicts / to_pandas / to_arrow beside the raw driver, per backend.

Table: 100,000 rows (int key, int, float, varchar, date).  The methods run in interleaved
rounds in shuffled order (best time kept, so a busy machine slows every method alike) and
print rows/s beside the raw DB-API ``fetchall`` turned into dicts and ``pandas.read_sql`` on the same query and
SQLAlchemy connection.  Targets: to_dicts >= 0.7x raw dicts, to_pandas >= 1.5x read_sql,
to_arrow >= 3x read_sql (SQLite, PostgreSQL).  Where ADBC drivers are installed, the
Arrow and pandas figures are printed with and without them; on SQLite, to_arrow also
without the compiled column reader.

``--memory N`` fetches N rows to Arrow in a fresh process and prints its peak memory beside
the size of the resulting table (target: under 2x): the growth of the process's peak
resident memory, and, without ADBC, the peaks of Python's allocator (tracemalloc) plus
Arrow's memory pool.

    python benchmarks/fetch_speed.py [sqlite] [postgresql] [mysql] [--rows N] [--memory N]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings

import datajoint_sa as dj
from datajoint_sa.fetch import adbc, sqlite_columns

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
ROUNDS = 7
DEFINITION = """
sample_id : int64
---
count : int32
value : float64
label : varchar(32)
day : date
"""


def sample_table(schema: dj.Schema) -> type:
    return schema(type("Sample", (dj.Manual,), {"definition": DEFINITION}))


def fill(table: type, rows: int) -> None:
    base = datetime.date(2020, 1, 1)
    chunk = 50_000
    for start in range(0, rows, chunk):
        table.insert(
            dict(sample_id=i, count=i % 1000, value=i * 0.5, label=f"label-{i % 977}",
                 day=base + datetime.timedelta(days=i % 3650))
            for i in range(start, min(rows, start + chunk)))


def without(fast_path, fn):
    """``fn`` with a fast-path module (adbc, sqlite_columns) switched off."""
    def run():
        fast_path.ENABLED = False
        try:
            return fn()
        finally:
            fast_path.ENABLED = True
    return run


def timings(methods: dict, rounds: int = ROUNDS) -> dict[str, float]:
    """Best seconds of each method over interleaved rounds.

    The order is shuffled every round and garbage is collected before each call: a method
    that runs right after one freeing a large result (read_sql's frame) pays for the
    allocator handing memory back and forth, which would otherwise always hit the same one.
    """
    best = dict.fromkeys(methods, float("inf"))
    order = list(methods)
    shuffle = random.Random(0).shuffle
    for _ in range(rounds):
        shuffle(order)
        for name in order:
            gc.collect()
            start = time.perf_counter()
            methods[name]()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def speed(connection: dj.Connection, query, rows: int, backend: str) -> None:
    import pandas as pd

    sql = str(query.make_sql())

    def raw_dicts():
        raw = connection.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            raw.close()

    def read_sql():
        with connection.engine.connect() as conn:
            return pd.read_sql(sql, conn)

    methods = {"raw fetchall->dicts": raw_dicts, "pandas.read_sql": read_sql, "to_dicts": query.to_dicts,
               "to_pandas": query.to_pandas, "to_arrow": query.to_arrow}
    has_adbc = adbc._module(backend) is not None and backend in adbc._KINDS
    if has_adbc:
        methods["to_pandas (no ADBC)"] = without(adbc, query.to_pandas)
        methods["to_arrow (no ADBC)"] = without(adbc, query.to_arrow)
    has_reader = backend == "sqlite" and sqlite_columns.available()
    if has_reader:
        methods["to_arrow (driver)"] = without(sqlite_columns, query.to_arrow)
    best = timings(methods)
    print(f"\n{backend}: {rows:,} rows, best of {ROUNDS} rounds (interleaved, shuffled)"
          + (" (ADBC driver installed)" if has_adbc else "") + (" (compiled SQLite reader built)" if has_reader else ""))
    for name, seconds in best.items():
        print(f"  {name:22s} {rows / seconds:12,.0f} rows/s")
    raw, read = best["raw fetchall->dicts"], best["pandas.read_sql"]
    print(f"  to_dicts / raw dicts:   {raw / best['to_dicts']:.2f}x (target >= 0.7)")
    for name in [n for n in best if n.startswith(("to_pandas", "to_arrow"))]:
        target = 1.5 if name.startswith("to_pandas") else 3
        print(f"  {name + ' / read_sql:':33s} {read / best[name]:.2f}x (target >= {target})")


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field + ":"))


def _reset_peak_rss() -> int:
    """The current resident size, after resetting the peak to it (Linux: clear_refs 5), so that
    the peak measured next belongs to the fetch, not to start-up."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return _status("VmRSS")


def _peak_rss() -> int:
    return _status("VmHWM")


def measure_memory(url: str, schema_name: str, rows: int, use_adbc: bool, traced: bool) -> dict:
    """Run in a fresh process: fetch ``rows`` rows to Arrow and report peak memory."""
    import tracemalloc

    import pyarrow as pa

    connection = dj.Connection(url)
    table = sample_table(dj.Schema(schema_name, connection=connection))
    query = table & f"sample_id < {rows}"
    adbc.ENABLED = use_adbc
    query.to_arrow(limit=1)  # imports and first-use caches are not part of the fetch
    rss_before = _reset_peak_rss()
    arrow_before = pa.default_memory_pool().max_memory()
    if traced:
        tracemalloc.start()
    arrow = query.to_arrow()
    python_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    peak_rss = _peak_rss()
    return {"rows": arrow.num_rows, "table": arrow.nbytes, "rss_growth": peak_rss - rss_before,
            "traced": python_peak + pa.default_memory_pool().max_memory() - arrow_before}


def memory_in_child(url: str, schema_name: str, rows: int, use_adbc: bool, traced: bool) -> dict:
    here = os.path.abspath(__file__)
    args = [sys.executable, here, "--child", url, schema_name, str(rows), str(int(use_adbc)), str(int(traced))]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def memory(url: str, schema_name: str, rows: int, backend: str) -> None:
    # The traced figure counts Python's allocator and Arrow's pool, not C buffers (SQLite's reader).
    path = "compiled reader" if backend == "sqlite" and sqlite_columns.available() else "driver"
    variants = [(False, True, f"{path}, traced"), (False, False, f"{path}, RSS")]
    if adbc._module(backend) is not None:
        variants.append((True, False, "ADBC, RSS"))
    for use_adbc, traced, label in variants:
        got = memory_in_child(url, schema_name, rows, use_adbc, traced)
        peak = got["traced"] if traced else got["rss_growth"]
        print(f"  to_arrow {got['rows']:,} rows ({label}): table {got['table'] / 2**20:.1f} MiB, "
              f"peak {peak / 2**20:.1f} MiB ({peak / got['table']:.2f}x, target < 2)")


def run(backend: str, rows: int, memory_rows: int) -> None:
    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema = dj.Schema(f"bench_fetch_{os.getpid()}", connection=connection)
    try:
        table = sample_table(schema)
        fill(table, max(rows, memory_rows))
        speed(connection, table & f"sample_id < {rows}", rows, backend)
        if memory_rows:
            if backend == "sqlite":  # a reader of an unmerged WAL maps its index: not the fetch's memory
                raw = connection.engine.raw_connection()  # outside any transaction, as a checkpoint must be
                try:
                    raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    raw.close()
            memory(url, schema.database, memory_rows, backend)
    finally:
        schema.drop(prompt=False)


def main() -> None:
    warnings.simplefilter("ignore")
    if sys.argv[1:2] == ["--child"]:
        url, schema_name, rows, use_adbc, traced = sys.argv[2:7]
        print(json.dumps(measure_memory(url, schema_name, int(rows), use_adbc == "1", traced == "1")))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("backends", nargs="*", default=list(URLS))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory", type=int, default=0)
    args = parser.parse_args()
    for backend in args.backends:
        run(backend, args.rows, args.memory)


if __name__ == "__main__":
    main()
