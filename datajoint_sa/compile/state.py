"""The state of one flat SELECT, and the rules that decide when a subquery is needed.

A query expression compiles to one :class:`SelectState`: a FROM clause, the column
expression of each attribute, WHERE terms, and optionally GROUP BY, DISTINCT and
ORDER BY/LIMIT/OFFSET.  Operators extend the state when the result is still one flat
SELECT and wrap it into a subquery (:meth:`SelectState.wrapped`) only when one of the
``needs_*`` rules below says the flat form would change the meaning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

__all__ = ["SelectState", "base_tables", "share_a_table", "needs_wrap_to_restrict", "needs_wrap_as_operand",
           "needs_wrap_as_outer_operand", "needs_wrap_to_order"]

Columns = Mapping[str, sa.ColumnElement[Any]]


@dataclass(frozen=True)
class SelectState:
    """One SELECT: ``columns`` maps attribute names to expressions over ``source``.

    ``group_by`` is None for a plain SELECT and a tuple (possibly empty, for a global
    aggregate) for an aggregation.  ``top`` is the :class:`~datajoint_sa.expression.condition.Top`
    whose ORDER BY/LIMIT/OFFSET (``order_by``, ``limit``, ``offset``) the SELECT carries.
    """

    source: sa.FromClause
    columns: Columns
    where: tuple[sa.ColumnElement[bool], ...] = ()
    group_by: tuple[sa.ColumnElement[Any], ...] | None = None
    distinct: bool = False
    top: Any = None
    order_by: tuple[sa.ColumnElement[Any], ...] = ()
    limit: int | None = None
    offset: int | None = None

    @classmethod
    def of_table(cls, table: sa.FromClause) -> SelectState:
        return cls(table, {c.name: c for c in table.c})

    # -- building -----------------------------------------------------------------------
    def restricted(self, clause: sa.ColumnElement[bool]) -> SelectState:
        return replace(self, where=(*self.where, clause))

    def with_columns(self, columns: Columns) -> SelectState:
        return replace(self, columns=columns)

    def wrapped(self, names: Sequence[str] | None = None) -> SelectState:
        """This SELECT as a subquery: a fresh state selecting from it."""
        names = list(self.columns) if names is None else list(names)
        sub = self.select(names).subquery()
        return SelectState(sub, {n: sub.c[n] for n in names})

    # -- SQL --------------------------------------------------------------------------------
    def select(self, names: Sequence[str] | None = None) -> sa.Select[Any]:
        """The SELECT of the named attributes (all when None)."""
        names = list(self.columns) if names is None else names
        if self.distinct and len(names) < len(self.columns):
            return self.wrapped().select(names)  # DISTINCT over fewer columns would merge rows
        select = sa.select(*(_labeled(self.columns[n], n) for n in names)).select_from(self.source)
        if self.where:
            select = select.where(*self.where)
        if self.group_by:
            select = select.group_by(*self.group_by)
        if self.distinct:
            select = select.distinct()
        if self.order_by:
            select = select.order_by(*self.order_by)
        if self.limit is not None:
            select = select.limit(self.limit)
        if self.offset:
            select = select.offset(self.offset)
        return select

    def count(self) -> sa.Select[Any]:
        """SELECT count(*) of the rows (every DataJoint result is unique on its primary key)."""
        if self.group_by is None and not self.distinct and self.limit is None and not self.offset:
            select = sa.select(sa.func.count()).select_from(self.source)
            return select.where(*self.where) if self.where else select
        names = list(self.columns) or None
        inner = (self.select(names) if names else self.select([])).subquery()
        return sa.select(sa.func.count()).select_from(inner)

    def exists(self) -> sa.Select[Any]:
        """SELECT EXISTS(...) of the rows."""
        return sa.select(sa.exists(self.select(list(self.columns)[:1] or None)))


def _labeled(column: sa.ColumnElement[Any], name: str) -> sa.ColumnElement[Any]:
    if isinstance(column, sa.ColumnClause) and column.name == name:
        return column
    return column.label(name)


def base_tables(source: sa.FromClause) -> set[sa.FromClause]:
    """The tables and subqueries a FROM clause joins."""
    if isinstance(source, sa.Join):
        return base_tables(source.left) | base_tables(source.right)
    return {source}


def share_a_table(left: sa.FromClause, right: sa.FromClause) -> bool:
    """Whether two FROM clauses name a database table in common.

    Tables compare by schema and name, not by object: a FreeTable and a class reflect
    the same table into different ``sa.Table`` objects, which SQL sees as one name.
    """
    def names(source: sa.FromClause) -> set[Any]:
        return {(t.schema, t.name) if isinstance(t, sa.Table) else t for t in base_tables(source)}

    return bool(names(left) & names(right))


# -- subquery rules ----------------------------------------------------------------------
def needs_wrap_to_restrict(state: SelectState) -> bool:
    """A WHERE term cannot be added after GROUP BY (its columns are aggregates) or LIMIT."""
    return state.group_by is not None or state.limit is not None or bool(state.offset)


def needs_wrap_as_operand(state: SelectState) -> bool:
    """Grouped, DISTINCT or limited SELECTs join as subqueries: their rows are not a FROM plus WHERE."""
    return state.group_by is not None or state.distinct or state.limit is not None or bool(state.offset)


def needs_wrap_as_outer_operand(state: SelectState) -> bool:
    """The right side of a left join keeps its restrictions and joins inside a subquery.

    Otherwise its WHERE terms would drop the rows the left join keeps.
    """
    return needs_wrap_as_operand(state) or bool(state.where) or isinstance(state.source, sa.Join)


def needs_wrap_to_order(state: SelectState) -> bool:
    """A new ORDER BY/LIMIT on a SELECT that already has a LIMIT applies to its result."""
    return state.limit is not None or bool(state.offset)


# -- combining states ----------------------------------------------------------------------
def join_states(left: SelectState, right: SelectState, on: Sequence[str], outer: bool = False) -> SelectState:
    """``left JOIN right ON`` the named attributes (LEFT OUTER JOIN when ``outer``)."""
    if needs_wrap_as_operand(left):
        left = left.wrapped()
    right_rule = needs_wrap_as_outer_operand if outer else needs_wrap_as_operand
    if right_rule(right) or share_a_table(left.source, right.source):
        right = right.wrapped()  # a table on both sides: the right one gets its own alias
    condition = sa.and_(*(left.columns[n] == right.columns[n] for n in on)) if on else sa.true()
    columns = dict(left.columns)
    for name, column in right.columns.items():
        columns.setdefault(name, column)
    source, where = _attach(left.source, right.source, condition, outer)
    return SelectState(source, columns, (*left.where, *where, *right.where))


def _attach(left: sa.FromClause, right: sa.FromClause, condition: sa.ColumnElement[bool],
            outer: bool) -> tuple[sa.FromClause, tuple[sa.ColumnElement[bool], ...]]:
    """``left JOIN right ON condition`` as a left-deep join; returns (FROM, extra WHERE terms).

    A right side that is itself a join is appended table by table rather than nested in
    parentheses (SQLite cannot resolve dotted table names inside a nested join).  The
    condition then goes to the first table's ON clause when it only involves that table,
    and to WHERE otherwise (the same thing for an inner join).
    """
    if not isinstance(right, sa.Join):
        return left.join(right, condition, isouter=outer), ()
    chain = _chain(right)
    first = chain[0][0]
    involved = {f for f in condition._from_objects} - base_tables(left)
    fits = involved <= {first}
    source = left.join(first, condition if fits else sa.true())
    for table, onclause, isouter in chain[1:]:
        source = source.join(table, onclause, isouter=isouter)
    return source, (() if fits else (condition,))


def _chain(source: sa.FromClause) -> list[tuple[sa.FromClause, Any, bool]]:
    if isinstance(source, sa.Join):
        return [*_chain(source.left), (source.right, source.onclause, source.isouter)]
    return [(source, None, False)]


def aggregate_states(left: SelectState, right: SelectState, on: Sequence[str], *, keep_all: bool,
                     right_key: Sequence[str], needed: Sequence[str]) -> tuple[
                         SelectState, dict[str, sa.ColumnElement[Any]], sa.ColumnElement[Any] | None]:
    """The joined FROM/WHERE of ``left.aggr(right)``.

    Returns (joined state, the columns aggregates see, the column ``count(*)`` counts).
    With ``keep_all`` the right side is left-joined with its restrictions inside a subquery,
    and ``count(*)`` counts a key column of the right side, so unmatched rows count 0.
    A subquery of the right side selects only ``on``, ``needed`` (what the aggregates use)
    and the counted key column.
    """
    if needs_wrap_as_operand(left):
        left = left.wrapped()
    if (needs_wrap_as_outer_operand(right) if keep_all else needs_wrap_as_operand(right)) or (
            share_a_table(left.source, right.source)):
        names = dict.fromkeys([*on, *(n for n in needed if n in right.columns), *right_key[:1]])
        right = right.wrapped(list(names))
    joined = join_states(left, right, on, outer=keep_all)
    visible = {**left.columns, **right.columns}
    count_column = right.columns[right_key[0]] if keep_all and right_key else None
    return SelectState(joined.source, dict(left.columns), joined.where), visible, count_column


def union_states(first: SelectState, second: SelectState, key: Sequence[str],
                 first_only: Sequence[str], second_only: Sequence[str]) -> SelectState:
    """UNION of two states with the same key; secondary attributes of the other side are NULL."""
    if needs_wrap_as_operand(first):
        first = first.wrapped()
    if needs_wrap_as_operand(second):
        second = second.wrapped()
    names = [*key, *first_only, *second_only]
    if not first_only and not second_only:
        union = sa.union(first.select(key), second.select(key))
    else:
        left = join_states(first, second, key, outer=True).select(names)
        taken = first.select(key).subquery()
        unmatched = ~sa.exists().select_from(taken).where(
            *(taken.c[k] == second.columns[k] for k in key)).correlate_except(taken)
        columns = [*(_labeled(second.columns[k], k) for k in key),
                   *(sa.null().label(n) for n in first_only),
                   *(_labeled(second.columns[n], n) for n in second_only)]
        right = sa.select(*columns).select_from(second.source).where(*second.where, unmatched)
        union = sa.union(left, right)
    sub = union.subquery()
    return SelectState(sub, {n: sub.c[n] for n in names})
