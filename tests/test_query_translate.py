"""SQL fragments in DataJoint's MySQL flavour, translated for every backend (compile/translate.py).

The same restriction, ``proj`` or ``aggr`` text gives the same values on SQLite, PostgreSQL
and MySQL; compile-only tests pin what each dialect receives.
"""

from __future__ import annotations

import datetime
import sqlite3

import numpy as np
import pytest
from query_data import greenhouse, keys

import datajoint_sa as dj
from datajoint_sa.compile.fragment import bind, referenced_names
from datajoint_sa.compile.translate import parse_fragment, render


@pytest.fixture(scope="module")
def gh(connection):
    yield from greenhouse(connection, "djtr")


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# -- values on every backend -------------------------------------------------------------------
def test_date_parts(gh):
    parts = gh.Plant.proj(y="YEAR(planted)", m="MONTH(planted)", d="DAY(planted)")
    rows = {r["plant_id"]: (r["y"], r["m"], r["d"]) for r in parts.to_dicts()}
    assert rows[1] == (2024, 3, 1) and rows[6] == (2024, 6, 2)
    assert all(isinstance(v, int) for row in rows.values() for v in row)  # integers, not Decimal
    assert keys(gh.Plant & "MONTH(planted) = 4") == [(3,), (4,)]
    assert keys(gh.Plant & "YEAR(planted) = 2024 AND DAY(planted) < 3") == [(1,), (6,)]


def test_timestampdiff_years_to_today(gh):
    ages = {r["plant_id"]: r["age"] for r in
            gh.Plant.proj(age="TIMESTAMPDIFF(YEAR, planted, CURDATE())").to_dicts()}
    today = datetime.date.today()
    assert ages[1] == _age(datetime.date(2024, 3, 1), today) and ages[6] == _age(datetime.date(2024, 6, 2), today)


def test_timestampdiff_units_between_columns(gh):
    pairs = gh.Plant.proj(p2="plant_id", planted2="planted") * gh.Plant
    query = (pairs & "plant_id = 1 AND p2 = 4").proj(
        months="TIMESTAMPDIFF(MONTH, planted, planted2)", days="TIMESTAMPDIFF(DAY, planted, planted2)",
        back="TIMESTAMPDIFF(MONTH, planted2, planted)")
    row = query.fetch1()
    # 2024-03-01 -> 2024-04-12: one whole month, 42 days; backwards truncates towards zero
    assert (row["months"], row["days"], row["back"]) == (1, 42, -1)


def test_now_is_the_current_time(gh):
    row = (gh.Plant & {"plant_id": 1}).proj(now="NOW()", today="CURDATE()").fetch1()
    now = row["now"]
    if isinstance(now, str):  # SQLite returns its text form
        now = datetime.datetime.fromisoformat(now)
    assert abs(now.replace(tzinfo=None) - datetime.datetime.now()).total_seconds() < 24 * 3600
    assert len(gh.Plant & "planted < NOW()") == 6


def test_group_concat_and_boolean_sum(gh, connection):
    query = dj.U("house_id").aggr(gh.Plant, species="GROUP_CONCAT(species)", ferns="SUM(species = 'fern')",
                                  n="count(*)")
    rows = {r["house_id"]: r for r in query.to_dicts()}
    assert sorted(rows[1]["species"].split(",")) == ["basil", "cactus", "fern"]
    assert sorted(rows[2]["species"].split(",")) == ["cactus", "fern", "orchid"]
    assert int(rows[1]["ferns"]) == 1 and int(rows[2]["ferns"]) == 1 and rows[2]["n"] == 3
    spelled = dj.U("house_id").aggr(gh.Plant, s="STRING_AGG(species, ';')")  # PostgreSQL's name works too
    assert sorted(next(r["s"] for r in spelled.to_dicts() if r["house_id"] == 1).split(";")) == [
        "basil", "cactus", "fern"]
    if connection.dialect_name == "sqlite" and sqlite3.sqlite_version_info < (3, 44):
        return  # ORDER BY inside an aggregate needs SQLite 3.44 ("Aggregate Functions")
    ordered = dj.U("house_id").aggr(gh.Plant, s="GROUP_CONCAT(plant_id ORDER BY plant_id DESC SEPARATOR ';')")
    assert {r["house_id"]: r["s"] for r in ordered.to_dicts()} == {1: "5;2;1", 2: "6;4;3"}


def test_concat_and_double_quoted_strings(gh):
    labels = gh.Gardener.proj(label="CONCAT(gardener_name, ' ', shift)")
    assert sorted(labels.to_arrays("label")) == ["Ines early", "Omar late", "Pavel early"]
    assert keys(gh.Gardener & 'shift = "late"') == [(2,)]  # MySQL's "..." is a string, not a name


def test_true_division_and_functions(gh):
    assert sorted(gh.Greenhouse.proj(q="house_id / 2").to_arrays("q")) == [0.5, 1.0, 1.5]
    assert keys(gh.Plant & "IFNULL(gardener_id, 0) = 0") == [(3,), (5,)]
    assert keys(gh.Plant & "species LIKE 'c%' AND height > 12") == [(6,)]


def test_to_arrays_dtypes(gh):
    names = gh.Gardener.to_arrays("gardener_name", order_by="KEY")
    assert names.dtype.kind == "U" and list(names) == ["Ines", "Omar", "Pavel"]
    counts = gh.Greenhouse.aggr(gh.Plant, n="count(*)").to_arrays("n", order_by="KEY")
    assert counts.dtype == np.int64 and list(counts) == [3, 3, 0]
    record = gh.Gardener.to_arrays()
    assert record.dtype["gardener_name"].kind == "O"  # the structured array keeps text as objects


def test_heading_as_dtype(gh):
    dtype = gh.Watering.heading.as_dtype
    assert dtype.names == ("plant_id", "water_no", "liters", "note")
    assert dtype["plant_id"] == np.int32 and dtype["water_no"] == np.int16 and dtype["liters"] == np.float64
    assert dtype["note"].kind == "O"
    assert gh.Plant.heading.as_dtype["gardener_id"].kind == "O"  # a nullable integer can hold NULL only as object


def test_top_order_is_kept_by_preview_and_paging(gh):
    tallest = gh.Plant & dj.Top(None, "height DESC")
    assert list(tallest.to_arrays("plant_id", limit=3)) == [4, 1, 3]
    shown = [line.split()[0] for line in repr(gh.Plant & dj.Top(3, "height DESC")).splitlines()[2:5]]
    assert shown == ["4", "1", "3"]


def test_free_table_caption(gh, connection):
    free = dj.FreeTable(connection, gh.Plant.full_table_name)
    assert repr(free).startswith(f"FreeTable({gh.Plant.full_table_name})\n")
    assert repr(free.proj()).splitlines()[0] == f"FreeTable({gh.Plant.full_table_name})"
    assert not repr(free * gh.Greenhouse).startswith("FreeTable")


# -- what each dialect receives (no database) ----------------------------------------------------
BOUND = frozenset({"a", "d", "q", "x", "y", "*count"})


def text(sql: str, dialect: str) -> str:
    rendered = render(sql, BOUND, dialect)
    assert rendered is not None
    texts, names = rendered
    return "".join(t + (f"<{n}>" if n else "") for t, n in zip(texts, [*names, ""]))


@pytest.mark.parametrize("sql, postgres, sqlite", [
    ("YEAR(d)", "CAST(EXTRACT(YEAR FROM CAST(<d> AS TIMESTAMP)) AS INT)", "CAST(STRFTIME('%Y', <d>) AS INTEGER)"),
    ("TIMESTAMPDIFF(YEAR, a, CURDATE())", "CAST(EXTRACT(YEAR FROM AGE(CURRENT_DATE, <a>)) AS INT)",
     "DATE('now', 'localtime')"),
    ("NOW()", "NOW()", "DATETIME('now', 'localtime')"),
    ("GROUP_CONCAT(q)", "STRING_AGG(CAST(<q> AS TEXT), ',')", "GROUP_CONCAT(<q>)"),
    ("SUM(q='a')", "SUM(CAST((<q> = 'a') AS INT))", "SUM(<q> = 'a')"),
    ("CONCAT(a, ' ', q)", "<a> || ' ' || <q>", "<a> || ' ' || <q>"),
    ('q = "a"', "<q> = 'a'", "<q> = 'a'"),
    ("x / y", "<x> * 1.0 / NULLIF(<y>, 0)", "CAST(<x> AS REAL) / <y>"),
    ("ROUND(x / 3, 2)", "ROUND(CAST(<x> * 1.0 / NULLIF(3, 0) AS DECIMAL), 2)", "ROUND(CAST(<x> AS REAL) / 3, 2)"),
    ("count(*)", "COUNT(<*count>)", "COUNT(<*count>)"),
])
def test_translation_per_dialect(sql, postgres, sqlite):
    assert postgres in text(sql, "postgres")
    assert sqlite in text(sql, "sqlite")


def test_mysql_keeps_the_text_as_written():
    assert text("TIMESTAMPDIFF(YEAR, a, CURDATE()) > 3 and q = \"x\"", "mysql") == \
        'TIMESTAMPDIFF(YEAR, <a>, CURDATE()) > 3 and <q> = "x"'
    assert text("`q` LIKE 'a%'", "mysql") == "<q> LIKE 'a%'"


def test_references_are_unqualified_columns_outside_subqueries():
    assert referenced_names("x > 1 AND y IN (SELECT y FROM other WHERE z = 2)") == ["x", "y"]
    assert referenced_names("TIMESTAMPDIFF(YEAR, d, CURDATE()) > a") == ["d", "a"]
    assert parse_fragment("this is not ( sql") is None  # falls back to the text as written


def test_unknown_lower_case_names_raise_and_upper_case_names_stay_sql():
    import sqlalchemy as sa

    table = sa.table("t", sa.column("x"))
    with pytest.raises(dj.DataJointError, match="`nope` is not found"):
        bind("x > nope", {"x": table.c.x})
    fragment = bind("x > PI", {"x": table.c.x})
    assert fragment.names == ("x",)


def test_round_of_a_ratio(gh):
    query = gh.Greenhouse.aggr(gh.Plant, mean="ROUND(SUM(height) / COUNT(plant_id), 2)", exclude_nonmatching=True)
    assert {r["house_id"]: float(r["mean"]) for r in query.to_dicts()} == {1: 17.33, 2: 26.5}


# -- operators the reference suite pinned ------------------------------------------------------------
def test_union_stacks_namesakes_of_different_lineage(schema):
    @schema
    class Ij(dj.Lookup):
        definition = """
        i : int32
        j : int32
        """
        contents = [(0, 2), (1, 3)]

    @schema
    class Ji(dj.Lookup):
        definition = """
        j : int32
        i : int32
        """
        contents = [(3, 1), (5, 4)]

    union = Ij + Ji
    assert sorted((r["i"], r["j"]) for r in union.to_dicts()) == [(0, 2), (1, 3), (4, 5)]
    assert union.heading["i"].lineage is None  # the stacked attribute has no single origin
    with pytest.raises(dj.DataJointError, match="lineage"):
        Ij * union


def test_order_by_an_attribute_named_key(schema):
    @schema
    class Keyed(dj.Lookup):
        definition = """
        id : int32
        key : int32
        """
        contents = [(0, 4), (1, 5), (2, 5), (2, 6), (1, 1)]

    top = Keyed & dj.Top(limit=3, order_by=["key desc", "id"])
    assert [(r["id"], r["key"]) for r in top.to_dicts()] == [(2, 6), (1, 5), (2, 5)]
    assert [r["key"] for r in Keyed.to_dicts(order_by="key")] == [1, 4, 5, 5, 6]


def test_reserved_words_need_backticks_on_mysql(schema, connection):
    @schema
    class Reserved(dj.Lookup):
        definition = """
        key : int32
        ---
        in : varchar(8)
        """
        contents = [(1, "a"), (2, "b")]

    assert list((Reserved & "`key` = 1").to_arrays("in")) == ["a"]
    if connection.dialect_name == "mysql":  # MySQL SQL: reserved words are names only in backticks
        with pytest.raises(dj.DataJointError):
            (Reserved & "key = 1").to_arrays("in")
    else:
        assert list((Reserved & "key = 1").to_arrays("in")) == ["a"]


def test_key_source_prints_its_parent_as_a_free_table(schema):
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        """

    @schema
    class Weight(dj.Computed):
        definition = """
        -> Animal
        ---
        grams : float64
        """

        def make(self, key):
            self.insert1(dict(key, grams=1.0))

    Animal.insert([(1,), (2,)])
    lines = repr(Weight.key_source).splitlines()
    assert lines[0] == f"FreeTable({Animal.full_table_name})" and lines[1].split() == ["*animal_id"]
