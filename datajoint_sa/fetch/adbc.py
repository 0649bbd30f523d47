"""Arrow-native reads through ADBC drivers, used where one is installed (an optional extra).

``pip install 'datajoint_sa[adbc]'`` installs the ADBC driver for PostgreSQL; it reads
query results straight into Arrow buffers in C.  Without it, nothing here runs and
:mod:`.arrow` uses its other paths.

SQLite is deliberately not read through ADBC: its driver carries a second copy of the
SQLite library, and two copies in one process do not see each other's POSIX locks, which
SQLite names as a way to corrupt a database (https://www.sqlite.org/howtocorrupt.html,
section 2.2.1).  Seen here as a process whose connections no longer saw tables another
process had just created in the same file.

An ADBC connection is a second connection to the database, so it cannot see what the
current transaction has written but not committed: inside a transaction this path is
never taken.  Its columns are cast to the declared Arrow types; a column that does not
cast exactly (SQLite's dynamic typing allows odd values) makes the caller fall back.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from .handles import EngineHandles
from .source import driver_statement, family

__all__ = ["ENABLED", "adbc_batches"]

ENABLED = True  # switch off to compare the other paths (benchmarks, tests)

_MODULES = {"postgresql": "adbc_driver_postgresql.dbapi"}  # not SQLite: see the module docstring
# Kinds each driver returns in a type that casts exactly to the declared Arrow type.
_KINDS = {
    "postgresql": frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool",
                             "char", "varchar", "date", "datetime"}),
}
_OPTIONS: dict[str, dict[str, str]] = {}  # per-backend statement options
_handles = EngineHandles(close=lambda adbc_connection: adbc_connection.close())


def _module(backend: str) -> Any:
    name = _MODULES.get(backend)
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _uri(url: sa.engine.URL, backend: str) -> str | None:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _opener(backend: str, module: Any) -> Any:
    def open_connection(engine: sa.Engine) -> Any:
        uri = _uri(engine.url, backend)
        return None if uri is None else module.connect(uri, autocommit=True)

    return open_connection


def _connection(engine: sa.Engine, backend: str, module: Any) -> Any:
    """This thread's ADBC connection for ``engine``, opened once and closed when the engine is disposed."""
    return _handles.get(engine, _opener(backend, module))


def _statement(select: sa.Select, dialect: sa.Dialect, backend: str) -> tuple[str, Any]:
    if backend == "postgresql":  # libpq numbers its parameters: $1, $2, ...
        dialect = type(dialect)(paramstyle="numeric_dollar")
    return driver_statement(select, dialect)


def adbc_batches(query: Any, names: Sequence[str], options: dict[str, Any]) -> list[Any] | None:
    """The rows as record batches of the declared types, or None where ADBC does not apply."""
    import pyarrow as pa

    from .arrow import arrow_type

    connection = query.connection
    engine = connection.engine
    backend = family(engine.dialect)
    heading = query.heading
    if not ENABLED or connection.in_transaction or not names or not {heading[n].type.kind for n in names} <= _KINDS.get(backend, set()):
        return None
    module = _module(backend)
    adbc = None if module is None else _connection(engine, backend, module)
    if adbc is None:
        return None
    sql, params = _statement(query.ordered_select(list(names), **options), engine.dialect, backend)
    schema = pa.schema([pa.field(n, arrow_type(heading[n].type)) for n in names])
    try:
        with adbc.cursor() as cursor:
            for option, value in _OPTIONS.get(backend, {}).items():
                cursor.adbc_statement.set_options(**{option: value})
            cursor.execute(sql, params or None)
            return [_cast(batch, schema) for batch in cursor.fetch_record_batch()]
    except (pa.ArrowException, module.Error):
        return None


def _cast(batch: Any, schema: Any) -> Any:
    import pyarrow as pa

    columns = [column if column.type == field.type else column.cast(field.type)
               for column, field in zip(batch.columns, schema)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)
