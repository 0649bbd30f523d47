"""The insert pipeline's paths: input shapes, chunking, COPY vs INSERT, fast vs slow column checks.

``path`` runs each database test twice: with the INSERT path (COPY off) and with COPY
forced (threshold 1 row; only PostgreSQL has COPY, elsewhere both runs take INSERT).
Chunks are made small so a few dozen rows cross several chunk boundaries.
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql as mysql_dialect
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

import datajoint_sa as dj
from datajoint_sa import insert as insert_module
from datajoint_sa.errors import DataJointError, DuplicateError, IntegrityError, MissingAttributeError
from datajoint_sa.heading import Attribute
from datajoint_sa.types import parse_type

CHUNK = 7


@pytest.fixture(params=["insert", "copy"])
def path(request, monkeypatch):
    monkeypatch.setattr(insert_module, "CHUNK_ROWS", CHUNK)
    monkeypatch.setattr(insert_module, "COPY_THRESHOLD", 1 if request.param == "copy" else None)
    return request.param


@pytest.fixture
def tables(schema, path):
    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        """

    @schema
    class Wide(dj.Manual):
        definition = """
        item_id : int64
        ---
        -> [nullable] Parent
        count = 0 : int32
        small = null : int8
        f64 = null : float64
        f32 = null : float32
        label = '' : varchar(12)
        day = null : date
        stamp = null : datetime(3)
        created = CURRENT_TIMESTAMP : datetime
        flag = null : bool
        kind = 'a' : enum('a', 'b')
        price = null : decimal(6, 2)
        uid = null : uuid
        doc = null : json
        data = null : <blob>
        """

    return Parent, Wide


def row(i: int, **changes):
    base = {"item_id": i, "count": i * 2, "f64": i / 4, "label": f"l{i}", "day": datetime.date(2020, 1, 1 + i % 28),
            "flag": i % 2 == 0, "kind": "ab"[i % 2]}
    return {**base, **changes}


def fetched(table, *names):
    return sorted(table.to_dicts(), key=lambda r: r["item_id"]) if not names else \
        sorted((tuple(r[n] for n in names) for r in table.to_dicts()), key=lambda t: t[0])


# -- input shapes ----------------------------------------------------------------------------------

def test_shapes_across_chunks(tables):
    _, Wide = tables
    n = 3 * CHUNK + 2
    names = ("item_id", "count", "f64", "label")
    Wide.insert([row(i) for i in range(n)])  # dicts: the fast path
    Wide.insert(pd.DataFrame([(i, i * 2, i / 4, f"l{i}") for i in range(100, 100 + n)], columns=names))
    Wide.insert(row(i) for i in range(200, 200 + n))  # a generator
    records = np.array([(i, i * 2, i / 4, f"l{i}") for i in range(300, 300 + n)],
                       dtype=[("item_id", "<i8"), ("count", "<i4"), ("f64", "<f8"), ("label", "U12")])
    Wide.insert(records)
    frame = pd.DataFrame([(i, i * 2, i / 4, f"l{i}") for i in range(400, 400 + n)], columns=names).set_index("item_id")
    Wide.insert(frame)  # the primary key as the index
    got = fetched(Wide, *names)
    expected = sorted((i, i * 2, i / 4, f"l{i}") for start in (0, 100, 200, 300, 400) for i in range(start, start + n))
    assert got == expected


def test_full_tuples_and_lists(tables):
    _, Wide = tables
    width = len(Wide.heading.names)
    rows = [tuple([i] + [None] * (width - 1)) for i in range(2 * CHUNK + 1)]
    rows[3] = list(rows[3])
    Wide.insert(rows)
    got = fetched(Wide)
    assert len(got) == 2 * CHUNK + 1
    assert got[0]["count"] == 0 and got[0]["kind"] == "a" and got[0]["label"] == ""  # None takes the default
    assert isinstance(got[0]["created"], datetime.datetime)
    with pytest.raises(DataJointError, match="Incorrect number of attributes"):
        Wide.insert([(99, 1)])


def test_rows_must_name_the_same_attributes(tables):
    """As in DataJoint, all rows of one insert name the same attributes, in any order."""
    _, Wide = tables
    rows = []
    for i in range(3 * CHUNK):
        if i % 3 == 0:
            rows.append({"item_id": i, "label": "", "count": 5, "kind": "a"})
        elif i % 3 == 1:
            rows.append({"label": f"x{i}", "kind": "a", "count": 1, "item_id": i})  # other key order
        else:
            rows.append({"item_id": i, "count": None, "kind": None, "label": ""})  # None on defaulted attributes
    Wide.insert(rows)
    got = fetched(Wide)
    assert [r["label"] for r in got[:3]] == ["", "x1", ""]
    assert got[2]["count"] == 0 and got[2]["kind"] == "a"
    assert all(isinstance(r["created"], datetime.datetime) for r in got)
    for mixed in ([{"item_id": 900}, {"item_id": 901, "label": "y"}],
                  [{"item_id": 900}] * CHUNK + [{"item_id": 901, "label": "y"}]):  # differing rows in a later chunk
        with pytest.raises(dj.DataJointError, match="same attributes"):
            Wide.insert(mixed)
    assert len(Wide & "item_id >= 900") == 0


def test_ignore_extra_fields_on_every_shape(tables):
    _, Wide = tables
    Wide.insert([{"item_id": i, "extra": i} for i in range(CHUNK + 1)], ignore_extra_fields=True)
    Wide.insert([{"item_id": 50, "extra": 1}, {"item_id": 51}], ignore_extra_fields=True)
    Wide.insert(pd.DataFrame({"item_id": [60, 61], "other": ["a", "b"]}), ignore_extra_fields=True)
    assert len(Wide()) == CHUNK + 5
    with pytest.raises(KeyError, match="extra"):  # a KeyError, as in DataJoint
        Wide.insert([{"item_id": 70, "extra": 1}])


def test_dataframe_missing_values_and_dtypes(tables, backend):
    _, Wide = tables
    frame = pd.DataFrame({
        "item_id": pd.array([1, 2, 3], dtype="Int64"),
        "small": pd.array([1, pd.NA, 3], dtype="Int8"),
        "f64": [1.5, np.nan, 3.5],
        "label": ["a", None, "c"],
        "day": pd.to_datetime(["2021-05-01", None, "2021-05-03"]),
        "stamp": pd.to_datetime(["2021-05-01 10:11:12.345", "2021-05-02 00:00:00.000", None]),
        "flag": [True, False, None],
    })
    Wide.insert(frame)
    got = fetched(Wide)
    assert [r["small"] for r in got] == [1, None, 3]
    assert got[1]["f64"] is None  # pandas' NaN means missing, on every backend
    assert [r["label"] for r in got] == ["a", "", "c"]  # None on a defaulted attribute takes the default
    assert [r["day"] for r in got] == [datetime.date(2021, 5, 1), None, datetime.date(2021, 5, 3)]
    assert got[0]["stamp"] == datetime.datetime(2021, 5, 1, 10, 11, 12, 345000)
    assert got[2]["stamp"] is None
    assert [r["flag"] for r in got] == [True, False, None]


def test_copy_or_insert_path_is_taken(tables, backend, path, monkeypatch):
    _, Wide = tables
    statements = []
    original = insert_module.InsertPlan._on_cursor

    def spy(self, conn, statement, work):
        statements.append(statement.split()[0].upper())
        return original(self, conn, statement, work)

    monkeypatch.setattr(insert_module.InsertPlan, "_on_cursor", spy)
    Wide.insert([row(i) for i in range(2 * CHUNK + 1)])
    expected = "COPY" if backend == "postgresql" and path == "copy" else "INSERT"
    assert statements == [expected] * 3  # one statement per chunk
    statements.clear()
    Wide.insert([row(i) for i in range(2 * CHUNK + 1)], skip_duplicates=True)  # never COPY
    assert statements == ["INSERT"] * 3


def test_generator_is_consumed_chunk_by_chunk(tables, monkeypatch):
    _, Wide = tables
    consumed = 0
    at_send = []
    original = insert_module.InsertPlan._on_cursor

    def spy(self, conn, statement, work):
        at_send.append(consumed)
        return original(self, conn, statement, work)

    def rows():
        nonlocal consumed
        for i in range(5 * CHUNK):
            consumed += 1
            yield row(i)

    monkeypatch.setattr(insert_module.InsertPlan, "_on_cursor", spy)
    Wide.insert(rows())
    # two chunks are checked before the first is sent; then each chunk is read as it is sent
    assert at_send == [2 * CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK, 5 * CHUNK]
    assert len(Wide()) == 5 * CHUNK


def test_native_columns_take_numpy_and_mixed_values(schema, path, backend):
    @schema
    class Native(dj.Manual):
        definition = """
        nid : int
        ---
        amount = null : real
        note = null : varchar(20)
        """

    Native.insert([{"nid": np.int16(1), "amount": np.float32(0.5), "note": np.str_("a")},
                   {"nid": 2, "amount": 1, "note": None}, {"nid": 3, "amount": 2.5, "note": "c"}])
    got = sorted(Native.to_dicts(), key=lambda r: r["nid"])
    assert [r["amount"] for r in got] == [0.5, 1.0, 2.5] and [r["note"] for r in got] == ["a", None, "c"]


# -- values -----------------------------------------------------------------------------------------

def test_numpy_scalars_everywhere(tables):
    _, Wide = tables
    rows = [{
        "item_id": np.int64(i), "count": np.int32(i), "small": np.int8(-i), "f64": np.float64(i / 2),
        "f32": np.float32(0.5), "label": np.str_(f"n{i}"), "day": np.datetime64("2022-03-04"),
        "stamp": np.datetime64("2022-03-04T05:06:07.123456789"), "flag": np.bool_(i % 2),
        "price": np.float64(1.25), "doc": {"n": 1}, "data": np.arange(i + 1),
    } for i in range(CHUNK + 2)]
    Wide.insert(rows)
    Wide.insert(np.array([(100, 5)], dtype=[("item_id", "<u4"), ("count", "<i2")]))
    got = fetched(Wide)
    first = got[1]
    assert first["count"] == 1 and first["small"] == -1 and first["f64"] == 0.5 and first["f32"] == 0.5
    assert first["label"] == "n1" and first["day"] == datetime.date(2022, 3, 4)
    stamp = first["stamp"]  # datetime(3): the servers keep milliseconds, SQLite what it is given
    assert stamp.replace(microsecond=stamp.microsecond // 1000 * 1000) == datetime.datetime(2022, 3, 4, 5, 6, 7, 123000)
    assert first["flag"] is True and first["price"] == decimal.Decimal("1.25")
    assert np.array_equal(first["data"], np.arange(2))
    assert got[-1]["item_id"] == 100 and got[-1]["count"] == 5


def test_plain_values_of_every_type(tables):
    _, Wide = tables
    key = uuid.uuid4()
    Wide.insert([row(i, small=-128, f32=1.5, stamp=datetime.datetime(2020, 1, 2, 3, 4, 5, 6000), price=decimal.Decimal("12.5"),
                     uid=key, doc={"a": [1, 2]}, data={"x": 1}) for i in range(CHUNK + 1)])
    got = fetched(Wide)[0]
    assert got["small"] == -128 and got["f32"] == 1.5 and got["uid"] == key and got["doc"] == {"a": [1, 2]}
    assert got["stamp"] == datetime.datetime(2020, 1, 2, 3, 4, 5, 6000) and got["price"] == decimal.Decimal("12.50")
    assert got["data"] == {"x": 1}


def test_converted_values(tables):
    _, Wide = tables
    Wide.insert([{"item_id": "7", "count": 3.0, "f64": 2, "day": "2020-02-03", "stamp": datetime.date(2020, 1, 1),
                  "flag": 1, "uid": str(uuid.UUID(int=5))}])
    got = fetched(Wide)[0]
    assert got["item_id"] == 7 and got["count"] == 3 and got["f64"] == 2.0 and got["day"] == datetime.date(2020, 2, 3)
    assert got["stamp"] == datetime.datetime(2020, 1, 1) and got["flag"] is True and got["uid"] == uuid.UUID(int=5)


@pytest.mark.parametrize(("attribute", "bad"), [
    ("count", 2**31), ("count", 1.5), ("small", 128), ("label", "x" * 13), ("kind", "c"), ("day", "soon"),
    ("f32", 1e39), ("f64", "abc"), ("price", decimal.Decimal("12345.6")), ("flag", 2), ("uid", "not-a-uuid"),
])
def test_bad_value_in_last_chunk_names_attribute_and_inserts_nothing(tables, attribute, bad):
    _, Wide = tables
    good = {"small": 1, "f32": 1.0, "price": decimal.Decimal("1.50")}  # every row names the same attributes
    rows = [row(i, **{a: v for a, v in good.items() if a == attribute}) for i in range(3 * CHUNK)]
    if attribute == "uid":
        rows = [{**r, "uid": uuid.UUID(int=r["item_id"])} for r in rows]
    rows[-1][attribute] = bad
    with pytest.raises(DataJointError, match=repr(attribute)):
        Wide.insert(rows)
    assert len(Wide()) == 0


def test_missing_required_value_in_last_chunk(schema, path):
    @schema
    class Strict(dj.Manual):
        definition = """
        sid : int32
        ---
        value : float64
        """

    rows = [{"sid": i, "value": 1.0} for i in range(2 * CHUNK + 1)]
    rows[-1]["value"] = None
    with pytest.raises(MissingAttributeError, match="value"):
        Strict.insert(rows)
    assert len(Strict()) == 0


def test_nan(tables, backend):
    _, Wide = tables
    Wide.insert([row(i, f64=float("nan"), f32=np.float32("nan")) for i in range(CHUNK + 1)])
    got = fetched(Wide)
    if backend == "postgresql":
        assert math.isnan(got[0]["f64"]) and math.isnan(got[0]["f32"])
    else:  # no NaN in MySQL/MariaDB; SQLite binds NaN as NULL
        assert got[0]["f64"] is None and got[0]["f32"] is None
    Wide.insert([{"item_id": 100, "count": float("nan")}])  # NaN elsewhere is missing: the default
    assert (Wide & {"item_id": 100}).fetch1("count") == 0


# -- database errors ------------------------------------------------------------------------------

def test_duplicate_in_last_chunk_inserts_nothing(tables):
    _, Wide = tables
    rows = [row(i) for i in range(3 * CHUNK)]
    rows[-1]["item_id"] = 0
    with pytest.raises(DuplicateError):
        Wide.insert(rows)
    assert len(Wide()) == 0


def test_missing_parent_in_last_chunk_names_parent(tables):
    Parent, Wide = tables
    Parent.insert1({"parent_id": 1})
    rows = [row(i, parent_id=1) for i in range(3 * CHUNK)]
    rows[-1]["parent_id"] = 2
    with pytest.raises(IntegrityError) as info:
        Wide.insert(rows)
    assert Parent().full_table_name in str(info.value)
    assert len(Wide()) == 0


def test_skip_duplicates_and_replace_take_insert_path(tables):
    _, Wide = tables
    Wide.insert([row(i) for i in range(CHUNK)])
    Wide.insert([row(i, label="new") for i in range(2 * CHUNK)], skip_duplicates=True)
    assert [r["label"] for r in fetched(Wide)] == [f"l{i}" for i in range(CHUNK)] + ["new"] * CHUNK
    Wide.insert([row(i, label="newer") for i in range(2 * CHUNK)], replace=True)
    assert {r["label"] for r in fetched(Wide)} == {"newer"}


def test_failed_insert_inside_transaction_leaves_the_rest(tables, connection):
    _, Wide = tables
    rows = [row(i) for i in range(10, 10 + 3 * CHUNK)]
    rows[-1]["label"] = "far too long a label"
    with connection.transaction:
        Wide.insert1(row(1))
        with pytest.raises(DataJointError, match="label"):
            Wide.insert(rows)
        Wide.insert(rows[:-1])  # the transaction is still usable; the failed call left nothing
    assert len(Wide()) == 3 * CHUNK


def test_database_error_inside_transaction_rolls_back_the_call_only(tables, connection):
    _, Wide = tables
    rows = [row(i) for i in range(10, 10 + 3 * CHUNK)]
    rows[-1]["item_id"] = 1  # duplicates the row inserted first
    with connection.transaction:
        Wide.insert1(row(1))
        with pytest.raises(DuplicateError):
            Wide.insert(rows)
        Wide.insert1(row(2))
    assert [r["item_id"] for r in fetched(Wide)] == [1, 2]


def test_insert_from_query(tables):
    _, Wide = tables
    Wide.insert([row(i) for i in range(2 * CHUNK)])

    @Wide._schema
    class Copy(dj.Manual):
        definition = """
        item_id : int64
        ---
        label : varchar(12)
        """

    Copy.insert(Wide.proj("label") & "item_id < 5")
    Copy.insert(Wide.proj("label"), skip_duplicates=True)
    assert len(Copy()) == 2 * CHUNK


# -- no database -------------------------------------------------------------------------------------

def test_sqlite_shortcuts_equal_sqlalchemy_processors():
    dialect = sqlite_dialect.dialect()
    dates = [datetime.date(1, 1, 1), datetime.date(5, 6, 7), datetime.date(999, 12, 31), datetime.date(2024, 2, 29),
             datetime.date(9999, 12, 31)]
    stamps = [datetime.datetime(1, 1, 1), datetime.datetime(2024, 2, 29, 23, 59, 59, 999999),
              datetime.datetime(999, 1, 2, 3, 4, 5, 60)]
    for column_type, values in ((sa.Date(), dates), (sa.DateTime(), stamps)):
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        assert insert_module.column_binder(column_type, dialect)(values) == [process(v) for v in values]
    aware = [datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)]
    process = sa.DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert insert_module.column_binder(sa.DateTime(), dialect)(aware) == [process(aware[0])]
    floats = [1.5, 2.0]
    assert insert_module.column_binder(sa.Double(), dialect)(floats) is floats
    assert insert_module.column_binder(sa.Double(), dialect)([1, None]) == [1.0, None]


@pytest.mark.parametrize("dialect", [sqlite_dialect.dialect(), postgresql_dialect.psycopg.dialect(),
                                     mysql_dialect.pymysql.dialect()], ids=lambda d: d.name)
@pytest.mark.parametrize("mode", ["plain", "skip", "replace"])
def test_compiled_insert_is_positional(dialect, mode):
    table = sa.Table("t", sa.MetaData(), sa.Column("a", sa.Integer, primary_key=True), sa.Column("b", sa.String(5)),
                     sa.Column("c", sa.Float))
    names = ("c", "a", "b")
    sql, order = insert_module._compiled_insert(dialect, table, names, ("a",), mode == "skip", mode == "replace")
    marker = "?" if dialect.name == "sqlite" else "%s"
    assert sql.count(marker) == 3 and "%(" not in sql
    assert sorted(order) == [0, 1, 2]
    assert [names[i] for i in order] == ["a", "b", "c"]  # the table's column order
    assert sql.upper().startswith("INSERT")


def test_copy_sql_quotes_identifiers():
    table = sa.Table("Odd Name", sa.MetaData(), sa.Column("we ird", sa.Integer), schema="my schema")
    plan = insert_module.InsertPlan(table, ["we ird"], postgresql_dialect.psycopg.dialect())
    assert plan.copy_sql(["we ird"]) == 'COPY "my schema"."Odd Name" ("we ird") FROM STDIN'


def test_row_view():
    view = insert_module.RowView([[1, 2, 3], ["a", "b", "c"]])
    assert len(view) == 3 and view[1] == (2, "b") and view[1:] == [(2, "b"), (3, "c")] and list(view)[0] == (1, "a")


def test_check_column_fast_and_slow_paths():
    int32 = Attribute("n", parse_type("int32"))
    values = [1, 2, 3]
    assert insert_module.check_column(int32, values, "sqlite") is values  # fast: checked, unchanged
    assert insert_module.check_column(int32, [1, np.int64(2), "3"], "sqlite") == [1, 2, 3]
    with pytest.raises(DataJointError, match="'n'"):
        insert_module.check_column(int32, [1, 2**31], "sqlite")
    nullable = Attribute("x", parse_type("float64"), nullable=True, default="null")
    assert insert_module.check_column(nullable, [1.0, None], "mysql") == [1.0, None]
    assert insert_module.check_column(nullable, [1.0, float("nan")], "mysql") == [1.0, None]
    assert insert_module.check_column(nullable, [1.0, float("nan")], "sqlite") == [1.0, None]
    kept = insert_module.check_column(nullable, [1.0, float("nan")], "postgresql")
    assert math.isnan(kept[1])
    required = Attribute("y", parse_type("float64"))
    with pytest.raises(MissingAttributeError, match="'y'"):
        insert_module.check_column(required, [float("nan")], "sqlite")
