"""Rows as NumPy arrays with the declared dtypes.

In the structured array integers keep their width (``int16`` stays ``int16``) and floats
theirs.  The arrays of named attributes (``to_arrays("a", "b")``) widen integers to int64
and floats to float64, and give text as NumPy strings (``<U...``), as DataJoint 2.x gives
them.  Native SQL types and computed attributes (``count(*)``) take the numeric dtype NumPy
infers from their values.  NULL in a float column is NaN.  An integer or bool column
holding NULL becomes an object array (``None`` kept) rather than a silent float.  Other
types (dates, decimals, uuid, json, codec values) are object arrays of the same Python
values :meth:`to_dicts` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .source import open_rows, resolve_names

__all__ = ["NUMPY_DTYPES", "fetch_arrays", "fetch_columns", "numpy_column"]

NUMPY_DTYPES = {
    "int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
    "float32": np.float32, "float64": np.float64, "bool": np.bool_,
}


def fetch_columns(query: Any, names: Sequence[str], *, squeeze: bool = False, **options: Any) -> list[list[Any]]:
    """One list of final Python values per attribute in ``names``, gathered batch by batch."""
    columns: list[list[Any]] = [[] for _ in names]
    with open_rows(query, names, squeeze=squeeze, **options) as rows:
        for batch in rows.batches:
            for column, values in zip(columns, rows.columns(batch)):
                column.extend(values)
    return columns


_WIDE = {"int8": "int64", "int16": "int64", "int32": "int64", "float32": "float64"}

#: Kinds whose values NumPy may type by looking at them: native SQL types and computed
#: attributes (``count(*)`` gives int64, ``avg(x)`` float64).
_INFERRED = ("native", "computed")
#: Text kinds: the array of one named attribute is a NumPy string array (``<U...``).
_TEXT = ("varchar", "char", "enum")


def numpy_column(kind: str, values: Sequence[Any], wide: bool = False) -> np.ndarray:
    """One column as a numpy array of the declared dtype (object where that cannot hold it).

    ``wide``: integers as int64 and floats as float64, and text as a NumPy string array
    (the arrays of named attributes).  Native and computed attributes take the dtype
    NumPy infers when their values are all numbers or booleans.
    """
    dtype = NUMPY_DTYPES.get(_WIDE.get(kind, kind) if wide else kind)
    try:
        if dtype is not None and (kind.startswith("float") or not len(values)):
            return np.array(values, dtype=dtype)  # None becomes NaN in a float array
        if dtype is not None and None not in values:
            inferred = np.array(values)
            if inferred.dtype.kind in ("b" if kind == "bool" else "iu"):
                return inferred.astype(dtype)
            if inferred.dtype.kind in "biuf":
                return inferred
        if dtype is None and len(values) and None not in values:
            inferred = _inferred(kind, values, wide)
            if inferred is not None:
                return inferred
    except (TypeError, ValueError, OverflowError):
        pass
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _inferred(kind: str, values: Sequence[Any], wide: bool) -> np.ndarray | None:
    if kind in _INFERRED and all(isinstance(v, (int, float, np.number, np.bool_)) for v in values):
        inferred = np.array(values)
        if inferred.dtype.kind in "biuf":
            return inferred.astype(np.int64) if inferred.dtype.kind in "iu" else inferred
    if wide and kind in _TEXT and all(isinstance(v, str) for v in values):
        return np.array(values, dtype=str)
    return None


def _record(names: Sequence[str], arrays: Sequence[np.ndarray]) -> np.ndarray:
    size = len(arrays[0]) if arrays else 0
    record = np.empty(size, dtype=[(n, a.dtype) for n, a in zip(names, arrays)])
    for name, array in zip(names, arrays):
        record[name] = array
    return record


def fetch_arrays(query: Any, attributes: Sequence[str], *, include_key: bool = False,
                 squeeze: bool = False, **options: Any) -> Any:
    """A structured array of all attributes; or one array per named attribute.

    With named attributes and ``include_key``: ``(keys, *arrays)``, keys being a list of
    primary-key dicts, as :meth:`keys` gives them.
    """
    heading = query.heading
    key = list(query.primary_key)
    wanted = resolve_names(query, list(attributes) or None)
    names = resolve_names(query, key + wanted) if attributes and include_key else wanted
    columns = fetch_columns(query, names, squeeze=squeeze, **options)
    by_name = dict(zip(names, columns))
    if not attributes:
        return _record(names, [numpy_column(heading[n].type.kind, c) for n, c in zip(names, columns)])
    arrays = [_named_array(query, a, by_name) for a in attributes]
    if include_key:
        return (_key_dicts(key, by_name), *arrays)
    return arrays[0] if len(arrays) == 1 else tuple(arrays)


def _key_dicts(key: Sequence[str], by_name: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(key, values)) for values in zip(*(by_name[k] for k in key))]


def _named_array(query: Any, name: str, by_name: dict[str, list[Any]]) -> Any:
    if name == "KEY":
        return _key_dicts(list(query.primary_key), by_name)
    return numpy_column(query.heading[name].type.kind, by_name[name], wide=True)
