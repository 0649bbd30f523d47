"""alter() vs the hand-written DDL it stands for, per backend.

A table of 100,000 rows with an index gets a secondary attribute changed from
varchar(20) to varchar(40) and a new nullable attribute, once with ``alter()``
(which plans, then runs alembic operations; on SQLite a table rebuild in batch
mode) and once with the plain statements a DBA would write on that backend (on
SQLite: the same rebuild written by hand, CREATE / INSERT ... SELECT / DROP /
RENAME / CREATE INDEX).  Prints both times and the ratio.

    python benchmarks/alter_speed.py [sqlite] [postgresql] [mysql]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import datajoint_sa as dj
import datajoint_sa.migrate  # noqa: F401 - alembic imported before timing (about 1 s, once per process)

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
ROWS = 100_000
BEFORE = """
sample_id : int32
---
label : varchar(20)
value : float64
index(value)
"""
AFTER = BEFORE.replace("varchar(20)", "varchar(40)").replace("value : float64", "value : float64\nnote = null : varchar(30)")

SQLITE_REBUILD = [
    'CREATE TABLE "{s}.new" (sample_id INTEGER NOT NULL, label VARCHAR(40) NOT NULL, value DOUBLE NOT NULL, '
    "note VARCHAR(30), PRIMARY KEY (sample_id))",
    'INSERT INTO "{s}.new" (sample_id, label, value) SELECT sample_id, label, value FROM "{s}.sample"',
    'DROP TABLE "{s}.sample"',
    'ALTER TABLE "{s}.new" RENAME TO "{s}.sample"',
    'CREATE INDEX "{s}.idx_sample_value" ON "{s}.sample" (value)',
]
SERVER_DDL = {
    "postgresql": ['ALTER TABLE {s}.sample ALTER COLUMN label TYPE varchar(40)',
                   'ALTER TABLE {s}.sample ADD COLUMN note varchar(30)'],
    "mysql": ["ALTER TABLE {s}.sample MODIFY label varchar(40) NOT NULL, ADD COLUMN note varchar(30)"],
}


def fill(schema: dj.Schema) -> type:
    table = type("Sample", (dj.Manual,), {"definition": BEFORE})
    schema(table)
    table.insert({"sample_id": i, "label": f"s{i}", "value": i * 0.5} for i in range(ROWS))
    return table


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run(backend: str, url: str) -> None:
    connection = dj.Connection(url)
    name = f"bench_alter_{os.getpid()}"
    schema = dj.Schema(name, connection=connection)
    try:
        table = fill(schema)
        table.definition = AFTER
        with_alter = timed(lambda: table().alter(prompt=False))
        schema.drop(prompt=False)
        schema = dj.Schema(name, connection=connection)
        fill(schema)
        statements = SQLITE_REBUILD if backend == "sqlite" else SERVER_DDL[backend]
        by_hand = timed(lambda: [connection.query(sql.format(s=name)) for sql in statements]
                        if backend != "sqlite" else _sqlite(connection, statements, name))
        print(f"{backend:<11} alter() {with_alter:7.3f} s   hand-written DDL {by_hand:7.3f} s   ratio {with_alter / by_hand:5.2f}")
    finally:
        schema.drop(prompt=False)


def _sqlite(connection: dj.Connection, statements: list[str], name: str) -> None:
    with connection.schema_change() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql.format(s=name))


def main(backends: list[str]) -> None:
    with dj.config.override(safemode=False), tempfile.TemporaryDirectory() as tmp:
        for backend in backends or list(URLS):
            run(backend, URLS[backend] or f"sqlite:///{tmp}/bench.db")


if __name__ == "__main__":
    main(sys.argv[1:])
