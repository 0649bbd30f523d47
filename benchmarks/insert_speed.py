"""Insert speed: ``Table.insert`` beside the raw driver's executemany (and COPY on PostgreSQL).

Table: N rows (default 100,000) of (int64 key, int32, float64, varchar(32), date).
datajoint_sa inserts them as a list of dicts, a list of tuples and a pandas DataFrame;
the raw driver inserts the same Python tuples into an equivalent table with
``cursor.executemany`` in one transaction (sqlite3, psycopg, pymysql), and on
PostgreSQL also with psycopg ``COPY ... FROM STDIN`` (``write_row``).  Each method
runs ``--rounds`` times into an emptied table, the methods taking turns within each
round (the machine's load falls on all alike); the median time is reported.

Targets: every datajoint_sa input shape >= 0.8x raw executemany on every backend,
and >= 0.5x COPY on PostgreSQL.  This script prints numbers; it asserts nothing.

The dates repeat (3,650 distinct days), as dates in a pipeline do; ``--distinct-dates``
gives every row its own date, the worst case for the SQLite date formatting.

    python benchmarks/insert_speed.py [sqlite] [postgresql] [mysql] [--rows N] [--rounds R] [--distinct-dates]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import datajoint_sa as dj

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
DEFINITION = """
sample_id : int64
---
count : int32
value : float64
label : varchar(32)
day : date
"""
COLUMNS = ("sample_id", "count", "value", "label", "day")


def make_rows(n: int, distinct_dates: bool = False) -> list[tuple[Any, ...]]:
    base = datetime.date(2020, 1, 1)
    period = n if distinct_dates else 3650
    return [(i, i % 1000, i * 0.5, f"label-{i % 977}", base + datetime.timedelta(days=i % period)) for i in range(n)]


def median_times(methods: dict[str, tuple[Callable[[], Any], Callable[[], Any]]], rounds: int) -> dict[str, float]:
    """Median seconds per method; the methods take turns within each round, so load from
    other processes falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in methods}
    for _ in range(rounds):
        for name, (fn, reset) in methods.items():
            reset()
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            reset()
    return {name: statistics.median(values) for name, values in times.items()}


class Raw:
    """The raw DB-API side: a driver connection and the SQL text for the equivalent table."""

    def __init__(self, connection: dj.Connection, table: Any) -> None:
        self.backend = connection.dialect_name
        self.pooled = connection.engine.raw_connection()
        self.dbapi = self.pooled.driver_connection
        self.name = table.full_table_name
        marker = "?" if self.backend == "sqlite" else "%s"
        self.insert_sql = f"INSERT INTO {self.name} ({', '.join(COLUMNS)}) VALUES ({', '.join([marker] * len(COLUMNS))})"

    def _run(self, work: Callable[[Any], Any]) -> None:
        cursor = self.dbapi.cursor()
        if self.backend == "sqlite":  # the pooled sqlite3 connection is in autocommit mode (isolation_level None)
            cursor.execute("BEGIN")
        work(cursor)
        if self.backend == "sqlite":
            cursor.execute("COMMIT")
        else:
            self.dbapi.commit()
        cursor.close()

    def executemany(self, rows: list[tuple[Any, ...]]) -> None:
        self._run(lambda cursor: cursor.executemany(self.insert_sql, rows))

    def copy(self, rows: list[tuple[Any, ...]]) -> None:
        def work(cursor: Any) -> None:
            with cursor.copy(f"COPY {self.name} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

        self._run(work)

    def empty(self) -> None:
        statement = f"DELETE FROM {self.name}" if self.backend == "sqlite" else f"TRUNCATE TABLE {self.name}"
        self._run(lambda cursor: cursor.execute(statement))

    def close(self) -> None:
        self.pooled.close()


def insert_without_copy(table: Any, rows: Any) -> None:
    from datajoint_sa import insert as insert_module

    saved, insert_module.COPY_THRESHOLD = insert_module.COPY_THRESHOLD, None
    try:
        table.insert(rows)
    finally:
        insert_module.COPY_THRESHOLD = saved


def run(backend: str, n: int, rounds: int, distinct_dates: bool = False) -> dict[str, float]:
    import pandas as pd

    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema = dj.Schema(f"bench_insert_{os.getpid()}", connection=connection)

    @schema
    class Sample(dj.Manual):
        definition = DEFINITION

    @schema
    class RawSample(dj.Manual):
        definition = DEFINITION

    rows = make_rows(n, distinct_dates)
    dicts = [dict(zip(COLUMNS, r)) for r in rows]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    table = Sample()
    raw = Raw(connection, RawSample())
    try:
        dj_raw = Raw(connection, table)
        methods = {"raw executemany": (lambda: raw.executemany(rows), raw.empty)}
        if backend == "postgresql":
            methods["raw COPY"] = (lambda: raw.copy(rows), raw.empty)
        methods["dj insert(dicts)"] = (lambda: table.insert(dicts), dj_raw.empty)
        methods["dj insert(tuples)"] = (lambda: table.insert(rows), dj_raw.empty)
        methods["dj insert(DataFrame)"] = (lambda: table.insert(frame), dj_raw.empty)
        if backend == "postgresql":  # the INSERT path, COPY turned off
            methods["dj insert(tuples), no COPY"] = (lambda: insert_without_copy(table, rows), dj_raw.empty)
        results = median_times(methods, rounds)
        dj_raw.close()
    finally:
        raw.close()
        schema.drop(prompt=False)
        connection.close()
    print(f"\n{backend}: {n:,} rows, median of {rounds}")
    for name, seconds in results.items():
        line = f"  {name:28s} {n / seconds:12,.0f} rows/s"
        if name.startswith("dj"):
            line += f"   {results['raw executemany'] / seconds:5.2f}x executemany"
            if "raw COPY" in results:
                line += f"   {results['raw COPY'] / seconds:5.2f}x COPY"
        print(line)
    return results


def main() -> None:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("backends", nargs="*", default=list(URLS))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--distinct-dates", action="store_true",
                        help="a different date in every row (default: 3,650 dates repeating)")
    args = parser.parse_args()
    for backend in args.backends:
        try:
            run(backend, args.rows, args.rounds, args.distinct_dates)
        except Exception as err:  # an unreachable server: report and go on
            if backend == "sqlite" or "connect" not in str(err).lower():
                raise
            print(f"\n{backend}: not reachable ({str(err).splitlines()[0]})")


if __name__ == "__main__":
    main()
