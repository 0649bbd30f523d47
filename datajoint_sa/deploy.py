"""Deployment operations: settings of a deployed database that no table definition carries.

:func:`set_replica_identity` sets PostgreSQL's ``REPLICA IDENTITY`` of a schema's
tables.  Change-data-capture consumers that need each updated or deleted row's old
values (Databricks Lakehouse Sync skips tables without it) need ``FULL``; the
default logs only the primary key.  It is idempotent, so a deploy hook may run it on
every release::

    dj.deploy.set_replica_identity(schema, mode="full")                 # dry run: the DDL it would run
    dj.deploy.set_replica_identity(schema, mode="full", dry_run=False)  # apply it
"""

from __future__ import annotations

from typing import Any

from .errors import DataJointError
from .provenance import add_prov_column  # the hidden _prov column for Entry tables declared before capture

__all__ = ["add_prov_column", "set_replica_identity"]

_MODES = ("default", "full")


def _targets(target: Any) -> tuple[Any, list[str]]:
    """(connection, quoted full table names) of a Schema, a Table or a Table class."""
    from .schemas import Schema
    from .table import Table

    if isinstance(target, type) and issubclass(target, Table):
        target = target()
    if isinstance(target, Table):
        return target.connection, [target.full_table_name]
    if isinstance(target, Schema):
        if target.database is None:
            raise DataJointError("Schema is not activated: activate it before setting its replica identity.")
        preparer = target.connection.engine.dialect.identifier_preparer
        names = [f"{preparer.quote_identifier(target.database)}.{preparer.quote_identifier(t)}"
                 for t in target.list_tables()]
        return target.connection, names
    raise DataJointError(f"set_replica_identity: target must be a Schema or Table (class or instance); "
                         f"got {type(target).__name__}.")


def set_replica_identity(target: Any, mode: str = "full", dry_run: bool = True) -> dict[str, Any]:
    """Set ``REPLICA IDENTITY {DEFAULT | FULL}`` on every table of ``target`` (PostgreSQL only).

    Parameters
    ----------
    target : Schema, Table or Table class
        An activated schema (all its tables) or one table.
    mode : {'default', 'full'}
        Case-insensitive.
    dry_run : bool
        True (the default) returns the statements without running them.

    Returns
    -------
    dict
        ``tables_analyzed``, ``tables_modified`` (0 on a dry run) and ``ddl`` (the statements).
    """
    normal = str(mode).lower()
    if normal not in _MODES:
        raise DataJointError(f"set_replica_identity: mode must be 'default' or 'full'; got {mode!r}.")
    connection, tables = _targets(target)
    if not connection.rules.has_replica_identity:
        raise DataJointError(f"set_replica_identity is PostgreSQL-only (REPLICA IDENTITY is a PostgreSQL table "
                             f"setting); this connection is {connection.dialect_name}.")
    # Identifiers are quoted by the dialect; the mode is one of two keywords, checked above.
    ddl = [f"ALTER TABLE {name} REPLICA IDENTITY {normal.upper()}" for name in tables]
    if not dry_run:
        for statement in ddl:
            connection.query(statement)
    return {"tables_analyzed": len(tables), "tables_modified": 0 if dry_run else len(ddl), "ddl": ddl}
