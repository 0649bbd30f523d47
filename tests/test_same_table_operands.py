"""Operands that are different objects for one table (a class and a FreeTable) still get their own aliases.

The two reflect the table into different ``sa.Table`` objects that SQL sees as one name:
a restriction, subtraction, join or aggregation must not let one side's columns stand
for the other's (that made ``FreeTable & (Cls & cond)`` match every row).
"""

from __future__ import annotations

import pytest

import datajoint_sa as dj


@pytest.fixture
def root(schema):
    @schema
    class Root(dj.Manual):
        definition = """
        root_id : int32
        ---
        v : int32
        """

    Root.insert([{"root_id": i, "v": 10 * i} for i in range(4)])
    return Root, dj.FreeTable(schema.connection, f"{schema.database}.root")


def test_restrict_and_subtract_by_the_same_table(root):
    cls, free = root
    picked = (cls & "root_id = 1").proj()
    assert (free & picked).to_dicts() == [{"root_id": 1, "v": 10}]
    assert sorted((free - picked).to_arrays("root_id")) == [0, 2, 3]
    assert (cls & (free & "v >= 20").proj()).to_dicts(order_by="KEY") == [{"root_id": 2, "v": 20},
                                                                            {"root_id": 3, "v": 30}]


def test_join_and_aggregate_with_the_same_table(root):
    cls, free = root
    joined = cls * free.proj(w="v")
    assert len(joined) == 4 and all(row["v"] == row["w"] for row in joined.to_dicts())
    counted = cls.aggr(free.proj(w="v") & "w > 0", n="count(*)")
    assert dict(zip(*counted.to_arrays("root_id", "n"))) == {0: 0, 1: 1, 2: 1, 3: 1}
