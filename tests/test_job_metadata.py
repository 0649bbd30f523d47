"""Hidden job metadata of Computed tables (jobs.add_job_metadata) and its migration, on every backend."""

from __future__ import annotations

import datetime

import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError
from datajoint_sa.migrate import add_job_metadata_columns

COLUMNS = ("_job_start_time", "_job_duration", "_job_version")


def _columns(table):
    with table.connection.session(write=False) as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns(table.sql_table.name, schema=table.sql_table.schema)}


def _metadata_rows(table):
    sql = table.sql_table
    with table.connection.session(write=False) as conn:
        return conn.execute(sa.text(
            f"SELECT _job_start_time, _job_duration, _job_version FROM "
            f"{conn.dialect.identifier_preparer.format_table(sql)}")).fetchall()


def _declare(make_schema, enabled):
    with dj.config.override(jobs__add_job_metadata=enabled):
        schema = make_schema()

        @schema
        class Source(dj.Lookup):
            definition = """
            source_id : int16
            ---
            value : float32
            """
            contents = [{"source_id": 1, "value": 1.0}, {"source_id": 2, "value": 2.0}]

        @schema
        class Doubled(dj.Computed):
            definition = """
            -> Source
            ---
            result : float32
            """

            class Part(dj.Part):
                definition = """
                -> master
                """

            def make(self, key):
                self.insert1({**key, "result": 2 * (Source & key).fetch1("value")})
                self.Part.insert1(key)

    return Source, Doubled


def test_declared_with_metadata_and_filled_by_populate(make_schema):
    source, doubled = _declare(make_schema, True)
    assert set(COLUMNS) <= _columns(doubled())
    assert not set(COLUMNS) & _columns(source())
    assert not set(COLUMNS) & _columns(doubled.Part())
    before = datetime.datetime.now() - datetime.timedelta(seconds=5)
    assert doubled.populate()["success_count"] == 2
    rows = _metadata_rows(doubled())
    assert len(rows) == 2
    for start, duration, version in rows:
        if isinstance(start, str):  # SQLite keeps datetimes as text
            start = datetime.datetime.fromisoformat(start)
        assert start is not None and start >= before
        assert duration is not None and duration >= 0
        assert version is not None


def test_declared_without_metadata_by_default(make_schema):
    _, doubled = _declare(make_schema, False)
    assert not set(COLUMNS) & _columns(doubled())
    assert doubled.populate()["success_count"] == 2


def test_migration_adds_the_columns_once_and_populate_fills_them(make_schema):
    _, legacy = _declare(make_schema, False)
    preview = add_job_metadata_columns(legacy, dry_run=True)
    assert preview["columns_added"] == 0 and preview["tables_analyzed"] == 1
    assert preview["details"][0]["status"] == "pending"
    assert preview["details"][0]["columns"] == list(COLUMNS) and len(preview["details"][0]["ddl"]) == 3
    assert not set(COLUMNS) & _columns(legacy())

    applied = add_job_metadata_columns(legacy, dry_run=False)
    assert applied["columns_added"] == 3 and applied["tables_modified"] == 1
    assert set(COLUMNS) <= _columns(legacy())
    again = add_job_metadata_columns(legacy.__mro__[0], dry_run=False)
    assert again["columns_added"] == 0 and again["details"][0]["status"] == "already_migrated"

    legacy.populate()
    assert all(start is not None and duration is not None for start, duration, _ in _metadata_rows(legacy()))


def test_migration_refuses_other_tiers(make_schema):
    source, _ = _declare(make_schema, False)
    with pytest.raises(DataJointError, match="Computed or Imported"):
        add_job_metadata_columns(source)


def test_alter_keeps_the_columns_when_the_setting_is_off_again(make_schema):
    _, doubled = _declare(make_schema, True)
    doubled.populate()
    doubled.definition = doubled.definition.replace("result : float32", "result : float32  # doubled value")
    assert dj.config["jobs.add_job_metadata"] is False
    doubled().alter(prompt=False)
    assert set(COLUMNS) <= _columns(doubled())
    assert all(start is not None for start, _, _ in _metadata_rows(doubled()))
