"""The query cache (Connection.set_query_cache): fetches answered from disk while a connection has it on."""

from __future__ import annotations

import pytest

import datajoint_sa as dj


def test_query_cache_answers_fetches_and_refuses_writes(schema, connection, tmp_path):
    @schema
    class Reading(dj.Manual):
        definition = """
        reading_id : int32
        ---
        value : float64
        """

    Reading.insert([(1, 0.5), (2, 1.5)])
    with dj.config.override(query_cache=str(tmp_path)):
        connection.set_query_cache("main")
        try:
            cached = Reading.to_arrays()
            assert list(cached["reading_id"]) == [1, 2]
            with pytest.raises(dj.DataJointError, match="query caching is on"):
                Reading.insert1((3, 2.5))
            assert connection.query("SELECT 1").fetchone()[0] == 1  # SQL reads still run
        finally:
            connection.set_query_cache()
        Reading.insert1((3, 2.5))
        connection.set_query_cache("main")
        try:
            assert list(Reading.to_arrays()["reading_id"]) == [1, 2]  # the cached rows, not the new one
            assert Reading.to_dicts(order_by="KEY")[-1]["reading_id"] == 3  # another SQL: a fresh fetch
        finally:
            connection.set_query_cache()
        assert len(Reading.to_arrays()) == 3
        connection.purge_query_cache()
        assert not list(tmp_path.iterdir())


def test_query_cache_needs_a_folder(schema, connection):
    @schema
    class Empty(dj.Manual):
        definition = """
        empty_id : int32
        """

    with dj.config.override(query_cache=None):
        connection.set_query_cache("main")
        try:
            with pytest.raises(dj.DataJointError, match="query_cache"):
                Empty.to_arrays()
        finally:
            connection.set_query_cache()
