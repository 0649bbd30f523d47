"""populate's per-key statements sent on the driver cursor bind dates, datetimes and uuids as SQLAlchemy would."""

from __future__ import annotations

import datetime
import uuid

import pytest
import sqlalchemy as sa

import datajoint_sa as dj

KEYS = [(datetime.date(2024, 1, d), datetime.datetime(2024, 1, d, 12, 30, 15, 250000), uuid.UUID(int=d * 7919))
        for d in (1, 2, 3)]


@pytest.fixture
def typed_pipeline(schema):
    @schema
    class Session(dj.Manual):
        definition = """
        day : date
        start : datetime(6)
        session_id : uuid
        """

    @schema
    class Stamp(dj.Computed):
        definition = """
        -> Session
        ---
        label : varchar(64)
        """

        def make(self, key):
            self.insert1(dict(key, label=f"{key['day']} {key['session_id']}"))

    Session.insert(KEYS)
    return Session, Stamp


@pytest.mark.parametrize("reserve_jobs", [False, True])
def test_typed_keys_are_made_once_and_then_seen_as_done(typed_pipeline, reserve_jobs):
    session, stamp = typed_pipeline
    first = stamp.populate(reserve_jobs=reserve_jobs)
    assert first["success_count"] == len(KEYS)
    assert len(stamp()) == len(KEYS)
    again = stamp.populate(reserve_jobs=reserve_jobs)
    assert again["success_count"] == 0
    assert len(stamp()) == len(KEYS)
    if reserve_jobs:
        assert len(stamp.jobs) == 0  # completed jobs left the queue


def test_existence_check_binds_typed_values(typed_pipeline):
    from datajoint_sa.populate.runner import KeyRunner

    session, stamp = typed_pipeline
    runner = KeyRunner(stamp())
    keys = session.keys()
    assert not any(runner._is_done(k) for k in keys)
    assert runner(keys[0]) is True
    assert [runner._is_done(k) for k in keys] == [True, False, False]
    assert runner(keys[0]) is False  # made already: skipped, not inserted twice
    assert len(stamp()) == 1


def test_alone_statements_commit_at_once_on_the_autocommit_connection(schema, connection, backend):
    """Inside autocommitting(), a direct statement run alone is committed as it runs; in a transaction it joins it."""
    if backend == "sqlite":
        pytest.skip("SQLite reserves jobs inside the make's transaction; it never needs this")
    from datajoint_sa.engine.direct import DirectStatement

    @schema
    class Counter(dj.Manual):
        definition = """
        name : varchar(8)
        ---
        n : int32
        """

    Counter.insert1(dict(name="a", n=0))
    columns = Counter.sql_table.c
    bump = DirectStatement(sa.update(Counter.sql_table).where(columns.name == "a").values(n=columns.n + 1), connection)
    other = dj.Connection(connection.url)  # another session sees only committed rows
    seen = dj.FreeTable(other, Counter.full_table_name)
    try:
        with connection.autocommitting():
            assert connection.autocommit_connection is not None
            assert bump.run({}, alone=True)[0] == 1
            assert seen.fetch1("n") == 1  # committed, with no COMMIT sent
            with pytest.raises(RuntimeError), connection.transaction:
                bump.run({}, alone=True)  # joins the transaction...
                raise RuntimeError
            assert seen.fetch1("n") == 1  # ...and is rolled back with it
        assert connection.autocommit_connection is None
    finally:
        other.engine.dispose()
