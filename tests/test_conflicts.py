"""Deadlocks and lock-wait timeouts: translated to TransactionConflictError, and retried where safe."""

from __future__ import annotations

import pymysql
import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa.engine.errors import translate
from datajoint_sa.errors import TransactionConflictError


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"error {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize("dialect, orig", [
    ("mysql", pymysql.err.OperationalError(1213, "Deadlock found when trying to get lock")),
    ("mysql", pymysql.err.OperationalError(1205, "Lock wait timeout exceeded")),
    ("postgresql", _PostgresError("40P01")),
    ("postgresql", _PostgresError("40001")),
])
def test_deadlocks_are_transaction_conflicts(dialect, orig):
    err = translate(sa.exc.OperationalError("UPDATE x", {}, orig), dialect)
    assert isinstance(err, TransactionConflictError) and isinstance(err, dj.errors.QueryError)


def test_other_errors_are_not_conflicts():
    err = translate(sa.exc.OperationalError("SELECT", {}, pymysql.err.OperationalError(1064, "syntax")), "mysql")
    assert not isinstance(err, TransactionConflictError)


def _computed(schema):
    @schema
    class Item(dj.Manual):
        definition = """
        item : int32
        """

    @schema
    class Square(dj.Computed):
        definition = """
        -> Item
        ---
        square : int64
        """

        def make(self, key):
            self.insert1(dict(key, square=key["item"] ** 2))

    Item.insert([(1,), (2,)])
    Square.jobs.refresh()
    return Square


def test_reservation_is_retried_after_a_deadlock(schema, monkeypatch):
    jobs = _computed(schema).jobs
    real = type(jobs.connection).execute_alone
    failures = []

    def deadlock_once(connection, statement, parameters=None):
        if not failures:
            failures.append(statement)
            raise TransactionConflictError("Deadlock found", "UPDATE")
        return real(connection, statement, parameters)

    monkeypatch.setattr(type(jobs.connection), "execute_alone", deadlock_once)
    assert jobs.reserve({"item": 1}) is True
    assert len(failures) == 1
    assert jobs.reserve({"item": 1}) is False  # already reserved: the retry claimed it once


def test_reservation_gives_up_after_repeated_deadlocks(schema, monkeypatch):
    jobs = _computed(schema).jobs

    def always_deadlock(connection, statement, parameters=None):
        raise TransactionConflictError("Deadlock found", "UPDATE")

    monkeypatch.setattr(type(jobs.connection), "execute_alone", always_deadlock)
    monkeypatch.setattr("datajoint_sa.engine.retry.time.sleep", lambda seconds: None)
    with pytest.raises(TransactionConflictError):
        jobs.reserve({"item": 2})



def test_refresh_steps_are_retried_after_a_deadlock(schema, monkeypatch):
    square = _computed(schema)
    square.populate()
    (square.parents(as_objects=True)[0] & {"item": 2}).delete(prompt=False)
    square.jobs.insert1({"item": 2, "status": "error", "priority": 5}, replace=True)  # key left the source
    real = dj.Table.delete_quick
    failures = []

    def deadlock_each_first_try(table, get_count=False):
        failures.append(table)
        if len(failures) % 2:
            raise TransactionConflictError("Deadlock found", "DELETE")
        return real(table, get_count=get_count)

    monkeypatch.setattr(dj.Table, "delete_quick", deadlock_each_first_try)
    monkeypatch.setattr("datajoint_sa.engine.retry.time.sleep", lambda seconds: None)
    result = square.jobs.refresh()
    assert len(failures) == 4  # two delete steps, each lost once and run again
    assert result["removed"] == 1
    assert not square.jobs


def test_refresh_inside_a_transaction_is_not_retried(schema, monkeypatch):
    square = _computed(schema)

    def deadlock(table, get_count=False):
        raise TransactionConflictError("Deadlock found", "DELETE")

    monkeypatch.setattr(dj.Table, "delete_quick", deadlock)
    with pytest.raises(TransactionConflictError), schema.connection.transaction:
        square.jobs.refresh()


@pytest.mark.parametrize("reserve_jobs", [False, True])
def test_a_make_that_loses_a_deadlock_runs_again(schema, monkeypatch, reserve_jobs):
    square = _computed(schema)
    tries = []

    def make_losing_once(table, key):
        tries.append(key["item"])
        table.insert1(dict(key, square=key["item"] ** 2))
        if tries.count(key["item"]) == 1:
            raise TransactionConflictError("Deadlock found", "INSERT")  # after inserting: must be rolled back

    monkeypatch.setattr(square, "make", make_losing_once)
    monkeypatch.setattr("datajoint_sa.engine.retry.time.sleep", lambda seconds: None)
    result = square.populate(reserve_jobs=reserve_jobs)
    assert result == {"success_count": 2, "error_list": []}
    assert sorted(tries) == [1, 1, 2, 2]
    assert square.to_dicts(order_by="KEY") == [{"item": 1, "square": 1}, {"item": 2, "square": 4}]
    assert not square.jobs.errors


def test_a_generator_make_retries_only_its_insert(schema, monkeypatch):
    square = _computed(schema)
    computed, inserts = [], []

    def make_fetch(table, key):
        return (key["item"],)

    def make_compute(table, key, item):
        computed.append(item)
        return (item * item,)

    def make_insert(table, key, value):
        inserts.append(key["item"])
        table.insert1(dict(key, square=value))
        if inserts.count(key["item"]) == 1:
            raise TransactionConflictError("Deadlock found", "INSERT")

    for name, method in [("make_fetch", make_fetch), ("make_compute", make_compute), ("make_insert", make_insert)]:
        monkeypatch.setattr(square, name, method, raising=False)
    monkeypatch.delattr(square, "make")
    monkeypatch.setattr("datajoint_sa.engine.retry.time.sleep", lambda seconds: None)
    assert square.populate()["success_count"] == 2
    assert sorted(computed) == [1, 2]  # the long compute ran once per key
    assert sorted(inserts) == [1, 1, 2, 2]
    assert len(square()) == 2
