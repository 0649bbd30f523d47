"""Rows as pandas DataFrames indexed by the primary key, with the declared dtypes.

Integer and bool attributes declared nullable (or holding NULL, as after an outer join)
use pandas' nullable dtypes (``Int16``, ``boolean``), never a silent float; the others
keep their NumPy width.  Dates are ``datetime.date`` objects, datetimes ``datetime64``,
decimals ``Decimal``, uuid ``uuid.UUID``, json the parsed objects.

Frames of types Arrow holds natively are built from the Arrow table (:mod:`.arrow`),
which never makes a Python object per numeric value; others from columns of Python values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .arrays import NUMPY_DTYPES, fetch_columns, numpy_column
from .arrow import fetch_arrow
from .source import resolve_names

__all__ = ["fetch_pandas"]

_NULLABLE = {"int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64", "bool": "boolean"}
# Kinds a frame takes from Arrow unchanged (uuid and json are Python objects in frames).
_FROM_ARROW = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool", "decimal",
                         "char", "varchar", "enum", "date", "datetime"})


def _arrow_series(attr: Any, chunked: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    kind = attr.type.kind
    exact = pa.types.is_integer(chunked.type) or pa.types.is_boolean(chunked.type)
    if kind in _NULLABLE and exact and (attr.nullable or chunked.null_count):
        dtype = pd.api.types.pandas_dtype(_NULLABLE[kind])
        return chunked.to_pandas(types_mapper=lambda _type: dtype)
    return chunked.to_pandas(date_as_object=True)


def _python_series(attr: Any, values: Sequence[Any]) -> Any:
    import pandas as pd

    kind = attr.type.kind
    if kind in _NULLABLE and (attr.nullable or None in values):
        try:
            return pd.Series(pd.array(values, dtype=_NULLABLE[kind]))
        except (TypeError, ValueError):
            pass  # values of another type (a computed attribute): as NumPy infers them
    if kind in NUMPY_DTYPES or kind in _NULLABLE:
        return pd.Series(numpy_column(kind, values))
    if kind in ("char", "varchar", "enum", "datetime"):  # pandas' str and datetime64, as from Arrow
        return pd.Series(values)
    return pd.Series(numpy_column(kind, values), dtype=object)


def fetch_pandas(query: Any, *, squeeze: bool = False, **options: Any) -> Any:
    """All attributes as a DataFrame indexed by the primary key (a RangeIndex without one)."""
    import pandas as pd

    heading = query.heading
    names = resolve_names(query, None)
    if all(heading[n].type.kind in _FROM_ARROW for n in names):
        table = fetch_arrow(query, names, **options)
        series = {n: _arrow_series(heading[n], table.column(n)) for n in names}
    else:
        columns = fetch_columns(query, names, squeeze=squeeze, **options)
        series = {n: _python_series(heading[n], c) for n, c in zip(names, columns)}
    frame = pd.DataFrame(series, columns=names)
    key = [k for k in query.primary_key if k in names]
    return frame.set_index(key) if key else frame
