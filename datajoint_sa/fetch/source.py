"""Running a fetch: one SELECT, its rows streamed from the driver in batches.

Every output format reads rows through :func:`open_rows`.  It runs the query once, on the
connection of the current transaction if there is one, and hands out batches of raw
driver tuples together with the per-column conversions that turn them into the values
users get (see :mod:`.convert`).  Row formats apply the conversions row-wise, column
formats column-wise; neither pays for SQLAlchemy's per-row result processing.

Every backend is read through the DB-API cursor directly, with the statement compiled by
SQLAlchemy (bound parameters only, processed as SQLAlchemy would send them).  When the
caller streams, a server-side cursor keeps memory to one batch.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import operator
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from .convert import ColumnConverter, column_converters

__all__ = ["BATCH_SIZE", "RowStream", "driver_statement", "open_rows", "resolve_names"]

BATCH_SIZE = 10_000
_cursor_names = itertools.count()


def resolve_names(query: Any, names: Sequence[str] | None) -> list[str]:
    """The attribute names to fetch; ``KEY`` expands to the primary key; unknown names raise."""
    if names is None:
        return list(query.heading.names)
    resolved: list[str] = []
    for name in names:
        expanded = list(query.primary_key) if name == "KEY" else [name]
        for one in expanded:
            query.heading[one]  # unknown names raise, naming what is available
            if one not in resolved:
                resolved.append(one)
    return resolved


def family(dialect: sa.Dialect) -> str:
    """``sqlite``, ``postgresql`` or ``mysql`` (MariaDB counts as MySQL)."""
    return "mysql" if dialect.name in ("mysql", "mariadb") else dialect.name


def driver_statement(select: sa.Select, dialect: sa.Dialect) -> tuple[str, Any]:
    """The SQL text and DB-API parameters of ``select``, as SQLAlchemy would send them."""
    compiled = select.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    processors = compiled._bind_processors

    def bound(key: str) -> Any:
        value = values[key]
        process = processors.get(key)
        return value if process is None else process(value)

    if compiled.positional:
        return compiled.string, tuple(bound(k) for k in compiled.positiontup or ())
    escaped = compiled.escaped_bind_names
    return compiled.string, {escaped.get(k, k): bound(k) for k in values}


@dataclass
class RowStream:
    """The open result of one fetch: attribute names, batches of tuples, column conversions."""

    names: list[str]
    batches: Iterator[list[tuple[Any, ...]]]
    converters: list[tuple[int, ColumnConverter]] = field(default_factory=list)

    def rows(self, batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """A batch as tuples of final values."""
        return list(zip(*self.columns(batch))) if self.converters else batch

    def dicts(self, batch: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        """A batch as dicts of final values (converted columns patched in after the dicts are made).

        Written with ``map`` so that no Python bytecode runs per row.
        """
        names = self.names
        out = list(map(dict, map(zip, itertools.repeat(names), batch)))
        for position, convert in self.converters:
            values = convert(list(map(operator.itemgetter(position), batch)))
            collections.deque(map(operator.setitem, out, itertools.repeat(names[position]), values), maxlen=0)
        return out

    def columns(self, batch: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
        """A batch as one sequence of final values per attribute."""
        if not batch:
            return [[] for _ in self.names]
        columns: list[Sequence[Any]] = list(zip(*batch))
        for position, convert in self.converters:
            columns[position] = convert(columns[position])
        return columns


def _raw_batches(cursor: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            return
        yield rows


@contextlib.contextmanager
def _wrapped_driver_errors(connection: Any, sql: str, params: Any, dialect: sa.Dialect) -> Iterator[None]:
    """Driver errors from a raw cursor, translated as SQLAlchemy-executed statements are."""
    from ..engine.errors import translate

    try:
        yield
    except dialect.loaded_dbapi.Error as err:
        wrapped = sa.exc.DBAPIError.instance(sql, params, err, dialect.loaded_dbapi.Error)
        raise translate(wrapped, connection.dialect_name) from err
    except sa.exc.DBAPIError as err:
        raise translate(err, connection.dialect_name) from err


def _open_cursor(raw: Any, dialect: sa.Dialect, stream: bool, shared: bool) -> Any:
    """A DB-API cursor; server-side where the caller streams and the backend has one.

    PostgreSQL: a named cursor (psycopg declares it on the server).  MySQL: an unbuffered
    ``SSCursor``, except inside a transaction: it would block the connection, which the
    transaction's other statements share, until read to the end.  SQLite reads lazily anyway.
    """
    kind = family(dialect)
    if kind == "postgresql" and stream:
        return raw.cursor(name=f"dj_fetch_{next(_cursor_names)}")
    if kind == "mysql" and stream and not shared:
        return raw.cursor(dialect.loaded_dbapi.cursors.SSCursor)
    return raw.cursor()


@contextlib.contextmanager
def open_rows(query: Any, names: Sequence[str], *, stream: bool = False, batch_size: int = BATCH_SIZE,
              squeeze: bool = False, select: sa.Select | None = None,
              **select_options: Any) -> Iterator[RowStream]:
    """Run the query for attributes ``names`` and stream its rows.

    ``stream``: the caller consumes batches as they come (bounded memory) rather than
    keeping them all.  ``select``: a statement to run instead of ``query.ordered_select``
    (columns matching ``names``).  ``select_options``: ``order_by``, ``limit``, ``offset``.
    """
    names = list(names)
    if select is None:
        select = query.ordered_select(names, **select_options)
    connection = query.connection
    shared = connection.in_transaction  # our own session below counts as a transaction too
    with connection.session(write=False) as conn:
        dialect = conn.dialect
        sql, params = driver_statement(select, dialect)
        cached = connection.query_cache_path(sql, params)  # None unless conn.set_query_cache(...) is on
        if cached is not None and cached.is_file():
            yield RowStream(names, iter([pickle.loads(cached.read_bytes())]))
            return
        cursor = _open_cursor(conn.connection.dbapi_connection, dialect, stream, shared)
        try:
            with _wrapped_driver_errors(connection, sql, params, dialect):
                cursor.execute(sql, params)
                description = cursor.description
            converters = column_converters(query, names, select, dialect, description, squeeze=squeeze)
            with _wrapped_driver_errors(connection, sql, params, dialect):
                rows = RowStream(names, _raw_batches(cursor, batch_size), converters)
                yield rows if cached is None else _cache_rows(rows, cached)
        finally:
            cursor.close()


def _cache_rows(rows: RowStream, path: Any) -> RowStream:
    """All of ``rows`` as final values, written to the query-cache file ``path`` first."""
    final = [row for batch in rows.batches for row in rows.rows(batch)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(final))
    return RowStream(rows.names, iter([final]))


def first_rows(query: Any, names: Sequence[str], limit: int, **options: Any) -> list[tuple[Any, ...]]:
    """Up to ``limit`` rows of final values (for fetch1 and previews)."""
    with open_rows(query, names, limit=limit, **options) as rows:
        out: list[tuple[Any, ...]] = []
        for batch in rows.batches:
            out.extend(rows.rows(batch))
        return out


def check_options(limit: Any, offset: Any) -> None:
    """Reject paging values that are not whole numbers, naming the bad one."""
    for label, value in (("limit", limit), ("offset", offset)):
        if value is None:
            continue
        try:
            number = operator.index(value)
        except TypeError:
            number = -1
        if isinstance(value, bool) or number < 0:
            raise DataJointError(f"{label} must be a non-negative integer, not {value!r}.")

