"""describe(): declaring its output gives the same table; alter() finds nothing to change right after declaring."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from reflection_helpers import reflect
from test_properties_declare import EXAMPLES, cases, declare_parent

import datajoint_sa as dj
from datajoint_sa.migrate import plan
from datajoint_sa.migrate.compare import normal_default


def layout(connection, schema, table):
    """What declaring fixes about a table, as the database reports it (names of indexes and constraints aside)."""
    found = reflect(connection, schema, table)
    columns = {name: (repr(c["type"]), c["nullable"], normal_default(str(c.get("default")), quoted=False), c.get("comment"))
               for name, c in found.columns.items()}
    foreign_keys = sorted((tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                          for fk in found.foreign_keys)
    indexes = sorted((tuple(ix["column_names"]), bool(ix["unique"])) for ix in found.indexes)
    return columns, found.primary_key, foreign_keys, indexes, found.comment


def test_describe_known_table(schema):
    @schema
    class Animal(dj.Manual):
        definition = """
        # an animal
        animal_id : int32
        ---
        name = "none" : varchar(20)   # what we call it
        """

    @schema
    class Pair(dj.Manual):
        definition = """
        -> Animal.proj(first_id='animal_id')
        -> Animal.proj(second_id='animal_id')
        ---
        -> [nullable, unique] Animal
        score = null : float64
        unique index(score)
        """

    assert Animal().describe().splitlines() == [
        "# an animal", "animal_id            : int32", "---",
        'name="none"          : varchar(20)                  # what we call it']
    lines = [" ".join(line.split()) for line in Pair().describe().splitlines()]
    assert lines == ['-> Animal.proj(first_id="animal_id")', '-> Animal.proj(second_id="animal_id")', "---",
                     "-> [nullable, unique] Animal", "score=null : float64", "UNIQUE INDEX (score)"]


def test_describe_round_trip(schema, connection):
    Parent = declare_parent(schema)

    counter = itertools.count()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cases())
    def check(case):
        n = next(counter)
        original = type(f"Random{n}", (dj.Manual,), {"definition": case.render()})
        schema(original, context={"Parent": Parent})
        assert not plan(original)[0], (case.render(), str(plan(original)[0]))
        text = original().describe()
        copy = type(f"Copy{n}", (dj.Manual,), {"definition": text})
        schema(copy, context={"Parent": Parent})
        assert copy.heading == original.heading or copy.heading.names == original.heading.names, text
        assert layout(connection, schema.database, f"copy{n}") == layout(connection, schema.database, f"random{n}"), (
            case.render(), text)
        assert copy().describe() == text
        if connection.rules.has_comments:  # types come back from the :type: comments
            free = dj.FreeTable(connection, f"{schema.database}.random{n}").describe()
            again = type(f"Free{n}", (dj.Manual,), {"definition": free})
            schema(again, context={"Parent": Parent})
            assert layout(connection, schema.database, f"free{n}") == layout(connection, schema.database, f"random{n}"), (
                case.render(), free)

    check()
