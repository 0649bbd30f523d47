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
    monkeypatch.setattr("datajoint_sa.populate.jobs.time.sleep", lambda seconds: None)
    with pytest.raises(TransactionConflictError):
        jobs.reserve({"item": 2})
