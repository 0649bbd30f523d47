"""Schemas and bookkeeping tables in the database: create, list, drop, ``~lineage``.

A DataJoint schema is a PostgreSQL schema, a MySQL database, or (SQLite) a name
prefix of tables in one file; see :mod:`datajoint_sa.dialects`.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from .connection import Connection

__all__ = ["LINEAGE_TABLE", "lineage_table", "schema_exists", "create_schema", "drop_schema", "list_schemas",
           "list_tables", "write_lineage", "delete_lineage", "read_lineage"]

LINEAGE_TABLE = "~lineage"
SYSTEM_SCHEMAS = {"information_schema", "performance_schema", "mysql", "sys", "public", "pg_catalog", "pg_toast"}

# The column comments DataJoint 2.x gives ~lineage on MySQL (PostgreSQL: none), kept for an identical layout.
_LINEAGE_COMMENTS = {"table_name": "table name within the schema", "attribute_name": "attribute name",
                     "lineage": "origin: schema.table.attribute"}


def lineage_table(connection: Connection, schema: str) -> sa.Table:
    """The ``~lineage`` table of a schema: (table_name, attribute_name) -> lineage."""
    rules = connection.rules
    sql_schema, name = rules.sql_table(schema, LINEAGE_TABLE)

    def comment(column: str) -> str | None:
        return _LINEAGE_COMMENTS[column] if connection.dialect_name == "mysql" else None

    return sa.Table(
        name, sa.MetaData(),
        sa.Column("table_name", sa.String(64), primary_key=True, comment=comment("table_name")),
        sa.Column("attribute_name", sa.String(64), primary_key=True, comment=comment("attribute_name")),
        sa.Column("lineage", sa.String(255), nullable=False, comment=comment("lineage")),
        schema=sql_schema, mysql_engine="InnoDB",
    )


def list_schemas(connection: Connection) -> list[str]:
    """Names of the DataJoint schemas in the database (system schemas left out)."""
    with connection.session(write=False) as conn:
        inspector = sa.inspect(conn)
        if connection.rules.has_schemas:
            names = inspector.get_schema_names()
            return sorted(n for n in names if n not in SYSTEM_SCHEMAS and not n.startswith("pg_"))
        suffix = "." + LINEAGE_TABLE
        return sorted(t[: -len(suffix)] for t in inspector.get_table_names() if t.endswith(suffix))


def schema_exists(connection: Connection, schema: str) -> bool:
    with connection.session(write=False) as conn:
        inspector = sa.inspect(conn)
        if connection.rules.has_schemas:
            return schema in inspector.get_schema_names()
        return inspector.has_table(connection.rules.sql_table(schema, LINEAGE_TABLE)[1])


def create_schema(connection: Connection, schema: str) -> None:
    with connection.session() as conn:
        if connection.rules.has_schemas:
            conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
        else:
            lineage_table(connection, schema).create(conn, checkfirst=True)


def ensure_lineage_table(connection: Connection, schema: str) -> sa.Table:
    table = lineage_table(connection, schema)
    with connection.session() as conn:
        table.create(conn, checkfirst=True)
    return table


def list_tables(connection: Connection, schema: str) -> list[str]:
    """DataJoint table names in a schema, bookkeeping tables (``~...``) left out."""
    with connection.session(write=False) as conn:
        inspector = sa.inspect(conn)
        if connection.rules.has_schemas:
            names = inspector.get_table_names(schema=schema)
        else:
            prefix = schema + "."
            names = [t[len(prefix):] for t in inspector.get_table_names() if t.startswith(prefix)]
    return [n for n in names if not n.startswith("~")]


def drop_schema(connection: Connection, schema: str) -> None:
    """Drop a schema and everything in it."""
    with connection.session() as conn:
        if connection.rules.has_schemas:
            conn.execute(sa.schema.DropSchema(schema, cascade=connection.dialect_name == "postgresql", if_exists=True))
            return
        prefix = schema + "."
        inspector = sa.inspect(conn)
        names = [t for t in inspector.get_table_names() if t.startswith(prefix)]
        # Foreign keys would block dropping parents first; SQLite defers the check while they are off.
        conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for name in names:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(name)}")


def write_lineage(connection: Connection, schema: str, table: str, lineages: dict[str, str | None]) -> None:
    """Record the lineage of a table's attributes (attributes without lineage get no row)."""
    lineage = ensure_lineage_table(connection, schema)
    rows = [{"table_name": table, "attribute_name": a, "lineage": v} for a, v in lineages.items() if v]
    with connection.session() as conn:
        conn.execute(lineage.delete().where(lineage.c.table_name == table))
        if rows:
            conn.execute(lineage.insert(), rows)


def delete_lineage(connection: Connection, schema: str, tables: Iterable[str]) -> None:
    lineage = lineage_table(connection, schema)
    tables = list(tables)
    with connection.session() as conn:
        if sa.inspect(conn).has_table(lineage.name, schema=lineage.schema):
            conn.execute(lineage.delete().where(lineage.c.table_name.in_(tables)))


def read_lineage(connection: Connection, schema: str, table: str | None = None) -> dict[tuple[str, str], str]:
    """The lineage rows of a schema (of one of its tables, if given) as {(table, attribute): lineage}."""
    lineage = lineage_table(connection, schema)
    select = sa.select(lineage.c.table_name, lineage.c.attribute_name, lineage.c.lineage)
    if table is not None:
        select = select.where(lineage.c.table_name == table)
    with connection.session(write=False) as conn:
        if not sa.inspect(conn).has_table(lineage.name, schema=lineage.schema):
            return {}
        return {(t, a): v for t, a, v in conn.execute(select)}
