"""Per-column conversion of raw driver values into the values users get.

A converter takes one column of a batch (a sequence of raw values) and returns the
final values: ``datetime.date`` for dates stored as ISO text in SQLite, ``bool`` for
0/1, ``uuid.UUID`` for 16 raw bytes, parsed JSON, decoded codec values.  Columns whose
raw values are already final (numbers and text on every backend, most types from
psycopg) get no converter at all, so the common case costs nothing.

The conversions are SQLAlchemy's own result processors for the column type (the same
code SQLAlchemy would run per row), except where a faster equivalent is listed in
:data:`FAST`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from ..codecs import decoder_for

__all__ = ["ColumnConverter", "FAST", "column_converters"]

ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]


def _from_text(parse: Callable[[str], Any]) -> ColumnConverter:
    """Parse ISO text with a C-level parser; values already parsed pass through."""

    def convert(column: Sequence[Any]) -> Sequence[Any]:
        sample = next((v for v in column if v is not None), None)
        if type(sample) is not str:
            return column
        if None in column:
            return [None if v is None else parse(v) for v in column]
        return list(map(parse, column))

    return convert


def _to_bool(column: Sequence[Any]) -> Sequence[Any]:
    return [None if v is None else bool(v) for v in column]


# (backend, attribute kind) -> converter used instead of SQLAlchemy's result processor.
FAST: dict[tuple[str, str], ColumnConverter] = {
    ("sqlite", "date"): _from_text(datetime.date.fromisoformat),
    ("sqlite", "datetime"): _from_text(datetime.datetime.fromisoformat),
    ("sqlite", "bool"): _to_bool,
    ("mysql", "bool"): _to_bool,
}


def _processing(process: Callable[[Any], Any]) -> ColumnConverter:
    def convert(column: Sequence[Any]) -> Sequence[Any]:
        return list(map(process, column))

    return convert


def _decoding(decode: Callable[[Any], Any], squeeze: bool) -> Callable[[Any], Any]:
    if not squeeze:
        return decode

    def decode_squeezed(value: Any) -> Any:
        value = decode(value)
        return value.squeeze() if hasattr(value, "squeeze") and hasattr(value, "ndim") else value

    return decode_squeezed


def _then(first: ColumnConverter | None, decode: Callable[[Any], Any]) -> ColumnConverter:
    def convert(column: Sequence[Any]) -> Sequence[Any]:
        values = column if first is None else first(column)
        return [None if v is None else decode(v) for v in values]

    return convert


def _sa_processor(column: sa.ColumnElement[Any], dialect: sa.Dialect, coltype: Any) -> ColumnConverter | None:
    process = column.type._cached_result_processor(dialect, coltype)
    return None if process is None else _processing(process)


def column_converters(query: Any, names: Sequence[str], select: sa.Select, dialect: sa.Dialect,
                      description: Sequence[Any] | None, *,
                      squeeze: bool = False) -> list[tuple[int, ColumnConverter]]:
    """(position, converter) for each column of ``select`` whose raw values need converting.

    ``description``: the DB-API cursor description, whose type codes some result
    processors depend on.
    """
    heading = query.heading
    backend = "mysql" if dialect.name in ("mysql", "mariadb") else dialect.name
    columns = list(select.selected_columns)
    converters: list[tuple[int, ColumnConverter]] = []
    for position, name in enumerate(names):
        attr_type = heading[name].type
        convert = FAST.get((backend, attr_type.kind))
        if convert is None:
            coltype = description[position][1] if description else None
            convert = _sa_processor(columns[position], dialect, coltype)
        decode = decoder_for(attr_type)
        if decode is not None:
            convert = _then(convert, _decoding(decode, squeeze))
        if convert is not None:
            converters.append((position, convert))
    return converters
