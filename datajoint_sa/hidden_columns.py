"""Adding the library's hidden columns to tables declared without them (job metadata, entry provenance).

A setting such as ``jobs.add_job_metadata`` or ``provenance.capture`` adds hidden
attributes to the tables declared while it is on.  Tables declared before get the
same columns here: the class is built again with the setting on, and the columns
it declares that the table lacks are added (alembic ``ADD COLUMN``), so a migrated
table and a freshly declared one are alike.  The class's table object gains the
columns too, so that populate and insert write them in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

__all__ = ["add_hidden_columns"]


def add_hidden_columns(classes: Sequence[type], names: Sequence[str], build: Callable[[type], sa.Table],
                       dry_run: bool) -> dict[str, Any]:
    """Add the columns ``names`` of ``build(cls)`` that the table of each class lacks.

    Returns ``{"tables_analyzed", "tables_modified", "columns_added", "ddl", "details"}``
    (``ddl``: every statement, run or, in a dry run, to run); each detail names the ``table``, its missing ``columns``, the ``ddl`` and a ``status``:
    'pending' (dry run), 'migrated' or 'already_migrated'.  A dry run changes nothing.
    """
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    result: dict[str, Any] = {"tables_analyzed": 0, "tables_modified": 0, "columns_added": 0, "ddl": [], "details": []}
    for cls in classes:
        connection = cls._schema.connection
        declared = build(cls)
        with connection.session(write=False) as conn:
            existing = {c["name"] for c in sa.inspect(conn).get_columns(declared.name, schema=declared.schema)}
        missing = [declared.c[name] for name in names if name not in existing]
        full_name = connection.full_name((cls._schema.database, cls.table_name))
        dialect = connection.engine.dialect
        ddl = [f"ALTER TABLE {full_name} ADD COLUMN {sa.schema.CreateColumn(c).compile(dialect=dialect)}"
               for c in missing]
        result["tables_analyzed"] += 1
        result["ddl"].extend(ddl)
        result["details"].append({"table": full_name, "columns": [c.name for c in missing], "ddl": ddl,
                                  "status": "already_migrated" if not missing else "pending" if dry_run else "migrated"})
        if not missing or dry_run:
            continue
        with connection.schema_change() as conn:
            operations = Operations(MigrationContext.configure(conn))
            for column in missing:
                operations.add_column(declared.name, column._copy(), schema=declared.schema)
        own = cls._declared.table
        for column in missing:
            if column.name not in own.c:
                own.append_column(column._copy())
        result["tables_modified"] += 1
        result["columns_added"] += len(missing)
    return result
