"""Rows as Apache Arrow tables with the declared column types, built batch by batch.

Four ways in, tried in this order, each producing the same table:

* ADBC, where its driver for the backend is installed (:mod:`.adbc`).
* SQLite: the compiled column reader, where it was built (:mod:`.sqlite_columns`).
* PostgreSQL and MySQL: the server formats each row as one CSV line (:mod:`.lines`),
  which Arrow's C++ CSV reader parses straight into typed columns.
* Any backend: batches of driver tuples enter Arrow as structs in one C pass and are cast
  to the declared types (text Arrow parses itself, such as SQLite's dates, included);
  columns that need Python conversion first (uuid, json, codecs) go column by column.

Each batch becomes a record batch as it arrives, so memory holds the growing table plus
one batch of rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import DataJointError
from .source import family, open_rows, resolve_names

__all__ = ["ARROW_BATCH", "ARROW_KINDS", "arrow_type", "fetch_arrow", "fetch_polars", "record_batches"]

# Rows per batch on the way to Arrow: the Python objects of one batch are the only memory
# beyond the table itself, so batches stay small (a few MB of Python objects).
ARROW_BATCH = 5_000

# Kinds whose values Arrow holds faithfully in a native type (uuid and json travel as text).
ARROW_KINDS = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool", "decimal",
                         "char", "varchar", "enum", "date", "datetime", "uuid", "json", "bytes"})


def arrow_type(attr_type: Any) -> Any:
    """The Arrow type of a DataJoint attribute type (``None``: inferred from the values)."""
    import pyarrow as pa

    kind = attr_type.kind
    fixed = {
        "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
        "float32": pa.float32(), "float64": pa.float64(), "bool": pa.bool_(),
        "char": pa.string(), "varchar": pa.string(), "enum": pa.string(), "date": pa.date32(),
        "datetime": pa.timestamp("us"), "json": pa.string(), "bytes": pa.binary(), "uuid": pa.string(),
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "decimal":
        return pa.decimal128(int(attr_type.precision or 38), int(attr_type.scale or 0))
    return None


def _prepare(kind: str, values: Sequence[Any]) -> Sequence[Any]:
    # Arrow has no portable UUID or JSON value type: they travel as their canonical text.
    if kind == "uuid":
        return [None if v is None else str(v) for v in values]
    if kind == "json":
        return [None if v is None else json.dumps(v) for v in values]
    return values


# (backend, kind): raw driver values that Arrow converts itself, by casting from this type.
_RAW_CASTS = {
    ("sqlite", "date"): "string",
    ("sqlite", "datetime"): "string",
    ("sqlite", "bool"): "int64",
}


# Kinds built from inferred arrays and cast with checks (no silent truncation or overflow).
_CHECKED_CASTS = frozenset({"int8", "int16", "int32", "int64", "bool"})


def _array(name: str, attr_type: Any, values: Sequence[Any], raw_from: str | None) -> Any:
    """One column as an Arrow array of the declared type, else of the type Arrow infers.

    Inference covers attributes whose values do not match the declared kind (a computed
    attribute, a native SQL type); what Arrow cannot hold at all raises DataJointError.
    """
    import pyarrow as pa

    target = arrow_type(attr_type)
    try:
        if raw_from is not None:
            return pa.array(values, type=pa.type_for_alias(raw_from)).cast(target)
        if attr_type.kind in _CHECKED_CASTS:  # pa.array(type=int16) would truncate 2.5 to 2
            return pa.array(values).cast(target)
        return pa.array(_prepare(attr_type.kind, values), type=target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    try:
        return pa.array(_prepare(attr_type.kind, values))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
        raise DataJointError(
            f"Attribute {name!r} ({attr_type.text}) holds values Arrow cannot represent; "
            "use to_dicts() or to_arrays() for it.") from err


def _empty_schema(names: Sequence[str], types: Sequence[Any]) -> Any:
    import pyarrow as pa

    return pa.schema([pa.field(n, arrow_type(t) or pa.null()) for n, t in zip(names, types)])


def _ingest_type(attr_type: Any, raw_from: str | None) -> Any:
    """The Arrow type a column's values enter as (cast to the declared type afterwards), or None."""
    import pyarrow as pa

    if raw_from is not None:
        return pa.type_for_alias(raw_from)
    if attr_type.kind in _CHECKED_CASTS:  # wide, then a checked cast: no silent truncation
        return pa.int64() if attr_type.kind != "bool" else pa.bool_()
    if attr_type.kind in ("uuid", "json"):  # Python objects that need their text form first
        return None
    return arrow_type(attr_type)


def _struct_arrays(batch: list[tuple[Any, ...]], ingest: Any, targets: Sequence[Any]) -> list[Any] | None:
    """Columns of a batch converted in one C pass (rows as Arrow structs), or None if they do not fit."""
    import pyarrow as pa

    try:
        fields = pa.array(batch, type=ingest).flatten()
        return [f if f.type == t else f.cast(t) for f, t in zip(fields, targets)]
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


def record_batches(query: Any, names: Sequence[str], batch_size: int = ARROW_BATCH, whole_batches: bool = True,
                   **options: Any) -> Iterator[Any]:
    """The rows of ``query`` as ``pyarrow.RecordBatch``es (generic path, any backend).

    Where every column's raw values enter Arrow as they are, a whole batch converts in C
    (rows read as structs, then cast to the declared types); otherwise (or without
    ``whole_batches``) column by column.
    """
    import pyarrow as pa

    heading = query.heading
    types = [heading[n].type for n in names]
    with open_rows(query, names, stream=True, batch_size=batch_size, **options) as rows:
        backend = family(query.connection.engine.dialect)
        raw_from = [_RAW_CASTS.get((backend, t.kind)) for t in types]
        rows.converters = [(p, c) for p, c in rows.converters if raw_from[p] is None]
        ingest = [_ingest_type(t, r) for t, r in zip(types, raw_from)]
        struct = None
        if whole_batches and names and not rows.converters and all(i is not None for i in ingest):
            struct = pa.struct([pa.field(f"f{i}", t) for i, t in enumerate(ingest)])
        targets = [arrow_type(t) for t in types]
        for batch in rows.batches:
            arrays = _struct_arrays(batch, struct, targets) if struct is not None else None
            if arrays is None:
                columns = rows.columns(batch)
                arrays = [_array(n, t, c, r) for n, t, c, r in zip(names, types, columns, raw_from)]
            yield pa.RecordBatch.from_arrays(arrays, names=list(names))


def _fast_batches(query: Any, names: Sequence[str], options: dict[str, Any]) -> Iterator[Any] | None:
    """Record batches from a backend-specific fast path, or None where none applies."""
    kinds = {query.heading[n].type.kind for n in names}
    if not names or not kinds <= ARROW_KINDS:
        return None
    from .adbc import adbc_batches

    batches = adbc_batches(query, names, options)
    if batches is not None:
        return iter(batches)
    backend = family(query.connection.engine.dialect)
    if backend == "sqlite":
        from .sqlite_columns import column_batches

        return column_batches(query, names, options)
    from .lines import LINE_KINDS, line_batches

    if kinds <= LINE_KINDS.get(backend, frozenset()):
        return line_batches(query, names, options)
    return None


def fetch_arrow(query: Any, names: Sequence[str] | None = None, **options: Any) -> Any:
    """The rows of ``query`` as a ``pyarrow.Table`` with the declared column types."""
    import pyarrow as pa

    names = resolve_names(query, names)
    types = [query.heading[n].type for n in names]
    tables = None
    fast = _fast_batches(query, names, options)
    if fast is not None:
        from .sqlite_columns import Unreadable

        try:
            tables = [pa.Table.from_batches([b]) for b in fast]
        except (pa.ArrowInvalid, Unreadable):  # e.g. text the declared type does not parse
            tables = None
    if tables is None:
        tables = [pa.Table.from_batches([b]) for b in record_batches(query, names, **options)]
    if not tables:
        return _empty_schema(names, types).empty_table()
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise DataJointError(f"Rows of {', '.join(names)} do not share one Arrow type per column: {err}") from err


def fetch_polars(query: Any, **options: Any) -> Any:
    """All attributes as a ``polars.DataFrame`` (polars is an optional extra)."""
    try:
        import polars as pl
    except ImportError as err:
        raise DataJointError("to_polars() needs polars: pip install 'datajoint_sa[polars]'") from err
    return pl.from_arrow(fetch_arrow(query, **options))
