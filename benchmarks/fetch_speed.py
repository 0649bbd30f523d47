"""Fetch speed: to_dicts / to_pandas / to_arrow beside the raw driver, per backend.

Table: 100,000 rows (int key, int, float, varchar, date).  Each method runs a few times
(best time kept) and prints rows/s beside the raw DB-API ``fetchall`` turned into dicts
and ``pandas.read_sql`` on the same query.  Targets: to_dicts >= 0.7x raw dicts,
to_pandas >= 1.5x read_sql, to_arrow >= 3x read_sql (SQLite, PostgreSQL).

``--memory N`` also fetches N rows to Arrow under tracemalloc and prints the peak
traced memory beside the size of the resulting table (target: under 2x).

    python benchmarks/fetch_speed.py [sqlite] [postgresql] [mysql] [--rows N] [--memory N]
"""

from __future__ import annotations

import argparse
import datetime
import os
import tempfile
import time
import tracemalloc
import warnings

import datajoint_sa as dj

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
ROUNDS = 3


def declare(connection: dj.Connection, rows: int) -> tuple[dj.Schema, type]:
    schema = dj.Schema(f"bench_fetch_{os.getpid()}", connection=connection)

    @schema
    class Sample(dj.Manual):
        definition = """
        sample_id : int64
        ---
        count : int32
        value : float64
        label : varchar(32)
        day : date
        """

    base = datetime.date(2020, 1, 1)
    chunk = 20_000
    for start in range(0, rows, chunk):
        Sample.insert(
            dict(sample_id=i, count=i % 1000, value=i * 0.5, label=f"label-{i % 977}",
                 day=base + datetime.timedelta(days=i % 3650))
            for i in range(start, min(rows, start + chunk)))
    return schema, Sample


def best(fn, rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(backend: str, rows: int, memory: int) -> None:
    import pandas as pd

    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema, Sample = declare(connection, max(rows, memory))
    try:
        table = Sample()
        query = table & f"sample_id < {rows}"
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

        results = {
            "raw fetchall->dicts": best(raw_dicts),
            "pandas.read_sql": best(read_sql),
            "to_dicts": best(query.to_dicts),
            "to_pandas": best(query.to_pandas),
            "to_arrow": best(query.to_arrow),
        }
        print(f"\n{backend}: {rows:,} rows")
        for name, seconds in results.items():
            print(f"  {name:22s} {rows / seconds:12,.0f} rows/s")
        print(f"  to_dicts / raw dicts:   {results['raw fetchall->dicts'] / results['to_dicts']:.2f}x (target >= 0.7)")
        print(f"  to_pandas / read_sql:   {results['pandas.read_sql'] / results['to_pandas']:.2f}x (target >= 1.5)")
        print(f"  to_arrow / read_sql:    {results['pandas.read_sql'] / results['to_arrow']:.2f}x (target >= 3)")
        if memory:
            big = table & f"sample_id < {memory}"
            tracemalloc.start()
            arrow = big.to_arrow()
            _, traced = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            # tracemalloc sees only Python's allocator; Arrow buffers come from Arrow's pool.
            import pyarrow as pa

            peak = traced + pa.default_memory_pool().max_memory()
            print(f"  to_arrow {memory:,} rows: table {arrow.nbytes / 2**20:.1f} MiB, "
                  f"peak (Python + Arrow pool) {peak / 2**20:.1f} MiB ({peak / arrow.nbytes:.2f}x, target < 2)")
    finally:
        schema.drop(prompt=False)


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("backends", nargs="*", default=list(URLS))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory", type=int, default=0)
    args = parser.parse_args()
    for backend in args.backends:
        run(backend, args.rows, args.memory)


if __name__ == "__main__":
    main()
