"""Query building speed: a DataJoint expression beside the same SELECT written in SQLAlchemy.

The expression joins four tables with restrictions, computes an attribute and aggregates:

    Researcher.aggr((Recording & {"quality": "good"}).proj(..., minutes="duration / 60")
                    * Session * (Subject & {"sex": "M"}), n="count(*)", total="sum(minutes)")

Timed per expression, in microseconds, best of several rounds:
  build      constructing the expression and its ``sa.Select`` (``make_select()``)
  + key      ... plus SQLAlchemy's cache key (what a repeated execute costs before a cache hit)
  + compile  ... plus a full compile for the dialect (what a cache miss costs)
beside the hand-written ``sa.select`` of the same query.  Target: build + key within 2x.
Then the expression is executed twice and the second run must hit SQLAlchemy's compiled cache.

    python benchmarks/query_build.py [sqlite] [postgresql] [mysql] [--count N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.default import CACHE_HIT

import datajoint_sa as dj

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
ROUNDS = 5


def declare(connection: dj.Connection) -> tuple[dj.Schema, dict[str, Any]]:
    schema = dj.Schema(f"bench_query_{os.getpid()}", connection=connection)

    @schema
    class Researcher(dj.Manual):
        definition = """
        researcher_id : int32
        ---
        researcher_name : varchar(100)
        """

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        sex : enum('M', 'F', 'unknown')
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session_date : date
        ---
        -> Researcher
        """

    @schema
    class Recording(dj.Manual):
        definition = """
        -> Session
        recording_id : int16
        ---
        duration : decimal(5,1)
        quality : enum('good', 'fair', 'poor')
        """

    Researcher.insert([(1, "Alice"), (2, "Bob")])
    Subject.insert([(1, "M"), (2, "F")])
    Session.insert([(1, "2024-06-01", 1), (2, "2024-06-02", 2)])
    Recording.insert([(1, "2024-06-01", 1, 300.5, "good"), (2, "2024-06-02", 1, 120.0, "good")])
    tables = {"Researcher": Researcher, "Subject": Subject, "Session": Session, "Recording": Recording}
    tables["sql_tables"] = [c().sql_table for c in (Researcher, Subject, Session, Recording)]
    return schema, tables


def datajoint_select(t: dict[str, Any]) -> sa.Select[Any]:
    good = (t["Recording"] & {"quality": "good"}).proj(..., minutes="duration / 60")
    group = good * t["Session"] * (t["Subject"] & {"sex": "M"})
    return t["Researcher"].aggr(group, n="count(*)", total="sum(minutes)").make_select()


def handwritten_select(t: dict[str, Any]) -> sa.Select[Any]:
    res, sub, ses, rec = t["sql_tables"]
    minutes = (rec.c.duration * sa.literal_column("1.0") / 60).label("minutes")
    group = (sa.select(ses.c.researcher_id, rec.c.recording_id, minutes)
             .select_from(rec.join(ses, sa.and_(rec.c.subject_id == ses.c.subject_id,
                                               rec.c.session_date == ses.c.session_date))
                          .join(sub, ses.c.subject_id == sub.c.subject_id))
             .where(rec.c.quality == "good", sub.c.sex == "M")).subquery()
    return (sa.select(res.c.researcher_id, sa.func.count(group.c.recording_id).label("n"),
                      sa.func.sum(group.c.minutes).label("total"))
            .select_from(res.outerjoin(group, res.c.researcher_id == group.c.researcher_id))
            .group_by(res.c.researcher_id))


def per_call(fns: list[Callable[[], Any]], count: int) -> list[float]:
    """Best microseconds per call of each function; rounds interleave them, so load drifts hit both."""
    best = [float("inf")] * len(fns)
    for _ in range(ROUNDS):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(count):
                fn()
            best[i] = min(best[i], (time.perf_counter() - start) / count)
    return [b * 1e6 for b in best]


STAGES = {
    "build": lambda build, tables, dialect: build(tables),
    "+ key": lambda build, tables, dialect: build(tables)._generate_cache_key(),
    "+ compile": lambda build, tables, dialect: build(tables).compile(dialect=dialect),
}


def run(backend: str, count: int) -> None:
    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema, tables = declare(connection)
    dialect = connection.engine.dialect
    try:
        print(f"{backend}: {count} expressions per round, best of {ROUNDS} (microseconds per expression)")
        ratios = []
        for stage, call in STAGES.items():
            ours, theirs = per_call([lambda call=call: call(datajoint_select, tables, dialect),
                                     lambda call=call: call(handwritten_select, tables, dialect)], count)
            ratios.append(ours / theirs)
            print(f"  {stage:<10} datajoint_sa {ours:8.1f}   hand-written {theirs:8.1f}   ratio {ours / theirs:5.2f}x")
        print(f"  target: build + key within 2x -> {'met' if ratios[1] <= 2 else 'NOT met'}")
        with connection.engine.connect() as conn:
            conn.execute(datajoint_select(tables)).fetchall()
            again = conn.execute(datajoint_select(tables))
            hit = again.context.cache_hit is CACHE_HIT
            rows = again.fetchall()
        print(f"  repeated expression: {'compiled-cache hit' if hit else 'CACHE MISS'}; rows {rows}")
    finally:
        schema.drop(prompt=False)
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # no choices= here: argparse checks a nargs="*" default list against them as one value
    parser.add_argument("backends", nargs="*", default=["sqlite"], help=f"any of {', '.join(sorted(URLS))}")
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    unknown = set(args.backends) - set(URLS)
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(sorted(unknown))}; choose from {', '.join(sorted(URLS))}")
    for backend in args.backends:
        run(backend, args.count)


if __name__ == "__main__":
    main()
