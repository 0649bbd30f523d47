"""DataJoint 2.3 behaviours of tables and schemas that user code relies on (issue 14), on every backend."""

from __future__ import annotations

import importlib
import warnings

import pandas as pd
import pytest

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError, DuplicateError

from conftest import unique_schema_name


def _simple(schema: dj.Schema) -> type:
    @schema
    class Simple(dj.Manual):
        definition = """
        id : int32
        ---
        value : varchar(100)
        score=null : float64
        """

    return Simple


# -- dj.schema, import paths -------------------------------------------------------------------

def test_lowercase_schema_is_the_class(connection):
    assert dj.schema is dj.Schema
    made = dj.schema(unique_schema_name(), context={}, connection=connection, create_schema=True,
                     create_tables=True)
    try:
        assert isinstance(made, dj.Schema) and made.is_activated()
    finally:
        made.drop(prompt=False)
    # the module defining Schema stays importable under its own name
    assert importlib.import_module("datajoint_sa.schemas").Schema is dj.Schema


def test_import_paths():
    from datajoint_sa.errors import DataJointError as Error
    from datajoint_sa.table import FreeTable, Table
    from datajoint_sa.user_tables import Computed, Lookup, Manual, Part, UserTable
    from datajoint_sa.utils import from_camel_case, is_camel_case, to_camel_case

    assert Error is dj.DataJointError and Table is dj.Table and FreeTable is dj.FreeTable
    assert (Manual, Lookup, Computed, Part) == (dj.Manual, dj.Lookup, dj.Computed, dj.Part)
    assert issubclass(Manual, UserTable)
    assert is_camel_case("AllGroups") and not is_camel_case("allGroups") and not is_camel_case("TestΣ")
    assert from_camel_case("AllGroups") == "all_groups" and from_camel_case("ABTest") == "a_b_test"
    assert to_camel_case("this_is_a_sample_case") == "ThisIsASampleCase"
    assert to_camel_case("This_is_Mixed") == "ThisIsMixed"


def test_from_camel_case_refuses():
    with pytest.raises(DataJointError):
        from_camel("repNames")
    with pytest.warns(UserWarning, match="contains underscores"), pytest.raises(DataJointError):
        from_camel("10_all")


def from_camel(name: str) -> str:
    from datajoint_sa.utils import from_camel_case

    return from_camel_case(name)


# -- schema life cycle ----------------------------------------------------------------------------

def test_activate_drop_activate_declares_anew(connection):
    name = unique_schema_name()
    schema = dj.Schema()
    assert not schema.is_activated()

    @schema
    class Thing(dj.Manual):
        definition = """
        thing : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : int32
            """

    schema.activate(name, connection=connection)
    Thing.insert1({"thing": 1})
    schema.drop(prompt=False)
    assert not schema.exists
    schema.activate(name, connection=connection)
    try:
        assert len(Thing()) == 0
        Thing.insert1({"thing": 2})
        Thing.Piece.insert1({"thing": 2, "piece": 1})
        assert len(Thing.Piece()) == 1
    finally:
        schema.drop(prompt=False)


def test_unactivated_and_undecorated_tables_say_so():
    schema = dj.Schema()

    @schema
    class Pending(dj.Manual):
        definition = """
        id : int32
        """

    instance = Pending()  # making one is fine; using it is not
    with pytest.raises(DataJointError, match="not properly configured.*activate"):
        _ = instance.heading
    with pytest.raises(DataJointError, match="not activated"):
        Pending.insert1({"id": 1})
    with pytest.raises(DataJointError, match="not properly configured"):
        _ = instance.primary_key

    class Loose(dj.Manual):
        definition = "id : int32"

    with pytest.raises(DataJointError, match="decorate"):
        print(Loose().full_table_name)
    assert not hasattr(Loose(), "heading")  # an AttributeError too, for introspection


def test_free_table_of_missing_table(schema):
    with pytest.raises(DataJointError, match="does not exist"):
        dj.FreeTable(schema.connection, f"{schema.database}.missing")


# -- insert ---------------------------------------------------------------------------------------

def test_chunk_size(schema):
    Simple = _simple(schema)
    Simple.insert([{"id": i, "value": f"v{i}"} for i in range(23)], chunk_size=5)
    assert len(Simple()) == 23
    Simple.insert([{"id": i, "value": f"v{i}"} for i in range(30)], chunk_size=7, skip_duplicates=True)
    assert len(Simple()) == 30
    with pytest.raises(DataJointError, match="chunk_size is not supported"):
        Simple.insert(Simple.proj(), chunk_size=10)
    with pytest.raises(DataJointError, match="positive integer"):
        Simple.insert([{"id": 99, "value": "x"}], chunk_size=0)


def test_chunk_size_keeps_completed_chunks(schema):
    """Each chunk is its own transaction: a failure in a later chunk keeps the earlier ones."""
    Simple = _simple(schema)
    Simple.insert1({"id": 7, "value": "there"})
    rows = [{"id": i, "value": "x"} for i in range(10)]
    with pytest.raises(DuplicateError):
        Simple.insert(rows, chunk_size=5)  # the second chunk (5..9) holds the duplicate 7
    assert sorted(Simple.to_arrays("id")) == [0, 1, 2, 3, 4, 7]
    with pytest.raises(DuplicateError):
        Simple.insert([{"id": i, "value": "x"} for i in range(20, 30)] + [{"id": 7, "value": "x"}])
    assert len(Simple & "id >= 20") == 0  # without chunk_size: all or nothing


def test_insert_arrow_and_polars(schema):
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    Simple = _simple(schema)
    Simple.insert(pa.table({"id": [1, 2, 3], "value": ["a", "b", "c"], "score": [1.0, None, 3.0]}))
    Simple.insert(pl.DataFrame({"id": [4, 5], "value": ["d", "e"], "score": [4.0, 5.0]}), chunk_size=1)
    Simple.insert(pa.table({"id": [5, 6], "value": ["e", "f"], "score": [5.0, 6.0]}), skip_duplicates=True)
    assert sorted(Simple.to_arrays("id")) == [1, 2, 3, 4, 5, 6]
    assert (Simple & {"id": 2}).fetch1("score") is None
    # round trips
    arrow = Simple.to_arrow()
    frame = Simple.to_polars()
    Simple.delete(prompt=False)
    Simple.insert(arrow)
    assert len(Simple()) == 6
    Simple.delete(prompt=False)
    Simple.insert(frame)
    assert len(Simple()) == 6
    assert Simple.validate(pa.table({"id": [1], "value": ["a"]})).is_valid


def test_positional_insert_warns(schema):
    Simple = _simple(schema)
    with pytest.warns(DeprecationWarning, match="Positional inserts") as caught:
        Simple.insert1((1, "one", 1.0))
    assert caught[0].filename == __file__  # points at the user's call
    with pytest.warns(DeprecationWarning, match="Positional inserts"):
        Simple.insert([(2, "two", 2.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        Simple.insert1({"id": 3, "value": "three"})
    assert len(Simple()) == 3


def test_insert_dataframe_messages(schema):
    Simple = _simple(schema)
    with pytest.raises(DataJointError, match="requires a pandas DataFrame"):
        Simple.insert_dataframe([{"id": 1, "value": "a"}])
    frame = pd.DataFrame({"value": ["a", "b"]}, index=pd.Index([1, 2], name="wrong"))
    with pytest.raises(DataJointError, match="do not match"):
        Simple.insert_dataframe(frame, index_as_pk=True)
    frame = pd.DataFrame({"id": range(10), "value": [f"v{i}" for i in range(10)]})
    Simple.insert_dataframe(frame, chunk_size=3)
    assert len(Simple()) == 10


def test_empty_row_names_required_attributes(schema):
    Simple = _simple(schema)
    with pytest.raises(DataJointError, match="Cannot insert empty row.*require values.*id.*value"):
        Simple.insert1({})


def test_skip_duplicates_skips_only_primary_key_duplicates(schema, backend):
    @schema
    class Person(dj.Manual):
        definition = """
        person : int32
        ---
        email : varchar(100)
        unique index (email)
        """

    Person.insert1({"person": 1, "email": "a@x"})
    Person.insert1({"person": 1, "email": "other@x"}, skip_duplicates=True)
    assert (Person & {"person": 1}).fetch1("email") == "a@x"
    if backend == "mysql":  # ON DUPLICATE KEY cannot tell a unique index from the primary key
        Person.insert1({"person": 2, "email": "a@x"}, skip_duplicates=True)
        assert len(Person()) == 1
    else:
        with pytest.raises(DuplicateError):
            Person.insert1({"person": 2, "email": "a@x"}, skip_duplicates=True)


def test_duplicate_message_is_plain_text(schema):
    Simple = _simple(schema)
    Simple.insert1({"id": 1, "value": "a"})
    with pytest.raises(DuplicateError) as caught:
        Simple.insert1({"id": 1, "value": "a"})
    message = caught.value.args[0]
    assert isinstance(message, str) and not message.startswith("(")


# -- validate ------------------------------------------------------------------------------------

def test_validation_messages(schema):
    Simple = _simple(schema)
    result = Simple.validate([{"value": "one"}, {"id": 2, "value": "two", "other": 1}])
    assert not result
    assert "id" in result.errors[0][2]
    assert any("other" in message for _, _, message in result.errors)
    summary = result.summary()
    assert "Validation failed" in summary and "2 error(s)" in summary and "Row 0" in summary and "Row 1" in summary
    many = dj.ValidationResult(is_valid=False, errors=[(i, f"f{i}", "bad") for i in range(20)], rows_checked=20)
    assert "and 10 more errors" in many.summary()


# -- tiers, definitions, prompts --------------------------------------------------------------

def test_missing_definition_is_not_implemented(schema):
    class Misspelled(dj.Manual):
        definitions = """
        id : int32
        """

    with pytest.raises(NotImplementedError, match="definition"):
        schema(Misspelled)
    assert "misspelled" not in schema


def test_prompts_read_input_through_utils(schema, monkeypatch):
    from datajoint_sa import utils

    Simple = _simple(schema)
    Simple.insert1({"id": 1, "value": "a"})
    monkeypatch.setattr(utils, "input", lambda question: "yes", raising=False)
    with dj.config.override(safemode=True):
        Simple.delete()
    assert len(Simple()) == 0
    monkeypatch.setattr(utils, "input", lambda question: "maybe" if "[" not in question else "no", raising=False)
    assert utils.user_choice("Go on?", ("yes", "no"), default="no") == "no"


def test_rows_of_defaults_only(schema, backend):
    @schema
    class Note(dj.Manual):
        definition = """
        note_id=1 : int32
        ---
        created=CURRENT_TIMESTAMP : datetime
        text=null : varchar(200)
        """

    Note.insert1({})
    row = Note.fetch1()
    assert row["note_id"] == 1 and row["created"] is not None and row["text"] is None
    assert Note.validate([{}]).is_valid
    if backend == "mysql":  # native auto_increment numbers the key itself
        @schema
        class Counter(dj.Manual):
            definition = """
            counter_id : int auto_increment
            ---
            text=null : varchar(20)
            """

        assert Counter.validate([{"text": "a"}]).is_valid
        Counter.insert([{}, {}, {}])
        assert sorted(Counter.to_arrays("counter_id")) == [1, 2, 3]


def test_interrupt_survives_a_failed_rollback(schema, monkeypatch):
    """Ctrl-C mid-insert can leave the driver's connection unusable; the rollback's failure must not hide it."""
    from datajoint_sa.insert import InsertPlan

    Simple = _simple(schema)

    def interrupted(self, conn, batch):
        conn.connection.dbapi_connection.close()  # as a half-read MySQL connection: the rollback fails
        raise KeyboardInterrupt

    monkeypatch.setattr(InsertPlan, "send", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Simple.insert1({"id": 1, "value": "a"})
    monkeypatch.undo()
    Simple.insert1({"id": 2, "value": "b"})  # the connection pool recovers
    assert Simple.to_arrays("id").tolist() == [2]


def test_insert_csv_file(schema, tmp_path):
    import pathlib

    Simple = _simple(schema)
    path = tmp_path / "rows.csv"
    path.write_text("id,value,score\n1,one,1.5\n2,two,\n")
    assert Simple.validate(pathlib.Path(path)).is_valid
    Simple.insert(path, chunk_size=1)
    assert Simple.to_dicts() == [{"id": 1, "value": "one", "score": 1.5}, {"id": 2, "value": "two", "score": None}]
    with pytest.raises(DataJointError, match="no such file"):
        Simple.insert(tmp_path / "missing.csv")
