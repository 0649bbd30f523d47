"""The query operators on each backend: restriction, projection, join, aggregation, union, U, Top."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest
from query_data import greenhouse, keys

import datajoint_sa as dj


@pytest.fixture(scope="module")
def gh(connection):
    yield from greenhouse(connection, "djq")


# -- restriction -------------------------------------------------------------------------
@pytest.mark.parametrize("restriction, expected", [
    ({"species": "fern"}, [1, 3]),
    ({"species": "cactus", "house_id": 2}, [6]),
    ({"unrelated": 7}, [1, 2, 3, 4, 5, 6]),
    ({"gardener_id": None}, [3, 5]),
    ({"planted": datetime.date(2024, 4, 12)}, [4]),
    ({"planted": "2024-04-12"}, [4]),
    ({"plant_id": "x"}, []),
    ("species = 'orchid'", [4]),
    ("height BETWEEN 10 AND 25", [2, 3, 6]),
    ("species LIKE 'c%%' OR species LIKE 'o%'", [2, 4, 6]),
    ("gardener_id IS NULL", [3, 5]),
    ([{"species": "fern"}, "height < 10"], [1, 3, 5]),
    (({"plant_id": 1}, {"plant_id": 3}), [1, 3]),
    ([{"plant_id": 1}, {"plant_id": 3}, {"plant_id": 99}], [1, 3]),
    (dj.AndList(["height > 10", {"house_id": 1}]), [1, 2]),
    (dj.AndList([]), [1, 2, 3, 4, 5, 6]),
    (dj.Not({"species": "fern"}), [2, 4, 5, 6]),
    (dj.Not(dj.AndList([{"species": "cactus"}, "house_id = 2"])), [1, 2, 3, 4, 5]),
    (dj.Not(dj.Not({"species": "orchid"})), [4]),
    (dj.Not([{"species": "fern"}, {"species": "cactus"}]), [4, 5]),
    (True, [1, 2, 3, 4, 5, 6]),
    (False, []),
    (None, []),
    ([], []),
    ("", [1, 2, 3, 4, 5, 6]),
])
def test_restrict_by_condition(gh, restriction, expected):
    assert keys(gh.Plant & restriction, "plant_id") == [(k,) for k in expected]


def test_restrict_by_records_and_frames(gh):
    records = np.array([(1,), (4,)], dtype=[("plant_id", "<i8")])
    assert keys(gh.Plant & records) == [(1,), (4,)]
    assert keys(gh.Plant & records[0]) == [(1,)]
    assert keys(gh.Plant & pd.DataFrame({"plant_id": [2, 6]})) == [(2,), (6,)]
    assert keys(gh.Plant & gh.Plant.keys(order_by="KEY", limit=2)) == [(1,), (2,)]


def test_restrict_by_query(gh):
    P, W = gh.Plant, gh.Watering
    assert keys(P & W) == [(1,), (2,), (4,), (5,)]
    assert keys(P & (W & "liters > 2")) == [(4,)]
    assert keys(P - W) == [(3,), (6,)]
    assert keys(gh.Greenhouse - P) == [(3,)]
    assert keys(P & (W & "liters > 100")) == []
    assert keys(P & {"house_id": 1} & "height > 10" & W) == [(1,), (2,)]
    assert keys((P - gh.PlantLabel) & "height > 10") == [(2,), (3,)]


def test_restrict_unknown_attribute_names_it(gh):
    with pytest.raises(dj.DataJointError, match="no_such_attr"):
        gh.Plant & "no_such_attr = 1"


def test_subtract_keeps_rows_whose_attribute_is_null(gh):
    """NOTES: the reference's NOT IN drops everything when the subquery holds a NULL."""
    assert keys(gh.Gardener - gh.Plant) == [(3,)]
    assert keys(gh.Plant - gh.Gardener) == [(3,), (5,)]


# -- projection -------------------------------------------------------------------------
def test_proj(gh):
    P, W = gh.Plant, gh.Watering
    assert P.proj().heading.names == ["plant_id"]
    assert P.proj("height", kind="species").heading.names == ["plant_id", "kind", "height"]  # renames stay in place
    renamed = gh.Greenhouse.proj("house_name", gh="house_id")
    assert renamed.primary_key == ["gh"]
    assert renamed.heading["gh"].lineage == gh.Greenhouse.heading["house_id"].lineage
    assert keys(W.proj(ml="liters * 1000"), "ml")[0] == (250.0,)
    assert keys(P.proj(kind="species") & "kind = 'fern'") == [(1,), (3,)]
    assert keys(W.proj(ml="liters * 1000") & "ml > 1200") == [(1, 1), (1, 2), (4, 1), (4, 2)]
    assert set(P.proj(..., "-planted", "-height").heading.names) == {"plant_id", "house_id", "gardener_id", "species"}
    dup = gh.Greenhouse.proj("area", area_copy="(area)")
    assert [r["area"] == r["area_copy"] for r in dup.to_dicts()] == [True] * 3
    assert P.proj(kind="species").proj(k2="kind").heading.names == ["plant_id", "k2"]
    assert keys(P.proj(kind="species").proj(k2="kind"), "k2")[0] == ("basil",)


def test_true_division_on_every_backend(gh):
    halves = gh.Plant.proj(h="height / 4") & {"plant_id": 2}
    assert float(halves.fetch1("h")) == pytest.approx(2.75)
    ints = gh.Watering.proj(q="water_no / 2") & {"plant_id": 1, "water_no": 3}
    assert float(ints.fetch1("q")) == pytest.approx(1.5)


@pytest.mark.parametrize("call, message", [
    (lambda P: P.proj("-plant_id"), "primary-key"),
    (lambda P: P.proj("no_such_attr"), "no_such_attr"),
    (lambda P: P.proj("species", species="height"), "already exists"),
    (lambda P: P.proj(3), "not a valid"),
])
def test_proj_errors(gh, call, message):
    with pytest.raises(dj.DataJointError, match=message):
        call(gh.Plant)


# -- join ---------------------------------------------------------------------------------
def test_join(gh):
    P, W, G = gh.Plant, gh.Watering, gh.Greenhouse
    joined = P * G
    assert joined.primary_key == ["plant_id"] and len(joined) == 6
    assert (W * P).primary_key == ["plant_id", "water_no"]
    assert len(P * gh.Gardener) == 4
    assert keys(P * gh.PlantLabel, "plant_id", "label") == [(1, "shade"), (4, "rare"), (6, "spiny")]
    cross = G.proj("house_name") * gh.Gardener.proj("gardener_name")
    assert cross.primary_key == ["house_id", "gardener_id"] and len(cross) == 9
    assert len((P & "height > 12") * (W & "liters < 2.5")) == 3
    assert len(P.proj("species") * W.proj("liters")) == 7


def test_left_join_and_extend(gh):
    P = gh.Plant
    left = P.join(gh.PlantLabel, left=True)
    assert left.primary_key == ["plant_id"]
    assert keys(left, "plant_id", "label")[1] == (2, None)
    assert len(P.extend(gh.Gardener)) == 6
    assert keys(left & "label IS NULL") == [(2,), (3,), (5,)]
    with pytest.raises(dj.DataJointError, match="determine"):
        P.join(gh.Watering, left=True)
    with pytest.raises(dj.DataJointError, match="determine"):
        gh.Greenhouse.extend(P)


def test_self_join_through_renames(gh):
    P = gh.Plant
    pairs = P.proj(a="plant_id", s="species") * P.proj(b="plant_id", s2="species") & "s = s2 AND a < b"
    assert keys(pairs, "a", "b") == [(1, 3), (2, 6)]


def test_join_errors(gh):
    with pytest.raises(dj.DataJointError, match="query expression"):
        gh.Plant * 3
    with pytest.raises(dj.DataJointError, match="removed"):
        gh.Plant() @ gh.Watering()
    with pytest.raises(dj.DataJointError, match="removed"):
        gh.Plant() ^ gh.Watering()


# -- aggregation ---------------------------------------------------------------------------
def test_aggr_keeps_unmatched_rows_with_count_zero(gh):
    counted = gh.Plant.aggr(gh.Watering, n="count(*)", m="count(water_no)", total="sum(liters)")
    rows = {r["plant_id"]: (r["n"], r["m"], r["total"]) for r in counted.to_dicts()}
    assert rows[3] == (0, 0, None) and rows[1] == (3, 3, 4.0)
    assert len(counted) == 6


def test_aggr_restriction_of_group_stays_inside(gh):
    """NOTES: with ``B & cond`` the reference drops unmatched rows of A."""
    counted = gh.Greenhouse.aggr(gh.Plant & "species = 'cactus'", n="count(*)")
    assert keys(counted, "house_id", "n") == [(1, 1), (2, 1), (3, 0)]
    only = gh.Greenhouse.aggr(gh.Plant & "species = 'cactus'", n="count(*)", exclude_nonmatching=True)
    assert keys(only, "house_id", "n") == [(1, 1), (2, 1)]


def test_aggr_shapes(gh):
    G, P, W = gh.Greenhouse, gh.Plant, gh.Watering
    assert keys(G.aggr(P, n="count(plant_id)") & "n >= 3", "house_id") == [(1,), (2,)]
    assert keys(G.aggr(P, n="count(plant_id)") * G, "house_id", "n", "house_name")[2] == (3, 0, "Annex")
    with_all = G.aggr(P, ..., n="count(*)")
    assert set(with_all.heading.names) == {"house_id", "house_name", "area", "n"}
    assert keys(with_all, "house_name", "n") == [("Annex", 0), ("North", 3), ("South", 3)]
    kept = G.aggr(P, "house_name", tall="max(height)")
    assert keys(kept, "house_name", "tall")[0] == ("Annex", None)
    water = gh.Gardener.aggr(P * W, water="sum(liters)", exclude_nonmatching=True)
    assert keys(water, "gardener_id", "water") == [(1, 9.5), (2, 0.25)]
    assert keys((P & {"house_id": 1}).aggr(W, n="count(water_no)"), "plant_id", "n") == [(1, 3), (2, 1), (5, 1)]
    top = G.aggr(P, n="count(plant_id)") & dj.Top(1, ["n DESC", "house_id"])
    assert keys(top, "house_id", "n") == [(1, 3)]


def test_aggr_errors(gh):
    with pytest.raises(dj.DataJointError, match="dj.U"):
        gh.Plant.aggr(dj.U("species"), n="count(*)")
    with pytest.raises(dj.DataJointError, match="missing"):
        gh.Watering.aggr(gh.Greenhouse, n="count(*)")
    with pytest.raises(dj.DataJointError, match="already exists"):
        gh.Greenhouse.aggr(gh.Plant, "house_name", house_name="count(*)")


# -- union -----------------------------------------------------------------------------------
def test_union(gh):
    P = gh.Plant
    both = (P & {"species": "fern"}).proj() + (P & "height > 40").proj()
    assert both.to_dicts(order_by="KEY DESC") == [{"plant_id": 4}, {"plant_id": 3}, {"plant_id": 1}]
    assert both.head(1) == [{"plant_id": 1}] and both.tail(1) == [{"plant_id": 4}]
    three = (P & {"plant_id": 1}).proj() + (P & {"plant_id": 2}).proj() + (P & {"plant_id": 6}).proj()
    assert keys(three) == [(1,), (2,), (6,)]
    mixed = (P & "plant_id < 3").proj("species") + (P & "plant_id > 1").proj("height")
    rows = {r["plant_id"]: (r["species"], r["height"]) for r in mixed.to_dicts()}
    assert rows[1] == ("fern", None) and rows[2][0] == "cactus" and float(rows[2][1]) == 11.0
    assert rows[6][0] is None and len(mixed) == 6
    assert keys(((P & {"house_id": 1}).proj() + (P & {"house_id": 2}).proj()) & "plant_id > 3") == [(4,), (5,), (6,)]
    assert keys(gh.Watering & ((P & {"plant_id": 1}).proj() + (P & {"plant_id": 2}).proj()), "plant_id") == \
        [(1,), (1,), (1,), (2,)]
    assert bool((P & {"plant_id": 1}).proj() + (P & {"plant_id": 2}).proj())


def test_union_errors(gh):
    P = gh.Plant
    with pytest.raises(dj.DataJointError, match="secondary"):
        (P & {"species": "fern"}) + (P & {"species": "cactus"})
    with pytest.raises(dj.DataJointError, match="primary key"):
        P.proj() + gh.Greenhouse.proj()


# -- dj.U ----------------------------------------------------------------------------------
def test_universal_set(gh):
    P, W = gh.Plant, gh.Watering
    species = dj.U("species") & P
    assert species.primary_key == ["species"] and len(species) == 4
    assert keys(dj.U("house_id", "species") & P)[0] == (1, "basil")
    assert keys(dj.U("species") & (P & "height > 12")) == [("cactus",), ("fern",), ("orchid",)]
    assert keys(dj.U("species").aggr(P, n="count(*)"), "species", "n")[1] == ("cactus", 2)
    assert keys(dj.U("house_id").aggr(W * P, total="sum(liters)"), "house_id", "total") == [(1, 5.25), (2, 5.5)]
    assert dj.U().aggr(W, n="count(*)", total="sum(liters)").fetch1() == {"n": 7, "total": 10.75}
    assert keys(dj.U("species").aggr(P, n="count(*)") & "n > 1") == [("cactus",), ("fern",)]
    assert keys(dj.U("n") & gh.Greenhouse.aggr(P, n="count(plant_id)")) == [(0,), (3,)]
    for join in (lambda: P * dj.U("species"), lambda: dj.U("species") * P, lambda: P.join(dj.U("species"))):
        with pytest.raises(dj.DataJointError, match="no longer supported"):  # removed in DataJoint 2.0
            join()
    assert len(P & dj.U("species")) == 6


def test_universal_set_errors(gh):
    P = gh.Plant
    with pytest.raises(dj.DataJointError, match="lineage"):
        P & (dj.U("species") & (P & {"house_id": 2}))
    assert len(P().restrict(dj.U("species") & (P & {"house_id": 2}), semantic_check=False)) == 5
    with pytest.raises(dj.DataJointError, match="exclude_nonmatching"):
        dj.U("species").aggr(P, n="count(*)", exclude_nonmatching=False)
    with pytest.raises(dj.DataJointError, match="infinite"):
        dj.U("species") - P
    with pytest.raises(dj.DataJointError, match="no_such"):
        dj.U("no_such") & P
    with pytest.raises(dj.DataJointError, match="query expression"):
        dj.U("species") & {"species": "fern"}


# -- dj.Top ----------------------------------------------------------------------------------
def test_top(gh):
    P, W = gh.Plant, gh.Watering
    assert keys(P & dj.Top(2, "height DESC")) == [(1,), (4,)]
    assert keys(P & dj.Top()) == [(1,)]
    assert [r["water_no"] for r in (W & dj.Top(3, "KEY DESC")).to_dicts()] == [1, 2, 1]
    assert keys(P & dj.Top(2, "height", offset=1)) == [(2,), (6,)]
    assert keys((P & dj.Top(4, "height DESC")) & {"species": "cactus"}) == [(6,)]
    assert keys((P & {"house_id": 1}) & dj.Top(1, "height DESC")) == [(1,)]
    assert keys((P & dj.Top(4, "height DESC")) & dj.Top(3, None)) == [(1,), (3,), (4,)]
    assert keys((P & dj.Top(2, "height DESC")) & dj.Top(3, None, offset=1)) == [(1,)]  # second of the two
    assert len(W.proj("liters") & dj.Top(None, "KEY", offset=5)) == 2
    assert keys(P & (W & dj.Top(1, "liters DESC"))) == [(4,)]  # NOTES: LIMIT inside a restricting query
    assert keys(P - (W & dj.Top(1, "liters DESC"))) == [(1,), (2,), (3,), (5,), (6,)]
    with pytest.raises(TypeError):
        dj.Top("3")


# -- counting and membership ------------------------------------------------------------------
def test_len_bool_contains(gh):
    P, W = gh.Plant, gh.Watering
    assert len(P()) == 6 and len(P * W) == 7 and len(W & "liters > 1") == 4
    assert bool(P()) and not bool(P & "height > 1000") and bool(P & dj.Top(1, "height DESC"))
    assert not bool(gh.Greenhouse.aggr(P, n="count(plant_id)") & "n > 10")
    assert {"plant_id": 4} in P() and {"plant_id": 99} not in P()
    assert {"plant_id": 1, "water_no": 3} in W() and {"plant_id": 1} in W()
    assert "liters > 2.9" in W()
    assert {"plant_id": 3} not in (P & W)


def test_make_sql_is_flat_where_possible(gh):
    sql = (gh.Plant & {"species": "fern"} & "height > 10").proj("species", h2="height * 2").make_sql()
    assert sql.count("SELECT") == 1 and "fern" in sql
    sql = (gh.Plant * gh.Greenhouse & "area > 50").make_sql()
    assert sql.count("SELECT") == 1
    assert (gh.Greenhouse.aggr(gh.Plant, n="count(*)") & "n > 1").make_sql().count("SELECT") == 2


def test_enum_sorts_in_declaration_order(gh):
    shifts = [r["shift"] for r in gh.Gardener.to_dicts(order_by=["shift DESC", "gardener_id"])]
    assert shifts == ["late", "early", "early"]  # 'late' is declared after 'early'
    assert (gh.Gardener & dj.Top(1, "shift DESC")).fetch1("gardener_id") == 2


def test_restrict_by_json_path(schema):
    @schema
    class Sample(dj.Manual):
        definition = """
        sample_id : int32
        ---
        tags : json
        """

    Sample.insert([(1, {"color": "red", "dims": {"unit": "mm", "n": 3}, "ok": True}),
                   (2, {"color": "blue", "dims": {"unit": "cm", "n": 4}, "ok": False})])
    assert keys(Sample & {"tags.color": "red"}) == [(1,)]
    assert keys(Sample & {"tags.dims.unit": "cm"}) == [(2,)]
    assert keys(Sample & {"tags.dims.n": 3}) == [(1,)]
    assert keys(Sample & {"tags.color": "green"}) == []
    assert keys(Sample & {"tags.missing": None}) == [(1,), (2,)]
