"""Query expressions: immutable descriptions of a set of rows, compiled to ``sa.Select``.

Every operator returns a new expression; nothing runs until rows are fetched.
An expression knows its heading and the SQLAlchemy FROM clause and WHERE terms
that produce it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from ..fetch.api import FetchMixin
from ..heading import Heading
from .condition import to_clause


def _resolve_names(sql: str, columns: Mapping[str, sa.ColumnElement[Any]]) -> str:
    """Rewrite attribute names in a user SQL fragment into the columns they stand for."""
    import re

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word in columns:
            return "(" + str(columns[word].compile(compile_kwargs={"literal_binds": True})) + ")"
        return word

    return re.sub(r"(?<![\w.'\"])[A-Za-z_]\w*(?![\w'\"])", swap, sql)

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
    _column_map: Mapping[str, sa.ColumnElement[Any]] | None = None

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
        return self._source.c if self._column_map is None else self._column_map

    # -- projection --------------------------------------------------------------------
    def proj(self, *attributes: Any, **named: str) -> QueryExpression:
        """Keep, rename (``new='old'``), duplicate (``dup='(old)'``) or compute attributes.

        The primary key is always kept; ``...`` keeps all attributes and ``'-attr'``
        drops a secondary attribute.  Renamed attributes keep their lineage; computed
        ones have none.  The result is a flat SELECT: restrictions on new names use the
        underlying column expression.
        """
        heading, columns = self._heading, self._columns
        keep_all = any(a is Ellipsis for a in attributes)
        names = [a for a in attributes if isinstance(a, str)]
        excluded = {a[1:].strip() for a in names if a.startswith("-")}
        kept = [a for a in names if not a.startswith("-")]
        for name in [*kept, *excluded]:
            heading[name]  # raises, naming what is available
        if excluded & set(heading.primary_key):
            raise DataJointError("Primary-key attributes cannot be excluded with '-'.")
        renamed_sources = {v.strip() for v in named.values() if v.strip() in heading and v == v.strip()}
        selected = [n for n in heading.names
                    if (heading[n].in_key and n not in renamed_sources)
                    or (keep_all and n not in excluded and n not in renamed_sources) or n in kept]
        attrs = [heading[n] for n in selected]
        cmap: dict[str, sa.ColumnElement[Any]] = {n: columns[n] for n in selected}
        for new, spec in named.items():
            source = spec.strip()
            if spec == source and source in heading:  # rename keeps lineage and key membership
                attrs.append(heading[source].renamed(new))
                cmap[new] = columns[source]
                continue
            inner = source[1:-1].strip() if source.startswith("(") and source.endswith(")") else None
            if inner in heading:  # duplicate: a secondary copy with the same lineage
                attrs.append(replace(heading[inner], name=new, in_key=False))
                cmap[new] = columns[inner]
                continue
            template = heading[heading.names[0]]
            attrs.append(replace(template, name=new, in_key=False, nullable=True, default=None,
                                 comment="", lineage=None, expression=source))
            cmap[new] = sa.literal_column(_resolve_names(source, columns), sa.Float)
        return self._derive(_heading=Heading(attrs), _column_map=cmap)

    # -- join ------------------------------------------------------------------------------
    def join(self, other: Any, semantic_check: bool = True, left: bool = False) -> QueryExpression:
        """Rows of both operands that agree on their shared attributes.

        Namesakes match only when their lineages agree; namesakes of different
        lineage raise DataJointError unless ``semantic_check=False``.  ``left=True``
        keeps rows of this operand without a match (their other attributes NULL).
        Both operands become subqueries, which keeps their restrictions and renames intact.
        """
        if isinstance(other, type):
            other = other()
        if not isinstance(other, QueryExpression):
            raise DataJointError(f"Cannot join a query with {type(other).__name__}.")
        shared = [n for n in self._heading.names if n in other.heading]
        if semantic_check:
            for name in shared:
                mine, theirs = self._heading[name].lineage, other.heading[name].lineage
                if mine != theirs:
                    raise DataJointError(
                        f"Cannot join on attribute {name!r}: its lineages differ ({mine} vs {theirs}). "
                        "Rename one with proj(), or join with semantic_check=False."
                    )
        left_sub = self.make_select().subquery()
        right_sub = other.make_select().subquery()
        condition = sa.and_(sa.true(), *(left_sub.c[n] == right_sub.c[n] for n in shared))
        source = left_sub.join(right_sub, condition, isouter=left)
        extra = [a for a in other.heading.attributes.values() if a.name not in self._heading]
        key = set(self._heading.primary_key) | set(other.heading.primary_key)
        attrs = [replace(a, in_key=a.name in key) for a in self._heading.attributes.values()]
        attrs += [replace(a, in_key=a.name in key and not left, nullable=a.nullable or left) for a in extra]
        attrs = [a for a in attrs if a.in_key] + [a for a in attrs if not a.in_key]
        cmap = {n: left_sub.c[n] for n in self._heading.names}
        cmap.update({a.name: right_sub.c[a.name] for a in extra})
        return self._derive(_heading=Heading(attrs), _source=source, _column_map=cmap, _where=())

    def __mul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def __rmul__(self, other: Any) -> QueryExpression:
        if isinstance(other, type):
            return other().join(self)
        return NotImplemented

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
