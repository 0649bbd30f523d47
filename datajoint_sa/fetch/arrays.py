"""Rows as columns: numpy structured arrays and pandas DataFrames."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .rows import fetch_rows

__all__ = ["fetch_arrays", "fetch_pandas"]

_NUMPY_DTYPES = {
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "float32": np.float32, "float64": np.float64, "bool": np.bool_,
}


def _dtype(query: Any, name: str, values: list[Any]) -> Any:
    attr = query.heading[name]
    dtype = _NUMPY_DTYPES.get(attr.type.kind)
    if dtype is None:
        return object
    if any(v is None for v in values):
        return np.float64 if attr.type.kind.startswith("float") else object
    return dtype


def _column(query: Any, name: str, values: list[Any]) -> np.ndarray:
    dtype = _dtype(query, name, values)
    if dtype is np.float64 and any(v is None for v in values):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    column = np.empty(len(values), dtype=dtype)
    column[:] = values
    return column


def fetch_arrays(query: Any, attributes: Sequence[str], *, include_key: bool = False, **options: Any) -> Any:
    names = list(attributes) or None
    if names and include_key:
        names = [*query.primary_key, *(n for n in names if n not in query.primary_key)]
    names, rows = fetch_rows(query, names, **options)
    columns = list(zip(*rows)) if rows else [[] for _ in names]
    arrays = [_column(query, n, list(c)) for n, c in zip(names, columns)]
    if attributes and not include_key:
        return arrays[0] if len(arrays) == 1 else tuple(arrays)
    record = np.empty(len(rows), dtype=[(n, a.dtype) for n, a in zip(names, arrays)])
    for name, array in zip(names, arrays):
        record[name] = array
    return record


def fetch_pandas(query: Any, **options: Any) -> Any:
    import pandas as pd

    names, rows = fetch_rows(query, None, **options)
    frame = pd.DataFrame.from_records(rows, columns=names)
    key = query.primary_key
    return frame.set_index(key) if key else frame
