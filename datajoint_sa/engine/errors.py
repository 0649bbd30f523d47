"""Driver errors -> the DataJoint error tree.

Each backend reports the same failure differently; the tables below map the
driver's own code (PostgreSQL SQLSTATE, MySQL error number, SQLite extended
error name) to one DataJoint error class.  The original exception stays as
``__cause__`` and the statement as the error's second argument.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from .. import errors

__all__ = ["translate"]

_POSTGRES = {  # SQLSTATE -> class (https://www.postgresql.org/docs/current/errcodes-appendix.html)
    "23505": errors.DuplicateError,
    "23503": errors.IntegrityError,
    "23502": errors.MissingAttributeError,
    "42601": errors.QuerySyntaxError,
    "42P01": errors.MissingTableError,
    "42501": errors.AccessError,
    "42703": errors.UnknownAttributeError,
    "40P01": errors.TransactionConflictError,  # deadlock_detected
    "40001": errors.TransactionConflictError,  # serialization_failure
}
_MYSQL = {  # server error numbers (https://mariadb.com/kb/en/mariadb-error-codes/)
    1062: errors.DuplicateError,
    1451: errors.IntegrityError,
    1452: errors.IntegrityError,
    1216: errors.IntegrityError,
    1217: errors.IntegrityError,
    1048: errors.MissingAttributeError,
    1364: errors.MissingAttributeError,
    1064: errors.QuerySyntaxError,
    1146: errors.MissingTableError,
    1044: errors.AccessError,
    1045: errors.AccessError,
    1142: errors.AccessError,
    1054: errors.UnknownAttributeError,
    1213: errors.TransactionConflictError,  # ER_LOCK_DEADLOCK
    1205: errors.TransactionConflictError,  # ER_LOCK_WAIT_TIMEOUT
    2006: errors.LostConnectionError,
    2013: errors.LostConnectionError,
}
_SQLITE = {  # sqlite3 extended result code names (https://www.sqlite.org/rescode.html)
    "SQLITE_CONSTRAINT_PRIMARYKEY": errors.DuplicateError,
    "SQLITE_CONSTRAINT_UNIQUE": errors.DuplicateError,
    "SQLITE_CONSTRAINT_FOREIGNKEY": errors.IntegrityError,
    "SQLITE_CONSTRAINT_NOTNULL": errors.MissingAttributeError,
}

_SQLITE_MESSAGES = {
    "FOREIGN KEY constraint failed": errors.IntegrityError,
    "UNIQUE constraint failed": errors.DuplicateError,
    "NOT NULL constraint failed": errors.MissingAttributeError,
}


def _sqlite_class(orig: BaseException) -> type[errors.DataJointError] | None:
    name = getattr(orig, "sqlite_errorname", "")
    if name in _SQLITE:
        return _SQLITE[name]
    message = str(orig)
    for prefix, cls in _SQLITE_MESSAGES.items():  # when the extended code is not reported
        if message.startswith(prefix):
            return cls
    if message.startswith("no such table"):
        return errors.MissingTableError
    if message.startswith("no such column"):
        return errors.UnknownAttributeError
    if "syntax error" in message:
        return errors.QuerySyntaxError
    return None


# libpq reports a refused login without its SQLSTATE (28000/28P01), so psycopg's error has none;
# the server's message says what happened (https://www.postgresql.org/docs/current/auth-pg-hba-conf.html).
_POSTGRES_LOGIN_REFUSED = re.compile(r'password authentication failed|role "[^"]*" does not exist|no pg_hba\.conf entry')


def _code_class(dialect: str, orig: BaseException) -> type[errors.DataJointError] | None:
    if dialect == "postgresql":
        sqlstate = getattr(orig, "sqlstate", None)
        if sqlstate is None and _POSTGRES_LOGIN_REFUSED.search(str(orig)):
            return errors.AccessError
        return _POSTGRES.get(sqlstate or "")
    if dialect in ("mysql", "mariadb"):
        code = orig.args[0] if orig.args and isinstance(orig.args[0], int) else None
        return _MYSQL.get(code) if code is not None else None
    return _sqlite_class(orig)


def _message(orig: BaseException, dialect: str) -> str:
    """The driver's message; pymysql's args are (code, text), whose tuple form would show as "(1062, '...')"."""
    args = orig.args
    if dialect in ("mysql", "mariadb") and len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return f"{args[1]} (MySQL error {args[0]})"
    return str(orig).strip()


def translate(err: sa.exc.DBAPIError, dialect: str) -> errors.DataJointError:
    """The DataJoint error for a driver error raised through SQLAlchemy."""
    orig = err.orig if err.orig is not None else err
    if err.connection_invalidated:
        cls: type[errors.DataJointError] = errors.LostConnectionError
    else:
        cls = _code_class(dialect, orig) or errors.QueryError
    message = _message(orig, dialect)
    if cls is errors.DuplicateError:
        return cls(message, "To ignore duplicate entries in insert, set skip_duplicates=True")
    return cls(message, str(err.statement or ""))
