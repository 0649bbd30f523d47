"""Schemas on every backend: decorating, deferred activation, name resolution, listing and dropping."""

from __future__ import annotations

import types

import pytest
from reflection_helpers import reflect, table_names

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError, DeclarationError

from conftest import unique_schema_name


def test_decorator_declares(schema, connection):
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        """

    assert Animal.table_name == "animal"
    assert schema.declared_class("Animal") is Animal
    assert [t.table_name for t in schema] == ["animal"]
    assert "Animal" in schema and "animal" in schema and "Plant" not in schema
    assert "animal" in table_names(connection, schema.database)
    assert schema.exists and schema.is_activated()
    assert schema.database in repr(schema)


def test_decorator_rejects_non_tables(schema):
    with pytest.raises(DataJointError):
        schema(object)

    class Loose(dj.Part):
        definition = "x : int8"

    with pytest.raises(DataJointError, match="master"):
        schema(Loose)


def test_deferred_activation(connection):
    deferred = dj.Schema()
    assert not deferred.is_activated()
    assert "not activated" in repr(deferred)

    @deferred
    class Early(dj.Manual):
        definition = """
        early_id : int16
        """

    @deferred
    class Later(dj.Manual):
        definition = """
        -> Early
        later_id : int16
        """

    assert Early._declared is None
    with pytest.raises(DataJointError, match="not activated"):  # made as in DataJoint; used, it says why not
        _ = Early().heading
    with pytest.raises(DataJointError):
        deferred.list_tables()
    name = unique_schema_name("deferred")
    deferred.activate(name, connection=connection)
    try:
        assert deferred.exists and deferred.database == name
        assert set(deferred.list_tables()) == {"early", "later"}
        assert deferred.list_tables().index("early") < deferred.list_tables().index("later")
        Early.insert1({"early_id": 1})
        Later.insert1({"early_id": 1, "later_id": 2})
        assert len(Later()) == 1
        deferred.activate(name)  # activating again under the same name is harmless
        with pytest.raises(DataJointError):
            deferred.activate(name + "_other")
    finally:
        deferred.drop(prompt=False)
    assert not deferred.exists


def test_create_schema_false(connection):
    with pytest.raises(DataJointError, match="does not exist"):
        dj.Schema(unique_schema_name("absent"), connection=connection, create_schema=False)


def test_invalid_schema_name(connection):
    for bad in ("1abc", "has space", "semi;colon", ""):
        with pytest.raises(DataJointError):
            dj.Schema(bad, connection=connection)


def test_context_resolution(schema, connection):
    @schema
    class Base(dj.Manual):
        definition = """
        base_id : int8
        """

    namespace = types.SimpleNamespace(Base=Base)
    other_schema = dj.Schema(schema.database, context={"aliased": Base, "ns": namespace}, connection=connection)

    @other_schema
    class ViaContext(dj.Manual):
        definition = """
        -> aliased
        item : int8
        """

    @other_schema
    class ViaNamespace(dj.Manual):
        definition = """
        -> ns.Base
        item2 : int8
        """

    assert reflect(connection, schema.database, "via_context").fk_on("base_id")["referred_columns"] == ["base_id"]
    assert reflect(connection, schema.database, "via_namespace").primary_key == ["base_id", "item2"]


def test_linking_module(connection, make_schema):
    upstream = make_schema("upstream")

    @upstream
    class Subject(dj.Manual):
        definition = """
        subject_id : int16
        """

    module = types.ModuleType("linked")
    module.Subject = Subject
    downstream = dj.Schema()

    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int8
        """

    downstream(Session, context={})  # deferred: nothing resolved yet
    name = unique_schema_name("linked")
    downstream.activate(name, connection=connection, linking_module=module)
    try:
        fk = reflect(connection, name, "session").fk_on("subject_id")
        assert fk["referred_table"] == connection.rules.sql_table(upstream.database, "subject")[1]
    finally:
        downstream.drop(prompt=False)


def test_unresolved_reference(schema):
    class Orphan(dj.Manual):
        definition = """
        -> NoSuchParent
        x : int8
        """

    with pytest.raises(DeclarationError, match="NoSuchParent"):
        schema(Orphan, context={})


def test_list_schemas_and_drop(connection, make_schema):
    first, second = make_schema("listed"), make_schema("listed")

    @first
    class Thing(dj.Manual):
        definition = """
        thing : int8
        """

    names = dj.list_schemas(connection)
    assert first.database in names and second.database in names
    assert "information_schema" not in names
    second.drop(prompt=False)
    assert not second.exists
    assert second.database not in dj.list_schemas(connection)
    second.drop(prompt=False)  # dropping a dropped schema does nothing
    first.drop(prompt=False)
    assert not first.exists
    assert first.database not in dj.list_schemas(connection)
    if not connection.rules.has_schemas:  # SQLite: the schema's tables are gone from the file
        assert table_names(connection, first.database) == set()


def test_list_tables_order(schema):
    @schema
    class Zeta(dj.Manual):
        definition = """
        zeta : int8
        """

    @schema
    class Alpha(dj.Manual):
        definition = """
        -> Zeta
        alpha : int8
        """

        class Part(dj.Part):
            definition = """
            -> master
            part : int8
            """

    tables = schema.list_tables()
    assert set(tables) == {"zeta", "alpha", "alpha__part"}
    assert tables.index("zeta") < tables.index("alpha") < tables.index("alpha__part")
    assert "~lineage" not in tables


def test_cross_schema_foreign_keys(connection, make_schema):
    upstream, downstream = make_schema("up"), make_schema("down")

    @upstream
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(10)
        """

    @downstream
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> [nullable] Subject.proj(partner='subject_id')
        """

    reflected = reflect(connection, downstream.database, "session")
    fk = reflected.fk_on("subject_id")
    sql_schema, sql_name = connection.rules.sql_table(upstream.database, "subject")
    assert fk["referred_table"] == sql_name and (fk["referred_schema"] or None) == sql_schema
    Subject.insert1((1, "ann"))
    Session.insert1((1, 1, None))
    with pytest.raises(dj.errors.IntegrityError) as info:
        Session.insert1((2, 1, None))
    assert Subject().full_table_name in str(info.value)
    with pytest.raises(dj.errors.IntegrityError):
        Session.insert1((1, 2, 42))
    with pytest.raises(dj.errors.IntegrityError):  # the parent row is held by its child
        Subject.delete_quick()
    assert len(Session()) == 1 and len(Subject()) == 1
    # the child's lineage points into the other schema
    assert Session.heading["subject_id"].lineage == f"{upstream.database}.subject.subject_id"


def test_drop_prompt_respects_answer(schema, monkeypatch):
    @schema
    class Kept(dj.Manual):
        definition = """
        kept : int8
        """

    monkeypatch.setattr("builtins.input", lambda question: "no")
    schema.drop(prompt=True)
    assert schema.exists and "kept" in schema.list_tables()
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    schema.drop(prompt=True)
    assert not schema.exists
