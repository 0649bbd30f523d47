"""table.alter(): the class definition changes, the table follows with its rows; on each backend."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from reflection_helpers import reflect

import datajoint_sa as dj
from datajoint_sa.engine import catalog
from datajoint_sa.migrate import plan


def declare(schema, name, definition, tier=dj.Manual, **context):
    cls = type(name, (tier,), {"definition": definition})
    schema(cls, context=context)
    return cls


@pytest.fixture
def subject(schema):
    cls = declare(schema, "Subject", """
    # animals
    subject_id : int32
    ---
    species : varchar(20)   # common name
    weight = null : float32
    """)
    cls.insert([{"subject_id": 1, "species": "mouse", "weight": 20.5}, {"subject_id": 2, "species": "rat", "weight": None}])
    return cls


def rows(cls):
    return cls.to_dicts(order_by="KEY")


def test_nothing_to_alter(subject):
    assert not plan(subject)[0]
    assert subject().alter(prompt=False) is False


def test_add_and_drop_secondary_attributes(subject, connection, schema):
    subject.definition = """
    # animals
    subject_id : int32
    ---
    species : varchar(20)   # common name
    weight = null : float32
    sex = "U" : enum('F', 'M', 'U')   # sex
    notes = null : varchar(100)
    """
    assert subject().alter(prompt=False)
    assert subject.heading.names == ["subject_id", "species", "weight", "sex", "notes"]
    assert [r["sex"] for r in rows(subject)] == ["U", "U"]
    subject.insert1({"subject_id": 3, "species": "vole", "sex": "F", "notes": "new"})
    subject.definition = """
    # animals
    subject_id : int32
    ---
    species : varchar(20)   # common name
    sex = "U" : enum('F', 'M', 'U')   # sex
    """
    subject().alter(prompt=False)
    assert rows(subject) == [{"subject_id": 1, "species": "mouse", "sex": "U"},
                             {"subject_id": 2, "species": "rat", "sex": "U"},
                             {"subject_id": 3, "species": "vole", "sex": "F"}]
    assert reflect(connection, schema.database, "subject").names == ["subject_id", "species", "sex"]
    assert not plan(subject)[0]


def test_rename_keeps_values_and_strips_the_marker(subject, connection, schema):
    subject.definition = """
    # animals
    subject_id : int32
    ---
    common_name : varchar(20)   # {species} common name
    weight = null : float32
    """
    subject().alter(prompt=False)
    assert [r["common_name"] for r in rows(subject)] == ["mouse", "rat"]
    assert subject.heading["common_name"].comment == "common name"
    if connection.rules.has_comments:
        assert reflect(connection, schema.database, "subject").columns["common_name"]["comment"] == ":varchar(20):common name"
    assert subject().alter(prompt=False) is False  # the marker left in the definition changes nothing more


def test_rename_errors(subject):
    subject.definition = """
    subject_id : int32
    ---
    a : varchar(20)   # {species}
    b = null : float32  # {species}
    """
    with pytest.raises(dj.DataJointError, match="twice"):
        subject().alter(prompt=False)
    subject.definition = """
    subject_id : int32
    ---
    species : varchar(20)
    w = null : float32  # {mass}
    """
    with pytest.raises(dj.DataJointError, match="no attribute 'mass'"):
        subject().alter(prompt=False)
    assert subject.heading.names == ["subject_id", "species", "weight"]


def test_type_nullable_and_default_changes(subject, connection, schema):
    subject.definition = """
    # animals
    subject_id : int32
    ---
    species = "mouse" : varchar(40)   # common name
    weight = null : float64
    """
    subject().alter(prompt=False)
    subject.insert1({"subject_id": 3})
    assert rows(subject)[-1] == {"subject_id": 3, "species": "mouse", "weight": None}
    subject.insert1({"subject_id": 4, "species": "x" * 40})
    column = reflect(connection, schema.database, "subject").columns["species"]
    assert column["type"].length == 40
    assert not plan(subject)[0]


def test_type_change_that_needs_a_cast(schema, connection):
    """varchar -> int32 (PostgreSQL needs USING; DataJoint 2.3.5 emits MySQL syntax there)."""
    cls = declare(schema, "Reading", """
    reading_id : int32
    ---
    value : varchar(10)
    """)
    cls.insert([{"reading_id": 1, "value": "12"}, {"reading_id": 2, "value": "-3"}])
    cls.definition = """
    reading_id : int32
    ---
    value : int32
    """
    cls().alter(prompt=False)
    assert [r["value"] for r in rows(cls)] == [12, -3]
    assert (cls & "value > 0").to_dicts() == [{"reading_id": 1, "value": 12}]


def test_table_comment(subject, connection, schema):
    subject.definition = subject.definition.replace("# animals", "# lab animals")
    changed = subject().alter(prompt=False)
    assert changed == connection.rules.has_comments  # SQLite keeps no comments
    assert subject.heading.table_comment == "lab animals"
    if connection.rules.has_comments:
        assert reflect(connection, schema.database, "subject").comment == "lab animals"


def test_secondary_foreign_key_and_indexes(subject, schema, connection):
    lab = declare(schema, "Lab", """
    lab : varchar(8)
    """)
    lab.insert1({"lab": "north"})
    session = declare(schema, "Session", """
    -> Subject
    session_no : int16
    ---
    rig : int16
    operator = null : varchar(20)
    index(rig)
    """, Subject=subject, Lab=lab)
    session.insert1({"subject_id": 1, "session_no": 1, "rig": 4})
    session.definition = """
    -> Subject
    session_no : int16
    ---
    rig : int16
    operator = null : varchar(20)
    -> [nullable] Lab
    index(rig, operator)
    unique index(operator)
    """
    session().alter(prompt=False)
    assert [p.split(".")[-1].strip('`"') for p in session().parents(primary=False)] == ["lab"]
    reflected = reflect(connection, schema.database, "session")
    assert reflected.index_on("rig", "operator") is not None
    assert reflected.index_on("operator")["unique"]
    if not connection.rules.indexes_foreign_keys:
        assert reflected.index_on("rig") is None
    session.update1({"subject_id": 1, "session_no": 1, "lab": "north"})
    with pytest.raises(dj.IntegrityError):
        session.insert1({"subject_id": 1, "session_no": 2, "rig": 1, "lab": "south"})
    with pytest.raises(dj.DuplicateError):
        session.insert([{"subject_id": 2, "session_no": 1, "rig": 1, "operator": "al"},
                        {"subject_id": 2, "session_no": 2, "rig": 1, "operator": "al"}])
    session.definition = """
    -> Subject
    session_no : int16
    ---
    rig : int16
    operator = null : varchar(20)
    """
    session().alter(prompt=False)
    assert session().parents(primary=False) == []
    assert rows(session) == [{"subject_id": 1, "session_no": 1, "rig": 4, "operator": None}]
    assert not plan(session)[0]
    subject.definition = subject.definition.replace("weight = null : float32", "weight = null : float64")
    subject().alter(prompt=False)  # a parent with children is rebuilt (SQLite) without losing their rows
    assert len(session()) == 1 and len(subject()) == 2


def test_primary_key_change_is_refused(subject):
    before = subject.definition
    subject.definition = before.replace("subject_id : int32", "animal_id : int32")
    with pytest.raises(dj.DataJointError, match="migration") as info:
        subject().alter(prompt=False)
    assert isinstance(info.value, NotImplementedError)
    subject.definition = before.replace("subject_id : int32", "subject_id : int64")
    with pytest.raises(NotImplementedError, match="type of primary-key"):
        subject().alter(prompt=False)
    assert subject.heading.names == ["subject_id", "species", "weight"]
    assert len(subject()) == 2


def test_prompt_shows_the_plan_and_can_decline(subject, monkeypatch, capsys):
    subject.definition = subject.definition.replace("weight = null : float32", "mass = null : float32")
    monkeypatch.setattr("builtins.input", lambda _: "no")
    assert subject().alter(prompt=True) is False
    shown = capsys.readouterr().out
    assert "add attribute mass" in shown and "drop attribute weight" in shown
    assert "weight" in subject.heading.names
    monkeypatch.setattr("builtins.input", lambda _: "yes")
    assert subject().alter() is True
    assert "mass" in subject.heading.names


def test_lineage_follows_the_table(schema, subject, connection):
    session = declare(schema, "Visit", """
    visit_id : int32
    ---
    note = null : varchar(10)
    """, Subject=subject)
    session.definition = """
    visit_id : int32
    ---
    -> [nullable] Subject
    """
    session().alter(prompt=False)
    lineage = catalog.read_lineage(connection, schema.database)
    assert lineage[("visit", "subject_id")] == f"{schema.database}.subject.subject_id"
    assert session.heading["subject_id"].lineage == f"{schema.database}.subject.subject_id"


def test_not_inside_a_transaction(subject, connection):
    subject.definition = subject.definition.replace("weight = null : float32", "mass = null : float32")
    with connection.transaction, pytest.raises(dj.DataJointError, match="transaction"):
        subject().alter(prompt=False)


def test_plan_is_empty_right_after_declaration(schema):
    """Every core type, defaults, nullable, a renamed foreign key and indexes compare equal to themselves."""
    parent = declare(schema, "Parent", "parent_id : int32\n---\nnote = null : varchar(20)")
    cls = declare(schema, "Everything", """
    # all the types
    a : int8
    b : char(3)
    ---
    c = 5 : int16
    d = -7 : int32
    e = null : int64
    f = 1.5 : float32
    g = 2.25 : float64
    h = true : bool
    i = null : uuid
    j = null : json
    k = null : bytes
    l = "2024-02-29" : date
    m = CURRENT_TIMESTAMP : datetime
    n = CURRENT_TIMESTAMP(3) : datetime(3)
    o = 'x' : enum('x', 'y')
    p = 12.50 : decimal(6,2)
    q = "it's" : varchar(10)
    r = null : <blob>
    -> [nullable] Parent.proj(other_id='parent_id')
    index(c, d)
    unique index(q)
    """, Parent=parent)
    assert not plan(cls)[0], str(plan(cls)[0])


def test_alter_works_on_the_reflected_sqlalchemy_table(subject, connection, schema):
    """What alter() leaves behind is an ordinary table: SQLAlchemy reflects the new layout."""
    subject.definition = subject.definition.replace("weight = null : float32", "weight = null : float32\n    age = 0 : int16")
    subject().alter(prompt=False)
    sql_schema, name = connection.rules.sql_table(schema.database, "subject")
    table = sa.Table(name, sa.MetaData(), schema=sql_schema, autoload_with=connection.engine)
    assert [c.name for c in table.columns] == ["subject_id", "species", "weight", "age"]


def test_enum_values_change(subject):
    subject.definition = subject.definition.replace("weight = null : float32",
                                                    "weight = null : float32\n    sex = 'U' : enum('F', 'M', 'U')")
    subject().alter(prompt=False)
    subject.definition = subject.definition.replace("enum('F', 'M', 'U')", "enum('F', 'M', 'U', 'X')")
    subject().alter(prompt=False)
    subject.insert1({"subject_id": 3, "species": "vole", "sex": "X"})
    with pytest.raises(dj.DataJointError):
        subject.insert1({"subject_id": 4, "species": "vole", "sex": "Q"})
    assert [r["sex"] for r in rows(subject)] == ["U", "U", "X"]
    assert not plan(subject)[0]


def test_rename_an_indexed_attribute_of_a_part_table(schema, connection):
    class Rig(dj.Manual):
        definition = """
        rig_id : int16
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            ---
            gain : float64
            index(gain)
            """

    schema(Rig)
    Rig.insert1({"rig_id": 1})
    Rig.Channel.insert1({"rig_id": 1, "channel": 0, "gain": 2.0})
    Rig.Channel.definition = Rig.Channel.definition.replace("gain : float64", "amplification : float64  # {gain}")
    Rig.Channel.definition = Rig.Channel.definition.replace("index(gain)", "index(amplification)")
    Rig.Channel().alter(prompt=False)
    assert Rig.Channel.to_dicts() == [{"rig_id": 1, "channel": 0, "amplification": 2.0}]
    found = reflect(connection, schema.database, "rig__channel")
    assert found.index_on("amplification") is not None and found.index_on("gain") is None
    assert not plan(Rig.Channel)[0]


def test_old_name_of_a_renamed_indexed_attribute_can_be_used_again(schema, connection):
    cls = declare(schema, "Probe", """
    probe_id : int16
    ---
    gain : float64
    index(gain)
    """)
    cls.insert1({"probe_id": 1, "gain": 2.0})
    cls.definition = """
    probe_id : int16
    ---
    amplification : float64  # {gain}
    index(amplification)
    """
    cls().alter(prompt=False)
    cls.definition = """
    probe_id : int16
    ---
    amplification : float64
    gain = 0 : float64
    index(amplification)
    index(gain)
    """
    cls().alter(prompt=False)
    assert cls.to_dicts() == [{"probe_id": 1, "amplification": 2.0, "gain": 0.0}]
    found = reflect(connection, schema.database, "probe")
    assert found.index_on("gain") is not None and found.index_on("amplification") is not None
    assert not plan(cls)[0]


def test_rename_attributes_of_every_kind(schema):
    cls = declare(schema, "Kinds", """
    k : int16
    ---
    u = null : uuid
    j = null : json
    b = null : bool
    e = null : enum('p', 'q')
    """)
    cls.insert1({"k": 1, "u": "12345678-1234-5678-1234-567812345678", "j": {"x": 1}, "b": True, "e": "q"})
    cls.definition = """
    k : int16
    ---
    u2 = null : uuid  # {u}
    j2 = null : json  # {j}
    b2 = null : bool  # {b}
    e2 = null : enum('p', 'q')  # {e}
    """
    cls().alter(prompt=False)
    row = cls.fetch1()
    assert (str(row["u2"]), row["j2"], row["b2"], row["e2"]) == ("12345678-1234-5678-1234-567812345678", {"x": 1}, True, "q")
    assert not plan(cls)[0]
