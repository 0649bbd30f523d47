"""Hidden job metadata: when, for how long and with which code version each row of a Computed table was made.

With ``jobs.add_job_metadata`` on, Computed and Imported (master) tables are
declared with three hidden attributes, ``_job_start_time``, ``_job_duration``
and ``_job_version``; populate() fills them for the rows of each key in the
transaction that inserts them.  Tables declared with the setting off gain the
columns through :func:`datajoint_sa.migrate.add_job_metadata_columns`, which adds
exactly the columns a declaration would.
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa

from ..declare.grammar import AttributeLine
from ..settings import config
from ..types import parse_type

__all__ = ["JOB_METADATA_ATTRIBUTES", "JOB_METADATA_DEFINITION", "add_job_metadata_columns", "has_job_metadata",
           "job_metadata_lines", "record_job_metadata"]

#: The hidden attributes, as definition lines would write them (name = default : type # comment).
JOB_METADATA_DEFINITION = (
    "_job_start_time = null : datetime(3) # when computation began",
    "_job_duration = null : float32 # computation duration in seconds",
    '_job_version = "" : varchar(64) # code version',
)
JOB_METADATA_ATTRIBUTES = ("_job_start_time", "_job_duration", "_job_version")

_LINES = (
    ("_job_start_time", "datetime(3)", "null", True, "when computation began"),
    ("_job_duration", "float32", "null", True, "computation duration in seconds"),
    ("_job_version", "varchar(64)", '""', False, "code version"),
)


def job_metadata_lines(cls: type, *, enabled: bool | None = None) -> tuple[AttributeLine, ...]:
    """The hidden attribute lines a class declares: the job metadata of an Imported/Computed master, when enabled.

    ``enabled`` defaults to ``jobs.add_job_metadata``; a class whose table has them
    already keeps them when built again (alter), whatever the setting is now.  Part
    tables never get them: their rows are made with their master's.
    """
    from .autopopulate import AutoPopulate

    if not (isinstance(cls, type) and issubclass(cls, AutoPopulate)):
        return ()
    declared = cls.__dict__.get("_declared")
    kept = declared is not None and JOB_METADATA_ATTRIBUTES[0] in declared.table.c  # built again (alter): keep them
    if not (kept or (config["jobs.add_job_metadata"] if enabled is None else enabled)):
        return ()
    return tuple(AttributeLine(name=name, type=parse_type(type_text), default=default, nullable=nullable,
                               comment=comment, in_key=False, line_no=0, text=text)
                 for (name, type_text, default, nullable, comment), text in zip(_LINES, JOB_METADATA_DEFINITION))


def has_job_metadata(table: Any) -> bool:
    """Whether the table has the job metadata columns: declared with them, or given them by the migration."""
    return JOB_METADATA_ATTRIBUTES[0] in table.sql_table.c


def record_job_metadata(table: Any, key: dict[str, Any], started: datetime.datetime, duration: float,
                        version: str) -> None:
    """Write the job metadata onto the rows of ``key`` (call it in the transaction that inserted them)."""
    columns = table.sql_table.c
    where = [columns[name] == sa.bindparam(None, value, type_=columns[name].type)
             for name, value in key.items() if name in columns]
    table.connection.execute(sa.update(table.sql_table).where(*where).values(
        _job_start_time=started, _job_duration=float(duration), _job_version=version[:64]))


def add_job_metadata_columns(target: Any, dry_run: bool = True) -> dict[str, Any]:
    """Add the hidden job metadata columns to Computed/Imported tables declared without them.

    ``target`` is such a table (class or instance) or a Schema (all its
    Computed/Imported masters).  The columns are the ones a declaration with
    ``jobs.add_job_metadata`` on makes, comments (``:type:`` tags) included.  With
    ``dry_run`` (the default) nothing changes: each table's ``ddl`` is reported.
    See :func:`datajoint_sa.hidden_columns.add_hidden_columns` for the result.
    """
    from ..hidden_columns import add_hidden_columns

    def build(cls: type) -> sa.Table:
        with config.override(jobs__add_job_metadata=True):
            return cls._schema.build(cls, sa.MetaData()).table

    return add_hidden_columns(_autopopulated_classes(target), JOB_METADATA_ATTRIBUTES, build, dry_run)


def _autopopulated_classes(target: Any) -> list[type]:
    """The declared Computed/Imported master classes ``target`` names (a table class or instance, or a Schema)."""
    from ..errors import DataJointError
    from ..schemas import Schema
    from .autopopulate import AutoPopulate

    if isinstance(target, Schema):
        target._require_active()
        return [cls for cls in target._classes.values()
                if issubclass(cls, AutoPopulate) and cls._declared is not None]
    cls = target if isinstance(target, type) else type(target)
    if not issubclass(cls, AutoPopulate) or getattr(cls, "_declared", None) is None:
        raise DataJointError(f"add_job_metadata_columns() takes a declared Computed or Imported table or a Schema; "
                             f"got {cls.__name__}.")
    return [cls]
