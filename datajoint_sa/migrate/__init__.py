"""Schema evolution: ``table.alter()``, ``describe()`` and migrations with alembic.

``alter()`` applies the difference between a class definition and its table for
secondary attributes, foreign keys, indexes and the table comment.  Everything
else, primary keys included, goes through alembic migrations
(``python -m datajoint_sa``), which compare the schema's declared tables
(``schema.metadata``) with the database.
"""

from .alter import alter, plan
from .diff import AlterPlan, Change

#: The core type a column of a native SQL type (as found in a pre-2.0 MySQL database) is relabelled with.
#: Unsigned integers widen to the next signed core type; ``bigint unsigned`` has none wider and
#: becomes int64, which cannot hold values above 2**63 - 1.  All MySQL blobs are ``<blob>``.
NATIVE_TO_CORE_TYPE: dict[str, str] = {
    "tinyint": "int8", "smallint": "int16", "mediumint": "int32", "int": "int32", "bigint": "int64",
    "tinyint unsigned": "int16", "smallint unsigned": "int32", "mediumint unsigned": "int32",
    "int unsigned": "int64", "bigint unsigned": "int64",
    "float": "float32", "double": "float64",
    "tinyblob": "<blob>", "blob": "<blob>", "mediumblob": "<blob>", "longblob": "<blob>",
}


def add_job_metadata_columns(target, dry_run: bool = True) -> dict:  # noqa: ANN001 - a table or Schema
    """Add the hidden job metadata columns (``_job_start_time``, ...) to Computed/Imported tables declared without them.

    See :func:`datajoint_sa.populate.metadata.add_job_metadata_columns`; a preview unless ``dry_run=False``.
    """
    from ..populate.metadata import add_job_metadata_columns as add

    return add(target, dry_run=dry_run)


def rebuild_lineage(schema, dry_run: bool = True) -> dict:  # noqa: ANN001 - a Schema
    """DataJoint 2.x's ``migrate.rebuild_lineage``: ``~lineage`` from the foreign keys (preview unless dry_run=False)."""
    from ..virtual import rebuild_lineage as rebuild

    schema._require_active()
    return rebuild(schema.connection, schema.database, dry_run=dry_run)


__all__ = ["alter", "plan", "AlterPlan", "Change", "add_job_metadata_columns", "rebuild_lineage"]
