"""The ``~lineage`` table of a schema, read and written as DataJoint 2.x's ``lineage`` module does.

Each DataJoint schema keeps a ``~lineage`` table: for every attribute that has one,
the ``schema.table.attribute`` its values originate from.  Semantic matching
compares these lineages; declaration writes them.  These functions let pipeline
code and tools inspect and repair the table directly; ``schema.rebuild_lineage()``
recomputes it from the foreign keys.  ``connection`` is a :class:`Connection`,
``database`` a schema name; the SQL lives in :mod:`datajoint_sa.engine.catalog`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from .engine import catalog
from .errors import DataJointError

__all__ = [
    "lineage_table_exists", "ensure_lineage_table", "get_lineage", "get_table_lineages", "get_schema_lineages",
    "insert_lineages", "delete_table_lineages", "rebuild_schema_lineage", "split_lineage",
]


def split_lineage(lineage: str) -> tuple[str, str, str]:
    """``"lab.session.session_id"`` -> ``("lab", "session", "session_id")``; DataJointError if malformed."""
    parts = lineage.rsplit(".", 2) if isinstance(lineage, str) else []
    if len(parts) != 3 or not all(parts):
        raise DataJointError(f"A lineage is schema.table.attribute; got {lineage!r}.")
    return parts[0], parts[1], parts[2]


def lineage_table_exists(connection: Any, database: str) -> bool:
    """Whether schema ``database`` has its ``~lineage`` table."""
    table = catalog.lineage_table(connection, database)
    with connection.session(write=False) as conn:
        return sa.inspect(conn).has_table(table.name, schema=table.schema)


def ensure_lineage_table(connection: Any, database: str) -> None:
    """Create the ``~lineage`` table of ``database`` if it is missing."""
    catalog.ensure_lineage_table(connection, database)


def get_lineage(connection: Any, database: str, table_name: str, attribute_name: str) -> str | None:
    """The lineage of one attribute, or None when it has none recorded."""
    return catalog.read_lineage(connection, database, table_name).get((table_name, attribute_name))


def get_table_lineages(connection: Any, database: str, table_name: str) -> dict[str, str]:
    """``{attribute: lineage}`` of one table."""
    return {attr: value for (_, attr), value in catalog.read_lineage(connection, database, table_name).items()}


def get_schema_lineages(connection: Any, database: str) -> dict[str, str]:
    """``{"schema.table.attribute": lineage}`` of every attribute recorded in ``database``."""
    return {f"{database}.{table}.{attr}": value
            for (table, attr), value in sorted(catalog.read_lineage(connection, database).items())}


def insert_lineages(connection: Any, database: str, entries: Iterable[tuple[str, str, str]]) -> None:
    """Record ``(table_name, attribute_name, lineage)`` entries, replacing those already recorded, in one transaction."""
    rows = [{"table_name": t, "attribute_name": a, "lineage": v} for t, a, v in entries]
    if not rows:
        return
    for row in rows:
        split_lineage(row["lineage"])
    table = catalog.ensure_lineage_table(connection, database)
    keys = sa.tuple_(table.c.table_name, table.c.attribute_name)
    with connection.transaction, connection.session() as conn:
        conn.execute(table.delete().where(keys.in_([(r["table_name"], r["attribute_name"]) for r in rows])))
        conn.execute(table.insert(), rows)


def delete_table_lineages(connection: Any, database: str, table_name: str) -> None:
    """Forget the lineages recorded for one table."""
    catalog.delete_lineage(connection, database, [table_name])


def rebuild_schema_lineage(connection: Any, database: str) -> dict[str, Any]:
    """Recompute ``~lineage`` of ``database`` from its foreign keys (upstream schemas first); returns a summary."""
    from .virtual import rebuild_lineage

    return rebuild_lineage(connection, database, dry_run=False)
