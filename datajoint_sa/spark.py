"""The SparkAdapter protocol: codecs whose decoded values render as Spark-native types.

A codec opts in by defining ``to_spark(decoded, *, key=None)``; consumers (a Spark SQL or
Delta Sharing publisher) test ``isinstance(codec, SparkAdapter)`` per column.  It is a
structural protocol rather than a method of :class:`~datajoint_sa.codecs.Codec`, so
codecs that cannot render (``<blob>``, ``<hash@>``) need not say so and existing plugin
codecs keep working (spec ``spark-adapter.md``).

:func:`to_spark` calls the adapter and checks that the result has an allowed shape:
``bool``, ``int``, ``float``, ``str``, ``bytes``, ``None``, ``date``, ``datetime`` (and
NumPy scalars), lists of allowed shapes and dicts with string keys of allowed shapes.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import DataJointError

__all__ = ["SparkAdapter", "to_spark", "check_spark_shape"]

_PRIMITIVES = (bool, int, float, str, bytes, datetime.date, np.generic)


@runtime_checkable
class SparkAdapter(Protocol):
    """A codec that turns its decoded values into Spark-native values (opt-in, structural)."""

    def to_spark(self, decoded: Any, *, key: dict | None = None) -> Any:
        """The Spark-native form of ``decoded`` (what the codec's ``decode`` returned).

        ``key`` is the row's context, shaped like ``Codec.encode``'s ``key``; most codecs
        ignore it.
        """
        ...


def check_spark_shape(value: Any, where: str = "value") -> None:
    """Raise DataJointError unless ``value`` is made only of the shapes Spark can hold.

    NumPy arrays, tuples, sets and other objects are refused: Spark has no type for them
    (an array must be returned as ``array.tolist()``).
    """
    if value is None or (isinstance(value, _PRIMITIVES) and not isinstance(value, np.void)):
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_spark_shape(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for name, item in value.items():
            if not isinstance(name, str):
                raise DataJointError(f"Spark value {where} has a non-string key {name!r}: dict keys must be str.")
            check_spark_shape(item, f"{where}[{name!r}]")
        return
    hint = " (return array.tolist())" if isinstance(value, np.ndarray) else ""
    raise DataJointError(f"Spark value {where} is a {type(value).__name__}, which has no Spark-native type{hint}; "
                         "allowed: bool, int, float, str, bytes, None, date, datetime, lists and dicts of these.")


def to_spark(codec: Any, decoded: Any, *, key: dict | None = None) -> Any:
    """``codec.to_spark(decoded, key=key)``, checked to be Spark-native.

    Raises DataJointError when the codec does not implement :class:`SparkAdapter` (its
    column is not eligible for typed publishing) or returns a shape Spark cannot hold.
    """
    if not isinstance(codec, SparkAdapter):
        name = getattr(codec, "name", None) or type(codec).__name__
        raise DataJointError(f"Codec <{name}> does not implement SparkAdapter (no to_spark method): "
                             "its values have no Spark-native form.")
    rendered = codec.to_spark(decoded, key=key)
    check_spark_shape(rendered)
    return rendered
