"""Headings of existing tables, read back from a reflected SQLAlchemy Table.

DataJoint 2.x records core types in column comments (``:int32:comment``); columns
without such a tag keep their SQL type as a native type.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from .heading import Attribute, Heading
from .types import AttributeType, parse_type

__all__ = ["heading_from_table", "split_comment"]

_TAGGED = re.compile(r"^:(?P<type>[^:]+(?:'[^']*'[^:]*)*):(?P<comment>.*)$", re.S)


def split_comment(comment: str | None) -> tuple[str | None, str]:
    """``":int32:unique id"`` -> ("int32", "unique id"); an untagged comment has no type."""
    match = _TAGGED.match(comment or "")
    if match:
        return match["type"], match["comment"]
    return None, comment or ""


def _native(column: sa.Column) -> AttributeType:
    try:
        text = column.type.compile().lower()
    except sa.exc.CompileError:
        text = type(column.type).__name__.lower()
    return AttributeType(text, "native")


def _referenced(column: sa.Column) -> sa.Column | None:
    """The column a foreign-key column refers to, or None.

    A column in several foreign keys (a part table's key from its master and from a
    sibling part) refers to columns of one origin along each; the first by name is taken.
    """
    if not column.foreign_keys:
        return None
    return min((fk.column for fk in column.foreign_keys), key=lambda c: (c.table.schema or "", c.table.name, c.name))


def _tagged_origin(column: sa.Column) -> tuple[str | None, str]:
    """The type tag and comment of a column, followed through foreign keys when it has no tag.

    DataJoint 2.x gives foreign-key columns no ``:type:`` tag (PostgreSQL: no comment; MySQL:
    the parent's comment text), so their type is the referenced column's.
    """
    tag, comment = split_comment(column.comment)
    seen = {column}
    origin = column
    while tag is None and (parent := _referenced(origin)) is not None:
        origin = parent
        if origin in seen:
            break
        seen.add(origin)
        tag, parent_comment = split_comment(origin.comment)
        comment = comment or parent_comment
    return tag, comment


def _fk_lineage(column: sa.Column) -> str:
    """``schema.table.attribute`` of the column a chain of foreign keys ends at."""
    seen = {column}
    while (parent := _referenced(column)) is not None:
        if parent in seen:
            break
        seen.add(parent)
        column = parent
    table = column.table
    # SQLite tables are named "<schema>.<table>" and have no SQL schema (see dialects.py)
    return f"{table.schema}.{table.name}.{column.name}" if table.schema else f"{table.name}.{column.name}"


def heading_from_table(table: sa.Table, schema: str, table_name: str, lineages: dict[str, str] | None = None) -> Heading:
    """The heading of a reflected table (types from comment tags, else native SQL types)."""
    key = {c.name for c in table.primary_key.columns}
    attributes = []
    for column in table.columns:
        tag, comment = _tagged_origin(column)
        try:
            attr_type = parse_type(tag) if tag else _native(column)
        except Exception:  # an unknown tag: keep the SQL type
            attr_type = _native(column)
        default = None
        if column.server_default is not None:
            default = str(getattr(column.server_default, "arg", column.server_default))
        lineage = (lineages or {}).get(column.name)
        if lineage is None and column.foreign_keys:
            lineage = _fk_lineage(column)
        if lineage is None and column.name in key:
            lineage = f"{schema}.{table_name}.{column.name}"
        attributes.append(Attribute(
            column.name, attr_type, in_key=column.name in key, nullable=bool(column.nullable),
            default="null" if column.nullable else default, comment=comment, lineage=lineage,
        ))
    ordered = [a for a in attributes if a.in_key] + [a for a in attributes if not a.in_key]
    return Heading(ordered, table_comment=table.comment or "")
