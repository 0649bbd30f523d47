"""PostgreSQL and MySQL to Arrow: the server writes each row as one CSV line, Arrow parses the lines.

Reading typed values through psycopg or PyMySQL costs one Python object per value (and
PyMySQL parses every value in Python); here the server casts every value to its text
form (``NaN``, ``Infinity``, ISO dates, shortest exact floats on both servers) and joins
a row into one CSV line, so Python handles one string per row and Arrow's C++ CSV reader
builds the typed columns.  NULL is an empty unquoted field; text values are always
quoted, so an empty string stays distinct from NULL.

The lines are read with a server-side (PostgreSQL) or unbuffered (MySQL) cursor, one
batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from .source import family, open_rows

__all__ = ["LINE_KINDS", "line_batches", "line_select"]

_PLAIN = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool", "decimal",
                    "char", "varchar", "enum", "date", "datetime"})
# Per backend, the kinds whose text form Arrow parses into the declared type.  Not bytes (its
# text is hex or raw); on MySQL not uuid (binary(16)) nor json (the server rewrites the text).
LINE_KINDS = {"postgresql": _PLAIN | {"uuid", "json"}, "mysql": _PLAIN}

# Kinds written as quoted CSV text (may hold commas, quotes, newlines); the rest are bare.
_QUOTED = frozenset({"char", "varchar", "enum", "json", "uuid"})


def _field(column: sa.ColumnElement[Any], attr_type: Any, backend: str) -> sa.ColumnElement[str]:
    text: sa.ColumnElement[str] = sa.cast(column, sa.Text)
    if attr_type.kind == "char" and backend == "postgresql" and attr_type.length:
        text = sa.func.rpad(text, attr_type.length)  # the cast drops the padding that the driver keeps
    if attr_type.kind in _QUOTED:
        text = sa.literal('"') + sa.func.replace(text, '"', '""') + sa.literal('"')
    return sa.func.coalesce(text, "")


def line_select(query: Any, names: Sequence[str], options: dict[str, Any]) -> sa.Select:
    """SELECT one CSV line per row of the ordered query (the subquery's order is kept)."""
    inner = query.ordered_select(list(names), **options).subquery("dj_rows")
    heading = query.heading
    backend = family(query.connection.engine.dialect)
    fields: list[Any] = []
    for position, name in enumerate(names):
        if position:
            fields.append(sa.literal(","))
        fields.append(_field(inner.c[name], heading[name].type, backend))
    return sa.select(sa.func.concat(*fields).label("dj_line")).select_from(inner)


def _csv_options(query: Any, names: Sequence[str]) -> dict[str, Any]:
    import pyarrow.csv as pcsv

    from .arrow import arrow_type

    heading = query.heading
    kinds = {heading[n].type.kind for n in names}
    return {
        "read_options": pcsv.ReadOptions(column_names=list(names), use_threads=False),
        "parse_options": pcsv.ParseOptions(newlines_in_values=bool(kinds & _QUOTED), ignore_empty_lines=False),
        "convert_options": pcsv.ConvertOptions(
            column_types={n: arrow_type(heading[n].type) for n in names},
            null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=False,
            true_values=["true", "1"], false_values=["false", "0"]),  # PostgreSQL, MySQL booleans
    }


def line_batches(query: Any, names: Sequence[str], options: dict[str, Any],
                 batch_size: int = 10_000) -> Iterator[Any]:
    """The rows of ``query`` as ``pyarrow.RecordBatch``es, parsed from server-made CSV lines."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    csv_options = _csv_options(query, names)
    select = line_select(query, names, options)
    with open_rows(query, [], select=select, stream=True, batch_size=batch_size) as rows:
        for batch in rows.batches:
            text = "\n".join([row[0] for row in batch]).encode()
            yield from pcsv.read_csv(pa.BufferReader(text), **csv_options).to_batches()
