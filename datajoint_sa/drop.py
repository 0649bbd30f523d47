"""Dropping tables: a table with its dependents, children first, after confirmation.

PostgreSQL and SQLite drop all the tables in one transaction, so a failure drops
none of them.  MySQL commits each DROP TABLE on its own (DDL is not
transactional there, MySQL manual "Statements That Cause an Implicit Commit");
dropping children first keeps every intermediate state consistent.

On PostgreSQL an enum attribute's type is a schema object named by its values,
shared by every column with those values; dropping a table drops its enum types
that no remaining column uses, so a schema is left as declaring it anew would leave it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from .delete import check_part_integrity, graph_with, master_of
from .dependencies import Node
from .errors import DataJointError
from .prompts import confirm

__all__ = ["drop_with_dependents", "drop_alone", "drop_tables"]

logger = logging.getLogger("datajoint_sa")


def drop_with_dependents(table: Any, *, prompt: bool, part_integrity: str = "enforce") -> bool:
    """Drop ``table`` and every table that depends on it; False when the user declines."""
    check_part_integrity(part_integrity, ("enforce", "ignore"))
    connection, node = table.connection, table._node
    if not _exists(connection, node):
        return False
    graph = graph_with(connection, node)
    order = graph.descendants(node)  # parents first
    if part_integrity == "enforce":
        for member in order:
            master = master_of(member, graph)
            if master is not None and master not in order:
                raise DataJointError(
                    f"Attempt to drop part table {connection.full_name(member)} before its master "
                    f"{connection.full_name(master)}: drop the master instead (or pass part_integrity='ignore')."
                )
    if prompt:
        for member in order:
            print(f"{connection.full_name(member)} ({_count(connection, member)} tuples)")
        if not confirm("Proceed?"):
            return False
    drop_tables(connection, list(reversed(order)))
    return True


def drop_alone(table: Any) -> None:
    """Drop ``table`` only; refuse, naming them, if other tables depend on it."""
    connection, node = table.connection, table._node
    if not _exists(connection, node):
        return
    graph = graph_with(connection, node)
    dependents = [connection.full_name(c) for c in graph.children(node)]
    if dependents:
        raise DataJointError(f"Cannot drop {connection.full_name(node)} alone: {', '.join(dependents)} "
                             "depend on it. Drop them first, or use drop().")
    drop_tables(connection, [node])


def drop_tables(connection: Any, nodes: Sequence[Node]) -> None:
    """Drop tables in the given order (children first) and forget their lineage, in one transaction."""
    from .engine.catalog import delete_lineage

    try:
        with connection.transaction, connection.session() as conn:
            enum_types: dict[tuple[str | None, str], postgresql.ENUM] = {}
            for node in nodes:
                sql_schema, sql_name = connection.rules.sql_table(*node)
                enum_types.update(_enum_types(conn, sql_schema, sql_name))
                sa.Table(sql_name, sa.MetaData(), schema=sql_schema).drop(conn, checkfirst=True)
            for (type_schema, type_name), enum in enum_types.items():
                if not _type_in_use(conn, type_schema, type_name):
                    enum.drop(conn, checkfirst=True)
            for schema in dict.fromkeys(n[0] for n in nodes):
                delete_lineage(connection, schema, [n[1] for n in nodes if n[0] == schema])
    finally:
        connection.invalidate_dependencies()
    for node in nodes:
        logger.info("Dropped table %s", connection.full_name(node))


def _enum_types(conn: sa.Connection, sql_schema: str | None, sql_name: str) -> dict[tuple[str | None, str], Any]:
    """The PostgreSQL enum types of a table's columns, by (schema, name); none on other backends."""
    inspector = sa.inspect(conn)
    if not isinstance(conn.dialect, postgresql.dialect) or not inspector.has_table(sql_name, schema=sql_schema):
        return {}
    found = {}
    for column in inspector.get_columns(sql_name, schema=sql_schema):
        kind = column["type"]
        if isinstance(kind, postgresql.ENUM):
            found[(kind.schema or sql_schema, kind.name)] = postgresql.ENUM(name=kind.name, schema=kind.schema or sql_schema)
    return found


def _type_in_use(conn: sa.Connection, type_schema: str | None, type_name: str) -> bool:
    """Whether any column in the database still has the user-defined type ``type_schema.type_name``."""
    columns = sa.table("columns", sa.column("udt_schema"), sa.column("udt_name"), schema="information_schema")
    query = sa.select(sa.func.count()).select_from(columns).where(
        columns.c.udt_schema == (type_schema or "public"), columns.c.udt_name == type_name)
    return bool(conn.execute(query).scalar())


def _exists(connection: Any, node: Node) -> bool:
    sql_schema, sql_name = connection.rules.sql_table(*node)
    with connection.session(write=False) as conn:
        found = sa.inspect(conn).has_table(sql_name, schema=sql_schema)
    if not found:
        logger.info("Nothing to drop: table %s is not declared", connection.full_name(node))
    return found


def _count(connection: Any, node: Node) -> int:
    sql_schema, sql_name = connection.rules.sql_table(*node)
    statement = sa.select(sa.func.count()).select_from(sa.table(sql_name, schema=sql_schema))
    return int(connection.execute(statement).scalar() or 0)
