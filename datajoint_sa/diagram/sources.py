"""What a Diagram is made of: schemas, table classes or instances, modules -> graph nodes.

Resolving a source yields its connection, its nodes ``(schema, table)`` and, for
tables whose classes are known, the class name ("Session", "Session.Trial") and
Python module, so that the drawing can name tables as the code does.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any

from ..errors import DataJointError
from ..naming import tier_of_table_name

__all__ = ["Selection", "resolve", "drawable", "name_class"]

Node = tuple[str, str]


@dataclass
class Selection:
    """The tables a source stands for, with the names of their classes where known."""

    connection: Any
    nodes: set[Node] = field(default_factory=set)
    class_names: dict[Node, str] = field(default_factory=dict)
    modules: dict[Node, str] = field(default_factory=dict)

    def merge(self, other: Selection) -> None:
        if other.connection is not self.connection:
            raise DataJointError("Cannot combine diagrams of tables on different connections.")
        self.nodes |= other.nodes
        self.class_names.update(other.class_names)
        self.modules.update(other.modules)


def resolve(source: Any) -> Selection:
    """The Selection of a schema, a table class or instance, or a module of either."""
    if isinstance(source, types.ModuleType):
        return _of_module(source)
    if _is_schema(source):
        return _of_schema(source)
    if _is_table(source):
        return _of_table(source)
    raise DataJointError(
        f"Cannot make a Diagram of {source!r}: pass a schema, a table class or instance, or a module with a schema."
    )


def _is_schema(obj: Any) -> bool:
    return hasattr(obj, "database") and hasattr(obj, "connection") and not hasattr(obj, "table_name")


def _is_table(obj: Any) -> bool:
    return hasattr(obj, "table_name") and hasattr(obj, "_node")


def _of_schema(schema: Any) -> Selection:
    if schema.database is None or schema.connection is None:
        raise DataJointError(f"{schema!r} is not activated: activate it before drawing its diagram.")
    connection = schema.connection
    connection.invalidate_dependencies()  # a fresh look at the database, as each new diagram takes one
    graph = connection.dependencies
    selection = Selection(connection, {n for n in graph.graph if n[0] == schema.database and drawable(n)})
    for cls in schema._classes.values():  # masters and parts alike
        name_class(selection, cls)
    return selection


def _of_table(table: Any) -> Selection:
    instance = table() if isinstance(table, type) else table
    selection = Selection(instance._connection, {instance._node})
    if instance._node not in instance._connection.dependencies:
        instance._connection.invalidate_dependencies()
    name_class(selection, table if isinstance(table, type) else type(table))
    return selection


def _of_module(module: types.ModuleType) -> Selection:
    """A module's ``schema``, else every schema it holds, else every table class it holds."""
    members = vars(module)
    schemas = [members["schema"]] if _is_schema(members.get("schema")) else [
        v for v in members.values() if _is_schema(v) and getattr(v, "database", None)]
    parts = [_of_schema(s) for s in schemas] or [
        _of_table(v) for v in members.values() if isinstance(v, type) and _is_table(v) and getattr(v, "_declared", None)]
    if not parts:
        raise DataJointError(f"Module {module.__name__} has no schema and no declared table classes to draw.")
    selection = parts[0]
    for part in parts[1:]:
        selection.merge(part)
    return selection


def name_class(selection: Selection, cls: type) -> None:
    """Record the class name ("Session", or "Session.Trial" for a part) and module of a declared class."""
    if getattr(cls, "_declared", None) is None:
        return
    node = (cls._schema.database, cls.table_name)
    master = getattr(cls, "master", None)
    selection.class_names[node] = f"{master.__name__}.{cls.__name__}" if master is not None else cls.__name__
    selection.modules[node] = cls.__module__.rsplit(".", 1)[-1]


def drawable(node: Node) -> bool:
    """Bookkeeping tables (``~lineage``, ``~jobs``...) are never drawn."""
    return tier_of_table_name(node[1]) is not None
