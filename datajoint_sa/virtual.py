"""Table classes for the tables of an existing schema, built from the database alone.

A schema declared elsewhere (by DataJoint 2.x, by another program) is opened by
reflecting its tables with SQLAlchemy: column types come from the ``:type:``
tags in column comments, lineage from ``~lineage`` (or the foreign keys), the
tier from the table name's prefix, and Part tables become classes nested in
their masters.  ``VirtualModule`` / ``virtual_schema`` put such classes in a
module-like object; ``Schema.make_classes`` puts them in a namespace.
"""

from __future__ import annotations

import re
import types
from collections.abc import MutableMapping
from typing import Any

import sqlalchemy as sa

from .declare.build import DeclaredTable
from .engine import catalog
from .engine.connection import Connection
from .errors import DataJointError
from .naming import tier_of_table_name, to_camel_case
from .reflect import adopt_core_types, heading_from_table
from .sqlite_comments import reflect_tables

__all__ = ["VirtualModule", "virtual_schema", "create_virtual_module", "reflect_schema", "make_classes", "rebuild_lineage"]

_PART_NAME = re.compile(r"^(?P<master>[#_]*[a-z][a-z0-9_]*?)__(?P<part>[a-z][a-z0-9_]*)$")


def _dj_name(table: sa.Table) -> tuple[str, str]:
    """(schema, table) of a reflected SQLAlchemy table in DataJoint's terms."""
    if table.schema:
        return table.schema, table.name
    schema, _, name = table.name.partition(".")
    return schema, name


def reflect_schema(connection: Connection, schema: str, *, recorded_lineage: bool = True) -> dict[str, DeclaredTable]:
    """The DeclaredTable of every table of ``schema``, read back from the database.

    Lineage comes from ``~lineage``, or (``recorded_lineage=False`` or no row) from the foreign keys.
    """
    names = catalog.list_tables(connection, schema)
    lineage_rows = catalog.read_lineage(connection, schema) if recorded_lineage else {}
    with connection.session(write=False) as conn:
        reflected = reflect_tables(conn, [connection.rules.sql_table(schema, name) for name in names])
    tables = dict(zip(names, reflected))
    declared = {}
    for name, table in tables.items():
        lineages = {a: v for (t, a), v in lineage_rows.items() if t == name}
        heading = heading_from_table(table, schema, name, lineages)
        adopt_core_types(table, heading, connection.dialect_name)
        declared[name] = DeclaredTable(table=table, heading=heading, parents=_parents(table))
    return declared


def _parents(table: sa.Table) -> tuple[tuple[str, tuple[tuple[str, str], ...], bool], ...]:
    """(parent ``schema.table``, ((attribute, parent attribute), ...), in key) per foreign key."""
    key = {c.name for c in table.primary_key.columns}
    found = []
    for fk in sorted(table.foreign_key_constraints, key=lambda c: [col.name for col in c.columns]):
        parent_schema, parent_name = _dj_name(fk.referred_table)
        pairs = tuple((el.parent.name, el.column.name) for el in fk.elements)
        found.append((f"{parent_schema}.{parent_name}", pairs, all(a in key for a, _ in pairs)))
    return tuple(found)


def _tier_class(tier: str) -> type:
    from . import user_tables

    return getattr(user_tables, tier)


def _new_class(schema: Any, name: str, tier: str, table_name: str, declared: DeclaredTable, module: str) -> type:
    cls = type(name, (_tier_class(tier),), {"__module__": module, "definition": None})  # no text to alter to
    cls._declared = declared
    cls._schema = schema
    cls.table_name = table_name
    cls._declaration = ({}, None)
    cls._parts = ()
    return cls


def make_classes(schema: Any, into: MutableMapping[str, Any], module: str | None = None) -> list[type]:
    """Create classes in ``into`` for the tables of ``schema`` that no class there stands for.

    Masters get the tier their name prefix says; a Part table becomes an attribute of
    its master's class.  Returns the classes made.
    """
    declared = reflect_schema(schema.connection, schema.database)
    module = module or into.get("__name__") or schema.database
    existing = {getattr(v, "table_name", None) for v in into.values()
                if isinstance(v, type) and getattr(v, "_schema", None) is not None
                and v._schema.database == schema.database}
    made: list[type] = []
    masters: dict[str, type] = {}
    for table_name, item in declared.items():
        tier = tier_of_table_name(table_name)
        if tier is None or tier == "Part" or table_name in existing:
            continue
        class_name = to_camel_case(table_name)
        if class_name in into:
            continue
        cls = _new_class(schema, class_name, tier, table_name, item, module)
        into[class_name] = masters[table_name] = cls
        schema._classes[class_name] = cls
        made.append(cls)
    for table_name, item in declared.items():
        if tier_of_table_name(table_name) != "Part" or table_name in existing:
            continue
        match = _PART_NAME.match(table_name)
        master = masters.get(match["master"]) if match else None
        if master is None:
            if match and match["master"] in existing:
                continue
            raise DataJointError(f"Table {table_name!r} of schema {schema.database!r} looks like a part table "
                                 "but its master table is missing.")
        part = _new_class(schema, to_camel_case(match["part"]), "Part", table_name, item, module)
        part.master = master
        setattr(master, part.__name__, part)
        master._parts = (*master._parts, part)
        made.append(part)
    return made


class VirtualModule(types.ModuleType):
    """A module whose attributes are classes for the tables of an existing schema, plus ``schema``."""

    def __init__(self, module_name: str, schema_name: str, *, create_schema: bool = False,
                 create_tables: bool = False, connection: Connection | None = None,
                 add_objects: dict[str, Any] | None = None) -> None:
        super().__init__(module_name)
        from .schemas import Schema

        schema = Schema(schema_name, connection=connection, create_schema=create_schema,
                        create_tables=create_tables, _register=False)
        if add_objects:
            self.__dict__.update(add_objects)
        self.__dict__["schema"] = schema
        schema.make_classes(into=self.__dict__)


def virtual_schema(schema_name: str, *, connection: Connection | None = None, create_schema: bool = False,
                   create_tables: bool = False, add_objects: dict[str, Any] | None = None) -> VirtualModule:
    """A VirtualModule named after the schema: ``lab = dj.virtual_schema("lab"); lab.Subject()``."""
    return VirtualModule(schema_name, schema_name, create_schema=create_schema, create_tables=create_tables,
                         connection=connection, add_objects=add_objects)


def create_virtual_module(module_name: str, schema_name: str, create_schema: bool = False,
                          create_tables: bool = False, connection: Connection | None = None,
                          add_objects: dict[str, Any] | None = None) -> VirtualModule:
    """DataJoint 0.x's spelling of :class:`VirtualModule` (its arguments may be given by position)."""
    return VirtualModule(module_name, schema_name, create_schema=create_schema, create_tables=create_tables,
                         connection=connection, add_objects=add_objects)


def rebuild_lineage(connection: Connection, schema: str, dry_run: bool = False) -> dict[str, Any]:
    """Record ``~lineage`` of every table of ``schema`` again, following foreign keys to their origins.

    A primary-key attribute no foreign key brings in originates in its own table; one
    a foreign key brings in has the lineage of the column the chain of keys ends at.
    Returns ``{"tables_analyzed", "lineage_entries", "status"}`` (status ``dry_run`` or ``rebuilt``).
    """
    tables = reflect_schema(connection, schema, recorded_lineage=False)
    entries = {name: item.heading.lineages for name, item in tables.items()}
    count = sum(1 for lineages in entries.values() for value in lineages.values() if value)
    if not dry_run:
        with connection.transaction:
            catalog.delete_lineage(connection, schema, list(entries))
            for name, lineages in entries.items():
                catalog.write_lineage(connection, schema, name, lineages)
    return {"tables_analyzed": len(entries), "lineage_entries": count, "status": "dry_run" if dry_run else "rebuilt"}
