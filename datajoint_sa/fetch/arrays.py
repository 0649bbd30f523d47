"""Rows as columns: numpy arrays and pandas DataFrames with the declared types.

Columns are built batch by batch from the streamed cursor (never through per-row dicts).
Integers keep their width (``int16`` stays ``int16``); a nullable integer or bool column
becomes an object array in numpy and a nullable extension dtype (``Int16``, ``boolean``) in
pandas -- never a silent float.  NULL in a float column is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .rows import iter_batches, resolve_names

__all__ = ["fetch_columns", "fetch_arrays", "fetch_pandas", "numpy_column"]

_NUMPY_DTYPES = {
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "float32": np.float32, "float64": np.float64, "bool": np.bool_,
}
_PANDAS_NULLABLE = {
    "int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64", "bool": "boolean",
}


def fetch_columns(query: Any, names: Sequence[str] | None, **options: Any) -> tuple[list[str], list[list[Any]]]:
    """(names, one list of Python values per column), gathered from streamed batches."""
    names = resolve_names(query, names)
    columns: list[list[Any]] = [[] for _ in names]
    for batch in iter_batches(query, names, **options):
        for column, values in zip(columns, zip(*batch)):
            column.extend(values)
    return names, columns


def numpy_column(kind: str, values: list[Any]) -> np.ndarray:
    """One column as a numpy array of the declared dtype (object where that cannot hold it)."""
    dtype = _NUMPY_DTYPES.get(kind)
    if dtype is not None:
        if kind.startswith("float"):
            return np.array([np.nan if v is None else v for v in values], dtype=dtype)
        if None not in values:
            return np.array(values, dtype=dtype)
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def fetch_arrays(query: Any, attributes: Sequence[str], *, include_key: bool = False, **options: Any) -> Any:
    """A structured array of all attributes, or one array per named attribute."""
    names = list(attributes) or None
    if names and include_key:
        names = [*query.primary_key, *(n for n in names if n not in query.primary_key)]
    names, columns = fetch_columns(query, names, **options)
    heading = query.heading
    arrays = [numpy_column(heading[n].type.kind, c) for n, c in zip(names, columns)]
    if attributes and not include_key:
        return arrays[0] if len(arrays) == 1 else tuple(arrays)
    size = len(columns[0]) if columns else 0
    record = np.empty(size, dtype=[(n, a.dtype) for n, a in zip(names, arrays)])
    for name, array in zip(names, arrays):
        record[name] = array
    return record


def _pandas_column(kind: str, values: list[Any]) -> Any:
    import pandas as pd

    if kind in _PANDAS_NULLABLE and None in values:
        return pd.array(values, dtype=_PANDAS_NULLABLE[kind])
    return numpy_column(kind, values)


def fetch_pandas(query: Any, **options: Any) -> Any:
    """A DataFrame of all attributes indexed by the primary key."""
    import pandas as pd

    from .arrow import RAW_KINDS, fetch_arrow

    heading = query.heading
    key = list(query.primary_key)
    if all(heading[n].type.kind in RAW_KINDS for n in heading.names):
        table = fetch_arrow(query, **options)
        frame = table.to_pandas(date_as_object=True)
        for n in table.column_names:
            kind = heading[n].type.kind
            if kind in _PANDAS_NULLABLE and table.column(n).null_count:
                frame[n] = pd.array(table.column(n).to_pylist(), dtype=_PANDAS_NULLABLE[kind])
            elif kind in _NUMPY_DTYPES and not kind.startswith("float") and frame[n].dtype != _NUMPY_DTYPES[kind]:
                frame[n] = frame[n].astype(_NUMPY_DTYPES[kind])
        return frame.set_index(key) if key else frame
    names, columns = fetch_columns(query, None, **options)
    heading = query.heading
    frame = pd.DataFrame({n: _pandas_column(heading[n].type.kind, c) for n, c in zip(names, columns)},
                         columns=names)
    key = [k for k in query.primary_key if k in names]
    return frame.set_index(key) if key else frame
