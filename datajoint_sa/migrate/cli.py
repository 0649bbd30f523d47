"""``datajoint-sa`` / ``python -m datajoint_sa``: migrations of a schema with alembic.

    datajoint-sa revision  -m "add age" --autogenerate  --module lab.pipeline --versions migrations/lab
    datajoint-sa upgrade   [head]                        --module lab.pipeline --versions migrations/lab
    datajoint-sa downgrade -1                            --module lab.pipeline --versions migrations/lab
    datajoint-sa history | current                       --module lab.pipeline --versions migrations/lab

``--module`` names the Python module (or ``.py`` file) that declares the schema;
it is imported with table creation switched off, so its classes describe the
target while the database keeps its present layout.  ``--schema`` picks one
schema when the module declares several (by its variable name or database name).
The commands are alembic's (``alembic.command``), run with an in-memory
configuration (:func:`.environment.make_config`).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import pathlib
import sys
import types
from collections.abc import Sequence
from typing import Any

from alembic import command

from ..errors import DataJointError
from ..settings import config as dj_config
from .environment import make_config

__all__ = ["main", "load_schema", "config_for", "sync_lineage"]


def load_module(name: str) -> types.ModuleType:
    """Import a module by dotted name or by the path of a ``.py`` file."""
    path = pathlib.Path(name)
    if name.endswith(".py") or path.exists():
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise DataJointError(f"Cannot import {name}.")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)


def load_schema(module_name: str, schema: str | None = None) -> Any:
    """The Schema declared by a module, imported without creating tables."""
    from ..schemas import Schema

    with dj_config.override(database__create_tables=False):
        module = load_module(module_name)
    found = {name: value for name, value in vars(module).items() if isinstance(value, Schema)}
    if schema is not None:
        found = {n: s for n, s in found.items() if schema in (n, s.database)}
    if len(found) != 1:
        what = f"schema {schema!r}" if schema else "one schema"
        raise DataJointError(f"Module {module_name} should declare {what}; found: {', '.join(found) or 'none'}. "
                             "Choose one with --schema.")
    chosen = next(iter(found.values()))
    if not chosen.is_activated():
        raise DataJointError(f"The schema of {module_name} is not activated: activate it in the module.")
    return chosen


def config_for(schema: Any, versions: str | pathlib.Path) -> Any:
    """The alembic Config comparing ``schema``'s declared tables (``schema.metadata``) with its database."""
    return make_config(schema.connection, schema.database, versions=versions, target_metadata=schema.metadata)


def sync_lineage(schema: Any) -> None:
    """Record the lineage of the module's tables in ``~lineage``, once the database has their layout."""
    from ..engine import catalog

    existing = set(catalog.list_tables(schema.connection, schema.database))
    for cls in schema._classes.values():
        for table in (cls, *getattr(cls, "_parts", ())):
            if table.table_name in existing:
                catalog.write_lineage(schema.connection, schema.database, table.table_name,
                                      table._declared.heading.lineages)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="datajoint-sa", description="Migrations of a DataJoint schema (alembic).")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--module", required=True, help="module or .py file that declares the schema")
    common.add_argument("--schema", help="the schema's variable or database name, if the module has several")
    common.add_argument("--versions", required=True, help="directory of this schema's revision files")
    commands = parser.add_subparsers(dest="command", required=True)
    revision = commands.add_parser("revision", parents=[common], help="create a revision file")
    revision.add_argument("-m", "--message", default="change")
    revision.add_argument("--autogenerate", action="store_true",
                          help="fill it with the difference between the module's tables and the database")
    upgrade = commands.add_parser("upgrade", parents=[common], help="apply revisions")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = commands.add_parser("downgrade", parents=[common], help="revert revisions")
    downgrade.add_argument("revision", help="target, e.g. -1 or base")
    commands.add_parser("history", parents=[common], help="list the revisions")
    commands.add_parser("current", parents=[common], help="show the database's revision")
    stamp = commands.add_parser("stamp", parents=[common], help="record a revision without running it")
    stamp.add_argument("revision")
    return parser


def run(args: argparse.Namespace) -> None:
    schema = load_schema(args.module, args.schema)
    config = config_for(schema, args.versions)
    if args.command == "revision":
        command.revision(config, message=args.message, autogenerate=args.autogenerate)
    elif args.command == "upgrade":
        command.upgrade(config, args.revision)
        if args.revision == "head":
            sync_lineage(schema)
    elif args.command == "downgrade":
        command.downgrade(config, args.revision)
    elif args.command == "stamp":
        command.stamp(config, args.revision)
    elif args.command == "history":
        command.history(config)
    else:
        command.current(config, verbose=False)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        run(args)
    except DataJointError as err:
        print(f"datajoint-sa: {err}", file=sys.stderr)
        return 1
    return 0
