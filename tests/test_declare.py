"""Declaration on every backend, checked on the tables the database reflects back."""

from __future__ import annotations

import re
import types

import pytest
import sqlalchemy as sa
from reflection_helpers import reflect, table_names

import datajoint_sa as dj
from datajoint_sa.engine.catalog import read_lineage
from datajoint_sa.errors import DeclarationError

CORE = {  # attribute -> (type, declared SQL type on sqlite, postgresql, mysql)
    "a": ("int8", "SMALLINT", "SMALLINT", "TINYINT"),
    "b": ("int16", "SMALLINT", "SMALLINT", "SMALLINT"),
    "c": ("int32", "INTEGER", "INTEGER", "INTEGER"),
    "d": ("int64", "BIGINT", "BIGINT", "BIGINT"),
    "e": ("float32", "REAL", "REAL", "FLOAT"),
    "f": ("float64", "DOUBLE", "DOUBLE PRECISION", "DOUBLE"),
    "g": ("bool", "BOOLEAN", "BOOLEAN", "TINYINT"),
    "h": ("decimal(6,2)", "NUMERIC(6, 2)", "NUMERIC(6, 2)", "DECIMAL(6, 2)"),
    "i": ("char(4)", "CHAR(4)", "CHAR(4)", "CHAR(4)"),
    "j": ("varchar(20)", "VARCHAR(20)", "VARCHAR(20)", "VARCHAR(20)"),
    "k": ("enum('on', 'off')", "VARCHAR(3)", "enum_", "ENUM('on','off')"),
    "l": ("date", "DATE", "DATE", "DATE"),
    "m": ("datetime", "DATETIME", "TIMESTAMP WITHOUT TIME ZONE", "DATETIME"),
    "n": ("datetime(3)", "DATETIME", "TIMESTAMP(3) WITHOUT TIME ZONE", "DATETIME(3)"),
    "o": ("uuid", "BINARY(16)", "UUID", "BINARY(16)"),
    "p": ("json", "JSON_TEXT", "JSONB", "LONGTEXT"),  # TEXT affinity on SQLite; MariaDB's JSON is LONGTEXT
    "q": ("bytes", "BLOB", "BYTEA", "LONGBLOB"),
}
BACKEND_COLUMN = {"sqlite": 1, "postgresql": 2, "mysql": 3}


def declared_types(connection, schema, table) -> dict[str, str]:
    """Column -> SQL type text as the database reports it (SQLite: as declared, before affinity)."""
    if connection.dialect_name == "sqlite":
        _, name = connection.rules.sql_table(schema, table)
        return {row[1]: row[2] for row in connection.query(f'PRAGMA table_info("{name}")')}
    reflected = reflect(connection, schema, table)
    dialect = connection.engine.dialect
    return {n: re.sub(r"\(\d+\)$", "", c["type"].compile(dialect=dialect)) if n in "abcdg" else c["type"].compile(dialect=dialect)
            for n, c in reflected.columns.items()}


def test_every_core_type(schema, connection, backend):
    secondary = "\n".join(f"{name} : {spec[0]}  # about {name}" for name, spec in CORE.items())
    secondary_null = "\n".join(f"{name}_n = null : {spec[0]}" for name, spec in CORE.items())

    @schema
    class Typed(dj.Manual):
        definition = f"""
        # every core type
        id : int32   # the key
        ---
        {secondary}
        {secondary_null}
        """

    reflected = reflect(connection, schema.database, "typed")
    assert reflected.names == ["id", *CORE, *(f"{n}_n" for n in CORE)]
    assert reflected.primary_key == ["id"]
    assert not reflected.columns["id"]["nullable"]
    sql_types = declared_types(connection, schema.database, "typed")
    for name, spec in CORE.items():
        expected = spec[BACKEND_COLUMN[backend]]
        assert expected.upper() in sql_types[name].upper(), (name, sql_types[name], expected)
        assert not reflected.columns[name]["nullable"], name
        assert reflected.columns[f"{name}_n"]["nullable"], name
    if connection.rules.has_comments:
        assert reflected.comment == "every core type"
        assert reflected.columns["id"]["comment"] == ":int32:the key"
        for name, spec in CORE.items():
            assert reflected.columns[name]["comment"] == f":{spec[0]}:about {name}"
            assert reflected.columns[f"{name}_n"]["comment"] == f":{spec[0]}:"
    if backend == "postgresql":
        enums = sa.inspect(connection.engine).get_enums(schema=schema.database)
        assert [e["labels"] for e in enums] == [["on", "off"]]
    if backend == "sqlite":  # a CHECK constraint stands in for the enum type
        _, name = connection.rules.sql_table(schema.database, "typed")
        checks = sa.inspect(connection.engine).get_check_constraints(name)
        assert any("'on'" in c["sqltext"] and "'off'" in c["sqltext"] for c in checks)


def test_enum_rejected_by_database_on_sqlite(schema, connection, backend):
    @schema
    class Mood(dj.Manual):
        definition = """
        id : int8
        ---
        mood : enum('happy', 'sad')
        """

    _, name = connection.rules.sql_table(schema.database, "mood")
    full = connection.full_name((schema.database, "mood"))
    with pytest.raises(dj.DataJointError):
        connection.query(f"INSERT INTO {full} (id, mood) VALUES (1, 'angry')")
    assert len(Mood()) == 0


def test_defaults_reflected(schema, connection, backend):
    @schema
    class Defaults(dj.Manual):
        definition = """
        id : int16
        ---
        count = 5 : int32
        ratio = -1.5 : float64
        price = 2.50 : decimal(5,2)
        flag = true : bool
        off = false : bool
        word = "hello" : varchar(10)
        single = 'x' : char(1)
        bare = abc : varchar(5)
        quoted = 'it''s' : varchar(5)
        choice = 'on' : enum('on', 'off')
        day = "2024-01-02" : date
        created = CURRENT_TIMESTAMP : datetime
        precise = CURRENT_TIMESTAMP(3) : datetime(3)
        maybe = null : int32
        """

    columns = reflect(connection, schema.database, "defaults").columns

    def default(name):  # PostgreSQL adds casts: '-1.5'::numeric
        return re.sub(r"::[a-z ]+$", "", str(columns[name]["default"]))

    assert default("count").strip("'") == "5"
    assert default("ratio").strip("'()") == "-1.5"
    assert default("price").strip("'") in ("2.50", "2.5")
    assert default("flag").strip("'").lower() in ("1", "true")
    assert default("off").strip("'").lower() in ("0", "false")
    assert "hello" in default("word")
    assert "'x'" in default("single")
    assert "abc" in default("bare")
    assert "on" in default("choice")
    assert "2024-01-02" in default("day")
    assert "current_timestamp" in default("created").lower()
    assert "now" in default("precise").lower() or "current_timestamp" in default("precise").lower()
    assert columns["maybe"]["nullable"] and columns["maybe"]["default"] in (None, "NULL")
    assert not columns["count"]["nullable"]
    # the defaults work: a row with only the key takes them
    Defaults.insert1({"id": 1})
    row = Defaults.fetch1()
    assert (row["count"], row["ratio"], row["flag"], row["off"], row["word"], row["single"], row["bare"], row["choice"]) == (
        5, -1.5, True, False, "hello", "x", "abc", "on")
    assert row["quoted"] == "it's"
    assert str(row["price"]) in ("2.50", "2.5") and str(row["day"]) == "2024-01-02"
    assert row["created"] is not None and row["precise"] is not None and row["maybe"] is None


def test_native_types(schema, connection, backend):
    # (MySQL spellings SQLite and PostgreSQL lack are declared as portable types: tests/test_legacy_types.py)
    natives = {"sqlite": ["text", "double", "int", "real"],
               "postgresql": ["text", "double precision", "int", "timestamp"],
               "mysql": ["text", "double", "smallint unsigned", "tinyint unsigned", "timestamp"]}[backend]
    lines = "\n".join(f"n{i} = null : {t}  # native {i}" for i, t in enumerate(natives))

    @schema
    class Native(dj.Manual):
        definition = f"""
        id : int8
        ---
        {lines}
        """

    reflected = reflect(connection, schema.database, "native")
    sql_types = declared_types(connection, schema.database, "native")
    for i, native in enumerate(natives):
        first = native.split()[0]
        assert first.upper() in sql_types[f"n{i}"].upper() or (first == "int" and "INT" in sql_types[f"n{i}"].upper())
        if native.endswith("unsigned"):
            assert "UNSIGNED" in sql_types[f"n{i}"].upper()
        if connection.rules.has_comments:  # native types carry no :type: tag
            assert reflected.columns[f"n{i}"]["comment"] == f"native {i}"
    assert Native.heading[f"n{natives.index('text')}"].type.kind == "native"


@pytest.mark.parametrize(("native", "stored"), [("double", "DOUBLE"), ("smallint unsigned", "INTEGER")])
def test_native_type_postgresql_lacks_is_declared_portably(schema, connection, backend, native, stored):
    if backend != "postgresql":
        pytest.skip("only PostgreSQL lacks these native types")

    class Legacy(dj.Manual):
        definition = f"""
        id : int8
        ---
        x : {native}
        """

    schema(Legacy)
    assert stored in declared_types(connection, schema.database, "legacy")["x"].upper()
    assert Legacy.heading["x"].type.text == native


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("id : int8\n---\nx : foo(3)", "foo(3)"),
        ("id : int8\n---\nx : uint8", "uint8"),
        ("id : int8\n---\nx int8", "x int8"),
        ("-> Nowhere\n---\nx : int8", "Nowhere"),
        ("id : int8\n---\nx : int8\nindex(y)", "y"),
        ("_hidden : int8\n---\nx : int8", "underscore"),  # underscore names are the platform's (_singleton)
        ("id : int8\n---\nflag = maybe : bool", "maybe"),
        ('id : int8\n---\nraw = "abc" : bytes', "null"),
        ("id : int8\n---\nraw = 0 : longblob", "null"),
    ],
)
def test_bad_definitions(schema, connection, body, fragment):
    class Broken(dj.Manual):
        definition = body

    with pytest.raises(DeclarationError) as info:
        schema(Broken)
    assert fragment in str(info.value)
    assert "Broken" in str(info.value)
    assert "broken" not in table_names(connection, schema.database)


def _fk_checks(connection, fk, referred_table, referred_columns):
    sql_schema, sql_name = connection.rules.sql_table(*referred_table)
    assert fk["referred_table"] == sql_name
    assert (fk["referred_schema"] or None) == sql_schema
    assert fk["referred_columns"] == referred_columns
    assert tuple(r.upper() if r else r for r in fk["rules"]) == ("CASCADE", "RESTRICT")


def test_foreign_keys(schema, connection, backend):
    @schema
    class Subject(dj.Manual):
        definition = """
        # subjects
        subject_id : int32   # subject number
        ---
        name : varchar(20)
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        """
        contents = [("a",), ("b",)]

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> Rig
        -> [nullable] Subject.proj(buddy='subject_id')
        -> [unique] Rig.proj(spare_rig='rig')
        """

    reflected = reflect(connection, schema.database, "session")
    assert reflected.names == ["subject_id", "session", "rig", "buddy", "spare_rig"]
    assert reflected.primary_key == ["subject_id", "session"]
    assert [c["nullable"] for c in reflected.columns.values()] == [False, False, False, True, False]
    _fk_checks(connection, reflected.fk_on("subject_id"), (schema.database, "subject"), ["subject_id"])
    _fk_checks(connection, reflected.fk_on("rig"), (schema.database, "#rig"), ["rig"])
    _fk_checks(connection, reflected.fk_on("buddy"), (schema.database, "subject"), ["subject_id"])
    _fk_checks(connection, reflected.fk_on("spare_rig"), (schema.database, "#rig"), ["rig"])
    assert len(reflected.foreign_keys) == 4
    # indexes: none for a key prefix; one per other foreign key (InnoDB makes its own); unique when asked
    assert reflected.index_on("subject_id") is None
    for column in ("rig", "buddy"):
        index = reflected.index_on(column)
        assert index is not None and not index["unique"], column
    assert reflected.index_on("spare_rig")["unique"]
    # inherited types: same SQL type as the parent; comments as DataJoint 2.x lays them out
    parent_types = declared_types(connection, schema.database, "subject")
    child_types = declared_types(connection, schema.database, "session")
    assert child_types["subject_id"] == parent_types["subject_id"] == child_types["buddy"]
    if backend == "mysql":  # the parent's comment text, without the :type: tag
        assert reflected.columns["subject_id"]["comment"] == "subject number"
    elif backend == "postgresql":
        assert reflected.columns["subject_id"]["comment"] is None
    # enforced: a child row needs its parents
    Subject.insert([(1, "ann"), (2, "bob")])
    Session.insert1({"subject_id": 1, "session": 1, "rig": "a", "spare_rig": "b"})
    with pytest.raises(dj.errors.IntegrityError):
        Session.insert1({"subject_id": 1, "session": 2, "rig": "a", "buddy": 99, "spare_rig": "a"})
    with pytest.raises(dj.errors.DuplicateError):  # the [unique] foreign key
        Session.insert1({"subject_id": 1, "session": 3, "rig": "a", "spare_rig": "b"})
    Session.insert1({"subject_id": 1, "session": 4, "rig": "b", "buddy": 2, "spare_rig": "a"})
    assert len(Session()) == 2
    # ON DELETE RESTRICT: the parent row cannot go while a child refers to it
    with pytest.raises(dj.errors.IntegrityError):
        Subject().delete_quick()
    # ON UPDATE CASCADE: renaming the parent key renames it in the child
    subject = connection.full_name((schema.database, "subject"))
    connection.query(f"UPDATE {subject} SET subject_id = 5 WHERE subject_id = 1")
    connection.query(f"UPDATE {subject} SET subject_id = 7 WHERE subject_id = 2")
    assert sorted(r["subject_id"] for r in Session.to_dicts()) == [5, 5]
    assert sorted(r["buddy"] for r in Session.to_dicts() if r["buddy"] is not None) == [7]


def test_foreign_key_indexes_and_declared_indexes(schema, connection, backend):
    @schema
    class Animal(dj.Manual):
        definition = """
        species : varchar(16)
        animal : int16
        """

    @schema
    class Tag(dj.Manual):
        definition = """
        tag : int32
        ---
        -> Animal
        label : varchar(10)
        weight = null : float32
        index(label, weight)
        unique index(weight)
        """

    @schema
    class Covered(dj.Manual):
        definition = """
        tag2 : int32
        ---
        -> Animal
        index(species, animal, tag2)
        """

    tag = reflect(connection, schema.database, "tag")
    assert not tag.index_on("label", "weight")["unique"]
    assert tag.index_on("weight")["unique"]
    assert tag.index_on("species", "animal") is not None  # the foreign key's index
    covered = reflect(connection, schema.database, "covered")
    assert covered.index_on("species", "animal", "tag2") is not None
    if backend != "mysql":  # the declared index covers the foreign key: no second one
        assert covered.index_on("species", "animal") is None


def test_module_reference(schema, connection):
    @schema
    class Source(dj.Manual):
        definition = """
        source_id : int8
        """

    namespace = types.SimpleNamespace(Source=Source)
    module = types.ModuleType("lab_module")
    module.Source = Source

    class ViaNamespace(dj.Manual):
        definition = """
        -> ns.Source
        item : int8
        """

    class ViaModule(dj.Manual):
        definition = """
        -> lab.Source.proj(other='source_id')
        item : int8
        """

    schema(ViaNamespace, context={"ns": namespace})
    schema(ViaModule, context={"lab": module})
    assert reflect(connection, schema.database, "via_namespace").fk_on("source_id")["referred_columns"] == ["source_id"]
    assert reflect(connection, schema.database, "via_module").fk_on("other")["referred_columns"] == ["source_id"]

    class Missing(dj.Manual):
        definition = """
        -> ns.Nothing
        item : int8
        """

    with pytest.raises(DeclarationError, match="ns.Nothing"):
        schema(Missing, context={"ns": namespace})


def test_part_tables_and_tiers(schema, connection):
    @schema
    class Stimulus(dj.Lookup):
        definition = """
        stimulus : varchar(12)
        ---
        duration : float32
        """
        contents = [("flash", 0.5), ("tone", 1.0)]

    @schema
    class Recording(dj.Manual):
        definition = """
        rec : int16
        ---
        -> Stimulus
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int8
            ---
            gain : float64
            """

    @schema
    class Raw(dj.Imported):
        definition = """
        -> Recording
        """

        def make(self, key):
            self.insert1(key)

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Raw
        ---
        value : float64
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : int8
            """

        def make(self, key):
            pass

    names = table_names(connection, schema.database)
    assert {"#stimulus", "recording", "recording__channel", "_raw", "__analysis", "__analysis__piece"} <= names
    assert set(schema.list_tables()) == {"#stimulus", "recording", "recording__channel", "_raw", "__analysis",
                                         "__analysis__piece"}
    assert Recording.Channel.table_name == "recording__channel"
    assert Analysis.Piece.table_name == "__analysis__piece"
    channel = reflect(connection, schema.database, "recording__channel")
    assert channel.primary_key == ["rec", "channel"]
    _fk_checks(connection, channel.fk_on("rec"), (schema.database, "recording"), ["rec"])
    # Lookup contents are inserted at declaration
    assert sorted(Stimulus.to_dicts(), key=lambda r: r["stimulus"]) == [
        {"stimulus": "flash", "duration": 0.5}, {"stimulus": "tone", "duration": 1.0}]


def test_lineage_rows(schema, connection):
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        name : varchar(10)
        """

    @schema
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int8
        ---
        -> Subject.proj(partner='subject_id')
        note : varchar(10)
        """

    lineage = read_lineage(connection, schema.database)
    db = schema.database
    assert lineage[("subject", "subject_id")] == f"{db}.subject.subject_id"
    assert lineage[("session", "subject_id")] == f"{db}.subject.subject_id"
    assert lineage[("session", "session")] == f"{db}.session.session"
    assert lineage[("session", "partner")] == f"{db}.subject.subject_id"
    assert ("subject", "name") not in lineage and ("session", "note") not in lineage
    assert "~lineage" in table_names(connection, schema.database)


def test_redeclaring_opens_existing_table(schema, connection):
    def make_class():
        class Existing(dj.Manual):
            definition = """
            id : int8
            ---
            x : int16
            """

        return Existing

    first = schema(make_class())
    first.insert1((1, 2))
    second = schema(make_class())  # the table exists: declared again, its rows kept
    assert second.to_dicts() == [{"id": 1, "x": 2}]


def test_table_name_length_limit(schema, connection):
    limit = connection.rules.max_identifier
    if limit > 64:
        pytest.skip("SQLite names have no practical limit")
    longest = type("T" + "x" * (limit - 1), (dj.Manual,), {"definition": "id : int8"})
    schema(longest, context={})
    assert ("t" + "x" * (limit - 1)) in table_names(connection, schema.database)
    too_long = type("T" + "x" * limit, (dj.Manual,), {"definition": "id : int8"})
    with pytest.raises(DeclarationError, match="longer than"):
        schema(too_long, context={})


def test_heading_read_back_from_database(schema, connection):
    """A table opened by name (FreeTable) has the declared heading; types need column comments."""

    @schema
    class Origin(dj.Manual):
        definition = """
        origin_id : uuid   # where it began
        """

    @schema
    class Middle(dj.Manual):
        definition = """
        -> Origin
        step : int16
        """

    @schema
    class Tail(dj.Manual):
        definition = """
        # the end
        -> Middle
        ---
        price = 1.50 : decimal(6,2)
        mood = null : enum('on', 'off', 'it''s')   # comment: with a colon
        -> [nullable] Origin.proj(other='origin_id')
        """

    free = dj.FreeTable(connection, f"{schema.database}.tail")
    declared = Tail.heading
    assert free.heading.names == declared.names
    assert free.heading.primary_key == declared.primary_key
    for name in declared.names:
        assert free.heading[name].nullable == declared[name].nullable, name
        assert free.heading[name].lineage == declared[name].lineage, name
    assert free.heading["other"].lineage == f"{schema.database}.origin.origin_id"
    if connection.rules.has_comments:
        assert free.heading.table_comment == "the end"
        for name in declared.names:
            assert free.heading[name].type == declared[name].type, name
            assert free.heading[name].comment == declared[name].comment, name


def test_heading_read_back_through_several_foreign_keys(schema, connection):
    """A part's key column bound by two foreign keys (master and sibling part) reads back with its origin's type."""

    @schema
    class Recording(dj.Manual):
        definition = """
        rec : int32   # recording number
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            """

    @schema
    class Analysis(dj.Manual):
        definition = """
        -> Recording
        """

        class Trace(dj.Part):
            definition = """
            -> master
            -> Recording.Channel
            """

    free = dj.FreeTable(connection, f"{schema.database}.analysis__trace")
    assert free.heading["rec"].lineage == Analysis.Trace.heading["rec"].lineage == f"{schema.database}.recording.rec"
    assert free.heading["channel"].lineage == f"{schema.database}.recording__channel.channel"
    if connection.rules.has_comments:
        assert free.heading["rec"].type == Analysis.Trace.heading["rec"].type
        assert free.heading["rec"].type.text == "int32"
