"""Opening an existing schema as a virtual module vs declaring its classes again, per backend.

A schema of 30 tables (10 chains of Manual -> Computed -> Part) exists; the
baseline declares the same classes on it again (each a no-op CREATE after a
has_table check), the measured step builds ``dj.VirtualModule`` from reflection.
Prints both times and the ratio (median of several rounds, interleaved).

    python benchmarks/virtual_open.py [sqlite] [postgresql] [mysql]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid

import datajoint_sa as dj

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
CHAINS = 10
ROUNDS = 5


def declare(schema: dj.Schema) -> None:
    for i in range(CHAINS):
        source = type(f"Source{i}", (dj.Manual,), {"definition": f"source{i} : int32\n---\nlabel : varchar(20)"})
        schema(source, context={})
        part = type("Item", (dj.Part,), {"definition": "-> master\nitem : int16\n---\nvalue : float64"})
        result = type(f"Result{i}", (dj.Computed,), {
            "definition": f"-> Source{i}\n---\ntotal : float64  # sum", "Item": part,
            "make": lambda self, key: None})
        schema(result, context={f"Source{i}": source})


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def run(backend: str, tmp: str) -> None:
    url = URLS[backend] or f"sqlite:///{tmp}/bench.db"
    connection = dj.Connection(url)
    name = f"bench_virtual_{uuid.uuid4().hex[:6]}"
    declare(dj.Schema(name, connection=connection))
    try:
        redeclare, virtual = [], []
        for _ in range(ROUNDS):
            redeclare.append(timed(lambda: declare(dj.Schema(name, connection=connection))))
            virtual.append(timed(lambda: dj.VirtualModule("bench", name, connection=connection)))
        base, measured = statistics.median(redeclare), statistics.median(virtual)
        print(f"{backend:<11} declare again {base * 1000:8.1f} ms   VirtualModule {measured * 1000:8.1f} ms   "
              f"ratio {measured / base:5.2f}")
    finally:
        dj.Schema(name, connection=connection).drop(prompt=False)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for backend in sys.argv[1:] or ["sqlite", "postgresql", "mysql"]:
            run(backend, tmp)
