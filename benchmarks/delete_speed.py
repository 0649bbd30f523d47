"""Cascading delete vs hand-written child-first DELETEs, per backend.

Pipeline: 1,000 subjects x 10 sessions x 10 recordings.  Each round deletes 100
subjects (with their 1,000 sessions and 10,000 recordings), once with
``(Subject & cond).delete()`` and once with three hand-written DELETE statements
in one transaction through the raw DB-API connection, re-inserting the rows in
between, alternating the two methods.  Prints the best time of each and the median
of the per-round ratios (target: at most 1.5x).

Tables are analyzed after filling, as autovacuum (PostgreSQL) or InnoDB's
persistent statistics would have them in a living database: without statistics
a planner misjudges how many rows a key list selects, for either method.

    python benchmarks/delete_speed.py [sqlite] [postgresql] [mysql]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

import datajoint_sa as dj

URLS = {
    "sqlite": None,
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
SUBJECTS, SESSIONS, RECORDINGS, DELETED, ROUNDS = 1000, 10, 10, 100, 9


def declare(connection: dj.Connection) -> tuple[dj.Schema, type, type, type]:
    schema = dj.Schema(f"bench_delete_{os.getpid()}", connection=connection)

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        species : varchar(20)
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        """

    @schema
    class Recording(dj.Manual):
        definition = """
        -> Session
        recording : int16
        ---
        duration : float64
        """

    return schema, Subject, Session, Recording


def fill(subject: type, session: type, recording: type, ids: range) -> None:
    subject.insert([(s, "mouse") for s in ids])
    session.insert([(s, k) for s in ids for k in range(SESSIONS)])
    recording.insert([(s, k, r, 1.5) for s in ids for k in range(SESSIONS) for r in range(RECORDINGS)])


def analyze(connection: dj.Connection, tables: list[type]) -> None:
    raw = connection.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in tables:
            statement = {"postgresql": "ANALYZE", "mysql": "ANALYZE TABLE", "sqlite": "ANALYZE"}[connection.dialect_name]
            cursor.execute(f"{statement} {table.full_table_name}")
            if connection.dialect_name == "mysql":
                cursor.fetchall()
        raw.commit()
    finally:
        raw.close()


def hand_written(connection: dj.Connection, tables: list[type], ids: range) -> None:
    raw = connection.engine.raw_connection()
    try:
        cursor = raw.cursor()
        marker = "?" if connection.dialect_name == "sqlite" else "%s"
        if connection.dialect_name == "sqlite":
            cursor.execute("BEGIN")
        for table in tables:  # children first
            cursor.execute(f"DELETE FROM {table.full_table_name} WHERE subject_id >= {marker} AND subject_id < {marker}",
                           (ids.start, ids.stop))
        raw.commit()
    finally:
        raw.close()


def run(backend: str) -> None:
    url = URLS[backend] or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    connection = dj.Connection(url)
    schema, subject, session, recording = declare(connection)
    try:
        fill(subject, session, recording, range(SUBJECTS))
        analyze(connection, [subject, session, recording])
        ids = range(0, DELETED)
        ours, theirs = [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            (subject & f"subject_id < {DELETED}").delete(prompt=False)
            ours.append(time.perf_counter() - start)
            assert len(recording & f"subject_id < {DELETED}") == 0
            fill(subject, session, recording, ids)
            start = time.perf_counter()
            hand_written(connection, [recording, session, subject], ids)
            theirs.append(time.perf_counter() - start)
            assert len(subject & f"subject_id < {DELETED}") == 0
            fill(subject, session, recording, ids)
        # On a shared machine the load changes from second to second: each round's two runs, taken
        # back to back, share it, so the median of the per-round ratios is the steadiest figure;
        # the ratio of the best times is printed beside it.
        paired = statistics.median(m / r for m, r in zip(ours, theirs))
        mine, raw = min(ours), min(theirs)
        print(f"{backend:11s} cascade delete {mine * 1000:8.1f} ms   hand-written {raw * 1000:8.1f} ms (best of {ROUNDS})   "
              f"ratio {paired:4.2f}x (median per round; best times {mine / raw:4.2f}x; target <= 1.5x)")
    finally:
        schema.drop(prompt=False)
        connection.close()


if __name__ == "__main__":
    with dj.config.override(safemode=False, loglevel="WARNING"):
        for name in sys.argv[1:] or list(URLS):
            run(name)
