"""A definition -> the DDL that declares it, for one backend, without a database.

``declare()`` is what ``@schema`` does short of executing: parse the definition,
resolve its foreign keys in a context of declared classes, build the table and
compile ``CREATE TABLE`` (and, on PostgreSQL, ``CREATE TYPE`` for its enums).  It
shows the SQL a definition produces, and checks a definition before a schema exists.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import CreateEnumType
from sqlalchemy.schema import CreateIndex, CreateTable, SetColumnComment, SetTableComment

from ..dialects import rules_for
from ..errors import DataJointError
from .build import build_table
from .grammar import parse_definition
from .references import resolve_reference

__all__ = ["declare", "split_full_name"]

_DIALECTS = {"mysql": "mysql", "mariadb": "mysql", "postgresql": "postgresql", "sqlite": "sqlite"}
_QUOTED_PART = re.compile(r"""`([^`]+)`|"([^"]+)"|([^.`"]+)""")


def split_full_name(full_table_name: str) -> tuple[str, str]:
    """``"`lab`.`#subject`"``, ``'"lab"."#subject"'`` or ``"lab.#subject"`` -> ``("lab", "#subject")``."""
    parts = [next(g for g in m.groups() if g is not None) for m in _QUOTED_PART.finditer(full_table_name or "")]
    if len(parts) != 2:
        raise DataJointError(f"A full table name is schema.table; got {full_table_name!r}.")
    return parts[0], parts[1]


def _dialect_name(backend: Any) -> str:
    """A backend given as a name, a Connection (``dialect_name``) or a SQLAlchemy dialect or engine."""
    if backend is None:
        return "mysql"
    name = backend if isinstance(backend, str) else (
        getattr(backend, "dialect_name", None) or getattr(getattr(backend, "dialect", backend), "name", None))
    if name not in _DIALECTS:
        raise DataJointError(f"Unknown backend {backend!r}; use one of {', '.join(sorted(_DIALECTS))}.")
    return _DIALECTS[name]


def declare(full_table_name: str, definition: str, context: Mapping[str, Any] | None = None,
            backend: Any = None) -> str:
    """The SQL that declares table ``full_table_name`` from ``definition``, statements separated by ``;\\n``.

    Foreign keys resolve in ``context`` (names -> declared table classes).  ``backend``
    is ``"mysql"`` (the default), ``"postgresql"`` or ``"sqlite"``, or a Connection.
    Raise DeclarationError for a malformed definition, as ``@schema`` would.
    """
    schema, table = split_full_name(full_table_name)
    name = _dialect_name(backend)
    dialect = sa.dialects.registry.load(name)()
    declared = build_table(
        parse_definition(definition), schema=schema, table=table, metadata=sa.MetaData(), rules=rules_for(name),
        resolve=lambda ref: resolve_reference(ref, context or {}),
    )
    statements = [str(CreateEnumType(enum).compile(dialect=dialect)).strip() for enum in declared.enum_types]
    statements.append(str(CreateTable(declared.table).compile(dialect=dialect)).strip())
    statements += [str(CreateIndex(index).compile(dialect=dialect)).strip() for index in declared.table.indexes]
    if name == "postgresql":  # PostgreSQL takes comments in statements of their own, as table.create() emits them
        table = declared.table
        statements += [str(SetTableComment(table).compile(dialect=dialect))] if table.comment else []
        statements += [str(SetColumnComment(c).compile(dialect=dialect)) for c in table.columns if c.comment]
    return ";\n".join(statements)
