"""Connections and transactions on every backend."""

from __future__ import annotations

import pytest

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError


@pytest.fixture
def item(schema):
    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int32
        ---
        label : varchar(10)
        """

    return Item


def test_connection_basics(connection, backend):
    assert connection.is_connected
    assert connection.dialect_name == backend
    assert connection.query("SELECT 1 AS one").fetchall() == [(1,)]
    assert connection.query("SELECT %(x)s AS x", {"x": 5}, as_dict=True).fetchall() == [{"x": 5}]
    assert connection.query("SELECT %s + %s AS y", (2, 3)).fetchone() == (5,)
    assert "connected" in repr(connection) and "disconnected" not in repr(connection)
    assert not connection.in_transaction


def test_transaction_commits(connection, item):
    with connection.transaction:
        assert connection.in_transaction
        item.insert1((1, "a"))
        item.insert1((2, "b"))
    assert not connection.in_transaction
    assert len(item()) == 2


def test_transaction_rolls_back_on_error(connection, item):
    with pytest.raises(RuntimeError, match="boom"), connection.transaction:
        item.insert1((1, "a"))
        assert len(item()) == 1  # visible inside the transaction
        raise RuntimeError("boom")
    assert not connection.in_transaction
    assert len(item()) == 0


def test_failed_insert_rolls_back_the_block(connection, item):
    with pytest.raises(dj.errors.DuplicateError), connection.transaction:
        item.insert1((1, "a"))
        item.insert1((1, "again"))
    assert len(item()) == 0
    item.insert1((3, "c"))  # the connection is usable afterwards
    assert len(item()) == 1


def test_nested_blocks_join_the_outer(connection, item):
    with pytest.raises(RuntimeError), connection.transaction:
        item.insert1((1, "outer"))
        with connection.transaction:
            item.insert1((2, "inner"))
        assert len(item()) == 2
        raise RuntimeError("undo both")
    assert len(item()) == 0
    with connection.transaction:
        with connection.transaction:
            item.insert1((3, "inner"))
        assert connection.in_transaction  # the inner block did not end the outer one
    assert len(item()) == 1


def test_inner_error_rolls_back_everything(connection, item):
    with pytest.raises(ValueError), connection.transaction:
        item.insert1((1, "outer"))
        with connection.transaction:
            item.insert1((2, "inner"))
            raise ValueError("inner fails")
    assert len(item()) == 0


def test_start_commit_cancel(connection, item):
    connection.start_transaction()
    item.insert1((1, "a"))
    with pytest.raises(DataJointError):
        connection.start_transaction()
    connection.cancel_transaction()
    assert len(item()) == 0
    connection.start_transaction()
    item.insert1((2, "b"))
    connection.commit_transaction()
    assert len(item()) == 1
    with pytest.raises(DataJointError):
        connection.commit_transaction()


def test_query_errors_are_translated(connection, item):
    with pytest.raises(dj.errors.MissingTableError):
        connection.query("SELECT * FROM no_such_table_anywhere")
    with pytest.raises(dj.errors.QuerySyntaxError):
        connection.query("SELEKT 1")
    with pytest.raises(DataJointError):
        connection.query("SELECT %s, %s", [1])
