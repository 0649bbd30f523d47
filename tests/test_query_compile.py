"""Compilation: user SQL fragments, per-dialect rendering, compiled-cache keys, error texts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from query_data import greenhouse
from sqlalchemy.dialects import mysql, postgresql, sqlite

import datajoint_sa as dj
from datajoint_sa.compile.fragment import parse, referenced_names

DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.psycopg.dialect(), "mysql": mysql.pymysql.dialect()}


@pytest.fixture(scope="module")
def gh(connection):
    yield from greenhouse(connection, "djqc")


@pytest.mark.parametrize("sql, names", [
    ("height > 20", ["height"]),
    ("species LIKE 'c%' and gardener_id is null", ["species", "gardener_id"]),
    ("Height > 3 AND x BETWEEN 1 AND 2", ["x"]),
    ("sum(liters) / count(*)", ["liters"]),
    ("`note` = 'it''s a note'", ["note"]),
    ("coalesce(a, b) + t.c + d::int", ["a", "b", "d"]),
    ("case when a > 1 then 'x' else 'y' end", ["a"]),
    ("planted < current_date", ["planted"]),
    ('"quoted text" = b', ["b"]),
    ("f64 > 1e20 AND g < 2.5E-3 AND h = 0x1F AND i > .5e2", ["f64", "g", "h", "i"]),
])
def test_fragment_names(sql, names):
    assert referenced_names(sql) == names


def test_fragment_keeps_count_star_and_division():
    texts, names = parse("COUNT( * ) / 2")
    assert names == ("*count",) and texts[0] == "count(" and "/" in texts[1]


def compiled(query, dialect: str) -> str:
    return str(query.make_select().compile(dialect=DIALECTS[dialect]))


def test_true_division_per_dialect(gh):
    query = gh.Watering.proj(half="water_no / 2")
    assert "water_no * 1.0 / NULLIF(2, 0)" in compiled(query, "postgresql")
    assert "AS REAL) / 2" in compiled(query, "sqlite")
    assert "water_no / 2" in compiled(query, "mysql")
    assert sorted(float(h) for h in query.to_arrays("half")) == [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.5]


def test_percent_is_escaped_for_format_paramstyles(gh):
    query = gh.Plant & "species LIKE 'c%'"
    assert "'c%%'" in compiled(query, "mysql") and "'c%%'" in compiled(query, "postgresql")
    assert "'c%'" in compiled(query, "sqlite")
    assert len(query) == 2


def test_attribute_references_are_quoted_by_the_dialect(gh):
    renamed = gh.Plant.proj(kind="species") & "kind = 'fern'"
    assert "AS kind" in compiled(renamed, "postgresql") and "WHERE" in compiled(renamed, "postgresql")
    backticked = gh.Plant & "`species` = 'fern'"  # MySQL-style quoting works on every backend
    assert "`" not in compiled(backticked, "postgresql") and len(backticked) == 2


def test_repeated_expressions_share_a_cache_key(gh):
    def build(value: str, limit: str = "height > 10"):
        group = (gh.Plant & {"species": value} & limit).proj(..., h2="height * 2") * gh.Greenhouse
        return gh.Gardener.aggr(group * gh.Watering, n="count(*)", top="max(h2)").make_select()

    key = build("fern")._generate_cache_key()
    assert key is not None
    assert key == build("cactus")._generate_cache_key()  # dict values are bound parameters
    assert key != build("fern", "height > 11")._generate_cache_key()  # SQL text is part of the key
    texts = [e for e in sa.sql.visitors.iterate(build("fern")) if isinstance(e, sa.TextClause)]
    assert texts == []


def test_values_are_bound_parameters(gh):
    select = (gh.Plant & {"species": "x'); DROP TABLE plant; --"}).make_select()
    assert "DROP" not in str(select.compile(dialect=DIALECTS["postgresql"]))
    assert len(gh.Plant & {"species": "x'); DROP TABLE plant; --"}) == 0


def test_lineage_errors_name_the_attribute_and_both_lineages(gh):
    with pytest.raises(dj.DataJointError) as info:
        gh.Greenhouse.proj(gardener_id="house_id") * gh.Gardener
    message = str(info.value)
    assert "`gardener_id`" in message and ".greenhouse.house_id" in message and ".gardener.gardener_id" in message
    with pytest.raises(dj.DataJointError, match=r"`species`.*None vs None"):
        gh.Plant & (dj.U("species") & gh.Plant)
    with pytest.raises(dj.DataJointError, match="gardener_id"):
        gh.Greenhouse.proj(gardener_id="house_id").aggr(gh.Plant, n="count(*)")


def test_semantic_check_false_matches_every_namesake(gh):
    renamed = gh.Greenhouse.proj(gardener_id="house_id")
    assert len(renamed.join(gh.Gardener, semantic_check=False)) == 3
    assert len(gh.Gardener().restrict(renamed, semantic_check=False)) == 3
    assert len(gh.Gardener().restrict(dj.Not(renamed), semantic_check=False)) == 0


def test_make_sql_shows_values(gh):
    assert "'fern'" in (gh.Plant & {"species": "fern"}).make_sql()
