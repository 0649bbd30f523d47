"""Headings of existing tables, read back from a reflected SQLAlchemy Table.

DataJoint 2.x records core types in column comments (``:int32:comment``); columns
without such a tag keep their SQL type as a native type.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from .heading import Attribute, Heading
from .types import AttributeType, parse_type

__all__ = ["adopt_core_types", "heading_from_table", "native_type_text", "split_comment"]

_TAGGED = re.compile(r"^:(?P<type>[^:]+(?:'[^']*'[^:]*)*):(?P<comment>.*)$", re.S)


def split_comment(comment: str | None) -> tuple[str | None, str]:
    """``":int32:unique id"`` -> ("int32", "unique id"); an untagged comment has no type."""
    match = _TAGGED.match(comment or "")
    if match:
        return match["type"], match["comment"]
    return None, comment or ""


_DISPLAY_WIDTH = re.compile(r"^(tinyint|smallint|mediumint|int|bigint)\s*\(\d+\)")
_SPELLING = {"integer": "int", "double precision": "double", "character varying": "varchar"}


def _type_dialect(type_: sa.types.TypeEngine) -> sa.Dialect | None:
    """The dialect a reflected type belongs to (MySQL's INTEGER(unsigned=True) compiles only there)."""
    module = type(type_).__module__
    for name in ("mysql", "postgresql", "sqlite"):
        if module.startswith(f"sqlalchemy.dialects.{name}"):
            return sa.dialects.registry.load(name)()
    return None


def native_type_text(type_: sa.types.TypeEngine) -> str:
    """A reflected SQL type as a definition writes it: ``int unsigned``, ``enum('a','b')``, ``double``.

    Integer display widths (MariaDB's ``int(10)``) are dropped; enums keep their values
    (a PostgreSQL enum is otherwise known only by its type name).
    """
    if isinstance(type_, sa.Enum) and type_.enums:
        return "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in type_.enums) + ")"
    try:
        text = type_.compile(dialect=_type_dialect(type_)).lower()
    except sa.exc.CompileError:
        text = type(type_).__name__.lower()
    text = _SPELLING.get(text, text)
    text = _DISPLAY_WIDTH.sub(r"\1", re.sub(r"^integer\b", "int", text))
    return re.sub(r"\s+", " ", text).strip()


def _native(column: sa.Column) -> AttributeType:
    return AttributeType(native_type_text(column.type), "native")


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


_QUOTED_NUMBER = re.compile(r"^'[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?'$")
_CAST = re.compile(r"::[\w .\"\[\]]+$")  # PostgreSQL reports defaults with casts: 'a'::character varying


def _default(column: sa.Column) -> str | None:
    """The column default as a definition writes it (``'a'``, ``5``, ``CURRENT_TIMESTAMP``)."""
    if column.server_default is None:
        return None
    text = str(getattr(column.server_default, "arg", column.server_default)).strip()
    while _CAST.search(text):
        text = _CAST.sub("", text).strip()
    if text.lower() == "current_timestamp()":  # MariaDB's spelling
        return "CURRENT_TIMESTAMP"
    if _QUOTED_NUMBER.match(text) and isinstance(column.type, (sa.Numeric, sa.Integer)):
        return text[1:-1]  # PostgreSQL quotes some numeric defaults: '1000'::double precision
    return text


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
        default = _default(column)
        lineage = (lineages or {}).get(column.name)
        if lineage is None and column.foreign_keys:
            lineage = _fk_lineage(column)
        if lineage is None and column.name in key:
            lineage = f"{schema}.{table_name}.{column.name}"
        attributes.append(Attribute(
            column.name, attr_type, in_key=column.name in key, nullable=bool(column.nullable),
            default="null" if column.nullable else default, comment=comment, lineage=lineage,
            original_type=None if column.foreign_keys else (tag or attr_type.text),
        ))
    ordered = [a for a in attributes if a.in_key] + [a for a in attributes if not a.in_key]
    return Heading(ordered, table_comment=table.comment or "")


# Core types whose values a reflected SQL type would not convert (MariaDB's JSON is LONGTEXT,
# bool is TINYINT, uuid is BINARY(16)): their columns take the type declaration gives them.
_CONVERTED_KINDS = frozenset({"json", "bool", "uuid"})


def adopt_core_types(table: sa.Table, heading: Heading, dialect: str) -> None:
    """Give reflected columns the SQLAlchemy types whose values a declaration would give.

    Converted core types take their declared type; floating-point columns read as
    float (MySQL's reflected DOUBLE would otherwise return Decimal).
    """
    from .types import column_type, portable_spelling

    for attr in heading.attributes.values():
        column = table.c[attr.name]
        if attr.type.kind in _CONVERTED_KINDS or portable_spelling(attr.type, dialect) is not None:
            # a MySQL spelling stored as a portable type reads as that type does (bigint unsigned: int)
            column.type = column_type(attr.type, dialect, table.schema)
        elif isinstance(column.type, sa.Float) and column.type.asdecimal:
            column.type.asdecimal = False
