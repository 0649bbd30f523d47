"""DataJoint 0.14 declaration spellings (MySQL's native types) declare and round-trip on every backend."""

from __future__ import annotations

import datetime
import decimal

import pytest

import datajoint_sa as dj
from datajoint_sa.types import parse_type, portable_spelling, value_coercer
from datajoint_sa.virtual import VirtualModule

# (spelling, a value it holds, a second value near its limits)
SPELLINGS = [
    ("tinyint", -5, 127),
    ("tinyint unsigned", 200, 255),
    ("smallint unsigned", 60000, 65535),
    ("mediumint", -8388608, 8388607),
    ("mediumint unsigned", 16777215, 0),
    ("int unsigned", 4000000000, 4294967295),
    ("int(11) unsigned", 3, 4294967295),
    ("bigint unsigned", 9000000000000000000, 0),
    ("int(11)", -2147483648, 2147483647),
    ("smallint(6)", -32768, 32767),
    ("bigint(20)", -(1 << 63), (1 << 63) - 1),
    ("double", 2.718281828459045, -1e300),
    ("float", 0.5, -2.25),
    ("boolean", True, False),
    ("bool", False, True),
    ("longblob", b"\x00\x01raw", b""),
    ("mediumblob", b"medium", b"\xff"),
    ("blob", b"plain", b"x" * 100),
    ("tinyblob", b"tiny", b"t"),
    ("longtext", "long " * 100, ""),
    ("mediumtext", "medium text", "m"),
    ("text", "some text", "t"),
    ("datetime", datetime.datetime(2024, 5, 6, 7, 8, 9), datetime.datetime(1999, 12, 31, 23, 59, 59)),
    ("timestamp", datetime.datetime(2024, 5, 6, 7, 8, 9), datetime.datetime(2001, 1, 2, 3, 4, 5)),
    ("decimal(6,2) unsigned", decimal.Decimal("1234.56"), decimal.Decimal("0.00")),
]

# boolean is DataJoint 2.x's core type bool (both spellings), so it describes itself as bool
DESCRIBED = {"boolean": "bool"}

# Spellings a backend takes as written (no :type: tag) and reports back in its own words: float and timestamp
# are PostgreSQL's double precision and timestamp without time zone; MySQL drops int(11)'s display width
# and reports decimal(6, 2) unsigned.
_WIDTHS = ("int(11) unsigned", "int(11)", "smallint(6)", "bigint(20)", "decimal(6,2) unsigned")
NOT_KEPT = {"postgresql": ("float", "timestamp"), "mysql": _WIDTHS, "mariadb": _WIDTHS}


def _declare(schema: dj.Schema, spelling: str) -> type:
    class Legacy(dj.Manual):
        definition = f"""
        legacy_id : int
        ---
        value : {spelling}   # declared the 0.14 way
        """

    return schema(Legacy)


@pytest.mark.parametrize(("spelling", "first", "second"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_spelling_round_trips_and_describes_as_declared(schema, spelling, first, second):
    table = _declare(schema, spelling)
    table.insert([{"legacy_id": 1, "value": first}, {"legacy_id": 2, "value": second}])
    described = DESCRIBED.get(spelling, spelling)
    fetched = {row["legacy_id"]: row["value"] for row in table.to_dicts()}
    assert fetched == {1: first, 2: second}
    assert f": {described}" in table().describe()
    assert table.heading["value"].original_type == described
    # a fresh reader of the same table (a virtual module reflects it) sees the spelling and the values
    module = VirtualModule("legacy_reader", schema.database, connection=schema.connection)
    reread = module.Legacy
    if spelling not in NOT_KEPT.get(schema.connection.dialect_name, ()):
        assert f": {described}" in reread().describe()
    values = {row["legacy_id"]: row["value"] for row in reread.to_dicts()}
    assert values == {1: first, 2: second}
    assert type(values[1]) is type(first)


def test_timestamp_takes_iso_strings(schema):
    table = _declare(schema, "timestamp")
    table.insert1({"legacy_id": 1, "value": "2024-05-06 07:08:09"})
    assert table.to_dicts()[0]["value"] == datetime.datetime(2024, 5, 6, 7, 8, 9)


@pytest.mark.parametrize(("spelling", "bad"), [
    ("tinyint unsigned", -1), ("tinyint unsigned", 256), ("tinyint", 128), ("smallint unsigned", 65536),
    ("int unsigned", -1), ("bigint unsigned", -1), ("decimal(6,2) unsigned", "-1.5"),
])
def test_out_of_range_is_refused_on_every_backend(schema, spelling, bad):
    table = _declare(schema, spelling)
    with pytest.raises(dj.DataJointError, match="value"):
        table.insert1({"legacy_id": 1, "value": bad})
    assert len(table()) == 0


def test_mysql_keeps_native_types(schema):
    table = _declare(schema, "tinyint unsigned")
    column = table.heading["value"]
    assert column.type.kind == "native"
    if schema.connection.dialect_name in ("mysql", "mariadb"):
        with schema.connection.engine.connect() as conn:
            kind = conn.exec_driver_sql(
                "SELECT column_type FROM information_schema.columns "
                f"WHERE table_schema='{schema.database}' AND table_name='legacy' AND column_name='value'").scalar()
        assert kind == "tinyint(3) unsigned" or kind == "tinyint unsigned"


@pytest.mark.parametrize("spelling", ['enum("Present", "Absent")', "enum(\"Present\", 'Absent')",
                                      'enum( "Pres""ent" ,"Absent")'])
def test_double_quoted_enum_values(schema, spelling):
    values = parse_type(spelling).values
    assert values[1] == "Absent" and values[0] in ("Present", 'Pres"ent')

    class Status(dj.Manual):
        definition = f"""
        status_id : int
        ---
        status : {spelling}
        """

    table = schema(Status)
    table.insert1({"status_id": 1, "status": values[0]})
    assert table.fetch1("status") == values[0]
    with pytest.raises(dj.DataJointError):
        table.insert1({"status_id": 2, "status": "Unknown"})
    assert "enum('" in table().describe()


def test_portable_table_leaves_other_types_alone():
    assert portable_spelling(parse_type("int")) is None
    assert portable_spelling(parse_type("int32")) is None
    assert portable_spelling(parse_type("varchar(10)")) is None
    assert value_coercer(parse_type("longblob"))(b"x") == b"x"
    with pytest.raises(TypeError):
        value_coercer(parse_type("longblob"))([1, 2])  # native binary columns take raw bytes only


def test_bigint_unsigned_top_of_range(schema):
    table = _declare(schema, "bigint unsigned")
    top = (1 << 64) - 1
    if schema.connection.dialect_name == "sqlite":  # 64-bit signed integers only: refused, not stored as REAL
        with pytest.raises(dj.DataJointError, match="out of range on SQLite"):
            table.insert1({"legacy_id": 1, "value": 1 << 63})
        top = (1 << 63) - 1
    table.insert1({"legacy_id": 2, "value": top})
    assert table.to_dicts()[0]["value"] == top
