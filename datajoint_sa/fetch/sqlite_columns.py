"""SQLite to Arrow through the compiled column reader, where it was built.

Python's sqlite3 module makes a Python object per value and a tuple per row; for a large
fetch that is most of the time.  The extension :mod:`._sqlite_columns` steps through the
same SELECT in C and fills Arrow-layout buffers (values, offsets, validity) that pyarrow
wraps as they are.  It reads on a connection of its own, opened with the very SQLite
library Python's sqlite3 module uses (checked before first use: two copies of SQLite in
one process lose each other's POSIX locks, https://www.sqlite.org/howtocorrupt.html
section 2.2.1).  Being a second connection, it cannot see what the current transaction
has written: inside a transaction this path is never taken.

A value whose storage class differs from its column's (SQLite's dynamic typing allows
it), a statement this connection cannot prepare or a parameter it cannot bind raises
:class:`Unreadable`, and the caller reads the rows through the driver instead.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from ..engine.connection import SQLITE_BUSY_TIMEOUT_MS
from .handles import EngineHandles
from .source import driver_statement, family

__all__ = ["ENABLED", "Unreadable", "available", "column_batches"]

ENABLED = True  # switch off to compare the other paths (benchmarks, tests)

#: Rows per batch: the C buffers of one batch are the only memory beyond the table itself.
BATCH_ROWS = 65_536

# Storage class the reader expects per attribute kind: integers, floats, text, blobs.
# Dates and datetimes are ISO text in SQLite, parsed by Arrow's cast.
_CLASSES = {"int8": "i", "int16": "i", "int32": "i", "int64": "i", "bool": "i",
            "float32": "f", "float64": "f",
            "char": "t", "varchar": "t", "enum": "t", "date": "t", "datetime": "t",
            "bytes": "b"}
KINDS = frozenset(_CLASSES)


class Unreadable(Exception):
    """The compiled reader cannot read these rows; read them another way."""


@functools.cache
def _extension() -> Any:
    """The compiled reader module, if it was built and links Python's own SQLite library; else None."""
    try:
        import _sqlite3
        import ctypes

        from . import _sqlite_columns
    except ImportError:
        return None
    try:
        python_sqlite = ctypes.CDLL(_sqlite3.__file__).sqlite3_libversion
    except (AttributeError, OSError):  # sqlite3 built in, or its SQLite symbols hidden: cannot tell
        return None
    same = ctypes.cast(python_sqlite, ctypes.c_void_p).value == _sqlite_columns.library_address()
    return _sqlite_columns if same else None


def available() -> bool:
    """Whether the compiled reader is built and safe to use in this process."""
    return _extension() is not None


def _open_database(engine: sa.Engine) -> Any:
    url = engine.url
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:") or url.query:
        return None  # a private in-memory database, or URI options this reader would not honour
    return _extension().Database(path, busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS)  # waits as the driver's connections do


_handles = EngineHandles(close=lambda database: database.close())


def _arrays(columns: list[tuple[int, bytes, bytes | None, bytes | None, int]], classes: str, targets: Sequence[Any]) -> list[Any]:
    import pyarrow as pa

    wide = {"i": pa.int64(), "f": pa.float64(), "t": pa.large_string(), "b": pa.large_binary()}
    arrays = []
    for (rows, values, offsets, validity, nulls), cls, target in zip(columns, classes, targets):
        validity_buffer = None if validity is None else pa.py_buffer(validity)
        buffers = [validity_buffer, pa.py_buffer(values)] if offsets is None else \
            [validity_buffer, pa.py_buffer(offsets), pa.py_buffer(values)]
        array = pa.Array.from_buffers(wide[cls], rows, buffers, null_count=nulls)
        arrays.append(array if array.type == target else array.cast(target))
    return arrays


def column_batches(query: Any, names: Sequence[str], options: dict[str, Any]) -> Iterator[Any] | None:
    """The rows as record batches of the declared types, or None where this reader does not apply.

    Iterating raises :class:`Unreadable` where the reader cannot read the rows after all.
    """
    from .arrow import arrow_type

    connection = query.connection
    engine = connection.engine
    heading = query.heading
    kinds = [heading[n].type.kind for n in names]
    if (not ENABLED or family(engine.dialect) != "sqlite" or connection.in_transaction or not names
            or not set(kinds) <= KINDS or _extension() is None):
        return None
    database = _handles.get(engine, _open_database)
    if database is None:
        return None
    sql, params = driver_statement(query.ordered_select(list(names), **options), engine.dialect)
    classes = "".join(_CLASSES[k] for k in kinds)
    targets = [arrow_type(heading[n].type) for n in names]
    return _read(database, sql, tuple(params), classes, list(names), targets)


def _read(database: Any, sql: str, params: tuple[Any, ...], classes: str, names: list[str],
          targets: list[Any]) -> Iterator[Any]:
    import pyarrow as pa

    errors = (_extension().MismatchError, RuntimeError, pa.ArrowInvalid, pa.ArrowNotImplementedError)
    try:
        reader = database.reader(sql, params, classes)
    except errors as err:
        raise Unreadable(str(err)) from err
    try:
        while (columns := reader.read(BATCH_ROWS)) is not None:
            yield pa.RecordBatch.from_arrays(_arrays(columns, classes, targets), names=names)
    except errors as err:
        raise Unreadable(str(err)) from err
    finally:
        reader.close()
