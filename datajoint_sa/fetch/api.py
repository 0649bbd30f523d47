"""The output methods every query expression has: dicts, arrays, frames, display.

Kept apart from the query algebra so that fetching and querying evolve separately;
:class:`~datajoint_sa.expression.query.QueryExpression` inherits these.  They rely
only on ``heading``, ``primary_key``, ``connection`` and ``ordered_select()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["FetchMixin"]


class FetchMixin:
    """Output methods shared by all query expressions."""

    def to_dicts(self, *, order_by: Any = None, limit: int | None = None, offset: int | None = None,
                 squeeze: bool = False) -> list[dict[str, Any]]:
        """All rows as a list of dicts."""
        from .rows import fetch_dicts

        return fetch_dicts(self, order_by=order_by, limit=limit, offset=offset)

    def keys(self, *, order_by: Any = None, limit: int | None = None, offset: int | None = None) -> list[dict[str, Any]]:
        """The primary-key values of all rows, as dicts."""
        from .rows import fetch_dicts

        return fetch_dicts(self, names=self.primary_key, order_by=order_by, limit=limit, offset=offset)

    def fetch1(self, *attributes: str) -> Any:
        """The one row as a dict, or the values of the named attributes; error unless exactly one row."""
        from .rows import fetch_one

        return fetch_one(self, attributes)

    def to_arrays(self, *attributes: str, order_by: Any = None, limit: int | None = None,
                  offset: int | None = None, include_key: bool = False) -> Any:
        """Rows as a numpy structured array, or one array per named attribute."""
        from .arrays import fetch_arrays

        return fetch_arrays(self, attributes, order_by=order_by, limit=limit, offset=offset, include_key=include_key)

    def to_pandas(self, *, order_by: Any = None, limit: int | None = None, offset: int | None = None) -> Any:
        """Rows as a pandas DataFrame indexed by the primary key."""
        from .arrays import fetch_pandas

        return fetch_pandas(self, order_by=order_by, limit=limit, offset=offset)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_dicts())

    def head(self, limit: int = 25, **kwargs: Any) -> list[dict[str, Any]]:
        return self.to_dicts(order_by=kwargs.pop("order_by", "KEY"), limit=limit, **kwargs)

    # -- display ---------------------------------------------------------------------------
    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        from .display import preview

        return preview(self, limit=limit, width=width)

    def __repr__(self) -> str:
        return self.preview()

    def _repr_html_(self) -> str:
        from .display import preview_html

        return preview_html(self)
