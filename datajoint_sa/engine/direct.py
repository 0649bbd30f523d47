"""Statements compiled once and run on the DB-API cursor of the current transaction.

populate() runs a few short statements per key (is the key made? claim the next
job, take the finished one off the queue).  Through SQLAlchemy's execution each
costs more client time than its round trip; compiled once to positional SQL and
sent on the driver's cursor they cost a fraction.  Values still pass through the
column types' bind processors, so they bind exactly as SQLAlchemy would bind them.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from .errors import translate

__all__ = ["DirectStatement", "on_cursor", "positional_dialect"]

logger = logging.getLogger("datajoint_sa")


class DirectStatement:
    """One SQLAlchemy statement, compiled once; ``run(params)`` returns (row count, first row or None).

    Parameters are the statement's ``bindparam`` names without a value; bound
    literals inside the statement are fixed at compile time.
    """

    def __init__(self, statement: sa.ClauseElement, connection: Any) -> None:
        self.connection = connection
        self.dialect = connection.engine.dialect
        compiled = statement.compile(dialect=positional_dialect(self.dialect))
        if "POSTCOMPILE" in compiled.string:
            raise DataJointError("Internal error: a statement run directly cannot expand parameters at execution.")
        self.sql = compiled.string
        self.slots: list[tuple[str | None, Any, Any]] = []  # (parameter name or None, processor, fixed value)
        for position in compiled.positiontup or ():
            bind = compiled.binds[position]
            process = bind.type.dialect_impl(self.dialect).bind_processor(self.dialect)
            if bind.required:
                self.slots.append((bind.key, process, None))
            else:
                value = bind.effective_value
                self.slots.append((None, None, value if process is None else process(value)))

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        """The statement's placeholder values, in order, as the driver takes them."""
        return tuple(fixed if name is None else params[name] if process is None else process(params[name])
                     for name, process, fixed in self.slots)

    def run(self, params: Mapping[str, Any], *, fetch: bool = False, alone: bool = False) -> tuple[int, Any]:
        """Execute in the current transaction (or one of its own); the row count and, with ``fetch``, the first row.

        ``alone``: outside a transaction, run on the connection held in autocommit mode
        (:meth:`Connection.autocommitting`) where there is one.
        """
        values = self.values(params)

        def work(cursor: Any) -> tuple[int, Any]:
            cursor.execute(self.sql, values)
            return cursor.rowcount, cursor.fetchone() if fetch else None

        autocommit = self.connection.autocommit_connection if alone and not self.connection.in_transaction else None
        try:
            if autocommit is not None:
                return on_cursor(autocommit, self.dialect, self.sql, work)
            with self.connection.session(write=not fetch) as conn:
                return on_cursor(conn, self.dialect, self.sql, work)
        except sa.exc.DBAPIError as err:
            raise translate(err, self.connection.dialect_name) from err


def positional_dialect(dialect: sa.Dialect) -> sa.Dialect:
    """A copy of ``dialect`` that compiles ``%s``/``?`` placeholders, so rows bind as plain tuples.

    The drivers accept both styles (psycopg and pymysql document ``format`` beside
    ``pyformat``); tuples spare building a dict per row.
    """
    if dialect.positional:
        return dialect
    positional = copy.copy(dialect)
    positional.paramstyle = "format"
    positional.positional = True
    return positional


def on_cursor(conn: sa.Connection, dialect: sa.Dialect, statement: str, work: Any) -> Any:
    """``work(cursor)`` on the DB-API cursor of ``conn``, driver errors wrapped as SQLAlchemy wraps them.

    The cursor is used directly, not through ``exec_driver_sql``: the drivers take any
    iterable of rows (:class:`RowView`) where SQLAlchemy requires a list, and a short
    statement run once per key (populate) costs several times less this way.
    """
    dbapi = dialect.loaded_dbapi
    dbapi_connection = conn.connection
    logger.debug("%s", statement)  # SQLAlchemy's echo does not see statements sent this way
    cursor = dbapi_connection.cursor()
    try:
        return work(cursor)
    except dbapi.Error as err:
        invalidated = dialect.is_disconnect(err, dbapi_connection, cursor)
        raise sa.exc.DBAPIError.instance(statement, None, err, dbapi.Error, connection_invalidated=invalidated,
                                         dialect=dialect) from err
    finally:
        try:
            cursor.close()
        except dbapi.Error:  # a broken connection: the error above says why
            pass
