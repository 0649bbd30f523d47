"""DataJoint 2.3 code that runs unchanged: connection arguments, conn.query, Lookup contents, Part names."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa.engine.address import split_host
from datajoint_sa.engine.cursor import sqlite_placeholders
from datajoint_sa.errors import DataJointError


def datajoint_arguments(connection: dj.Connection) -> dict:
    """The host/user/password/backend arguments a DataJoint 2.3 user passes for this connection's server."""
    url = connection.url
    return {"host": f"{url.host}:{url.port}", "user": url.username, "password": url.password or "",
            "backend": connection.dialect_name}


# -- connecting ----------------------------------------------------------------------------------
def test_connection_from_datajoint_arguments(connection, backend):
    if backend == "sqlite":
        pytest.skip("SQLite is reached by a URL or a file name, not host/user/password")
    with dj.Connection(**datajoint_arguments(connection)) as opened:
        assert opened.is_connected
        assert opened.dialect_name == backend
        assert opened.conn_info["port"] == connection.url.port
        assert opened.query("SELECT 1").fetchone()[0] == 1
        assert opened.get_user()
    assert not opened.is_connected
    assert "disconnected" in repr(opened)


def test_port_argument_and_host_port_string(connection, backend):
    if backend == "sqlite":
        pytest.skip("no server")
    arguments = datajoint_arguments(connection)
    host, port = split_host(arguments.pop("host"))
    with dj.Connection(host, port=port, **arguments) as opened:
        assert opened.conn_info == {**opened.conn_info, "host": host, "port": port}


def test_wrong_password_is_a_datajoint_error(connection, backend):
    if backend == "sqlite":
        pytest.skip("no accounts")
    arguments = {**datajoint_arguments(connection), "user": "no_such_user_dj", "password": "wrong"}
    with pytest.raises(dj.errors.AccessError) as refused:
        dj.Connection(**arguments)
    assert refused.value.__cause__ is not None  # the driver's own error, kept


def test_sqlite_file_by_backend(tmp_path):
    opened = dj.Connection(backend="sqlite", database_name=str(tmp_path / "lab.db"))
    assert opened.dialect_name == "sqlite"
    assert opened.query("SELECT 2").fetchall() == [(2,)]


@pytest.mark.parametrize(("host", "expected"), [
    ("db.lab.org", ("db.lab.org", None)), ("db.lab.org:3307", ("db.lab.org", 3307)), ("127.0.0.1:5432", ("127.0.0.1", 5432)),
])
def test_split_host(host, expected):
    assert split_host(host) == expected


def test_split_host_refuses_a_bad_port():
    with pytest.raises(DataJointError, match="not a number"):
        split_host("db:abc")


def test_conn_is_shared_until_reset(monkeypatch, tmp_path):
    monkeypatch.setattr(dj.instance, "_default", None)
    first = dj.conn(url=f"sqlite:///{tmp_path}/a.db")
    assert dj.conn() is first
    assert dj.conn(url=f"sqlite:///{tmp_path}/b.db") is first
    second = dj.conn(url=f"sqlite:///{tmp_path}/b.db", reset=True)
    assert second is not first and dj.conn() is second
    second.close()


# -- conn.query ------------------------------------------------------------------------------------
def test_query_returns_a_cursor(connection, schema):
    @schema
    class Note(dj.Manual):
        definition = """
        note_id : int32
        ---
        body : varchar(40)
        """

    Note.insert([(1, "50% done"), (2, "rest")])
    name = Note.full_table_name
    cursor = connection.query(f"SELECT note_id, body FROM {name} WHERE note_id >= %s ORDER BY note_id", (1,))
    assert cursor.rowcount in (2, -1)  # SQLite's driver counts no selected rows
    assert cursor.fetchone() == (1, "50% done")
    assert list(cursor) == [(2, "rest")]
    assert cursor.fetchone() is None
    rows = connection.query(f"SELECT body FROM {name} WHERE body LIKE %(pattern)s", {"pattern": "50%"},
                            as_dict=True).fetchall()
    assert rows == [{"body": "50% done"}]
    changed = connection.query(f"UPDATE {name} SET body = %s WHERE note_id = %s", ["done", 1])
    assert changed.rowcount == 1 and changed.fetchall() == []
    assert (Note & {"note_id": 1}).fetch1("body") == "done"


def test_query_with_mismatched_arguments(connection):
    with pytest.raises(DataJointError):
        connection.query("SELECT %s, %s", [1])


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT %s", "SELECT ?"),
    ("x = %(name)s AND y LIKE 'a%%'", "x = :name AND y LIKE 'a%'"),
    ("no placeholders", "no placeholders"),
])
def test_sqlite_placeholders(sql, expected):
    assert sqlite_placeholders(sql) == expected


# -- Lookup contents ----------------------------------------------------------------------------------
def test_lookup_contents_from_any_iterable(schema):
    @schema
    class FromProperty(dj.Lookup):
        definition = """
        code : varchar(8)
        ---
        label : varchar(16)
        """

        @property
        def contents(self):
            return [("a", "alpha"), ("b", "beta")]

    @schema
    class FromZip(dj.Lookup):
        definition = """
        zip_id : int32
        ---
        word : varchar(8)
        """
        contents = zip([1, 2, 3], ["one", "two", "three"])

    @schema
    class FromGenerator(dj.Lookup):
        definition = "gen_id : int32"
        contents = ((i,) for i in range(4))

    assert sorted(FromProperty.to_arrays("code")) == ["a", "b"]
    assert FromZip.to_dicts(order_by="zip_id")[2] == {"zip_id": 3, "word": "three"}
    assert len(FromGenerator()) == 4


def test_lookup_contents_that_are_not_rows(schema):
    class Wrong(dj.Lookup):
        definition = "w : int32"
        contents = "abc"

    with pytest.raises(DataJointError, match="contents of Lookup table Wrong"):
        schema(Wrong)
    with schema.connection.session(write=False) as conn:
        assert not sa.inspect(conn).has_table(*reversed(schema.connection.rules.sql_table(schema.database, "#wrong")))


# -- Part classes and names ----------------------------------------------------------------------------
def test_part_named_like_another_table_keeps_its_foreign_keys(schema):
    context: dict = {}

    @schema
    class Source(dj.Lookup):
        definition = "source : varchar(32)"
        contents = [("vendor",)]

    context["Source"] = Source

    @schema
    class Allele(dj.Lookup):
        definition = "allele : varchar(32)"

        class Source(dj.Part):
            definition = """
            -> master
            ---
            -> Source
            """

    @schema
    class Subject(dj.Manual):
        definition = "subject : varchar(8)"

        class Source(dj.Part):
            definition = """
            -> master
            ---
            -> Source
            """

    assert Subject.Source.heading.names == ["subject", "source"]
    assert Allele.Source.heading.names == ["allele", "source"]
    Subject.insert1({"subject": "m1"})
    Subject.Source.insert1({"subject": "m1", "source": "vendor"})
    assert (Subject.Source * Source).to_dicts() == [{"subject": "m1", "source": "vendor"}]


def test_part_refers_to_another_part_of_its_master(schema):
    @schema
    class Recording(dj.Manual):
        definition = "recording : int32"

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            """

        class Spike(dj.Part):
            definition = """
            -> master.Channel
            spike : int32
            """

    assert Recording.Spike.heading.primary_key == ["recording", "channel", "spike"]
    Recording.insert1({"recording": 1})
    Recording.Channel.insert1({"recording": 1, "channel": 3})
    Recording.Spike.insert1({"recording": 1, "channel": 3, "spike": 7})
    with pytest.raises(dj.errors.IntegrityError):
        Recording.Spike.insert1({"recording": 1, "channel": 4, "spike": 8})


def test_class_without_definition_stands_for_an_existing_table(schema):
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        ---
        name : varchar(16)
        """

    Animal.insert1((1, "rex"))

    class Again(dj.Manual):  # another class for the same table, as DataJoint reopens one
        pass

    Again.__name__ = "Animal"
    schema(Again)
    assert Again.heading.names == ["animal_id", "name"]
    assert Again.to_dicts() == [{"animal_id": 1, "name": "rex"}]

    class Missing(dj.Manual):
        definitions = "typo : int32"  # misspelled: there is no definition and no table

    with pytest.raises(NotImplementedError, match="no `definition`"):
        schema(Missing)


def test_table_adapter_quotes_as_its_backend(schema):
    @schema
    class Quoted(dj.Manual):
        definition = """
        quoted_id : int32
        ---
        order = 0 : int32
        """

    Quoted.insert1({"quoted_id": 1, "order": 5})
    column = Quoted.adapter.quote_identifier("order")
    assert column == schema.connection.engine.dialect.identifier_preparer.quote_identifier("order")
    rows = schema.connection.query(f"SELECT {column} FROM {Quoted.full_table_name}").fetchall()
    assert rows == [(5,)]
