"""migrations/: the library's own bookkeeping tables, upgraded from the first revision (or none) to head."""

from __future__ import annotations

import sqlalchemy as sa
from reflection_helpers import reflect

import datajoint_sa as dj
from datajoint_sa.engine import catalog
from datajoint_sa.migrate.bookkeeping import BOOKKEEPING_VERSION_TABLE, downgrade_bookkeeping, upgrade_bookkeeping

from conftest import unique_schema_name


def revision(connection, schema):
    sql_schema, name = connection.rules.sql_table(schema, BOOKKEEPING_VERSION_TABLE)
    with connection.session(write=False) as conn:
        if not sa.inspect(conn).has_table(name, schema=sql_schema):
            return None
        table = sa.Table(name, sa.MetaData(), schema=sql_schema, autoload_with=conn)
        return conn.execute(sa.select(table.c.version_num)).scalar()


def lineage_layout(connection, schema):
    found = reflect(connection, schema, "~lineage")
    return ({n: (repr(c["type"]), c["nullable"], c.get("comment")) for n, c in found.columns.items()},
            found.primary_key)


def test_schema_made_today_is_at_head_without_changes(schema, connection):
    @schema
    class Source(dj.Manual):
        definition = "source_id : int32"

    @schema
    class Result(dj.Computed):
        definition = """
        -> Source
        ---
        value : float64
        """

        def make(self, key):
            self.insert1(dict(key, value=1.0))

    Source.insert1({"source_id": 1})
    Result.populate(reserve_jobs=True)
    before = lineage_layout(connection, schema.database), catalog.read_lineage(connection, schema.database)
    tables = catalog.list_tables(connection, schema.database)
    upgrade_bookkeeping(connection, schema.database)
    assert revision(connection, schema.database) == "0001"
    assert (lineage_layout(connection, schema.database), catalog.read_lineage(connection, schema.database)) == before
    assert catalog.list_tables(connection, schema.database) == tables  # the version table is hidden (~)
    assert len(Result()) == 1


def test_base_to_head_creates_todays_layout(schema, connection):
    """A schema without bookkeeping tables is brought to the layout a new schema has; downgrade removes it."""
    catalog.ensure_lineage_table(connection, schema.database)  # the layout datajoint_sa makes today
    bare = unique_schema_name("djbare")
    if connection.rules.has_schemas:
        with connection.session() as conn:
            conn.execute(sa.schema.CreateSchema(bare))
    try:
        upgrade_bookkeeping(connection, bare, "0001")
        assert revision(connection, bare) == "0001"
        upgrade_bookkeeping(connection, bare)  # and on to head
        assert lineage_layout(connection, bare) == lineage_layout(connection, schema.database)
        assert bare in dj.list_schemas(connection)
        downgrade_bookkeeping(connection, bare, "base")
        sql_schema, name = connection.rules.sql_table(bare, "~lineage")
        with connection.session(write=False) as conn:
            assert not sa.inspect(conn).has_table(name, schema=sql_schema)
        assert revision(connection, bare) is None
    finally:
        catalog.drop_schema(connection, bare)
