"""One backend's DDL facade: SQLAlchemy's dialect for the SQL, DialectRules for DataJoint's layout.

An adapter names a backend and renders what DataJoint declares for it without a
database: quoted identifiers and string literals, a table's full name, a column's
or a whole table's DDL.  ``Connection.adapter`` is the adapter of a live
connection (its dialect knows the server version).
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable

from ..dialects import DialectRules, rules_for
from ..errors import DataJointError

__all__ = ["Adapter"]


class Adapter:
    """The SQL that DataJoint's declarations become on one backend (``backend`` names it)."""

    backend: ClassVar[str] = ""
    #: The SQLAlchemy dialect name loaded when no dialect is given.
    dialect_name: ClassVar[str] = ""

    def __init__(self, dialect: sa.engine.Dialect | None = None) -> None:
        """Render for ``dialect`` (a connected one knows the server version), else the backend's default dialect."""
        if dialect is None:
            dialect = sa.dialects.registry.load(self.dialect_name)()
        elif rules_for(dialect.name).name != self.backend:
            raise DataJointError(f"{type(self).__name__} renders {self.backend} SQL, not {dialect.name} SQL.")
        self.dialect: sa.engine.Dialect = dialect

    @property
    def rules(self) -> DialectRules:
        """DataJoint's layout choices on this backend (schemas, index names, comments)."""
        return rules_for(self.backend)

    def quote_identifier(self, name: str) -> str:
        """``name`` as a quoted identifier (backticks on MySQL, double quotes elsewhere)."""
        return self.dialect.identifier_preparer.quote_identifier(name)

    def quote_string(self, value: str) -> str:
        """``value`` as an SQL string literal, with the escaping this backend needs."""
        return str(sa.literal(value, sa.String()).compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))

    def full_table_name(self, schema: str, table: str) -> str:
        """The quoted name of DataJoint table ``schema.table`` (on SQLite one identifier, ``"schema.table"``)."""
        sql_schema, sql_name = self.rules.sql_table(schema, table)
        quoted = self.quote_identifier(sql_name)
        return quoted if sql_schema is None else f"{self.quote_identifier(sql_schema)}.{quoted}"

    def column_sql(self, column: sa.Column[Any]) -> str:
        """The column's clause of ``CREATE TABLE`` (name, type, nullability, default, inline comment)."""
        return str(CreateColumn(column).compile(dialect=self.dialect)).strip()

    def constraint_sql(self, table: sa.Table, constraint: sa.Constraint) -> str:
        """A constraint of ``table`` (foreign key, primary key) as its clause of ``CREATE TABLE``."""
        compiler = self.dialect.ddl_compiler(self.dialect, CreateTable(table))
        return compiler.process(constraint).strip()

    def create_table_sql(self, table: sa.Table) -> list[str]:
        """The statements that create ``table``: ``CREATE TABLE`` and one ``CREATE INDEX`` per index."""
        statements = [str(CreateTable(table).compile(dialect=self.dialect)).strip()]
        statements += [self.index_sql(index) for index in sorted(table.indexes, key=lambda i: i.name or "")]
        return statements

    def index_sql(self, index: sa.Index) -> str:
        """The ``CREATE [UNIQUE] INDEX`` statement of ``index``."""
        return str(CreateIndex(index).compile(dialect=self.dialect)).strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dialect={self.dialect.name!r})"
