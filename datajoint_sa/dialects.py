"""What differs between the backends, kept as data in one place.

SQLAlchemy's dialects do the SQL; this module only records the DataJoint-level
layout choices that differ per backend: where a DataJoint schema lives, how
indexes are named, what column comments foreign-key columns carry.

SQLite has no schemas, and foreign keys cannot cross ATTACHed files.  So every
DataJoint schema of one SQLite database lives in that single file, its tables
named ``"<schema>.<table>"`` (a quoted identifier).  Cross-schema foreign keys
are then ordinary, enforced foreign keys.  Schema existence is recorded by the
schema's ``"<schema>.~lineage"`` table, created with the schema.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from . import sqlite_comments  # noqa: F401  (registers how SQLite DDL carries column comments)

__all__ = ["DialectRules", "autocommits_cheaply", "rules_for", "server_now", "session_id", "single_writer",
           "skips_locked_rows", "claims_in_one_statement"]

SQLITE_SEPARATOR = "."


@dataclass(frozen=True)
class DialectRules:
    name: str
    has_schemas: bool
    has_comments: bool
    max_identifier: int
    indexes_foreign_keys: bool  # True where the server indexes FK columns itself (InnoDB)
    fk_columns_inherit_comment: bool  # DataJoint 2.x copies the parent's comment text on MySQL
    current_user_sql: str = "SELECT ''"  # the account a connection logs in as (SQLite has none)
    sqlglot_name: str = "mysql"  # the dialect user SQL fragments are translated to (compile/translate.py)
    # ALTER TABLE ... REPLICA IDENTITY (what logical replication logs of changed rows): PostgreSQL only,
    # https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-REPLICA-IDENTITY
    has_replica_identity: bool = False

    def sql_table(self, schema: str, table: str) -> tuple[str | None, str]:
        """(SQL schema, SQL table name) holding DataJoint table ``schema.table``."""
        if self.has_schemas:
            return schema, table
        return None, f"{schema}{SQLITE_SEPARATOR}{table}"

    def index_name(self, schema: str, table: str, columns: tuple[str, ...], taken: set[str]) -> str:
        """A name for an index on ``columns``, unique among ``taken`` (names in the same namespace)."""
        if self.name == "mysql":  # the name MySQL would choose itself: the first column, then _2, _3 ...
            base = columns[0]
        elif self.has_schemas:
            base = f"idx_{table}_{'_'.join(columns)}"
        else:  # SQLite index names are global to the file
            base = f"{schema}{SQLITE_SEPARATOR}idx_{table}_{'_'.join(columns)}"
        name = self._fit(base)
        suffix = 2
        while name in taken:
            name = self._fit(f"{base}_{suffix}")
            suffix += 1
        taken.add(name)
        return name

    def _fit(self, name: str) -> str:
        if len(name) <= self.max_identifier:
            return name
        digest = hashlib.md5(name.encode()).hexdigest()[:8]
        return f"{name[: self.max_identifier - 9]}_{digest}"


_RULES = {
    "sqlite": DialectRules("sqlite", has_schemas=False, has_comments=False, max_identifier=1024,
                           indexes_foreign_keys=False, fk_columns_inherit_comment=False, sqlglot_name="sqlite"),
    "postgresql": DialectRules("postgresql", has_schemas=True, has_comments=True, max_identifier=63,
                               indexes_foreign_keys=False, fk_columns_inherit_comment=False,
                               current_user_sql="SELECT current_user", sqlglot_name="postgres",
                               has_replica_identity=True),
    "mysql": DialectRules("mysql", has_schemas=True, has_comments=True, max_identifier=64,
                          indexes_foreign_keys=True, fk_columns_inherit_comment=True,
                          current_user_sql="SELECT user()"),
}


def rules_for(dialect_name: str) -> DialectRules:
    """The rules for a SQLAlchemy dialect name (``mariadb`` counts as ``mysql``)."""
    return _RULES["mysql" if dialect_name == "mariadb" else dialect_name]


# -- server-side values used by the jobs table -------------------------------------------------
def server_now(dialect_name: str) -> sa.ColumnElement[Any]:
    """The server's current time at millisecond precision, as DataJoint's datetime(3) columns hold it.

    SQLite has no fractional CURRENT_TIMESTAMP; strftime('%f') gives seconds with
    milliseconds, in UTC, as the declared defaults of such columns do.
    """
    if rules_for(dialect_name).name == "sqlite":
        return sa.func.strftime("%Y-%m-%d %H:%M:%f", "now")
    # LOCALTIMESTAMP(p): a timestamp without time zone, like the datetime(3) columns (PostgreSQL
    # "Current Date/Time"; MySQL accepts the same spelling as a synonym of NOW(p)).
    return sa.func.localtimestamp(sa.literal_column("3"))


def session_id(dialect_name: str) -> sa.ColumnElement[Any]:
    """The server's id of the current session (0 on SQLite, which has none)."""
    name = rules_for(dialect_name).name
    if name == "postgresql":
        return sa.func.pg_backend_pid()
    if name == "mysql":
        return sa.func.connection_id()
    return sa.literal(0)


def autocommits_cheaply(dialect_name: str) -> bool:
    """True where one statement runs faster in autocommit mode than as BEGIN, statement, COMMIT.

    psycopg switches autocommit on the client, so the statement is one round trip
    instead of three; PyMySQL sends SET autocommit (no gain) and SQLite needs the
    explicit BEGIN IMMEDIATE that the engine issues.
    """
    return rules_for(dialect_name).name == "postgresql"


def reserves_on_autocommit_connection(dialect_name: str) -> bool:
    """True where job reservations are cheapest on a connection held in autocommit mode (MySQL).

    PyMySQL switches autocommit with a statement of its own, so a reservation would be
    BEGIN-less UPDATE plus COMMIT; on a connection left in autocommit mode it is one
    round trip.  (PostgreSQL gets that from psycopg's client-side autocommit.)
    """
    return rules_for(dialect_name).name == "mysql"


def single_writer(dialect_name: str) -> bool:
    """True where write transactions run one at a time (SQLite's database lock).

    There a job can be reserved inside the transaction of its make at no cost in
    concurrency, saving one commit per key; a worker that dies mid-make then leaves
    its job pending rather than reserved.
    """
    return rules_for(dialect_name).name == "sqlite"


def skips_locked_rows(dialect: Any) -> bool:
    """True where ``SELECT ... FOR UPDATE SKIP LOCKED`` exists (PostgreSQL 9.5+, MySQL 8.0.1+, MariaDB 10.6+).

    ``dialect`` is a connected SQLAlchemy dialect (its server version is known).
    """
    name = rules_for(dialect.name).name
    version = tuple(dialect.server_version_info or ())
    if name == "postgresql":
        return version >= (9, 5)
    if name == "mysql":
        return version >= ((10, 6) if getattr(dialect, "is_mariadb", False) else (8, 0, 1))
    return False


def claims_in_one_statement(dialect_name: str) -> bool:
    """True where an UPDATE may lock rows of its own table in a subquery with SKIP LOCKED (PostgreSQL).

    MySQL refuses a subquery on the table being updated (error 1093), so the lock
    is taken by a SELECT before the UPDATE there.
    """
    return rules_for(dialect_name).name == "postgresql"
