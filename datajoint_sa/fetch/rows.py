"""Rows as Python values: streamed batches, dicts, single rows, decoded codec values.

Every output format starts here: :func:`iter_batches` runs the query once, streams the
result in batches of tuples (bounded memory) and applies codec decoders.  Row formats
(dicts, tuples) and column formats (numpy, pandas, arrow) are built from these batches.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..codecs import decoder_for
from ..errors import DataJointError

__all__ = ["BATCH_SIZE", "resolve_names", "iter_batches", "fetch_rows", "fetch_dicts", "fetch_one", "iter_dicts"]

BATCH_SIZE = 10_000


def resolve_names(query: Any, names: Sequence[str] | None) -> list[str]:
    """The attribute names to fetch; ``KEY`` expands to the primary key; unknown names raise."""
    if names is None:
        return list(query.heading.names)
    resolved: list[str] = []
    for name in names:
        expanded = list(query.primary_key) if name == "KEY" else [name]
        for one in expanded:
            query.heading[one]  # unknown names raise, naming what is available
            if one not in resolved:
                resolved.append(one)
    return resolved


def _decoders(query: Any, names: Sequence[str]) -> list[tuple[int, Callable[[Any], Any]]]:
    heading = query.heading
    found = []
    for position, name in enumerate(names):
        decode = decoder_for(heading[name].type)
        if decode is not None:
            found.append((position, decode))
    return found


def _decode(rows: list[tuple[Any, ...]], decoders: list[tuple[int, Callable[[Any], Any]]]) -> list[tuple[Any, ...]]:
    decoded = []
    for row in rows:
        values = list(row)
        for position, decode in decoders:
            if values[position] is not None:
                values[position] = decode(values[position])
        decoded.append(tuple(values))
    return decoded


def raw_allowed(query: Any) -> bool:
    """Whether raw driver values are read without holding the whole result as Python rows.

    PyMySQL's buffered cursor would build every row before the first batch, so MySQL
    keeps SQLAlchemy's streamed (server-side) cursor.
    """
    return query.connection.engine.dialect.name != "mysql"


def iter_batches(query: Any, names: Sequence[str], batch_size: int = BATCH_SIZE, raw: bool = False,
                 **select_options: Any) -> Iterator[list[tuple[Any, ...]]]:
    """Stream the rows of ``query`` (columns ``names``) as lists of tuples of Python values.

    The result is read with a server-side cursor where the driver has one
    (``stream_results``), so memory holds one batch at a time.  ``raw``: the driver's own
    values, skipping SQLAlchemy's result processing (columnar callers convert whole columns).
    """
    select = query.ordered_select(list(names), **select_options)
    decoders = [] if raw else _decoders(query, names)
    with query.connection.connect() as conn:
        if raw:
            # Read the DB-API cursor directly: no streaming options here, as SQLAlchemy's
            # streaming strategy pre-buffers rows the raw cursor would then miss.
            result = conn.execute(select)
            source = result.cursor
        else:
            result = conn.execute(select, execution_options={"stream_results": True, "yield_per": batch_size})
            source = result
        try:
            while True:
                rows = source.fetchmany(batch_size)
                if not rows:
                    break
                rows = rows if raw else [tuple(r) for r in rows]
                yield _decode(rows, decoders) if decoders else rows
        finally:
            result.close()


def fetch_rows(query: Any, names: Sequence[str] | None = None, **select_options: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    """(names, rows as tuples of Python values) of a query."""
    names = resolve_names(query, names)
    rows: list[tuple[Any, ...]] = []
    for batch in iter_batches(query, names, **select_options):
        rows.extend(batch)
    return names, rows


# Kinds whose raw driver values need at most a cheap per-column fix-up (see _fix_column).
RAW_KINDS = frozenset({"int8", "int16", "int32", "int64", "float32", "float64", "bool",
                       "char", "varchar", "enum", "date"})


def _fix_column(kind: str, values: tuple[Any, ...]) -> Sequence[Any]:
    """Raw driver values of one column as the Python values SQLAlchemy would give."""
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return values
    if kind == "bool" and type(sample) is not bool:
        return [None if v is None else bool(v) for v in values]
    if kind == "date" and isinstance(sample, str):
        parse = datetime.date.fromisoformat
        return [None if v is None else parse(v) for v in values]
    if kind.startswith("int") and type(sample) is not int:
        return [None if v is None else int(v) for v in values]
    if kind.startswith("float") and type(sample) is not float:
        return [None if v is None else float(v) for v in values]
    return values


def fetch_dicts(query: Any, names: Sequence[str] | None = None, **select_options: Any) -> list[dict[str, Any]]:
    names = resolve_names(query, names)
    kinds = [query.heading[n].type.kind for n in names]
    if not (raw_allowed(query) and all(k in RAW_KINDS for k in kinds)):
        names, rows = fetch_rows(query, names, **select_options)
        return [dict(zip(names, row)) for row in rows]
    out: list[dict[str, Any]] = []
    for batch in iter_batches(query, names, raw=True, **select_options):
        columns = [_fix_column(k, c) for k, c in zip(kinds, zip(*batch))]
        out.extend([dict(zip(names, row)) for row in zip(*columns)])
    return out


def iter_dicts(query: Any, names: Sequence[str] | None = None, batch_size: int = 1000,
               **select_options: Any) -> Iterator[dict[str, Any]]:
    """Rows as dicts, one at a time, streamed from the database."""
    names = resolve_names(query, names)
    for batch in iter_batches(query, names, batch_size, **select_options):
        for row in batch:
            yield dict(zip(names, row))


def fetch_one(query: Any, attributes: Sequence[str], squeeze: bool = False) -> Any:
    """The one row of ``query``: a dict, or the values of ``attributes`` (``KEY``: the key dict)."""
    names, rows = fetch_rows(query, list(attributes) or None, limit=2)
    if len(rows) != 1:
        found = "no rows" if not rows else "more than one row"
        raise DataJointError(f"fetch1 requires exactly one row, but the query has {found}.")
    row = dict(zip(names, rows[0]))
    if squeeze:
        row = {k: _squeeze(v) for k, v in row.items()}
    if not attributes:
        return row
    values = tuple({k: row[k] for k in query.primary_key} if a == "KEY" else row[a] for a in attributes)
    return values[0] if len(values) == 1 else values


def _squeeze(value: Any) -> Any:
    squeeze = getattr(value, "squeeze", None)
    return squeeze() if callable(squeeze) and hasattr(value, "ndim") else value
