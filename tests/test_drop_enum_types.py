"""Dropping a table drops the PostgreSQL enum types that no remaining column uses, and only those."""

from __future__ import annotations

import sqlalchemy as sa

import datajoint_sa as dj


def _enum_types(connection: dj.Connection, schema: dj.Schema) -> list[str]:
    if connection.dialect_name != "postgresql":
        return []
    with connection.engine.connect() as conn:
        return [e["name"] for e in sa.inspect(conn).get_enums(schema=schema.database)]


def test_a_shared_enum_type_outlives_the_first_table_and_goes_with_the_last(connection, schema):
    @schema
    class Animal(dj.Manual):
        definition = "animal_id : int32\n---\nspecies : enum('mouse', 'rat')"

    @schema
    class Cage(dj.Manual):
        definition = "cage_id : int32\n---\nspecies : enum('mouse', 'rat')\nsize : enum('s', 'l')"

    Animal.insert1({"animal_id": 1, "species": "rat"})
    before = _enum_types(connection, schema)
    assert len(before) == (2 if connection.dialect_name == "postgresql" else 0)

    Cage().drop_quick()
    kept = _enum_types(connection, schema)
    assert len(kept) == (1 if connection.dialect_name == "postgresql" else 0)  # 'size' went, 'species' stays
    assert Animal.to_dicts() == [{"animal_id": 1, "species": "rat"}]

    Animal().drop_quick()
    assert _enum_types(connection, schema) == []
