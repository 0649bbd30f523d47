"""SELECT states and the subquery rules, compiled without a database."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from datajoint_sa.compile.fragment import bind
from datajoint_sa.compile.state import (
    SelectState,
    join_states,
    needs_wrap_as_operand,
    needs_wrap_as_outer_operand,
    needs_wrap_to_restrict,
    union_states,
)

META = sa.MetaData()
A = sa.Table("a", META, sa.Column("a", sa.Integer, primary_key=True), sa.Column("x", sa.Integer))
B = sa.Table("b", META, sa.Column("a", sa.Integer, primary_key=True), sa.Column("b", sa.Integer, primary_key=True),
             sa.Column("y", sa.Float))
C = sa.Table("c", META, sa.Column("b", sa.Integer, primary_key=True), sa.Column("z", sa.Float))


def sql(select: sa.Select, dialect=None) -> str:
    return " ".join(str(select.compile(dialect=dialect or sqlite.dialect())).split())


def test_plain_state_restricts_and_joins_flat():
    a, b = SelectState.of_table(A), SelectState.of_table(B)
    restricted = a.restricted(A.c.x > 1)
    assert not needs_wrap_to_restrict(restricted) and not needs_wrap_as_operand(restricted)
    text = sql(join_states(restricted, b.restricted(B.c.y < 2), ["a"]).select())
    assert text.count("SELECT") == 1 and "JOIN b ON a.a = b.a" in text and "WHERE a.x > ? AND b.y < ?" in text


def test_grouped_and_limited_states_become_subqueries():
    grouped = SelectState(A, {"a": A.c.a, "n": sa.func.count()}, group_by=(A.c.a,))
    limited = SelectState(A, {"a": A.c.a, "x": A.c.x}, order_by=(A.c.x.desc(),), limit=2)
    assert needs_wrap_to_restrict(grouped) and needs_wrap_to_restrict(limited)
    text = sql(join_states(SelectState.of_table(B), limited, ["a"]).select())
    assert text.count("SELECT") == 2 and "LIMIT" in text


def test_right_side_of_a_left_join_keeps_its_restrictions_inside():
    right = SelectState.of_table(B).restricted(B.c.y > 1)
    assert needs_wrap_as_outer_operand(right)
    text = sql(join_states(SelectState.of_table(A), right, ["a"], outer=True).select())
    assert "LEFT OUTER JOIN (SELECT b.a AS a, b.b AS b, b.y AS y FROM b WHERE b.y > ?) AS anon_1 ON" in text
    assert text.endswith("ON a.a = anon_1.a")  # no WHERE outside


def test_a_joined_right_side_is_appended_table_by_table():
    bc = join_states(SelectState.of_table(B), SelectState.of_table(C), ["b"])
    text = sql(join_states(SelectState.of_table(A), bc, ["a"]).select())
    assert "(" not in text.split("FROM", 1)[1]  # no nested join in parentheses


def test_self_join_aliases_the_second_table():
    text = sql(join_states(SelectState.of_table(A), SelectState.of_table(A), []).select(["a"]))
    assert "FROM a JOIN (SELECT" in text


def test_union_fills_missing_secondaries_with_null():
    first = SelectState(A, {"a": A.c.a, "x": A.c.x})
    second = SelectState(B, {"a": B.c.a, "y": B.c.y}).restricted(B.c.b == 1)
    text = sql(union_states(first, second, ["a"], ["x"], ["y"]).select())
    assert "UNION" in text and "NULL AS x" in text and "NOT (EXISTS" in text


def test_distinct_state_selects_a_subset_through_a_subquery():
    distinct = SelectState(A, {"a": A.c.a, "x": A.c.x}, distinct=True)
    assert sql(distinct.select(["x"])).count("SELECT") == 2


def test_fragments_render_per_dialect():
    half = bind("x / 2 + count(*)", {"x": A.c.x}, count_column=A.c.a)
    select = sa.select(half.label("h")).select_from(A)
    assert "a.x * 1.0 / NULLIF(2, 0) + COUNT(a.a)" in sql(select, postgresql.psycopg.dialect())
