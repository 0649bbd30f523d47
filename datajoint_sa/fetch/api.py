"""The output methods every query expression has: dicts, arrays, frames, Arrow, display.

Kept apart from the query algebra so that fetching and querying evolve separately;
:class:`~datajoint_sa.expression.query.QueryExpression` inherits these.  They rely only on
``heading``, ``primary_key``, ``connection`` and ``ordered_select()`` of the expression.

``order_by`` takes an attribute name, ``"name DESC"``, ``"KEY"`` (the primary key) or a
list of these; ``limit`` and ``offset`` page through the ordered rows.  ``squeeze``
removes length-1 dimensions of decoded codec values (numpy arrays in blobs).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import DataJointError
from .source import check_options

__all__ = ["FetchMixin"]

OrderBy = str | list[str] | tuple[str, ...] | None


def _paging(order_by: OrderBy, limit: int | None, offset: int | None) -> dict[str, Any]:
    check_options(limit, offset)
    return {"order_by": order_by, "limit": limit, "offset": offset}


class FetchMixin:
    """Output methods shared by all query expressions."""

    # -- rows ----------------------------------------------------------------------------
    def to_dicts(self, order_by: OrderBy = None, limit: int | None = None, offset: int | None = None,
                 squeeze: bool = False) -> list[dict[str, Any]]:
        """All rows as a list of dicts ``{attribute: value}``."""
        from .rows import fetch_dicts

        return fetch_dicts(self, squeeze=squeeze, **_paging(order_by, limit, offset))

    def keys(self, order_by: OrderBy = None, limit: int | None = None,
             offset: int | None = None) -> list[dict[str, Any]]:
        """The primary-key values of all rows, as dicts."""
        from .rows import fetch_dicts

        return fetch_dicts(self, self.primary_key, **_paging(order_by, limit, offset))

    def fetch1(self, *attrs: str, squeeze: bool = False) -> Any:
        """The one row as a dict, or the values of the named attributes (``"KEY"``: the key dict).

        Raises DataJointError unless the query has exactly one row.
        """
        from .rows import fetch_one

        return fetch_one(self, attrs, squeeze=squeeze)

    def cursor(self, as_dict: bool = False) -> Any:
        """A cursor over the rows, streamed from the database: tuples, or dicts if ``as_dict``.

        Iterate it or call ``fetchone()``, ``fetchmany(n)``, ``fetchall()``.
        """
        from .rows import RowCursor, iter_rows

        return RowCursor(iter_rows(self, as_dict=as_dict))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Rows as dicts, streamed from the database."""
        from .rows import iter_rows

        return iter_rows(self, as_dict=True)

    def head(self, limit: int = 25) -> list[dict[str, Any]]:
        """The first ``limit`` rows in primary-key order, as dicts."""
        return self.to_dicts(order_by="KEY", limit=limit)

    def tail(self, limit: int = 25) -> list[dict[str, Any]]:
        """The last ``limit`` rows in primary-key order, as dicts."""
        return list(reversed(self.to_dicts(order_by="KEY DESC", limit=limit)))

    # -- columns -------------------------------------------------------------------------
    def to_arrays(self, *attrs: str, include_key: bool = False, order_by: OrderBy = None,
                  limit: int | None = None, offset: int | None = None, squeeze: bool = False) -> Any:
        """Rows as a numpy structured array; or a tuple of arrays, one per named attribute.

        ``to_arrays("a")`` gives one array; ``to_arrays("a", "b", include_key=True)`` gives
        ``(keys, a, b)``, keys being a list of primary-key dicts.
        """
        from .arrays import fetch_arrays

        return fetch_arrays(self, attrs, include_key=include_key, squeeze=squeeze,
                            **_paging(order_by, limit, offset))

    def to_pandas(self, order_by: OrderBy = None, limit: int | None = None, offset: int | None = None,
                  squeeze: bool = False) -> Any:
        """Rows as a pandas DataFrame indexed by the primary key."""
        from .frames import fetch_pandas

        return fetch_pandas(self, squeeze=squeeze, **_paging(order_by, limit, offset))

    def to_arrow(self, order_by: OrderBy = None, limit: int | None = None, offset: int | None = None,
                 squeeze: bool = False) -> Any:
        """Rows as a ``pyarrow.Table`` with the declared column types (uuid and json as text)."""
        from .arrow import fetch_arrow

        return fetch_arrow(self, **_paging(order_by, limit, offset))

    def to_polars(self, order_by: OrderBy = None, limit: int | None = None, offset: int | None = None,
                  squeeze: bool = False) -> Any:
        """Rows as a ``polars.DataFrame`` (needs ``pip install 'datajoint_sa[polars]'``)."""
        from .arrow import fetch_polars

        return fetch_polars(self, **_paging(order_by, limit, offset))

    # -- the 0.14-compatible form ----------------------------------------------------------
    def fetch(self, *attrs: str, offset: int | None = None, limit: int | None = None,
              order_by: OrderBy = None, format: str | None = None, as_dict: bool | None = None,
              squeeze: bool = False) -> Any:
        """Rows in the DataJoint 0.14 forms (deprecated: use the ``to_*`` methods).

        ``fetch()``: a structured array (``format="frame"``: a DataFrame; ``as_dict=True``:
        dicts).  ``fetch("a", "b")``: a tuple of arrays, one per attribute, ``"KEY"`` giving
        a list of key dicts; with ``as_dict=True``: dicts of the named attributes.
        """
        warnings.warn("fetch() is deprecated: use to_dicts(), to_pandas(), to_arrays() or keys().",
                      DeprecationWarning, stacklevel=2)
        if format not in (None, "array", "frame"):
            raise DataJointError(f"fetch format must be 'array' or 'frame', not {format!r}.")
        options = {"order_by": order_by, "limit": limit, "offset": offset, "squeeze": squeeze}
        if format == "frame":
            if attrs or as_dict is not None:
                raise DataJointError("format='frame' cannot be combined with named attributes or as_dict.")
            return self.to_pandas(**options)
        if attrs == ("KEY",):
            options.pop("squeeze")
            return self.keys(**options)
        if as_dict:
            if not attrs:
                return self.to_dicts(**options)
            names = [n for a in attrs for n in (self.primary_key if a == "KEY" else [a])]
            return self.proj(*dict.fromkeys(names)).to_dicts(**options)
        return self.to_arrays(*attrs, **options)

    # -- display ---------------------------------------------------------------------------
    def preview(self, limit: int | None = None, width: int | None = None) -> str:
        """The first rows as a text table, with the total count."""
        from .display import preview

        return preview(self, limit=limit, width=width)

    def __repr__(self) -> str:
        caption = getattr(self, "_caption", None)
        return (f"{caption}\n" if caption else "") + self.preview()

    def _repr_html_(self) -> str:
        from .display import preview_html

        return preview_html(self)
