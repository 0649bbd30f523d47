"""Every output format on every backend: values, types, NULLs, ordering and paging."""

from __future__ import annotations

import datetime
import decimal
import uuid

import numpy as np
import pytest

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError

U1 = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.fixture
def typed(schema):
    @schema
    class Typed(dj.Manual):
        definition = """
        id : int16
        ---
        small = null : int16
        big = null : int64
        ratio = null : float64
        single = null : float32
        flag = null : bool
        price = null : decimal(8,2)
        label = null : varchar(20)
        code = null : char(3)
        mood = null : enum('happy', 'sad')
        day = null : date
        stamp = null : datetime
        uid = null : uuid
        meta = null : json
        raw = null : bytes
        """

    Typed.insert([  # rows naming different attributes go in separate inserts, as DataJoint requires
        dict(id=1, small=-3, big=2**40, ratio=1.5, single=0.25, flag=True, price=decimal.Decimal("12.34"),
             label="alpha", code="abc", mood="happy", day=datetime.date(2024, 1, 2),
             stamp=datetime.datetime(2024, 1, 2, 3, 4, 5), uid=U1, meta={"a": [1, 2]}, raw=b"\x00\x01")])
    Typed.insert([dict(id=2, meta="bare string")])
    Typed.insert([dict(id=3, small=7, ratio=-2.0, flag=False, label="gamma", meta=[1, "x"])])
    return Typed


def test_to_dicts_values(typed):
    rows = typed.to_dicts(order_by="KEY")
    first, second, third = rows
    assert first == dict(id=1, small=-3, big=2**40, ratio=1.5, single=0.25, flag=True, price=decimal.Decimal("12.34"),
                         label="alpha", code="abc", mood="happy", day=datetime.date(2024, 1, 2),
                         stamp=datetime.datetime(2024, 1, 2, 3, 4, 5), uid=U1, meta={"a": [1, 2]}, raw=b"\x00\x01")
    assert type(first["flag"]) is bool and type(first["small"]) is int and isinstance(first["uid"], uuid.UUID)
    assert type(first["day"]) is datetime.date
    assert second["meta"] == "bare string"
    assert all(second[k] is None for k in second if k not in ("id", "meta"))
    assert third["meta"] == [1, "x"] and third["flag"] is False


def test_order_limit_offset(typed):
    assert [r["id"] for r in typed.to_dicts(order_by="id DESC")] == [3, 2, 1]
    assert [r["id"] for r in typed.to_dicts(order_by=["id DESC"], limit=2, offset=1)] == [2, 1]
    assert [k["id"] for k in typed.keys(order_by="KEY", limit=2)] == [1, 2]
    assert typed.keys(order_by="KEY")[0] == {"id": 1}


def test_fetch1(typed):
    one = typed & {"id": 1}
    assert one.fetch1()["label"] == "alpha"
    assert one.fetch1("label") == "alpha"
    assert one.fetch1("label", "small") == ("alpha", -3)
    assert one.fetch1("KEY") == {"id": 1}
    with pytest.raises(DataJointError):
        typed.fetch1()
    with pytest.raises(DataJointError):
        (typed & {"id": 99}).fetch1()


def test_to_arrays(typed):
    rec = typed.to_arrays(order_by="KEY")
    assert rec.dtype["id"] == np.int16
    assert rec.dtype["ratio"] == np.float64 and np.isnan(rec["ratio"][1])
    assert rec.dtype["small"] == np.dtype(object) and rec["small"][1] is None  # nullable int: no silent float
    ids, labels = typed.to_arrays("id", "label", order_by="KEY")
    assert ids.dtype == np.int16 and list(ids) == [1, 2, 3] and list(labels) == ["alpha", None, "gamma"]
    keyed = typed.to_arrays("label", include_key=True, order_by="KEY")
    assert keyed.dtype.names == ("id", "label")


def test_fetch_legacy(typed):
    rec = typed.fetch(order_by="KEY")
    assert isinstance(rec, np.ndarray) and len(rec) == 3
    ids, labels = typed.fetch("id", "label", order_by="id DESC")
    assert list(ids) == [3, 2, 1]
    keys = typed.fetch("KEY", order_by="KEY")
    assert keys == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert typed.fetch(as_dict=True, order_by="KEY", limit=1)[0]["label"] == "alpha"
    assert typed.fetch("label", as_dict=True, order_by="KEY", limit=1) == [{"label": "alpha"}]
    frame = typed.fetch(format="frame")
    assert frame.index.name == "id"


def test_to_pandas_types(typed):
    frame = typed.to_pandas(order_by="KEY")
    assert frame.index.name == "id" and list(frame.index) == [1, 2, 3]
    assert str(frame["small"].dtype) == "Int16"
    assert str(frame["big"].dtype) == "Int64"
    assert str(frame["flag"].dtype) == "boolean"
    assert frame["ratio"].dtype == np.float64
    assert frame.loc[1, "price"] == decimal.Decimal("12.34")
    assert frame.loc[1, "uid"] == U1


def test_to_arrow_types(typed):
    import pyarrow as pa

    table = typed.to_arrow(order_by="KEY")
    schema = table.schema
    assert schema.field("id").type == pa.int16()
    assert schema.field("small").type == pa.int16()
    assert schema.field("single").type == pa.float32()
    assert schema.field("flag").type == pa.bool_()
    assert schema.field("price").type == pa.decimal128(8, 2)
    assert schema.field("day").type == pa.date32()
    assert table.column("small").to_pylist() == [-3, None, 7]
    assert table.column("uid").to_pylist()[0] == str(U1)
    empty = (typed & {"id": 99}).to_arrow()
    assert empty.num_rows == 0 and empty.schema.field("id").type == pa.int16()


def test_to_polars(typed):
    pl = pytest.importorskip("polars")
    frame = typed.to_polars(order_by="KEY")
    assert frame.height == 3 and frame.schema["id"] == pl.Int16
    assert frame["small"].to_list() == [-3, None, 7]


def test_to_polars_missing(typed, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(DataJointError, match=r"datajoint_sa\[polars\]"):
        typed.to_polars()


def test_iteration_cursor_head_tail(typed):
    assert [r["id"] for r in sorted(typed, key=lambda r: r["id"])] == [1, 2, 3]
    rows = list(typed.cursor())
    assert len(rows) == 3 and isinstance(rows[0], tuple)
    assert {r["id"] for r in typed.cursor(as_dict=True)} == {1, 2, 3}
    assert [r["id"] for r in typed.head(2)] == [1, 2]
    assert [r["id"] for r in typed.tail(2)] == [2, 3]


def test_contains_bool_len(typed):
    typed = typed()
    assert {"id": 1} in typed
    assert {"id": 9} not in typed
    assert bool(typed) and not bool(typed & {"id": 9})
    assert len(typed) == 3


def test_display(typed):
    typed = typed()
    text = repr(typed)
    assert "*id" in text and "Total: 3" in text and "alpha" in text
    assert "=BYTES=" in text or "=BLOB=" in text
    html = typed._repr_html_()
    assert "<table" in html and "Total: 3" in html
    assert typed.preview(limit=1).count("\n") < text.count("\n")


@pytest.fixture
def plain(schema):
    """Only the kinds the columnar fast path reads as raw driver values."""

    @schema
    class Plain(dj.Manual):
        definition = """
        pid : int32
        ---
        n = null : int16
        x = null : float32
        ok = null : bool
        name = null : varchar(16)
        kind = null : enum('a', 'b')
        day = null : date
        """

    Plain.insert([dict(pid=1, n=5, x=0.5, ok=True, name="one", kind="a", day=datetime.date(2021, 3, 4))])
    Plain.insert([dict(pid=2)])
    return Plain


def test_fast_path_values(plain):
    import pyarrow as pa

    rows = plain.to_dicts(order_by="KEY")
    assert rows[0] == dict(pid=1, n=5, x=0.5, ok=True, name="one", kind="a", day=datetime.date(2021, 3, 4))
    assert type(rows[0]["ok"]) is bool and type(rows[0]["day"]) is datetime.date
    assert all(v is None for k, v in rows[1].items() if k != "pid")
    table = plain.to_arrow(order_by="KEY")
    assert table.schema.field("day").type == pa.date32() and table.schema.field("ok").type == pa.bool_()
    assert table.column("day").to_pylist() == [datetime.date(2021, 3, 4), None]
    frame = plain.to_pandas(order_by="KEY")
    assert str(frame["n"].dtype) == "Int16" and str(frame["ok"].dtype) == "boolean"
    assert frame.loc[1, "day"] == datetime.date(2021, 3, 4)
    full = (plain & {"pid": 1}).to_pandas()
    assert full["n"].dtype == np.int16 and full["ok"].dtype == np.bool_
