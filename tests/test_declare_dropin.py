"""Declaration behaviour DataJoint 2.3 code relies on (issue 14): type categories, declare() as DDL,
headings from mappings, '-> self.x', inherited parts, singleton tables, reflected types, lineage API."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa import lineage
from datajoint_sa.declare import CORE_TYPE_SQL, CORE_TYPES, SPECIAL_TYPES, TYPE_PATTERN, declare, match_type
from datajoint_sa.errors import DataJointError, DuplicateError
from datajoint_sa.heading import Heading
from datajoint_sa.migrate import NATIVE_TO_CORE_TYPE
from datajoint_sa.types import column_type, parse_type


# -- type categories (no database) ----------------------------------------------------------------
@pytest.mark.parametrize(("spelling", "category"), [
    ("int32", "INT32"), ("float64", "FLOAT64"), ("bool", "BOOL"), ("jsonb", "JSON"), ("datetime(3)", "DATETIME"),
    ("varchar(8)", "VARCHAR"), ("enum('a','b')", "ENUM"), ("decimal(6,2)", "DECIMAL"), ("decimal(2, 2)", "DECIMAL"),
    ("date", "DATE"), ("<blob@store>", "CODEC"), ("int unsigned", "INTEGER"), ("serial", "INTEGER"),
    ("decimal(5)", "NUMERIC"), ("decimal(2,2) unsigned", "NUMERIC"), ("double", "FLOAT"), ("time", "TEMPORAL"),
    ("longblob", "NATIVE_BLOB"), ("mediumtext", "NATIVE_TEXT"),
])
def test_match_type_categories(spelling, category):
    assert match_type(spelling) == category
    assert TYPE_PATTERN[category].fullmatch(spelling)
    assert (category in SPECIAL_TYPES) == (category.lower() in CORE_TYPES or category == "CODEC")


@pytest.mark.parametrize("spelling", ["int24", "serialize", "tinyinteger", "uint8", ""])
def test_match_type_refuses_misspellings(spelling):
    with pytest.raises(DataJointError, match="Unsupported attribute type"):
        match_type(spelling)


def test_core_type_sql_is_what_mysql_columns_are():
    from sqlalchemy.dialects import mysql

    dialect = mysql.dialect()
    for name, sql in CORE_TYPE_SQL.items():
        if sql is not None:
            compiled = column_type(parse_type(name), "mysql").compile(dialect=dialect).lower()
            assert compiled.replace("integer", "int") == sql, name


def test_native_to_core_types_classify():
    for native, core in NATIVE_TO_CORE_TYPE.items():
        assert match_type(native) not in SPECIAL_TYPES
        assert match_type(core) in SPECIAL_TYPES


# -- declare(): the DDL of a definition (no database) -----------------------------------------------
_DEFINITION = """# a table
id : int32
---
v = null : float64  # value
mood : enum('calm', 'busy')
index (v)
"""


@pytest.mark.parametrize("backend_name", ["mysql", "postgresql", "sqlite"])
def test_declare_compiles_ddl(backend_name):
    sql = declare("`lab`.`#thing`", _DEFINITION, {}, backend_name)
    assert "CREATE TABLE" in sql and "PRIMARY KEY (id)" in sql
    assert "CREATE INDEX" in sql
    assert ":float64:value" in sql  # the core type is recorded in the column comment
    if backend_name == "postgresql":
        assert "CREATE TYPE" in sql and "COMMENT ON COLUMN" in sql


def test_declare_resolves_foreign_keys_in_context(schema):
    @schema
    class Animal(dj.Manual):
        definition = "animal : varchar(8)"

    sql = declare(f"{schema.database}.visit", "-> Animal\nvisit : int16", {"Animal": Animal}, schema.connection)
    assert "FOREIGN KEY" in sql and "animal" in sql
    with pytest.raises(DataJointError, match="could not be resolved"):
        declare(f"{schema.database}.visit", "-> Animal\nvisit : int16", {}, "mysql")
    with pytest.raises(DataJointError, match="schema.table"):
        declare("no_schema", "id : int32")


# -- Heading from mappings: functional dependencies ------------------------------------------------
def _heading(key, secondary=()):
    return Heading([{"name": n, "type": "int", "in_key": True} for n in key]
                   + [{"name": n, "type": "int", "in_key": False, "nullable": True} for n in secondary])


def test_heading_from_mappings_and_join_keys():
    a, b = _heading(["x", "y"]), _heading(["x", "z"], ["y"])
    assert a["x"].numeric and a.primary_key == ["x", "y"]
    assert b.determines(a) and not a.determines(b)
    joined = a.join(b)
    assert joined.primary_key == ["x", "z"] and joined.names[:2] == ["x", "z"]
    assert "y" in joined.secondary_attributes
    assert _heading(["x", "y"]).join(_heading(["y", "z"])).primary_key == ["x", "y", "z"]
    with pytest.raises(DataJointError, match="name"):
        Heading([{"type": "int"}])


# -- '-> self.x' and parts inherited by a subclass master -------------------------------------------
class _Origin(dj.Manual):
    definition = "a_id : int32"


class _Base(dj.Manual):
    source = None
    definition = """
    -> self.source
    b_id : int32
    """

    class H(dj.Part):
        definition = """
        -> master
        name : varchar(32)
        """

    class C(dj.Part):
        definition = """
        -> master
        -> master.H
        """


def test_self_reference_and_inherited_parts(schema):
    class Origin(_Origin):
        pass

    class Derived(_Base):
        source = Origin

    schema(Origin)
    schema(Derived)
    assert Derived.heading.primary_key == ["a_id", "b_id"]
    assert Derived.C.heading.primary_key == ["a_id", "b_id", "name"]
    Origin.insert1({"a_id": 1})
    Derived.insert1({"a_id": 1, "b_id": 2})
    Derived.H.insert1({"a_id": 1, "b_id": 2, "name": "n"})
    Derived.C.insert1({"a_id": 1, "b_id": 2, "name": "n"})
    assert len(Derived.C()) == 1


# -- singleton tables ---------------------------------------------------------------------------------
def test_singleton_table(schema):
    @schema
    class Settings(dj.Lookup):
        definition = """
        # the one row of settings
        index (label)
        ---
        label : varchar(16)
        """

    assert Settings.heading.primary_key == [] and Settings.heading.names == ["label"]
    assert "_singleton" in Settings.heading._attributes
    Settings.insert1({"label": "only"})
    assert Settings.fetch1() == {"label": "only"}
    with pytest.raises(DuplicateError):
        Settings.insert1({"label": "second"})
    described = Settings.describe()
    assert "_singleton" not in described and "label" in described
    reopened = dj.VirtualModule("v", schema.database, connection=schema.connection)
    assert reopened.Settings.heading.names == ["label"] and reopened.Settings.fetch1() == {"label": "only"}


def test_underscore_names_are_refused(schema):
    class Hidden(dj.Manual):
        definition = "id : int32\n---\n_secret : int32"

    with pytest.raises(DataJointError, match="underscore"):
        schema(Hidden)


# -- reflected tables ------------------------------------------------------------------------------------
def test_reflected_float64_reads_as_float_and_describe_keeps_types(schema):
    @schema
    class Reading(dj.Manual):
        definition = """
        id : int32
        ---
        x : float64
        y : float32
        mood : enum('calm', 'busy')
        """

    Reading.insert1({"id": 1, "x": 1 / 3, "y": 0.5, "mood": "busy"})
    reopened = dj.VirtualModule("v", schema.database, connection=schema.connection).Reading
    row = reopened.fetch1()
    assert type(row["x"]) is float and row["x"] == pytest.approx(1 / 3)
    assert "enum('calm','busy')" in reopened.describe().replace(" ", "")


def test_describe_of_native_unsigned_and_enum(schema, backend):
    if backend == "sqlite":
        pytest.skip("SQLite has neither unsigned integers nor enum types")
    conn = schema.connection
    database = schema.database
    if backend == "mysql":
        conn.query(f"CREATE TABLE `{database}`.`raw` (id int unsigned NOT NULL, x double, "
                   "e enum('p','q') NOT NULL, PRIMARY KEY (id))")
    else:
        conn.query(f'CREATE TYPE "{database}".mood AS ENUM (\'p\', \'q\')')
        conn.query(f'CREATE TABLE "{database}".raw (id smallint NOT NULL, x double precision, '
                   f'e "{database}".mood NOT NULL, PRIMARY KEY (id))')
    conn.query(f"INSERT INTO {conn.full_name((database, 'raw'))} (id, x, e) VALUES (1, 0.25, 'p')")
    raw = dj.VirtualModule("v", database, connection=conn).Raw
    text = raw.describe()
    assert ("int unsigned" if backend == "mysql" else "smallint") in text
    assert "enum('p','q')" in text and ": double" in text
    assert raw.fetch1() == {"id": 1, "x": 0.25, "e": "p"}
    assert type(raw.fetch1()["x"]) is float


# -- inserts into native binary columns --------------------------------------------------------------------
def test_native_blob_takes_bytes_only(schema, backend):
    native = "bytea" if backend == "postgresql" else "longblob"

    @schema
    class Raw(dj.Manual):
        definition = f"id : int32\n---\ndata : {native}"

    for value in (np.arange(5, dtype="float32"), [1, 2, 3], "text"):
        with pytest.raises(DataJointError, match="native binary type"):
            Raw.insert1({"id": 1, "data": value})
    Raw.insert1({"id": 2, "data": b"\x00\x01"})
    assert (Raw & "id=2").fetch1("data") == b"\x00\x01" and len(Raw()) == 1


# -- class docs, is_declared, alter(context=...) ----------------------------------------------------------
def test_docstring_is_declared_and_alter_context(schema):
    @schema
    class Item(dj.Manual):
        """Things."""

        definition = "item : int32"

    @schema
    class Note(dj.Manual):
        definition = "note : int32\n---\ntext : varchar(8)"

    assert Item.definition in Item.__doc__ and Item.__doc__.startswith("Things.")
    assert Item.is_declared and Note().is_declared
    Note.definition = "note : int32\n---\ntext : varchar(8)\n-> [nullable] Ref"
    with pytest.raises(DataJointError, match="Ref"):
        Note.alter(prompt=False)
    Note.alter(prompt=False, context={"Ref": Item})
    assert Note.heading.secondary_attributes == ["text", "item"]
    assert Note.__doc__.count("Table definition") == 1 and "Ref" in Note.__doc__


# -- the ~lineage table API --------------------------------------------------------------------------------
def test_lineage_module(schema):
    @schema
    class Subject(dj.Manual):
        definition = "subject : int32"

    @schema
    class Session(dj.Manual):
        definition = "-> Subject\nsession : int16"

    conn, db = schema.connection, schema.database
    assert lineage.lineage_table_exists(conn, db)
    assert lineage.get_table_lineages(conn, db, "session") == {
        "subject": f"{db}.subject.subject", "session": f"{db}.session.session"}
    lineage.delete_table_lineages(conn, db, "session")
    assert lineage.get_lineage(conn, db, "session", "subject") is None
    lineage.insert_lineages(conn, db, [("session", "subject", "x.y.z")])
    lineage.insert_lineages(conn, db, [("session", "subject", f"{db}.subject.subject")])
    assert lineage.get_lineage(conn, db, "session", "subject") == f"{db}.subject.subject"
    with pytest.raises(DataJointError, match="schema.table.attribute"):
        lineage.insert_lineages(conn, db, [("session", "subject", "bad")])
    lineage.rebuild_schema_lineage(conn, db)
    assert lineage.get_schema_lineages(conn, db)[f"{db}.session.session"] == f"{db}.session.session"


def test_alter_keeps_definition_order_on_mysql(schema, backend):
    if backend != "mysql":
        pytest.skip("only MySQL can place an added column (ALTER ... AFTER); elsewhere it goes last")

    @schema
    class Trial(dj.Manual):
        definition = "trial : int32\n---\nfirst : int32\nlast : int32"

    original = schema.connection.query(f"SHOW CREATE TABLE {Trial.full_table_name}").fetchone()[1]
    Trial.definition = "trial : int32\n---\nfirst : int32\nmiddle = null : varchar(8)  # 100% new\nlast : int32"
    Trial.alter(prompt=False)
    inspector = sa.inspect(schema.connection.engine)
    columns = [c["name"] for c in inspector.get_columns("trial", schema=schema.database)]
    assert columns == ["trial", "first", "middle", "last"]
    Trial.definition = "trial : int32\n---\nfirst : int32\nlast : int32"
    Trial.alter(prompt=False)
    assert schema.connection.query(f"SHOW CREATE TABLE {Trial.full_table_name}").fetchone()[1] == original


def test_make_classes_fills_the_given_context(schema):
    @schema
    class Language(dj.Lookup):
        definition = "language : varchar(16)"
        contents = [("Greek",)]

    namespace: dict = {}
    dj.Schema(schema.database, namespace, connection=schema.connection).make_classes()
    assert issubclass(namespace["Language"], dj.Lookup) and len(namespace["Language"]()) == 1


def test_sql_keywords_as_attribute_names(schema):
    @schema
    class Select(dj.Manual):
        definition = """
        order : int32
        key : varchar(8)
        ---
        index : int32
        group = null : varchar(8)
        desc : float64
        unique index (group)
        """

    Select.insert1({"order": 1, "key": "a", "index": 2, "group": "g", "desc": 0.5})
    # reserved words in SQL text need MySQL's backticks there, as in DataJoint; dict restrictions need nothing
    order = "`order`" if schema.connection.dialect_name == "mysql" else "order"
    index = "`index`" if schema.connection.dialect_name == "mysql" else "index"
    row = {"order": 1, "key": "a", "index": 2, "group": "g", "desc": 0.5}
    assert (Select & f"{order}=1").to_dicts() == [row]
    assert (Select & {"order": 1}).to_dicts() == [row]
    assert Select.proj(ix=index).to_dicts() == [{"order": 1, "key": "a", "ix": 2}]
    assert "UNIQUE INDEX (group)" in Select.describe()
    reopened = dj.VirtualModule("v", schema.database, connection=schema.connection)
    assert reopened.Select.heading.names == ["order", "key", "index", "group", "desc"]
