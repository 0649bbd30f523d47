"""ORDER BY terms that sort the same on every backend.

MySQL and PostgreSQL sort an enum by the position of its value in the declaration;
SQLite stores enums as text and would sort alphabetically, so there an enum sorts by
``CASE column WHEN 'first' THEN 0 ...``.  The construct renders the bare column elsewhere.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

__all__ = ["EnumOrder", "sort_key"]

#: Dialects whose enum type does not sort by declaration position.
TEXT_ENUM_DIALECTS = frozenset({"sqlite"})


class EnumOrder(sa.sql.expression.ColumnElement[Any]):
    """An enum column as a sort key: declaration order on every dialect."""

    __visit_name__ = "dj_enum_order"
    inherit_cache = True
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("values", InternalTraversal.dp_string_list),
    ]

    def __init__(self, column: sa.ColumnElement[Any], values: tuple[str, ...]) -> None:
        self.column = column
        self.values = tuple(values)
        self.type = column.type

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(EnumOrder)
def _compile_enum_order(element: EnumOrder, compiler: Any, **kw: Any) -> str:
    if compiler.dialect.name not in TEXT_ENUM_DIALECTS:
        return compiler.process(element.column, **kw)
    positions = sa.case({v: i for i, v in enumerate(element.values)}, value=element.column)
    return compiler.process(positions, **kw)


def sort_key(column: sa.ColumnElement[Any], attribute: Any) -> sa.ColumnElement[Any]:
    """The expression to ORDER BY for ``attribute`` held in ``column``."""
    if attribute.type.kind == "enum" and attribute.expression is None:
        return EnumOrder(column, attribute.type.values)
    return column
