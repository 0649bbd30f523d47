"""The programmatic view of declaration (prepare_declare, compile_attribute, attribute_parser) and the adapters."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa.adapters import MySQLAdapter, PostgreSQLAdapter, SQLiteAdapter, get_adapter
from datajoint_sa.adapters.postgresql import PostgreSQLAdapter as PostgreSQLAdapterAlias
from datajoint_sa.declare import attribute_parser, compile_attribute, prepare_declare
from datajoint_sa.errors import DataJointError

ADAPTERS = [MySQLAdapter(), PostgreSQLAdapter(), SQLiteAdapter()]


# -- adapters ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls, quoted", [
    ("mysql", MySQLAdapter, "`lab`.`#subject`"), ("mariadb", MySQLAdapter, "`lab`.`#subject`"),
    ("postgresql", PostgreSQLAdapter, '"lab"."#subject"'), ("postgres", PostgreSQLAdapter, '"lab"."#subject"'),
    ("sqlite", SQLiteAdapter, '"lab.#subject"'),
])
def test_get_adapter_by_name_quotes_full_table_names(name, cls, quoted):
    adapter = get_adapter(name)
    assert type(adapter) is cls
    assert adapter.full_table_name("lab", "#subject") == quoted
    assert adapter.quote_string("it's") == "'it''s'"


def test_postgresql_module_names_the_same_adapter():
    assert PostgreSQLAdapterAlias is PostgreSQLAdapter


def test_unknown_backend_is_refused():
    with pytest.raises(DataJointError, match="Unknown backend 'oracle'"):
        get_adapter("oracle")
    with pytest.raises(DataJointError, match="No adapter"):
        get_adapter(42)
    with pytest.raises(DataJointError, match="renders mysql SQL"):
        MySQLAdapter(sa.dialects.registry.load("postgresql")())


def test_connection_adapter_quotes_for_its_server(connection, schema):
    @schema
    class Thing(dj.Manual):
        definition = "thing_id : int32"

    Thing.insert1({"thing_id": 1})
    adapter = connection.adapter
    assert adapter.backend == connection.dialect_name
    assert adapter.dialect is connection.engine.dialect
    full_name = adapter.full_table_name(schema.database, Thing.table_name)
    assert connection.query(f"SELECT COUNT(*) FROM {full_name}").fetchone()[0] == 1


# -- prepare_declare --------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["_hidden: bool", "  _params_hash : varchar(32)", "_x = null : int32 # c"])
@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.backend)
def test_user_lines_may_not_declare_underscore_names(line, adapter):
    with pytest.raises(DataJointError) as err:
        prepare_declare(f"id : int32\n---\n{line}", {}, adapter)
    message = str(err.value)
    assert "starts with an underscore" in message and "reserved for platform-managed" in message
    assert "_job_start_time" in message and "_singleton" in message and "proj()" in message


def test_prepare_declare_parts():
    parts = prepare_declare("# a session\nsession_id : int32\n---\nnote = 'n/a' : varchar(40) # remark\n"
                            "unique index (note)", {}, MySQLAdapter())
    assert parts.table_comment == "a session"
    assert parts.primary_key == ["session_id"]
    assert [sql.split()[0].strip("`") for sql in parts.attribute_sql] == ["session_id", "note"]
    assert "VARCHAR(40)" in parts.attribute_sql[1] and "DEFAULT 'n/a'" in parts.attribute_sql[1]
    assert parts.column_comments == {"session_id": ":int32:", "note": ":varchar(40):remark"}
    assert len(parts.index_sql) == 1 and parts.index_sql[0].startswith("CREATE UNIQUE INDEX")
    assert parts.foreign_key_sql == [] and parts.fk_attribute_map == {} and parts.external_stores == []


def test_prepare_declare_singleton():
    parts = prepare_declare("---\nvalue : int32", {}, PostgreSQLAdapter())
    assert parts.primary_key == ["_singleton"]


_ON = {"jobs.add_job_metadata": True, "provenance.capture": True}


@pytest.mark.parametrize("table_name, expected", [
    ("subject", ["id", "value", "_prov"]),
    ("__analysis", ["id", "value", "_job_start_time", "_job_duration", "_job_version"]),
    ("_ingest", ["id", "value", "_job_start_time", "_job_duration", "_job_version"]),
    ("#param", ["id", "value"]),
    ("subject__detail", ["id", "value"]),
    ("~~analysis", ["id", "value"]),
    (None, ["id", "value"]),
])
def test_platform_attributes_per_tier(table_name, expected):
    parts = prepare_declare("id : int32\n---\nvalue : int32", {}, PostgreSQLAdapter(), table_name=table_name, config=_ON)
    assert [sql.split()[0].strip('"') for sql in parts.attribute_sql] == expected
    assert parts.primary_key == ["id"]


def test_platform_attributes_follow_dj_config_by_default():
    with dj.config.override(provenance__capture=False, jobs__add_job_metadata=False):
        assert len(prepare_declare("id : int32", {}, MySQLAdapter(), table_name="subject").attribute_sql) == 1
    with dj.config.override(provenance__capture=True):
        names = [sql.split()[0].strip("`") for sql in prepare_declare("id : int32", {}, table_name="subject").attribute_sql]
        assert names == ["id", "_prov"]


def test_a_config_without_the_key_is_refused():
    with pytest.raises(DataJointError, match="no 'provenance.capture'"):
        prepare_declare("id : int32", {}, MySQLAdapter(), table_name="subject", config={})


def test_prepare_declare_resolves_foreign_keys_and_matches_the_declared_table(connection, schema):
    @schema
    class Animal(dj.Manual):
        definition = "animal_id : int32\n---\nspecies : enum('mouse', 'rat')"

    @schema
    class Session(dj.Manual):
        definition = "-> Animal\nsession : int16\n---\nweight = null : float64"

    parts = prepare_declare(Session.definition, {"Animal": Animal}, connection.adapter,
                            table_name=Session.table_name, schema=schema.database)
    assert parts.primary_key == ["animal_id", "session"]
    parent, parent_attr = parts.fk_attribute_map["animal_id"]
    assert parent_attr == "animal_id" and "animal" in parent
    assert len(parts.foreign_key_sql) == 1 and "REFERENCES" in parts.foreign_key_sql[0]
    sql_schema, sql_name = connection.rules.sql_table(schema.database, Session.table_name)
    with connection.engine.connect() as conn:
        created = [c["name"] for c in sa.inspect(conn).get_columns(sql_name, schema=sql_schema)]
    assert [sql.split()[0].strip('`"') for sql in parts.attribute_sql] == created


def test_an_unresolved_reference_names_it():
    with pytest.raises(DataJointError, match="Nowhere"):
        prepare_declare("-> Nowhere\nid : int32", {}, MySQLAdapter())


# -- compile_attribute ------------------------------------------------------------------------
@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.backend)
def test_compile_attribute_compiles_platform_columns(adapter):
    name, sql, store, comment = compile_attribute("_job_start_time = null : datetime(3) # began", False, [], {}, adapter)
    assert name == "_job_start_time" and store is None
    assert comment == ":datetime(3):began"
    assert "DEFAULT NULL" in sql.upper()
    if adapter.backend == "mysql":  # MySQL carries the comment in the column clause
        assert "COMMENT ':datetime(3):began'" in sql


def test_compile_attribute_reports_the_store_and_refuses_a_nullable_key():
    assert compile_attribute("raw : <blob@archive>", False, [], {}, MySQLAdapter())[2] == "archive"
    with pytest.raises(DataJointError, match="cannot be nullable"):
        compile_attribute("id = null : int32", True, [], {}, MySQLAdapter())


# -- attribute_parser -------------------------------------------------------------------------
def test_attribute_parser_names_the_parts():
    assert attribute_parser.parse_string("_prov = null : json#", parse_all=True) == {
        "name": "_prov", "default": "null", "type": "json", "comment": ""}
    assert attribute_parser.parse_string("x : decimal(5, 2)  # cost") == {
        "name": "x", "type": "decimal(5, 2)", "comment": "cost"}


def test_attribute_parser_parse_all():
    assert attribute_parser.parse_string("x : int32\ny : int32", parse_all=False)["name"] == "x"
    with pytest.raises(DataJointError, match="several"):
        attribute_parser.parse_string("x : int32\ny : int32")
    with pytest.raises(DataJointError, match="expected 'name"):
        attribute_parser.parse_string("no type here")
