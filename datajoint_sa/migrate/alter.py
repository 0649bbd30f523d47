"""``table.alter()``: change a table in the database to match its class definition.

The plan (:mod:`.diff`) is a list of alembic operations, run through
``alembic.operations.Operations`` on the connection's transaction.  SQLite cannot
alter most of a table in place, so there the operations run in alembic's batch
mode, which rebuilds the table with its rows, indexes and foreign keys
(https://alembic.sqlalchemy.org/en/latest/batch.html).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations, ops

from ..declare import parse_definition
from ..engine import catalog
from ..errors import DataJointError
from ..types import NativeType
from .compare import SQL_TYPE, enum_check_column
from .diff import NAMING, AlterPlan, plan_alter

__all__ = ["alter", "plan", "reflect"]

logger = logging.getLogger("datajoint_sa")


def reflect(connection: Any, sql_schema: str | None, sql_name: str, like: sa.Table | None = None) -> sa.Table:
    """The table as the database has it (with its parents, in a private MetaData).

    On SQLite each column keeps its type as written: SQLAlchemy guesses unknown names
    by affinity (BINARY(16) -> NUMERIC), which a rebuilt table would make real.  SQLite
    reports foreign keys without names; they get names by :data:`.diff.NAMING`, under
    which alembic's batch mode can drop them.  Columns of a type SQLAlchemy does not
    know elsewhere take the type of the same column in ``like``, the declared table.
    """
    with connection.session(write=False) as conn:
        table = sa.Table(sql_name, sa.MetaData(naming_convention=NAMING), schema=sql_schema, autoload_with=conn)
    if connection.dialect_name == "sqlite":
        from ..sqlite_comments import restore_comments

        with connection.session(write=False) as conn:  # a rebuilt table keeps its comments (``:type:`` tags)
            restore_comments(conn, table)
        # SQLite keeps each column's type as written; SQLAlchemy maps names it does not know by
        # affinity (BINARY(16) -> NUMERIC), so the written name is kept for comparison.
        preparer = connection.engine.dialect.identifier_preparer
        with connection.session(write=False) as conn:
            written = {row[1]: row[2] for row in conn.exec_driver_sql(f"PRAGMA table_info({preparer.quote(sql_name)})")}
        for column in table.columns:
            column.info[SQL_TYPE] = written.get(column.name)
            if written.get(column.name):  # a rebuilt table keeps each type exactly as it was written
                column.type = NativeType(written[column.name])
    if like is not None:
        for column in table.columns:
            if isinstance(column.type, sa.types.NullType) and column.name in like.c:
                column.type = like.c[column.name].type
    return table


def plan(cls: type) -> tuple[AlterPlan, Any]:
    """What alter() would do to the table of ``cls``, and the DeclaredTable it would end with."""
    schema = cls._schema
    connection = schema.connection
    declared = schema.build(cls, sa.MetaData())
    target = declared.table
    reflected = reflect(connection, target.schema, target.name, like=target)
    label = f"{cls.__name__} ({connection.full_name((schema.database, cls.table_name))})"
    changes = plan_alter(parse_definition(cls.definition), reflected, target, rules=connection.rules,
                         dialect=connection.engine.dialect, label=label)
    return changes, declared


def alter(table: Any, prompt: bool = True, context: Mapping[str, Any] | None = None) -> bool:
    """Apply the difference between the class definition and its table; True if something changed.

    Names in ``context`` take precedence over those seen at declaration when foreign
    keys resolve; once the table is altered, the class keeps resolving in them.
    """
    cls = type(table)
    if not isinstance(getattr(cls, "definition", None), str) or cls._schema is None:
        raise DataJointError(f"{cls.__name__} has no class definition to alter its table to.")
    connection = cls._schema.connection
    if connection.in_transaction:
        raise DataJointError("alter() cannot run inside a transaction (e.g. in make()): it changes the table itself.")
    if not context:
        return _alter(cls, prompt)
    before = cls.__dict__.get("_declaration", ({}, None))
    cls._declaration = ({**before[0], **context}, before[1])
    try:
        return _alter(cls, prompt)
    except BaseException:
        cls._declaration = before
        raise


def _alter(cls: type, prompt: bool) -> bool:
    from ..prompts import confirm

    connection = cls._schema.connection
    changes, declared = plan(cls)
    if not changes:  # the heading still follows what the database does not store (SQLite: comments)
        cls._schema.redeclare(cls)
        logger.info("%s: nothing to alter.", cls.__name__)
        return False
    if prompt:
        print(changes)
        if not confirm("Apply these changes?"):
            logger.info("alter() cancelled.")
            return False
    _apply(connection, changes, declared)
    cls._schema.redeclare(cls)
    catalog.write_lineage(connection, cls._schema.database, cls.table_name, cls._declared.heading.lineages)
    connection.invalidate_dependencies()
    logger.info("%s", changes)
    return True


def _apply(connection: Any, changes: AlterPlan, declared: Any) -> None:
    target = declared.table
    with connection.schema_change() as conn:
        for enum in declared.enum_types:  # PostgreSQL enum types of new or changed attributes
            enum.create(conn, checkfirst=True)
        operations = Operations(MigrationContext.configure(conn))
        if connection.dialect_name == "sqlite":
            # Batch mode copies a new foreign key only if its columns were in the table when
            # the batch began, and knows columns by their names then: new foreign keys, and
            # new indexes when columns are renamed, take a second rebuild.
            renaming = any(isinstance(c.operation, ops.AlterColumnOp) and c.operation.modify_name
                           for c in changes.changes)
            later_kinds = (ops.CreateForeignKeyOp, ops.CreateIndexOp) if renaming else (ops.CreateForeignKeyOp,)
            later = [c for c in changes.changes if isinstance(c.operation, later_kinds)]
            for group in ([c for c in changes.changes if c not in later], later):
                if group:
                    _batch(connection, operations, target, group)
        else:
            for change in changes.changes:
                operations.invoke(change.operation)
            if connection.dialect_name == "mysql":
                _restore_column_order(conn, target)


def _restore_column_order(conn: Any, target: sa.Table) -> None:
    """Move added columns to where the definition puts them (MySQL appends them at the end).

    DataJoint 2.x keeps a table's columns in definition order, so ``SHOW CREATE TABLE``
    after altering and altering back equals the original.  Each misplaced column is
    restated with ``MODIFY ... AFTER`` (https://dev.mysql.com/doc/refman/8.0/en/alter-table.html).
    """
    current = [c["name"] for c in sa.inspect(conn).get_columns(target.name, schema=target.schema)]
    wanted = [c.name for c in target.columns]
    if current == wanted or sorted(current) != sorted(wanted):
        return
    compiler = conn.dialect.ddl_compiler(conn.dialect, None)
    preparer = conn.dialect.identifier_preparer
    for position, name in enumerate(wanted):
        if current[position] == name:
            continue
        place = f"AFTER {preparer.quote(wanted[position - 1])}" if position else "FIRST"
        spec = compiler.get_column_specification(target.c[name])
        # sa.DDL formats its text with %: a literal percent sign (in a comment or default) is doubled
        conn.execute(sa.DDL(f"ALTER TABLE {preparer.format_table(target)} MODIFY COLUMN {spec} {place}"
                            .replace("%", "%%")))
        current.remove(name)
        current.insert(position, name)


def _batch(connection: Any, operations: Operations, target: sa.Table, changes: list[Any]) -> None:
    copy = reflect(connection, target.schema, target.name, like=target)
    _drop_stale_checks(copy, changes)
    # the rebuilt table carries the declared table comment (SQLite keeps it in the CREATE TABLE text)
    table_kwargs = {"comment": target.comment} if target.comment else {}
    with operations.batch_alter_table(target.name, schema=target.schema, recreate="always", copy_from=copy,
                                      table_kwargs=table_kwargs) as batch:
        for change in changes:
            if isinstance(change.operation, ops.CreateForeignKeyOp):
                _add_foreign_key(connection, copy, change.operation)
            else:
                batch.invoke(change.operation)


def _add_foreign_key(connection: Any, copy: sa.Table, op: ops.CreateForeignKeyOp) -> None:
    """Put a new foreign key on the table batch mode copies from.

    Batch mode would parse the referenced ``"schema.table"`` name at its dot, so the key
    refers to the parent's columns as objects instead.
    """
    with connection.session(write=False) as conn:
        parent = sa.Table(op.referent_table, copy.metadata, schema=op.kw.get("referent_schema"), autoload_with=conn)
    copy.append_constraint(sa.ForeignKeyConstraint(
        op.local_cols, [parent.c[name] for name in op.remote_cols], name=op.constraint_name,
        onupdate=op.kw.get("onupdate"), ondelete=op.kw.get("ondelete")))


def _drop_stale_checks(copy: sa.Table, changes: list[Any]) -> None:
    """Leave out the enum CHECK constraints of columns that are dropped or get a new type.

    The new type brings its own constraint; a dropped column takes its constraint along.
    """
    stale = {c.operation.column_name for c in changes
             if isinstance(c.operation, ops.DropColumnOp)
             or (isinstance(c.operation, ops.AlterColumnOp) and c.operation.modify_type is not None)}
    for constraint in list(copy.constraints):
        if enum_check_column(constraint) in stale:
            copy.constraints.discard(constraint)
