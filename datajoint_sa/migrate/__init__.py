"""Schema evolution: ``table.alter()``, ``describe()`` and migrations with alembic.

``alter()`` applies the difference between a class definition and its table for
secondary attributes, foreign keys, indexes and the table comment.  Everything
else, primary keys included, goes through alembic migrations
(``python -m datajoint_sa``), which compare the schema's declared tables
(``schema.metadata``) with the database.
"""

from .alter import alter, plan
from .diff import AlterPlan, Change


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
