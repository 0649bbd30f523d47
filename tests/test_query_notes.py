"""Reference bugs listed in conformance/NOTES.md (and two found since): datajoint_sa gives the right answer."""

from __future__ import annotations

import pytest
from query_data import declare, greenhouse, keys

import datajoint_sa as dj

from conftest import unique_schema_name


@pytest.fixture(scope="module")
def gh(connection):
    yield from greenhouse(connection, "djqn")


def test_restrict_by_none_is_restrict_by_false(gh):
    assert len(gh.Plant & None) == 0
    assert len(gh.Plant - None) == 6


def test_subtract_with_null_in_the_subtracted_query(gh):
    # Plant.gardener_id holds NULLs; NOT IN would return nothing.
    assert keys(gh.Gardener - gh.Plant) == [(3,)]


def test_aggr_counts_unmatched_rows_as_zero(gh):
    counted = gh.Greenhouse.aggr(gh.Plant & {"species": "orchid"}, n="count(*)")
    assert keys(counted, "house_id", "n") == [(1, 0), (2, 1), (3, 0)]


def test_union_with_order_by_head_and_tail(gh):
    union = (gh.Plant & {"house_id": 1}).proj() + (gh.Plant & "height > 30").proj()
    assert [r["plant_id"] for r in union.to_dicts(order_by="KEY DESC", limit=2)] == [5, 4]
    assert union.head(2) == [{"plant_id": 1}, {"plant_id": 2}]
    assert union.tail(1) == [{"plant_id": 5}]


def test_restrict_by_a_union(gh):
    union = (gh.Plant & {"species": "basil"}).proj() + (gh.Plant & {"species": "orchid"}).proj()
    assert keys(gh.Watering & union) == [(4, 1), (4, 2), (5, 1)]


def test_rename_of_a_renamed_attribute(gh):
    chained = gh.Plant.proj(kind="species").proj(sort="kind")
    assert keys(chained, "sort") == [("basil",), ("cactus",), ("cactus",), ("fern",), ("fern",), ("orchid",)]


def test_universal_aggregation_of_an_aggregation(gh):
    per_house = gh.Greenhouse.aggr(gh.Plant, n="count(plant_id)")
    assert keys(dj.U("n").aggr(per_house, houses="count(*)"), "n", "houses") == [(0, 1), (3, 2)]


def test_aggr_with_ellipsis_groups_by_every_kept_attribute(gh):
    # MariaDB's ONLY_FULL_GROUP_BY rejects kept attributes that are not grouped.
    counted = gh.Greenhouse.aggr(gh.Plant, ..., n="count(*)")
    assert keys(counted, "house_name", "area", "n") == [("Annex", 15.25, 0), ("North", 120.0, 3), ("South", 80.5, 3)]


def test_restrict_by_a_query_with_top(gh):
    # MariaDB has no LIMIT inside IN (...) subqueries; the match uses EXISTS over a derived table.
    tallest = gh.Plant & dj.Top(2, "height DESC")
    assert keys(gh.Watering & tallest, "plant_id") == [(1,), (1,), (1,), (4,), (4,)]
    assert keys(gh.Greenhouse & tallest) == [(1,), (2,)]


def test_negated_and_list_negates_the_whole_conjunction(gh):
    # The reference writes NOT (a) AND (b); queries.py golden labels 'restrict Not AndList'
    # and 'subtract AndList' record that precedence bug.
    both = dj.AndList([{"species": "fern"}, "house_id = 1"])
    assert keys(gh.Plant - both) == [(2,), (3,), (4,), (5,), (6,)]
    assert keys(gh.Plant & dj.Not(both)) == [(2,), (3,), (4,), (5,), (6,)]


def test_top_of_top_with_offset_stays_within_the_first(gh):
    # The reference merges limits as min(l1, l2) and ignores that the offset eats into l1.
    first_two = gh.Plant & dj.Top(2, "KEY")
    assert keys(first_two & dj.Top(3, None, offset=1)) == [(2,)]


def test_delete_restricted_by_a_query(gh, connection):
    schema = dj.Schema(unique_schema_name("djqd"), connection=connection)
    try:
        fresh = declare(schema)
        (fresh.Watering & (fresh.Plant & {"species": "fern"})).delete(prompt=False)
        assert keys(fresh.Watering, "plant_id") == [(2,), (4,), (4,), (5,)]
        (fresh.Watering & dj.Top(1, "liters DESC")).delete(prompt=False)  # the Top's LIMIT is kept
        assert keys(fresh.Watering) == [(2, 1), (4, 2), (5, 1)]
        (fresh.Watering & dj.Top(1, "KEY")).delete_quick()
        assert keys(fresh.Watering) == [(4, 2), (5, 1)]
    finally:
        schema.drop(prompt=False)


def test_dict_values_of_every_kind_are_bound(schema):
    """NOTES: the reference escapes backslashes twice on PostgreSQL, rejects 1/0 for bool and
    restricts uuids by an X'..' literal; bound parameters need none of that."""
    import uuid

    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        path : varchar(40)
        flag : bool
        token : uuid
        """

    token = uuid.UUID("12345678-1234-5678-1234-567812345678")
    Item.insert([(1, "C:\\data\\x", True, token), (2, "50% done", False, uuid.uuid4())])
    assert keys(Item & {"path": "C:\\data\\x"}) == [(1,)]
    assert keys(Item & {"path": "50% done"}) == [(2,)]
    assert keys(Item & {"flag": 1}) == [(1,)] and keys(Item & {"flag": False}) == [(2,)]
    assert keys(Item & {"token": token}) == [(1,)] and keys(Item & {"token": str(token)}) == [(1,)]
    assert keys(Item & "path LIKE '50%%'") == [(2,)]
