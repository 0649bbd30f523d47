"""Rows as Python values: dicts, single rows, decoded codec values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..codecs import decoder_for
from ..errors import DataJointError

__all__ = ["fetch_rows", "fetch_dicts", "fetch_one"]


def _decoders(query: Any, names: Sequence[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    heading = query.heading
    found = []
    for position, name in enumerate(names):
        decode = decoder_for(heading[name].type)
        if decode is not None:
            found.append((position, decode))
    return found


def fetch_rows(query: Any, names: Sequence[str] | None = None, **select_options: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(names, rows as tuples of Python values) of a query."""
    names = list(query.heading.names if names is None else names)
    for name in names:
        query.heading[name]  # unknown names raise, naming what is available
    select = query.ordered_select(names, **select_options)
    rows = [tuple(row) for row in query.connection.execute(select)]
    decoders = _decoders(query, names)
    if decoders and rows:
        decoded = []
        for row in rows:
            values = list(row)
            for position, decode in decoders:
                if values[position] is not None:
                    values[position] = decode(values[position])
            decoded.append(tuple(values))
        rows = decoded
    return names, rows


def fetch_dicts(query: Any, names: Sequence[str] | None = None, **select_options: Any) -> list[dict[str, Any]]:
    names, rows = fetch_rows(query, names, **select_options)
    return [dict(zip(names, row)) for row in rows]


def fetch_one(query: Any, attributes: Sequence[str]) -> Any:
    names, rows = fetch_rows(query, list(attributes) or None, limit=2)
    if len(rows) != 1:
        found = "no rows" if not rows else "more than one row"
        raise DataJointError(f"fetch1 requires exactly one row, but the query has {found}.")
    row = rows[0]
    if not attributes:
        return dict(zip(names, row))
    return row[0] if len(attributes) == 1 else tuple(row)
