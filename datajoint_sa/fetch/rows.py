"""Row formats: lists of dicts, single rows, and a streaming cursor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import DataJointError
from .source import BATCH_SIZE, first_rows, open_rows, resolve_names

__all__ = ["RowCursor", "fetch_dicts", "fetch_one", "iter_rows"]


def fetch_dicts(query: Any, names: Sequence[str] | None = None, *, squeeze: bool = False,
                **select_options: Any) -> list[dict[str, Any]]:
    """All rows as dicts ``{attribute: value}``."""
    names = resolve_names(query, names)
    if not names:  # e.g. the keys of a query without a primary key: one empty dict per row
        return [{} for _ in range(len(query))]
    out: list[dict[str, Any]] = []
    with open_rows(query, names, squeeze=squeeze, **select_options) as rows:
        for batch in rows.batches:
            out.extend(rows.dicts(batch))
    return out


def iter_rows(query: Any, names: Sequence[str] | None = None, *, as_dict: bool = True,
              batch_size: int = 1000, **select_options: Any) -> Iterator[Any]:
    """Rows one at a time (dicts, or tuples), streamed from the database in batches."""
    names = resolve_names(query, names)
    with open_rows(query, names, stream=True, batch_size=batch_size, **select_options) as rows:
        for batch in rows.batches:
            yield from (rows.dicts(batch) if as_dict else rows.rows(batch))


class RowCursor:
    """A cursor over a query's rows: iterate it, or call ``fetchone``/``fetchmany``/``fetchall``.

    Rows are streamed from the database (a server-side cursor where the backend has one)
    and hold final values, decoded as in :meth:`to_dicts`.
    """

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Any]:
        return self._rows

    def __next__(self) -> Any:
        return next(self._rows)

    def fetchone(self) -> Any:
        return next(self._rows, None)

    def fetchmany(self, size: int = BATCH_SIZE) -> list[Any]:
        return [row for _, row in zip(range(size), self._rows)]

    def fetchall(self) -> list[Any]:
        return list(self._rows)

    def close(self) -> None:
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> RowCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fetch_one(query: Any, attributes: Sequence[str], squeeze: bool = False) -> Any:
    """The one row of ``query``: a dict, or the values of ``attributes`` (``KEY``: the key dict)."""
    names = resolve_names(query, list(attributes) or None)
    rows = first_rows(query, names, limit=2, squeeze=squeeze)
    if len(rows) != 1:
        found = "no rows" if not rows else "more than one row"
        raise DataJointError(f"fetch1 requires exactly one row, but the query has {found}.")
    row = dict(zip(names, rows[0]))
    if not attributes:
        return row
    values = tuple({k: row[k] for k in query.primary_key} if a == "KEY" else row[a] for a in attributes)
    return values[0] if len(values) == 1 else values
