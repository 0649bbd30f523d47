"""Alembic for one DataJoint schema: the in-memory configuration and what ``env.py`` runs.

``make_config`` builds an alembic ``Config`` without an ini file: the script
location is the environment shipped in ``alembic_env/`` (or the library's own
``migrations/``), revisions live in the directory the user chooses, and the
connection, schema and target ``MetaData`` travel in ``config.attributes``.
``run_migrations`` is the body of ``env.py``.

Revisions are kept per schema, in the version table ``~migration_version`` of the
schema itself (``"<schema>.~migration_version"`` on SQLite); the ``~`` keeps it out
of the schema's table listing and apart from any user table.
"""

from __future__ import annotations

import pathlib
import sys
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import renderers
from alembic.config import Config
from alembic.operations import ops

__all__ = ["USER_VERSION_TABLE", "make_config", "run_migrations", "schema_names"]

USER_VERSION_TABLE = "~migration_version"
ENVIRONMENT = pathlib.Path(__file__).with_name("alembic_env")


def make_config(connection: Any, schema_name: str, *, versions: str | pathlib.Path | None,
                target_metadata: sa.MetaData | None = None, script_location: str | pathlib.Path = ENVIRONMENT,
                version_table: str = USER_VERSION_TABLE) -> Config:
    """An alembic Config for ``schema_name`` on ``connection`` (a datajoint_sa Connection)."""
    config = Config(stdout=sys.stdout)  # alembic's default is the stdout of when it was imported
    config.set_main_option("script_location", str(script_location))
    if versions is not None:
        pathlib.Path(versions).mkdir(parents=True, exist_ok=True)
        config.set_main_option("version_locations", str(pathlib.Path(versions).absolute()))
    config.set_main_option("path_separator", "os")
    config.attributes.update(connection=connection, schema=schema_name, target_metadata=target_metadata,
                             version_table=version_table)
    return config


def schema_names(connection: Any, schema_name: str, table: str) -> tuple[str | None, str]:
    """(SQL schema, SQL table name) of a table of the schema, as revisions need to address it."""
    return connection.rules.sql_table(schema_name, table)


def _filter(connection: Any, schema_name: str) -> Any:
    """alembic's include_name: this schema's own tables, bookkeeping tables (``~...``) left out."""
    sqlite = not connection.rules.has_schemas
    prefix = schema_name + "."

    def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        if type_ == "schema":
            return sqlite or name == schema_name
        if type_ == "table":
            if sqlite:
                return bool(name) and name.startswith(prefix) and not name[len(prefix):].startswith("~")
            return not (name or "").startswith("~")
        return True

    return include_name


def _primary_key_changes(connection: Any, metadata: sa.MetaData, include: Any) -> Any:
    """A process_revision_directives hook adding primary-key changes, which alembic does not compare."""
    sqlite = connection.dialect_name == "sqlite"

    def hook(context: Any, revision: Any, directives: list[Any]) -> None:
        script = directives[0]
        if script.upgrade_ops is None:
            return
        inspector = sa.inspect(context.connection)
        for table in metadata.tables.values():
            if not include(table.name, "table", {}) or not inspector.has_table(table.name, schema=table.schema):
                continue
            existing = inspector.get_pk_constraint(table.name, schema=table.schema)
            have = list(existing["constrained_columns"])
            want = [c.name for c in table.primary_key.columns]
            if have == want:
                continue
            name = existing.get("name") or f"pk_{table.name}"
            _table_ops(script.upgrade_ops, table).ops.extend(_replace_key(table, name, want, sqlite))
            _table_ops(script.downgrade_ops, table).ops[:0] = _replace_key(table, name, have, sqlite)

    return hook


def _replace_key(table: sa.Table, name: str, columns: list[str], sqlite: bool) -> list[ops.MigrateOperation]:
    create = ops.CreatePrimaryKeyOp(name, table.name, columns, schema=table.schema)
    if sqlite:  # batch mode rebuilds the table with the new key
        return [create]
    return [ops.DropConstraintOp(name, table.name, type_="primary", schema=table.schema), create]


def _table_ops(container: ops.OpContainer, table: sa.Table) -> ops.ModifyTableOps:
    for op in container.ops:
        if isinstance(op, ops.ModifyTableOps) and op.table_name == table.name and op.schema == table.schema:
            return op
    found = ops.ModifyTableOps(table.name, [], schema=table.schema)
    container.ops.append(found)
    return found


@renderers.dispatch_for(ops.CreatePrimaryKeyOp, replace=True)
def _render_primary_key(autogen_context: Any, op: ops.CreatePrimaryKeyOp) -> str:
    """Python text of a primary-key change (alembic renders none, as it never detects one)."""
    if autogen_context._has_batch:
        return f"batch_op.create_primary_key({op.constraint_name!r}, {list(op.columns)!r})"
    schema = f", schema={op.schema!r}" if op.schema else ""
    return f"op.create_primary_key({op.constraint_name!r}, {op.table_name!r}, {list(op.columns)!r}{schema})"


def run_migrations(context: Any) -> None:
    """The body of ``env.py``: run the revisions of one schema on its connection (online mode only)."""
    config = context.config
    connection = config.attributes["connection"]
    schema_name = config.attributes["schema"]
    metadata = config.attributes.get("target_metadata")
    sql_schema, version_table = schema_names(connection, schema_name, config.attributes["version_table"])
    include = _filter(connection, schema_name)
    with connection.schema_change() as conn:
        context.configure(
            connection=conn, target_metadata=metadata, version_table=version_table,
            version_table_schema=sql_schema, include_schemas=connection.rules.has_schemas,
            include_name=include, render_as_batch=connection.dialect_name == "sqlite",
            compare_type=True, user_module_prefix="datajoint_sa.types.",
            process_revision_directives=_primary_key_changes(connection, metadata, include) if metadata is not None else None,
        )
        context.run_migrations()
