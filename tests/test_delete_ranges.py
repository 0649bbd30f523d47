"""Literal key lists in a cascade: runs of consecutive integers become BETWEEN, selecting the same rows."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from datajoint_sa.delete import MIN_RUN, _integer_ranges

ENGINE = sa.create_engine("sqlite://")
NUMBERS = sa.table("numbers", sa.column("n"))
with ENGINE.begin() as _conn:
    _conn.exec_driver_sql("CREATE TABLE numbers (n INTEGER PRIMARY KEY)")
    _conn.exec_driver_sql("INSERT INTO numbers WITH RECURSIVE r(n) AS (SELECT -50 UNION ALL SELECT n + 1 FROM r "
                          "WHERE n < 250) SELECT n FROM r")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-60, 260), min_size=1, max_size=120))
def test_ranges_select_exactly_the_keys(values):
    with ENGINE.connect() as conn:
        got = {n for (n,) in conn.execute(sa.select(NUMBERS.c.n).where(_integer_ranges(NUMBERS.c.n, values)))}
    assert got == {v for v in values if -50 <= v <= 250}


def test_runs_are_ranges_and_strays_a_list():
    clause = _integer_ranges(NUMBERS.c.n, [*range(100, 100 + MIN_RUN), 3, 5, 7, *range(200, 300)])
    sql = str(clause.compile(compile_kwargs={"literal_binds": True}))
    assert sql == "numbers.n BETWEEN 100 AND 107 OR numbers.n BETWEEN 200 AND 299 OR numbers.n IN (3, 5, 7)"
    assert str(_integer_ranges(NUMBERS.c.n, [1, 3]).compile(compile_kwargs={"literal_binds": True})) == "numbers.n IN (1, 3)"
