"""``describe()``: a table's definition written back from its heading and the database.

Attributes come from the heading (types as declared, read from the ``:type:``
comments for tables opened by name); foreign keys and indexes from the database.
A foreign key is written where its last attribute stands, as ``-> Parent`` or
``-> Parent.proj(new="old")``, with ``[nullable]`` and ``[unique]`` when its
attributes are nullable or carry a unique index.  Declaring the text gives the
same table again.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import sqlalchemy as sa

from ..heading import Attribute

__all__ = ["describe"]


def describe(table: Any) -> str:
    """The definition of ``table`` (a Table instance) as DataJoint definition text."""
    heading = table.heading
    node = (table.database, table.table_name)
    graph = table._graph()
    foreign_keys = [(parent, edge) for parent, edge in graph.edges_to(node)]
    indexes = _indexes(table)
    lines = [f"# {heading.table_comment}"] if heading.table_comment else []
    seen: set[str] = set()
    in_key = True
    covered = {name for _, edge in foreign_keys for name in edge.attr_map}
    for attr in heading.attributes.values():
        if in_key and not attr.in_key:
            lines.append("---")
            in_key = False
        seen.add(attr.name)
        for parent, edge in foreign_keys:
            if attr.name in edge.attr_map and seen >= set(edge.attr_map) and attr.name == _last(edge, heading):
                lines.append(_foreign_key_line(table, parent, edge, heading, indexes))
        if attr.name not in covered:
            lines.append(_attribute_line(attr))
    for columns, unique in indexes:
        lines.append(f"{'UNIQUE ' if unique else ''}INDEX ({', '.join(columns)})")
    return "\n".join(lines) + "\n"


def _last(edge: Any, heading: Any) -> str:
    return max(edge.attr_map, key=heading.names.index)


def _attribute_line(attr: Attribute) -> str:
    name = attr.name if attr.default is None else f"{attr.name}={attr.default}"
    comment = f"# {attr.comment}" if attr.comment else ""
    return f"{name:<20} : {attr.type.text:<28} {comment}".rstrip()


def _foreign_key_line(table: Any, parent: tuple[str, str], edge: Any, heading: Any,
                      indexes: list[tuple[tuple[str, ...], bool]]) -> str:
    options = ["nullable"] if any(heading[a].nullable for a in edge.attr_map) else []
    columns = tuple(edge.attr_map)
    for index in list(indexes):
        if index[0] == columns:
            indexes.remove(index)  # the foreign key's own index, written as an option
            if index[1]:
                options.append("unique")
    name = _class_name(table, parent)
    text = f"->{' [' + ', '.join(options) + ']' if options else ''} {name}"
    if edge.aliased:
        renames = ",".join(f'{new}="{old}"' for new, old in edge.attr_map.items() if new != old)
        text += f".proj({renames})"
    return text


def _class_name(table: Any, parent: tuple[str, str]) -> str:
    """The parent's class as the table's module writes it: ``Class``, ``module.Class`` or ``Master.Part``."""
    connection = table.connection
    schema = connection.schemas.get(parent[0])
    found = _find_class(schema, parent[1]) if schema is not None else None
    if found is None:
        return connection.full_name(parent)
    if parent[0] == table.database:
        return found
    cls = type(table)
    names = dict(vars(sys.modules[cls.__module__])) if cls.__module__ in sys.modules else {}
    names.update(cls.__dict__.get("_declaration", ({}, None))[0])
    target = schema.declared_class(found.split(".")[0])
    for name, value in names.items():
        if value is target:
            return name + found[len(target.__name__):]
        if isinstance(value, types.ModuleType) and _same_table(getattr(value, target.__name__, None), target):
            return f"{name}.{found}"
    return connection.full_name(parent)


def _same_table(candidate: Any, target: type) -> bool:
    """Whether ``candidate`` is ``target`` or another class of the same table (a virtual module's)."""
    if candidate is target:
        return True
    schema = getattr(candidate, "_schema", None)
    return (isinstance(candidate, type) and schema is not None and schema.database == target._schema.database
            and getattr(candidate, "table_name", None) == target.table_name)


def _find_class(schema: Any, table_name: str) -> str | None:
    for cls in schema._classes.values():
        if cls.table_name == table_name:
            return cls.__name__
        for part in getattr(cls, "_parts", ()):
            if part.table_name == table_name:
                return f"{cls.__name__}.{part.__name__}"
    return None


def _indexes(table: Any) -> list[tuple[tuple[str, ...], bool]]:
    """(columns, unique) of the table's indexes in the database, in name order (primary key left out)."""
    connection = table.connection
    sql_schema, sql_name = connection.rules.sql_table(table.database, table.table_name)
    with connection.session(write=False) as conn:
        found = sa.inspect(conn).get_indexes(sql_name, schema=sql_schema)
    return [(tuple(ix["column_names"]), bool(ix["unique"])) for ix in sorted(found, key=lambda ix: ix["name"] or "")
            if all(ix["column_names"])]
