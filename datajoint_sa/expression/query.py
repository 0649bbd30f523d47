"""Query expressions: immutable descriptions of a set of rows, compiled to ``sa.Select``.

Every operator returns a new expression; nothing runs until rows are fetched.
An expression knows its heading and the SQLAlchemy FROM clause and WHERE terms
that produce it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from ..fetch.api import FetchMixin
from ..heading import Heading
from .condition import to_clause

__all__ = ["QueryExpression", "parse_order_by"]


def parse_order_by(order_by: str | Sequence[str] | None, heading: Heading) -> list[tuple[str, bool]]:
    """``"KEY"``, ``"attr DESC"`` or a list of these -> [(attribute, descending)]."""
    if order_by is None:
        return []
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    result: list[tuple[str, bool]] = []
    for item in items:
        for part in (p.strip() for p in item.split(",")):
            words = part.split()
            if not words:
                continue
            descending = len(words) == 2 and words[1].upper() == "DESC"
            if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
                raise DataJointError(f"Cannot order by {part!r}: write 'attribute', 'attribute DESC' or 'KEY'.")
            if words[0].upper() == "KEY":
                result.extend((name, descending) for name in heading.primary_key)
            else:
                heading[words[0]]  # raises UnknownAttributeError naming what is available
                result.append((words[0], descending))
    return result


class QueryExpression(FetchMixin):
    """A set of rows with a heading, defined by a FROM clause and restrictions."""

    _connection: Any = None
    _heading: Heading
    _source: sa.FromClause
    _where: tuple[sa.ColumnElement[bool], ...] = ()

    # -- construction --------------------------------------------------------------
    def _derive(self, **changes: Any) -> QueryExpression:
        clone = copy.copy(self)
        clone.__dict__.update(changes)
        return clone

    @property
    def connection(self) -> Any:
        return self._connection

    @property
    def heading(self) -> Heading:
        return self._heading

    @property
    def primary_key(self) -> list[str]:
        return self._heading.primary_key

    @property
    def _columns(self) -> Mapping[str, sa.ColumnElement[Any]]:
        return self._source.c

    # -- restriction -----------------------------------------------------------------
    def restrict(self, restriction: Any) -> QueryExpression:
        """Rows that satisfy ``restriction`` (see :mod:`.condition` for what it may be)."""
        clause = to_clause(restriction, self._heading, self._columns, self._semijoin)
        return self._derive(_where=(*self._where, clause))

    def __and__(self, restriction: Any) -> QueryExpression:
        return self.restrict(restriction)

    def __sub__(self, restriction: Any) -> QueryExpression:
        from .condition import Not

        return self.restrict(Not(restriction))

    def _semijoin(self, other: Any) -> sa.ColumnElement[bool]:
        if isinstance(other, type):
            other = other()
        shared = [n for n in self._heading.names if n in other.heading]
        if not shared:
            return sa.true() if len(other) else sa.false()
        inner = other.make_select(shared).subquery()
        match = sa.and_(*(inner.c[n] == self._columns[n] for n in shared))
        return sa.exists(sa.select(sa.literal(1)).select_from(inner).where(match))

    # -- SQL ---------------------------------------------------------------------------
    def make_select(self, names: Sequence[str] | None = None) -> sa.Select:
        """The SELECT producing this expression's rows (``names``: a subset of the heading)."""
        names = self._heading.names if names is None else list(names)
        columns = [self._columns[n].label(n) if self._columns[n].key != n else self._columns[n] for n in names]
        select = sa.select(*columns).select_from(self._source)
        for clause in self._where:
            select = select.where(clause)
        return select

    def make_sql(self) -> str:
        """The SQL of this expression for the connected database, for inspection."""
        dialect = self._connection.engine.dialect
        return str(self.make_select().compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    def ordered_select(self, names: Sequence[str] | None = None, order_by: Any = None,
                       limit: int | None = None, offset: int | None = None) -> sa.Select:
        select = self.make_select(names)
        for name, descending in parse_order_by(order_by, self._heading):
            column = self._columns[name]
            select = select.order_by(column.desc() if descending else column.asc())
        if limit is not None:
            select = select.limit(int(limit))
        if offset:
            if limit is None:
                raise DataJointError("offset needs a limit.")
            select = select.offset(int(offset))
        return select

    # -- counting ---------------------------------------------------------------------------
    def __len__(self) -> int:
        inner = self.make_select(self._heading.primary_key or self._heading.names).distinct().subquery()
        return int(self._connection.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())

    def __bool__(self) -> bool:
        probe = sa.select(sa.exists(self.make_select().limit(1).subquery().select()))
        return bool(self._connection.execute(probe).scalar())

    def __contains__(self, item: Any) -> bool:
        return bool(self & item)
