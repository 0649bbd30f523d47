"""Rows as Apache Arrow tables (and polars frames built on them), in streamed batches.

Each batch of rows from the cursor becomes one ``pyarrow.RecordBatch`` with the declared
Arrow type of every column, so memory holds the growing table plus one batch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..errors import DataJointError
from .rows import iter_batches, raw_allowed, resolve_names

__all__ = ["arrow_type", "fetch_arrow", "fetch_polars"]


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
        precision = getattr(attr_type, "precision", None) or 38
        scale = getattr(attr_type, "scale", None) or 0
        return pa.decimal128(int(precision), int(scale))
    return None


def _prepare(kind: str, values: Sequence[Any]) -> Sequence[Any]:
    # Arrow has no portable UUID or JSON value type: they travel as their canonical text.
    if kind == "uuid":
        return [None if v is None else str(v) for v in values]
    if kind == "json":
        return [None if v is None else json.dumps(v) for v in values]
    return values


def _array(name: str, attr_type: Any, values: Sequence[Any]) -> Any:
    import pyarrow as pa

    try:
        return pa.array(_prepare(attr_type.kind, values), type=arrow_type(attr_type))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise DataJointError(
            f"Attribute {name!r} ({attr_type.text}) holds values Arrow cannot represent; "
            "use to_dicts() or to_arrays() for it.") from err


# Kinds whose raw driver values Arrow converts itself (in C) on every backend: numbers,
# text, and ISO date text (SQLite) or date objects; bool arrives as 0/1 on SQLite and MySQL.
RAW_KINDS = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool",
                       "char", "varchar", "enum", "date"})


def _raw_array(attr_type: Any, values: Sequence[Any]) -> Any:
    import pyarrow as pa

    target = arrow_type(attr_type)
    kind = attr_type.kind
    if kind == "date" or kind == "bool":
        array = pa.array(values)
        return array if array.type == target else array.cast(target)
    return pa.array(values, type=target)


def fetch_arrow(query: Any, batch_size: int | None = None, **options: Any) -> Any:
    """All attributes as a ``pyarrow.Table`` with the declared column types."""
    import pyarrow as pa

    names = resolve_names(query, None)
    heading = query.heading
    types = [heading[n].type for n in names]
    raw = raw_allowed(query) and all(t.kind in RAW_KINDS for t in types)
    batches = []
    extra = {} if batch_size is None else {"batch_size": batch_size}
    for batch in iter_batches(query, names, raw=raw, **extra, **options):
        if raw:
            arrays = [_raw_array(t, c) for t, c in zip(types, zip(*batch))]
        else:
            arrays = [_array(n, t, c) for n, t, c in zip(names, types, zip(*batch))]
        batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
    if batches:
        return pa.Table.from_batches(batches)
    schema = pa.schema([pa.field(n, arrow_type(t) or pa.null()) for n, t in zip(names, types)])
    return schema.empty_table()


def fetch_polars(query: Any, **options: Any) -> Any:
    """All attributes as a ``polars.DataFrame`` (polars is an optional extra)."""
    try:
        import polars as pl
    except ImportError as err:
        raise DataJointError(
            "to_polars() needs polars: pip install 'datajoint_sa[polars]'") from err
    return pl.from_arrow(fetch_arrow(query, **options))
