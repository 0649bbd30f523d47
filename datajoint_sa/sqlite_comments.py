"""Column and table comments on SQLite, which has no COMMENT clause.

DataJoint keeps each attribute's type and comment in the column comment
(``:float32:seeing in arcseconds``).  SQLite keeps the text of every CREATE TABLE
in ``sqlite_master``, SQL comments included, so the comments are written there as
``/* dj:<column>: <comment> */`` after each column (the table's own comment as
``/* dj-table: <comment> */`` before its first column) and read back from there
when tables are reflected.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn

__all__ = ["restore_comments", "reflect_tables"]

_COLUMN = re.compile(r"/\* dj:(\w+): (.*?) \*/", re.S)
_TABLE = re.compile(r"/\* dj-table: (.*?) \*/", re.S)


def _quote(text: str) -> str:
    """Comment text that cannot close the SQL comment early (``*/`` -> ``*\\/``; backslashes doubled)."""
    return text.replace("\\", "\\\\").replace("*/", "*\\/")


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: m[1], text)


@compiles(CreateColumn, "sqlite")
def _column_with_comment(element: CreateColumn, compiler: Any, **kw: Any) -> str:
    text = compiler.visit_create_column(element, **kw)
    column = element.element
    if text is None:
        return text
    if column.comment:
        text += f" /* dj:{column.name}: {_quote(column.comment)} */"
    table = column.table if isinstance(getattr(column, "table", None), sa.Table) else None
    if table is not None and table.comment and next(iter(table.columns), None) is column:
        text = f"/* dj-table: {_quote(table.comment)} */ " + text
    return text


def restore_comments(conn: sa.Connection, table: sa.Table) -> None:
    """Fill the comments of a table reflected from SQLite from its CREATE TABLE text."""
    sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                       {"name": table.name}).scalar()
    if not sql:
        return
    for name, comment in _COLUMN.findall(sql):
        if name in table.c:
            table.c[name].comment = _unquote(comment)
    found = _TABLE.search(sql)
    if found:
        table.comment = _unquote(found[1])


def reflect_tables(conn: sa.Connection, names: list[tuple[str | None, str]]) -> list[sa.Table]:
    """Reflect tables ``(sql schema, name)`` into one MetaData, with their comments also on SQLite.

    Tables their foreign keys reference are reflected too (and get their comments).
    """
    metadata = sa.MetaData()
    by_schema: dict[str | None, list[str]] = {}
    for schema, name in names:
        by_schema.setdefault(schema, []).append(name)
    for schema, members in by_schema.items():
        if len(members) > 1:  # one bulk reflection per schema (much faster on PostgreSQL)
            metadata.reflect(conn, schema=schema, only=members, resolve_fks=True)
    tables = []
    for schema, name in names:
        table = metadata.tables.get(f"{schema}.{name}" if schema else name)
        tables.append(table if table is not None else sa.Table(name, metadata, schema=schema, autoload_with=conn))
    if conn.dialect.name == "sqlite":
        for table in metadata.tables.values():
            restore_comments(conn, table)
    return tables
