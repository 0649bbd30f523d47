"""``schema.save()``: the Python module that declares an existing schema.

Each table's definition is written back by ``describe()`` from a class made by
reflection; tables appear parents first, Part tables nested in their masters,
and tables of other schemas are referred to through virtual modules named after
those schemas.  Importing the module declares the same tables again (in an empty
database, or as a no-op where they exist).
"""

from __future__ import annotations

import types
from typing import Any

from .virtual import make_classes

__all__ = ["module_text"]

_TIER_BASE = {"Manual": "dj.Manual", "Lookup": "dj.Lookup", "Imported": "dj.Imported",
              "Computed": "dj.Computed", "Part": "dj.Part"}


def _upstream(schema: Any) -> list[str]:
    """Names of the other schemas this one's foreign keys reach."""
    graph = schema.connection.dependencies
    return sorted({parent[0] for table in schema.list_tables()
                   for parent, _edge in graph.edges_to((schema.database, table)) if parent[0] != schema.database})


def _mirror(connection: Any, name: str) -> tuple[Any, dict[str, Any]]:
    """A fresh Schema object for ``name`` with classes made by reflection, and those classes by name."""
    from .schemas import Schema

    mirror = Schema(name, connection=connection, create_schema=False, _register=False)
    names: dict[str, Any] = {}
    make_classes(mirror, names, module=f"saved_{name}")
    return mirror, names


def _class_text(cls: Any, indent: str) -> list[str]:
    definition = cls().describe().rstrip("\n").splitlines()
    lines = [f"{indent}class {cls.__name__}({_TIER_BASE[cls.tier]}):", f'{indent}    definition = """']
    lines += [f"{indent}    {line}" for line in definition]
    lines.append(f'{indent}    """')
    for part in getattr(cls, "_parts", ()):
        lines.append("")
        lines += _class_text(part, indent + "    ")
    return lines


def module_text(schema: Any) -> str:
    """The source of a module that declares ``schema``'s tables as they are in the database."""
    connection = schema.connection
    upstream = _upstream(schema)
    mirrors = {name: _mirror(connection, name) for name in [*upstream, schema.database]}
    spaces = {}
    for name in upstream:
        spaces[name] = types.ModuleType(name)
        spaces[name].__dict__.update(mirrors[name][1])
    own = mirrors[schema.database][1]
    for cls in own.values():
        cls._declaration = ({**spaces, **own}, None)
    registered = {name: connection.schemas.get(name) for name in mirrors}
    connection.schemas.update({name: mirror for name, (mirror, _) in mirrors.items()})
    try:
        order = schema.list_tables()
        body = []
        for cls in sorted(own.values(), key=lambda c: order.index(c.table_name)):
            body += ["", "@schema", *_class_text(cls, ""), ""]
    finally:
        for name, previous in registered.items():
            if previous is None:
                connection.schemas.pop(name, None)
            else:
                connection.schemas[name] = previous
    lines = [f'"""DataJoint schema {schema.database!r}, written by schema.save()."""', "",
             "import datajoint_sa as dj", ""]
    lines += [f"{name} = dj.VirtualModule({name!r}, {name!r})" for name in upstream]
    lines += ["", f"schema = dj.Schema({schema.database!r})", "", *body]
    return "\n".join(lines).rstrip("\n") + "\n"
