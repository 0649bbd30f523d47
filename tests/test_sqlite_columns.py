"""The compiled SQLite column reader: same tables as the driver path, safe around transactions,
threads, forks and other processes, and never a second SQLite library."""

from __future__ import annotations

import datetime
import multiprocessing
import os
import subprocess
import sys
import threading
import types

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import datajoint_sa as dj
from datajoint_sa.fetch import sqlite_columns

from conftest import open_connection, unique_schema_name

DEFINITION = """
sid : int32
---
n = null : int16
big = null : int64
x = null : float32
y = null : float64
ok = null : bool
name = null : varchar(24)
kind = null : enum('a', 'b')
day = null : date
stamp = null : datetime(6)
raw = null : bytes
"""


@pytest.fixture
def sqlite_schema(_sqlite_dir):
    """A fresh schema in the SQLite test database, whatever backends the run is for."""
    created = dj.Schema(unique_schema_name("djcolumns"), connection=open_connection("sqlite", _sqlite_dir))
    yield created
    created.drop(prompt=False)


@pytest.fixture
def sample(sqlite_schema):
    return sqlite_schema(type("Sample", (dj.Manual,), {"definition": DEFINITION}))


@pytest.fixture
def reader_calls(monkeypatch):
    """The statements the compiled reader ran; skips where it was not built."""
    if not sqlite_columns.available():
        if os.environ.get("CI") == "true":
            pytest.fail("CI builds the compiled SQLite reader: it is missing or links another SQLite")
        pytest.skip("the compiled SQLite reader was not built here (no C compiler or sqlite3.h)")
    calls = []
    real = sqlite_columns._read

    def spy(database, sql, *args):
        calls.append(sql)
        return real(database, sql, *args)

    monkeypatch.setattr(sqlite_columns, "_read", spy)
    return calls


def _driver_table(query, monkeypatch, **options):
    monkeypatch.setattr(sqlite_columns, "ENABLED", False)
    try:
        return query.to_arrow(**options)
    finally:
        monkeypatch.setattr(sqlite_columns, "ENABLED", True)


def test_only_for_sqlite(schema, backend):
    """The reader applies to SQLite databases only (and there only where it was built)."""
    table = schema(type("Sample", (dj.Manual,), {"definition": DEFINITION}))
    applies = sqlite_columns.column_batches(table(), ["sid"], {}) is not None
    assert applies == (backend == "sqlite" and sqlite_columns.available())


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
rows = st.lists(st.fixed_dictionaries({
    "n": st.none() | st.integers(-2**15, 2**15 - 1),
    "big": st.none() | st.integers(-2**63, 2**63 - 1),
    "x": st.none() | st.floats(allow_nan=False, width=32),
    "y": st.none() | st.floats(allow_nan=False),
    "ok": st.none() | st.booleans(),
    "name": st.none() | text,
    "kind": st.none() | st.sampled_from(["a", "b"]),
    "day": st.none() | st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)),
    "stamp": st.none() | st.datetimes(datetime.datetime(1900, 1, 1), datetime.datetime(2200, 1, 1)),
    "raw": st.none() | st.binary(max_size=20),
}), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_same_table_as_the_driver_path(sample, reader_calls, monkeypatch, rows):
    sample.delete_quick()
    sample.insert([dict(r, sid=i) for i, r in enumerate(rows)])
    reader_calls.clear()
    fast = sample.to_arrow(order_by="KEY")
    assert len(reader_calls) == 1
    assert fast.equals(_driver_table(sample(), monkeypatch, order_by="KEY"))
    assert fast.column("raw").to_pylist() == [r["raw"] for r in rows]


def test_batches_paging_and_restrictions(sample, reader_calls, monkeypatch):
    sample.insert([dict(sid=i, name=f"n{i % 7}", day=datetime.date(2024, 1, 1 + i % 28), y=i / 3) for i in range(100)])
    monkeypatch.setattr(sqlite_columns, "BATCH_ROWS", 9)
    query = sample & "sid >= 10" & {"name": "n3"}
    options = dict(order_by="y DESC", limit=5, offset=2)
    table = query.to_arrow(**options)
    assert reader_calls and table.column("sid").to_pylist() == [80, 73, 66, 59, 52]
    assert table.equals(_driver_table(query, monkeypatch, **options))
    everything = sample.to_arrow(order_by="KEY")
    assert everything.num_rows == 100 and everything.column("sid").num_chunks == 12
    assert everything.column("sid").to_pylist() == list(range(100))


def test_pandas_and_polars_take_the_same_path(sample, reader_calls):
    sample.insert1(dict(sid=1, n=3, ok=True, day=datetime.date(2024, 5, 6)))
    sample.insert1(dict(sid=2))
    frame = sample.proj("n", "ok", "day").to_pandas()  # bytes would make it a frame of Python values
    assert str(frame["n"].dtype) == "Int16" and str(frame["ok"].dtype) == "boolean"
    assert frame["ok"].isna().tolist() == [False, True] and frame.loc[1, "day"] == datetime.date(2024, 5, 6)
    polars_frame = sample.to_polars()
    assert polars_frame["n"].to_list() == [3, None] and str(polars_frame["n"].dtype) == "Int16"
    assert len(reader_calls) == 2


def test_odd_storage_classes_fall_back_to_the_driver(sample, reader_calls, monkeypatch):
    """SQLite lets any column hold any value; the reader hands such rows to the driver path."""
    sample.insert1(dict(sid=1, n=5, name="fine"))
    with sample.connection.transaction:
        sample.connection.query(f"UPDATE {sample.full_table_name} SET n = 'not a number' WHERE sid = 1")
    table = sample.to_arrow()
    assert reader_calls  # tried, then fell back
    assert table.equals(_driver_table(sample(), monkeypatch))
    assert table.column("n").to_pylist() == ["not a number"]


def test_inside_a_transaction_the_driver_reads_uncommitted_rows(sample, reader_calls):
    with sample.connection.transaction:
        sample.insert1(dict(sid=1, name="uncommitted"))
        assert sample.to_arrow().column("name").to_pylist() == ["uncommitted"]
    assert reader_calls == []
    assert sample.to_arrow().column("name").to_pylist() == ["uncommitted"]
    assert len(reader_calls) == 1


def test_sees_what_other_processes_commit_and_change(sample, reader_calls):
    sample.insert1(dict(sid=1))
    assert sample.to_arrow().num_rows == 1  # the reader's connection is open from here on
    path, table = sample.connection.engine.url.database, sample.full_table_name
    script = (f"import sqlite3; c = sqlite3.connect({path!r}); c.execute('INSERT INTO {table} (sid) VALUES (2)');"
              f"c.execute('ALTER TABLE {table} ADD COLUMN extra INTEGER'); c.commit()")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert sample.to_arrow(order_by="KEY").column("sid").to_pylist() == [1, 2]
    assert len(reader_calls) == 2


def test_threads_read_at_once(sample, reader_calls):
    sample.insert([dict(sid=i, name=str(i)) for i in range(2000)])
    results, errors = [], []

    def read():
        try:
            for _ in range(5):
                results.append(sample.to_arrow(order_by="KEY").column("name").to_pylist())
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 20
    assert all(names == [str(i) for i in range(2000)] for names in results)


def _count_in_child(query, queue):
    queue.put(query.to_arrow().num_rows)


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_a_forked_child_opens_its_own_connection(sample, reader_calls):
    sample.insert([dict(sid=i) for i in range(10)])
    assert sample.to_arrow().num_rows == 10  # the parent's reader connection is open
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_count_in_child, args=(sample(), queue))
    child.start()
    child.join(60)
    assert child.exitcode == 0 and queue.get(timeout=5) == 10
    sample.insert1(dict(sid=10))
    assert sample.to_arrow().num_rows == 11


def test_not_used_when_it_links_another_sqlite(sample, reader_calls, monkeypatch):
    real = sqlite_columns._extension()
    other = types.SimpleNamespace(**{n: getattr(real, n) for n in ("Database", "MismatchError", "library_version")},
                                  library_address=lambda: real.library_address() + 64)
    monkeypatch.setitem(sys.modules, "datajoint_sa.fetch._sqlite_columns", other)
    monkeypatch.setattr("datajoint_sa.fetch._sqlite_columns", other)
    sqlite_columns._extension.cache_clear()
    try:
        assert not sqlite_columns.available()
        sample.insert1(dict(sid=1))
        assert sample.to_arrow().num_rows == 1 and reader_calls == []
    finally:
        sqlite_columns._extension.cache_clear()


def test_an_in_memory_database_is_read_by_the_driver(reader_calls):
    connection = dj.Connection("sqlite://")
    schema = dj.Schema("memory_only", connection=connection)
    table = schema(type("Item", (dj.Manual,), {"definition": "item : int32"}))
    table.insert([(1,), (2,)])
    assert table.to_arrow().column("item").to_pylist() == [1, 2]
    assert reader_calls == []


def test_parameters_beyond_int64_go_to_the_driver(sample, reader_calls, monkeypatch):
    sample.insert1(dict(sid=1, big=5))
    query = sample & f"big < {2**70}"  # a literal: fine for the reader
    assert query.to_arrow().num_rows == 1 and len(reader_calls) == 1
    database = sqlite_columns._handles.get(sample.connection.engine, sqlite_columns._open_database)
    with pytest.raises(sqlite_columns.Unreadable, match="64 bits"):
        list(sqlite_columns._read(database, f"SELECT sid FROM {sample.full_table_name} WHERE big < ?",
                                  (2**70,), "i", ["sid"], [pa.int32()]))
