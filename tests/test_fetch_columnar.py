"""pandas, Arrow and polars on every backend: declared types, NULLs, paging, and that every
Arrow path (server CSV lines, the compiled SQLite reader, ADBC, generic batches) gives the same table."""

from __future__ import annotations

import datetime
import decimal
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest
from fetch_tables import TRICKY, U1, declare_typed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError
from datajoint_sa.fetch import adbc
from datajoint_sa.fetch.arrow import fetch_arrow, record_batches


@pytest.fixture
def typed(schema):
    return declare_typed(schema)


def test_to_pandas_types(typed):
    frame = typed.to_pandas(order_by="KEY")
    assert frame.index.name == "id" and list(frame.index) == [1, 2, 3]
    assert str(frame["small"].dtype) == "Int16" and frame["small"].isna().tolist() == [False, True, False]
    assert frame["whole"].dtype == np.int32  # not nullable: plain numpy width
    assert str(frame["big"].dtype) == "Int64" and frame.loc[1, "big"] == 2**40
    assert str(frame["flag"].dtype) == "boolean"
    assert frame["ratio"].dtype == np.float64 and np.isnan(frame.loc[2, "ratio"])
    assert frame["single"].dtype == np.float32
    assert frame.loc[1, "price"] == decimal.Decimal("12.34")
    assert frame.loc[1, "uid"] == U1 and frame.loc[1, "meta"] == {"a": [1, 2]} and frame.loc[1, "raw"] == b"\x00\x01"
    assert frame.loc[1, "day"] == datetime.date(2024, 1, 2)
    assert frame.loc[1, "stamp"] == datetime.datetime(2024, 1, 2, 3, 4, 5, 250000)
    assert frame.loc[1, "note"] == TRICKY and frame.loc[2, "note"] == "" and frame.loc[1, "code"] == "abc"


def test_to_pandas_fast_path_matches(typed):
    """Frames of Arrow-native kinds come from Arrow; they match the same columns built from values."""
    plain = typed.proj("small", "whole", "ratio", "flag", "note", "day", "stamp", "price")
    frame = plain.to_pandas(order_by="KEY")
    assert str(frame["small"].dtype) == "Int16" and frame["whole"].dtype == np.int32
    assert str(frame["flag"].dtype) == "boolean" and frame.loc[3, "flag"] == False  # noqa: E712
    assert frame.loc[1, "day"] == datetime.date(2024, 1, 2) and frame.loc[2, "day"] is None
    assert frame.loc[1, "stamp"] == datetime.datetime(2024, 1, 2, 3, 4, 5, 250000)
    assert frame.loc[1, "price"] == decimal.Decimal("12.34")
    assert frame.loc[2, "note"] == "" and frame.loc[1, "note"] == TRICKY
    paged = plain.to_pandas(order_by="whole DESC", limit=2, offset=1)
    assert list(paged.index) == [2, 1]


def test_to_arrow_types(typed):
    table = typed.to_arrow(order_by="KEY")
    schema = table.schema
    expected = dict(id=pa.int16(), small=pa.int16(), whole=pa.int32(), big=pa.int64(), ratio=pa.float64(),
                    single=pa.float32(), flag=pa.bool_(), price=pa.decimal128(8, 2), label=pa.string(),
                    note=pa.string(), code=pa.string(), mood=pa.string(), day=pa.date32(), stamp=pa.timestamp("us"), uid=pa.string(),
                    meta=pa.string(), raw=pa.binary())
    assert {f.name: f.type for f in schema} == expected
    assert table.column("small").to_pylist() == [-3, None, 7]
    assert table.column("uid").to_pylist()[0] == str(U1)
    assert table.column("note").to_pylist() == [TRICKY, "", None]
    assert table.column("stamp").to_pylist()[0] == datetime.datetime(2024, 1, 2, 3, 4, 5, 250000)
    assert table.column("raw").to_pylist()[0] == b"\x00\x01"
    empty = (typed & {"id": 99}).to_arrow()
    assert empty.num_rows == 0 and empty.schema.field("id").type == pa.int16()


def test_to_arrow_paging(typed):
    table = typed.proj("whole", "note").to_arrow(order_by="whole DESC", limit=2, offset=1)
    assert table.column("id").to_pylist() == [2, 1]
    assert typed.to_arrow(order_by="KEY", limit=1).num_rows == 1


def test_to_polars(typed):
    pl = pytest.importorskip("polars")
    frame = typed.to_polars(order_by="KEY")
    assert frame.height == 3 and frame.schema["id"] == pl.Int16 and frame.schema["day"] == pl.Date
    assert frame["small"].to_list() == [-3, None, 7]
    assert typed.to_polars(order_by="KEY DESC", limit=1)["id"].to_list() == [3]


def test_to_polars_missing(typed, monkeypatch):
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(DataJointError, match=r"datajoint_sa\[polars\]"):
        typed.to_polars()


# -- every Arrow path gives the same table ------------------------------------------------------
@pytest.fixture
def plain(schema):
    @schema
    class Plain(dj.Manual):
        definition = """
        pid : int32
        ---
        n = null : int16
        big = null : int64
        x = null : float32
        y = null : float64
        ok = null : bool
        name = null : varchar(16)
        kind = null : enum('a', 'b')
        day = null : date
        stamp = null : datetime
        """

    return Plain


finite = st.floats(allow_nan=False, allow_infinity=False, width=32)
row = st.fixed_dictionaries({
    "n": st.none() | st.integers(-2**15, 2**15 - 1),
    "big": st.none() | st.integers(-2**63, 2**63 - 1),
    "x": st.none() | finite,
    "y": st.none() | st.floats(allow_nan=False, allow_infinity=False),
    "ok": st.none() | st.booleans(),
    "name": st.none() | st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(',"\n\''),
                                max_size=16),
    "kind": st.none() | st.sampled_from(["a", "b"]),
    "day": st.none() | st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1)),
    "stamp": st.none() | st.datetimes(datetime.datetime(1970, 1, 2), datetime.datetime(2100, 1, 1)).map(
        lambda d: d.replace(microsecond=0)),
})


def _generic(query, whole_batches=True, **options):
    batches = list(record_batches(query, query.heading.names, whole_batches=whole_batches, **options))
    return pa.Table.from_batches(batches) if batches else None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, max_size=30))
def test_arrow_paths_agree(plain, rows, monkeypatch):
    plain.delete_quick()
    plain.insert([dict(r, pid=i) for i, r in enumerate(rows)])
    generic = _generic(plain(), order_by="KEY", whole_batches=False)
    assert generic == _generic(plain(), order_by="KEY")  # column by column = whole batches at once
    fast = plain.to_arrow(order_by="KEY")
    monkeypatch.setattr(adbc, "ENABLED", False)
    without_adbc = plain.to_arrow(order_by="KEY")
    if generic is None:
        assert fast.num_rows == 0 and without_adbc.num_rows == 0
        return
    assert fast.equals(generic) and without_adbc.equals(generic)
    def as_float32(rows):  # float32 values compare as float32 (drivers widen them differently)
        return [dict(r, x=None if r["x"] is None else np.float32(r["x"])) for r in rows]

    assert as_float32(generic.to_pylist()) == as_float32(plain.to_dicts(order_by="KEY"))


def test_arrow_paths_keep_order_and_nan(plain, backend, monkeypatch):
    specials = [float("nan"), float("inf"), -float("inf")] if backend != "mysql" else [None, 1e308, -1e308]
    plain.insert([dict(pid=i, y=[*specials, 0.1 + 0.2][i % 4],
                       x=1.5e30, name=f"n{i:03d}") for i in range(200)])
    monkeypatch.setattr(adbc, "ENABLED", False)
    table = fetch_arrow(plain(), order_by=["name DESC"], limit=50, offset=10)
    assert table.column("pid").to_pylist() == list(range(189, 139, -1))
    values = table.column("y").to_pylist()
    if backend == "postgresql":  # the others store NaN as NULL
        assert values[0] == float("inf") and np.isnan(values[1]) and values[3] == -float("inf")
    assert values[2] == 0.1 + 0.2 and table.column("x").to_pylist()[0] == np.float32(1.5e30)


def test_adbc_not_used_inside_transaction(plain, monkeypatch):
    calls = []
    monkeypatch.setattr(adbc, "_connection", lambda *a: calls.append(a))
    with plain.connection.transaction:
        plain.insert1(dict(pid=1, name="x"))
        assert plain.to_arrow().column("name").to_pylist() == ["x"]
    assert calls == []


def test_computed_attributes(typed):
    """Values of computed attributes reach every format, whatever type the heading guesses."""
    half = typed.proj(half="whole / 4.0")
    assert [r["half"] for r in half.to_dicts(order_by="KEY")] == [2.5, 5.0, 7.5]
    assert half.to_arrow(order_by="KEY").column("half").to_pylist() == [2.5, 5.0, 7.5]
    assert half.to_pandas(order_by="KEY")["half"].tolist() == [2.5, 5.0, 7.5]
    assert half.to_arrays("half", order_by="KEY").tolist() == [2.5, 5.0, 7.5]


def test_pandas_paths_agree(typed):
    """A frame built from Arrow (plain kinds only) equals the same columns built from values."""
    import pandas.testing

    plain = [n for n in typed.heading.secondary_attributes if n not in ("uid", "meta", "raw")]
    from_values = typed.to_pandas(order_by="KEY")[plain]  # uuid/json/bytes force the value path
    from_arrow = typed.proj(*plain).to_pandas(order_by="KEY")
    pandas.testing.assert_frame_equal(from_values, from_arrow)


def test_sqlite_never_reads_through_a_second_sqlite_library(plain, backend, monkeypatch):
    """ADBC's SQLite driver carries its own SQLite; two copies in one process break file locking."""
    if backend != "sqlite":
        pytest.skip("only SQLite has this hazard")
    calls = []
    monkeypatch.setattr(adbc, "_connection", lambda *a: calls.append(a))
    plain.insert1(dict(pid=1, name="x"))
    assert plain.to_arrow().column("name").to_pylist() == ["x"]
    assert calls == []
    # a table another process creates in the same file is visible here afterwards
    path = plain.connection.engine.url.database
    script = f"import sqlite3; c = sqlite3.connect({path!r}); c.execute('CREATE TABLE seen_elsewhere (a)'); c.commit()"
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    with plain.connection.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        conn.exec_driver_sql("DROP TABLE seen_elsewhere")
        conn.commit()
    assert "seen_elsewhere" in names


def test_server_lines_carry_every_plain_kind(typed, backend, monkeypatch):
    """PostgreSQL and MySQL format rows as CSV lines for Arrow: the same table as the driver's values."""
    from datajoint_sa.fetch import lines

    used = []
    real = lines.line_batches
    monkeypatch.setattr(lines, "line_batches", lambda *a: used.append(a) or real(*a))
    monkeypatch.setattr(adbc, "ENABLED", False)
    typed.insert1(dict(id=4, whole=-2**31, big=-2**63, small=2**15 - 1, ratio=1e308, single=3.4e38, flag=True,
                       price=decimal.Decimal("-999999.99"), label="ünïcødé ✓", note='",\n,"', code="",
                       day=datetime.date(1000, 1, 1), stamp=datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)))
    plain = typed.proj(*(n for n in typed.heading.secondary_attributes if n not in ("uid", "meta", "raw")))
    table = plain.to_arrow(order_by="KEY")
    assert bool(used) == (backend != "sqlite")
    assert table.equals(_generic(plain, order_by="KEY"))
    assert table.column("note").to_pylist() == [TRICKY, "", None, '",\n,"']
    assert table.column("big").to_pylist()[3] == -2**63 and table.column("ratio").to_pylist()[3] == 1e308
    assert table.column("stamp").to_pylist()[3] == datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)
