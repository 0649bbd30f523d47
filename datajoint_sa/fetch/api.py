"""The output methods every query expression has: dicts, arrays, frames, display.

Kept apart from the query algebra so that fetching and querying evolve separately;
:class:`~datajoint_sa.expression.query.QueryExpression` inherits these.  They rely
only on ``heading``, ``primary_key``, ``connection`` and ``ordered_select()``.

``order_by`` takes an attribute name, ``"name DESC"``, ``"KEY"`` (the primary key) or a
list of these; ``limit`` and ``offset`` page through the ordered rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import DataJointError

__all__ = ["FetchMixin"]


class FetchMixin:
    """Output methods shared by all query expressions."""

    # -- rows ----------------------------------------------------------------------------
    def to_dicts(self, order_by: Any = None, limit: int | None = None, offset: int | None = None,
                 squeeze: bool = False) -> list[dict[str, Any]]:
        """All rows as a list of dicts ``{attribute: value}``."""
        from .rows import _squeeze, fetch_dicts

        rows = fetch_dicts(self, order_by=order_by, limit=limit, offset=offset)
        if squeeze:
            rows = [{k: _squeeze(v) for k, v in row.items()} for row in rows]
        return rows

    def keys(self, order_by: Any = None, limit: int | None = None, offset: int | None = None) -> list[dict[str, Any]]:
        """The primary-key values of all rows, as dicts."""
        from .rows import fetch_dicts

        return fetch_dicts(self, names=self.primary_key, order_by=order_by, limit=limit, offset=offset)

    def fetch1(self, *attrs: str, squeeze: bool = False) -> Any:
        """The one row as a dict, or the values of the named attributes (``"KEY"``: the key dict).

        Raises DataJointError unless the query has exactly one row.
        """
        from .rows import fetch_one

        return fetch_one(self, attrs, squeeze=squeeze)

    def cursor(self, as_dict: bool = False) -> Iterator[Any]:
        """An iterator over the rows, streamed from the database: tuples, or dicts if ``as_dict``."""
        from .rows import iter_batches, resolve_names

        names = resolve_names(self, None)
        for batch in iter_batches(self, names, 1000):
            for row in batch:
                yield dict(zip(names, row)) if as_dict else row

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Rows as dicts, streamed."""
        return self.cursor(as_dict=True)

    def head(self, limit: int = 25) -> list[dict[str, Any]]:
        """The first ``limit`` rows in primary-key order, as dicts."""
        return self.to_dicts(order_by="KEY", limit=limit)

    def tail(self, limit: int = 25) -> list[dict[str, Any]]:
        """The last ``limit`` rows in primary-key order, as dicts."""
        return list(reversed(self.to_dicts(order_by="KEY DESC", limit=limit)))

    # -- columns -------------------------------------------------------------------------
    def to_arrays(self, *attrs: str, include_key: bool = False, order_by: Any = None,
                  limit: int | None = None, offset: int | None = None, squeeze: bool = False) -> Any:
        """Rows as a numpy structured array, or a tuple of arrays for named attributes.

        With ``include_key`` and named attributes, the primary key leads the structured array.
        """
        from .arrays import fetch_arrays

        return fetch_arrays(self, attrs, order_by=order_by, limit=limit, offset=offset, include_key=include_key)

    def to_pandas(self, order_by: Any = None, limit: int | None = None, offset: int | None = None,
                  squeeze: bool = False) -> Any:
        """Rows as a pandas DataFrame indexed by the primary key."""
        from .arrays import fetch_pandas

        return fetch_pandas(self, order_by=order_by, limit=limit, offset=offset)

    def to_arrow(self, order_by: Any = None, limit: int | None = None, offset: int | None = None,
                 squeeze: bool = False) -> Any:
        """Rows as a ``pyarrow.Table`` with the declared column types."""
        from .arrow import fetch_arrow

        return fetch_arrow(self, order_by=order_by, limit=limit, offset=offset)

    def to_polars(self, order_by: Any = None, limit: int | None = None, offset: int | None = None,
                  squeeze: bool = False) -> Any:
        """Rows as a ``polars.DataFrame`` (needs ``pip install 'datajoint_sa[polars]'``)."""
        from .arrow import fetch_polars

        return fetch_polars(self, order_by=order_by, limit=limit, offset=offset)

    # -- the 0.14-compatible form ----------------------------------------------------------
    def fetch(self, *attrs: str, offset: int | None = None, limit: int | None = None, order_by: Any = None,
              format: str | None = None, as_dict: bool | None = None, squeeze: bool = False) -> Any:
        """Rows in the DataJoint 0.14 forms.

        ``fetch()``: a structured array (``format="frame"``: a DataFrame; ``as_dict=True``: dicts).
        ``fetch("a", "b")``: a tuple of arrays, one per attribute (``"KEY"``: a list of key dicts);
        with ``as_dict=True``: dicts of the named attributes.
        """
        if format not in (None, "array", "frame"):
            raise DataJointError(f"fetch format must be 'array' or 'frame', not {format!r}.")
        options = {"order_by": order_by, "limit": limit, "offset": offset}
        if attrs:
            if format == "frame":
                raise DataJointError("format='frame' cannot be combined with named attributes.")
            return self._fetch_named(attrs, bool(as_dict), options)
        if as_dict:
            return self.to_dicts(squeeze=squeeze, **options)
        if format == "frame":
            return self.to_pandas(**options)
        return self.to_arrays(**options)

    def _fetch_named(self, attrs: tuple[str, ...], as_dict: bool, options: dict[str, Any]) -> Any:
        from .arrays import fetch_columns, numpy_column
        from .rows import fetch_dicts

        if as_dict:
            return fetch_dicts(self, names=list(attrs), **options)
        names, columns = fetch_columns(self, list(attrs), **options)
        by_name = dict(zip(names, columns))
        heading = self.heading
        out: list[Any] = []
        for attr in attrs:
            if attr == "KEY":
                key = list(self.primary_key)
                out.append([dict(zip(key, values)) for values in zip(*(by_name[k] for k in key))])
            else:
                out.append(numpy_column(heading[attr].type.kind, by_name[attr]))
        return out[0] if len(out) == 1 else tuple(out)

    # -- display ---------------------------------------------------------------------------
    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        """The first rows as a text table, with the total count."""
        from .display import preview

        return preview(self, limit=limit, width=width)

    def __repr__(self) -> str:
        return self.preview()

    def _repr_html_(self) -> str:
        from .display import preview_html

        return preview_html(self)
