"""Time the dependency graph load and the diagram of a pipeline of many tables.

The graph is read in a few catalog queries for the whole database; the baseline,
measured in the same run, reflects each table's keys with SQLAlchemy's inspector
(one round of queries per table).  Then the view, Mermaid and SVG of the pipeline.

Usage: DJ_DATABASE_URL=<url> .venv/bin/python benchmarks/diagram_speed.py [tables]
(without DJ_DATABASE_URL: an SQLite file in a temporary directory)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa

import datajoint_sa as dj


def best_seconds(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def declare(connection: dj.Connection, n_tables: int, schemas: list[dj.Schema]) -> None:
    """Three schemas; each table refers to the one before it and, every third, to one further back."""
    prefix = f"bench_diagram_{uuid.uuid4().hex[:6]}"
    schemas += [dj.Schema(f"{prefix}_{i}", connection=connection) for i in range(3)]
    classes: dict[str, type] = {}
    for i in range(n_tables):
        lines = [f"k{i}: int32", "---"]
        if i:
            lines.append(f"-> T{i - 1}")
        if i >= 3 and i % 3 == 0:
            lines.append(f"-> [nullable] T{i - 3}.proj(back{i}='k{i - 3}')")
        cls = type(f"T{i}", (dj.Manual,), {"definition": "\n".join(lines), "__module__": __name__})
        classes[f"T{i}"] = schemas[i * 3 // n_tables](cls, context=classes)


def main() -> None:
    n_tables = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    directory = tempfile.mkdtemp()
    url = os.environ.get("DJ_DATABASE_URL") or f"sqlite:///{directory}/bench.db"
    connection = dj.Connection(url)
    schemas: list[dj.Schema] = []
    try:
        declare(connection, n_tables, schemas)
        def catalog() -> None:
            connection.invalidate_dependencies()
            assert connection.dependencies is not None

        def per_table() -> None:
            with connection.engine.connect() as conn:
                inspector = sa.inspect(conn)
                for schema in schemas:
                    for table in schema.list_tables():
                        sql_schema, name = connection.rules.sql_table(schema.database, table)
                        inspector.get_pk_constraint(name, schema=sql_schema)
                        inspector.get_foreign_keys(name, schema=sql_schema)

        t_catalog, t_reflect = best_seconds(catalog), best_seconds(per_table)
        print(f"{connection.dialect_name}, {n_tables} tables in 3 schemas")
        print(f"graph from the catalog      {t_catalog * 1e3:8.1f} ms")
        print(f"per-table reflection (base) {t_reflect * 1e3:8.1f} ms   ratio {t_reflect / t_catalog:5.1f}x")
        diagram = dj.Diagram.from_sequence(schemas)
        print(f"view model                  {best_seconds(diagram.view) * 1e3:8.1f} ms")
        print(f"make_mermaid                {best_seconds(diagram.make_mermaid) * 1e3:8.1f} ms")
        if shutil.which("dot"):
            print(f"make_svg (runs dot)         {best_seconds(diagram.make_svg, 1) * 1e3:8.1f} ms")
    finally:
        for schema in reversed(schemas):  # dependents first: MySQL refuses to drop a referenced schema
            schema.drop(prompt=False)
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
