"""populate() of 2,000 keys with a trivial make, beside a hand-written raw-driver loop.

For each backend: keys/s of ``populate()``, of ``populate(reserve_jobs=True)``, and of
a hand-written loop through the raw DB-API connection (select the missing keys,
then per key: compute, insert, commit).  Targets: >= 0.5x the loop without
reserve_jobs, >= 0.3x with it.  The three run in interleaved rounds (BENCH_ROUNDS,
default 3) and the best time of each counts, since a shared machine's load varies.

    python benchmarks/populate_speed.py [sqlite] [postgresql] [mysql]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import datajoint_sa as dj

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
KEYS = 2000


def declare(connection: dj.Connection) -> tuple[dj.Schema, type, type]:
    schema = dj.Schema(f"bench_populate_{os.getpid()}", connection=connection)

    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int32
        ---
        value : float64
        """

    @schema
    class Result(dj.Computed):
        definition = """
        -> Source
        ---
        doubled : float64
        """

        def make(self, key):
            self.insert1(dict(key, doubled=key["source_id"] * 2.0))

    return schema, Source, Result


def hand_written(connection: dj.Connection, source: type, result: type) -> None:
    raw = connection.engine.raw_connection()
    marker = "?" if connection.dialect_name == "sqlite" else "%s"
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT source_id FROM {source.full_table_name} WHERE source_id NOT IN "
                       f"(SELECT source_id FROM {result.full_table_name})")
        keys = [row[0] for row in cursor.fetchall()]
        raw.commit()
        for key in keys:
            if connection.dialect_name == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f"INSERT INTO {result.full_table_name} (source_id, doubled) VALUES ({marker}, {marker})",
                           (key, key * 2.0))
            raw.commit()
    finally:
        raw.close()


def timed(connection: dj.Connection, action) -> float:
    if connection.dialect_name == "sqlite":  # every run starts from an empty write-ahead log
        raw = connection.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(backend: str, rounds: int) -> None:
    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema, source, result = declare(connection)
    best = {"raw": float("inf"), "plain": float("inf"), "jobs": float("inf")}
    actions = {"raw": lambda: hand_written(connection, source, result),
               "plain": lambda: result.populate(),
               "jobs": lambda: result.populate(reserve_jobs=True)}
    try:
        source.insert([(k, float(k)) for k in range(KEYS)])
        for _ in range(rounds):  # interleaved rounds, best of each: the machine's load varies over time
            for name, action in actions.items():
                result().delete_quick()
                best[name] = min(best[name], timed(connection, action))
                assert len(result()) == KEYS, name
        raw = best["raw"]
        print(f"{backend:11s} hand-written {KEYS / raw:6.0f} keys/s   populate {KEYS / best['plain']:6.0f} keys/s "
              f"({raw / best['plain']:4.2f}x, target >= 0.5x)   reserve_jobs {KEYS / best['jobs']:6.0f} keys/s "
              f"({raw / best['jobs']:4.2f}x, target >= 0.3x)", flush=True)
    finally:
        schema.drop(prompt=False)
        connection.close()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    with dj.config.override(safemode=False, loglevel="WARNING"):
        for name in arguments or list(URLS):
            run(name, rounds)
