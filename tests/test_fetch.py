"""Row and array formats on every backend: values, types, NULLs, ordering, paging, legacy fetch."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid

import numpy as np
import pytest
from fetch_tables import FIRST, U1, declare_typed

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError


@pytest.fixture
def typed(schema):
    return declare_typed(schema)


def test_to_dicts_values_and_types(typed):
    first, second, third = typed.to_dicts(order_by="KEY")
    assert first == FIRST
    assert type(first["flag"]) is bool and type(first["small"]) is int and type(first["ratio"]) is float
    assert type(first["uid"]) is uuid.UUID and type(first["day"]) is datetime.date
    assert type(first["stamp"]) is datetime.datetime and type(first["price"]) is decimal.Decimal
    assert type(first["raw"]) is bytes
    assert second["meta"] == "bare string"  # a bare JSON string (the reference fails on PostgreSQL)
    assert second["whole"] == 20 and second["note"] == ""
    assert all(second[k] is None for k in second if k not in ("id", "meta", "whole", "note"))
    assert third["meta"] == [1, "x"] and third["flag"] is False


def test_nan_in_float(schema, backend):
    @schema
    class Depth(dj.Manual):
        definition = """
        depth_id : int16
        ---
        metres = null : float64
        """

    Depth.insert([dict(depth_id=1, metres=float("nan")), dict(depth_id=2, metres=np.nan), dict(depth_id=3, metres=None)])
    values = [r["metres"] for r in Depth.to_dicts(order_by="KEY")]
    if backend == "postgresql":  # SQLite and MySQL keep no NaN: they store NULL
        assert math.isnan(values[0]) and math.isnan(values[1])
    assert values[2] is None
    metres = Depth.to_arrays("metres", order_by="KEY")
    assert metres.dtype == np.float64 and np.isnan(metres).all()  # NULL and NaN are both NaN in arrays


def test_order_limit_offset(typed):
    assert [r["id"] for r in typed.to_dicts(order_by="id DESC")] == [3, 2, 1]
    assert [r["id"] for r in typed.to_dicts(order_by=["id DESC"], limit=2, offset=1)] == [2, 1]
    assert [r["id"] for r in typed.to_dicts(order_by="KEY DESC", limit=1)] == [3]
    assert [k["id"] for k in typed.keys(order_by="KEY", limit=2)] == [1, 2]
    assert typed.keys(order_by="KEY") == [{"id": 1}, {"id": 2}, {"id": 3}]
    with pytest.raises(DataJointError, match="limit"):
        typed.to_dicts(limit=-1)
    with pytest.raises(DataJointError, match="offset"):
        typed.to_arrays(limit=1, offset="x")
    with pytest.raises(DataJointError, match="nope"):
        typed.to_dicts(order_by="nope")


def test_fetch1(typed):
    one = typed & {"id": 1}
    assert one.fetch1() == FIRST
    assert one.fetch1("label") == "alpha"
    assert one.fetch1("label", "small") == ("alpha", -3)
    assert one.fetch1("KEY") == {"id": 1}
    assert one.fetch1("KEY", "uid") == ({"id": 1}, U1)
    with pytest.raises(DataJointError, match="more than one"):
        typed.fetch1()
    with pytest.raises(DataJointError, match="no rows"):
        (typed & {"id": 99}).fetch1("label")
    with pytest.raises(DataJointError, match="available"):
        one.fetch1("missing")


def test_to_arrays(typed):
    rec = typed.to_arrays(order_by="KEY")
    assert rec.dtype.names == tuple(typed.heading.names)
    assert rec.dtype["id"] == np.int16 and rec.dtype["big"] == np.dtype(object)  # NULL in an int: object
    assert rec.dtype["ratio"] == np.float64 and np.isnan(rec["ratio"][1])
    assert rec.dtype["single"] == np.float32
    assert rec["small"][1] is None and rec["uid"][0] == U1 and rec["day"][0] == datetime.date(2024, 1, 2)
    ids, labels = typed.to_arrays("id", "label", order_by="KEY")
    assert ids.dtype == np.int64 and list(ids) == [1, 2, 3]  # named arrays widen, as DataJoint 2.x
    assert list(labels) == ["alpha", None, "gamma"]
    assert typed.to_arrays("ratio", order_by="KEY", limit=1).tolist() == [1.5]
    keys, labels = typed.to_arrays("label", include_key=True, order_by="id DESC")
    assert keys == [{"id": 3}, {"id": 2}, {"id": 1}] and list(labels) == ["gamma", None, "alpha"]
    empty = (typed & {"id": 99}).to_arrays()
    assert len(empty) == 0 and empty.dtype.names == tuple(typed.heading.names) and empty.dtype["id"] == np.int16


def test_fetch_legacy(typed):
    with pytest.warns(DeprecationWarning):
        rec = typed.fetch(order_by="KEY")
    assert isinstance(rec, np.ndarray) and len(rec) == 3 and rec["id"].tolist() == [1, 2, 3]
    with pytest.warns(DeprecationWarning):
        ids, labels = typed.fetch("id", "label", order_by="id DESC")
        assert list(ids) == [3, 2, 1] and list(labels) == ["gamma", None, "alpha"]
        assert typed.fetch("KEY", order_by="KEY") == [{"id": 1}, {"id": 2}, {"id": 3}]
        keys, labels = typed.fetch("KEY", "label", order_by="KEY", limit=2)
        assert keys == [{"id": 1}, {"id": 2}] and list(labels) == ["alpha", None]
        assert typed.fetch(as_dict=True, order_by="KEY", limit=1) == [FIRST]
        assert typed.fetch("label", as_dict=True, order_by="KEY", limit=1, offset=2) == [{"id": 3, "label": "gamma"}]  # proj(): with the key, as DataJoint 2.x
        assert typed.fetch("KEY", "label", as_dict=True, order_by="KEY", limit=1) == [{"id": 1, "label": "alpha"}]
        frame = typed.fetch(format="frame", order_by="KEY")
        assert frame.index.name == "id" and len(frame) == 3
        with pytest.raises(DataJointError):
            typed.fetch("label", format="frame")
        with pytest.raises(DataJointError):
            typed.fetch(format="table")


def test_iteration_cursor_head_tail(typed):
    assert sorted(r["id"] for r in typed()) == [1, 2, 3]
    assert sorted(typed(), key=lambda r: r["id"])[0] == FIRST
    rows = list(typed.cursor())
    assert len(rows) == 3 and isinstance(rows[0], tuple) and len(rows[0]) == len(typed.heading.names)
    cursor = typed.cursor(as_dict=True)
    first = cursor.fetchone()
    assert isinstance(first, dict) and len(cursor.fetchmany(1)) == 1 and len(cursor.fetchall()) == 1
    assert cursor.fetchone() is None
    assert [r["id"] for r in typed.head(2)] == [1, 2]
    assert [r["id"] for r in typed.tail(2)] == [2, 3]
    assert typed.head()[0] == FIRST


def test_contains_bool_len(typed):
    typed = typed()
    assert {"id": 1} in typed
    assert {"id": 9} not in typed
    assert bool(typed) and not bool(typed & {"id": 9})
    assert len(typed) == 3 and len(typed & "id > 1") == 2


def test_composite_key_and_projection(schema):
    @schema
    class Pair(dj.Manual):
        definition = """
        a : int32
        b : varchar(8)
        ---
        v : float32
        """

    Pair.insert([dict(a=1, b="x", v=0.5), dict(a=1, b="y", v=1.5), dict(a=2, b="x", v=2.5)])
    assert Pair.keys(order_by="KEY") == [dict(a=1, b="x"), dict(a=1, b="y"), dict(a=2, b="x")]
    assert Pair.keys(order_by=["b DESC", "a"]) == [dict(a=1, b="y"), dict(a=1, b="x"), dict(a=2, b="x")]
    assert Pair.keys(order_by="b, a DESC", limit=1, offset=1) == [dict(a=1, b="x")]
    assert (Pair & dict(a=1, b="y")).fetch1("KEY") == dict(a=1, b="y")
    frame = Pair.to_pandas(order_by="KEY")
    assert frame.index.names == ["a", "b"] and frame["v"].dtype == np.float32
    assert frame.loc[(2, "x"), "v"] == 2.5
    projected = Pair.proj(w="v")
    assert projected.to_dicts(order_by="KEY", limit=1) == [dict(a=1, b="x", w=0.5)]


def test_blob_squeeze(schema):
    @schema
    class Trace(dj.Manual):
        definition = """
        trace_id : int16
        ---
        payload = null : <blob>
        """

    Trace.insert([dict(trace_id=1, payload=np.arange(3.0).reshape(1, 3)), dict(trace_id=2, payload=None)])
    assert Trace.to_dicts(order_by="KEY")[0]["payload"].shape == (1, 3)
    assert Trace.to_dicts(order_by="KEY", squeeze=True)[0]["payload"].shape == (3,)
    assert (Trace & {"trace_id": 1}).fetch1("payload", squeeze=True).shape == (3,)
    assert Trace.to_dicts(order_by="KEY")[1]["payload"] is None
    payloads = Trace.to_arrays("payload", order_by="KEY")
    assert payloads.dtype == np.dtype(object) and payloads[0].shape == (1, 3)
    with pytest.raises(DataJointError, match="payload"):
        Trace.to_arrow()


def test_fetch_inside_transaction_sees_its_writes(typed):
    connection = typed.connection
    with connection.transaction:
        typed.insert1(dict(id=4, whole=40, label="delta"))
        assert [r["id"] for r in typed.to_dicts(order_by="KEY")] == [1, 2, 3, 4]
        assert typed.to_arrow(order_by="KEY").column("id").to_pylist() == [1, 2, 3, 4]
        assert len(typed.to_pandas()) == 4
    assert len(typed()) == 4


def test_driver_errors_are_translated(typed):
    with pytest.raises(DataJointError):
        (typed & "no_such_column = 1").to_dicts()
    with pytest.raises(DataJointError):
        (typed & "no_such_column = 1").to_arrow()
    assert len(typed.to_dicts()) == 3  # the connection is still usable


def test_iteration_inside_transaction(typed):
    """Rows streamed inside a transaction leave its connection free for other statements."""
    with typed.connection.transaction:
        seen = []
        for row in typed.proj():
            seen.append(row["id"])
            assert len(typed & row) == 1
        assert sorted(seen) == [1, 2, 3]


def test_query_without_primary_key(typed):
    moods = dj.U("mood") & (typed & "mood IS NOT NULL")
    assert moods.to_dicts() == [{"mood": "happy"}] and moods.to_arrow().column("mood").to_pylist() == ["happy"]
    everything = dj.U().aggr(typed, n="count(*)")
    assert everything.to_dicts() == [{"n": 3}] and everything.keys() == [{}]
    assert everything.to_pandas()["n"].tolist() == [3]
