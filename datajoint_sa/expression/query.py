"""Query expressions: immutable descriptions of a set of rows, compiled to ``sa.Select``.

Every operator returns a new expression and leaves its operands unchanged; nothing runs
until rows are fetched.  An expression holds its heading (attributes, primary key,
lineages) and a :class:`~datajoint_sa.compile.state.SelectState`, the flat SELECT that
produces it.  Operators check their arguments (attribute names, semantic matching) when
they are called, so errors surface where the query is written.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from ..compile.fragment import bind, referenced_names
from ..compile.ordering import sort_key
from ..compile.state import (
    SelectState,
    aggregate_states,
    join_states,
    needs_wrap_to_order,
    needs_wrap_to_restrict,
    union_states,
)
from ..errors import DataJointError
from ..fetch.api import FetchMixin
from ..heading import Attribute, Heading
from .condition import Not, Target, Top, to_clause
from .ordering import order_parts, parse_order_by
from .projection import COMPUTED_TYPE, IDENTIFIER, computed_attribute, plan_projection
from .semantics import check_homology, determines, join_heading

__all__ = ["QueryExpression", "parse_order_by", "COMPUTED_TYPE"]


def _operand(other: Any, operation: str) -> Any:
    """A query expression from a table class or instance; U passes through."""
    from .universal import U

    if isinstance(other, type) and issubclass(other, QueryExpression):
        return other()
    if isinstance(other, (QueryExpression, U)):
        return other
    raise DataJointError(f"The argument of {operation} must be a query expression, not {type(other).__name__}.")


def _union_heading(first: Heading, second: Heading) -> Heading:
    """The heading of ``first + second``: rows are stacked, not matched, so namesakes need not be
    homologous (DataJoint's union checks keys only); a key attribute whose lineages differ has none."""
    heading = join_heading(first, second)
    differing = {n for n in first.primary_key if first[n].lineage != second[n].lineage}
    if not differing:
        return heading
    return Heading([replace(a, lineage=None) if a.name in differing else a for a in heading.attributes.values()],
                   heading.table_comment)


class QueryExpression(FetchMixin):
    """A set of rows with a heading, produced by one SELECT."""

    _connection: Any = None
    _heading: Heading
    _state: SelectState
    _restricted: bool = False
    #: A line shown above the preview (``FreeTable(name)``); kept by restriction and projection.
    _caption: str | None = None

    @classmethod
    def _new(cls, connection: Any, heading: Heading, state: SelectState) -> QueryExpression:
        query = object.__new__(QueryExpression)
        query._connection, query._heading, query._state = connection, heading, state
        return query

    def _derive(self, **changes: Any) -> QueryExpression:
        clone = copy.copy(self)
        clone.__dict__.update(changes)
        return clone

    # -- properties ------------------------------------------------------------------
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
    def _where(self) -> tuple[sa.ColumnElement[bool], ...]:
        """The restrictions applied (non-empty whenever the expression is restricted)."""
        if self._state.where or not self._restricted:
            return self._state.where
        return (sa.true(),)

    @property
    def _top(self) -> Top | None:
        """The dj.Top that orders and limits this expression's rows, if any."""
        return self._state.top

    def _label(self) -> str:
        return type(self).__name__ if type(self) is not QueryExpression else "query"

    # -- restriction -----------------------------------------------------------------
    def restrict(self, restriction: Any, semantic_check: bool = True) -> QueryExpression:
        """Rows that satisfy ``restriction`` (see :mod:`.condition` for what it may be).

        Restriction by another query matches homologous namesakes only, and raises for
        namesakes of different lineage unless ``semantic_check=False``.
        """
        if isinstance(restriction, Top):
            return self._derive(_state=self._apply_top(restriction), _restricted=True)
        state = self._state
        if needs_wrap_to_restrict(state):
            state = state.wrapped(self._heading.names)
        clause = to_clause(restriction, Target(self._heading, state, self._label()), semantic_check)
        if clause is True:
            return self
        return self._derive(_state=state.restricted(sa.false() if clause is False else clause), _restricted=True)

    def __and__(self, restriction: Any) -> QueryExpression:
        return self.restrict(restriction)

    def __sub__(self, restriction: Any) -> QueryExpression:
        return self.restrict(Not(restriction))

    def __neg__(self) -> Not:
        return Not(self)

    def __xor__(self, restriction: Any) -> QueryExpression:
        raise DataJointError("The ^ operator was removed in DataJoint 2.0: use .restrict(other, semantic_check=False).")

    def __matmul__(self, other: Any) -> QueryExpression:
        raise DataJointError("The @ operator was removed in DataJoint 2.0: use .join(other, semantic_check=False).")

    def _apply_top(self, top: Top) -> SelectState:
        state = self._state
        current = state.top
        if current is not None and (top.order_by is None or top.order_by == current.order_by):
            merged = current.then(top)
            return replace(state, top=merged, limit=merged.limit, offset=merged.offset)
        if needs_wrap_to_order(state):
            state = state.wrapped(self._heading.names)
        top = top if top.order_by is not None else Top(top.limit, "KEY", top.offset)
        order = self._order_clauses(top.order_by, state, tiebreak=True)
        return replace(state, top=top, order_by=tuple(order), limit=top.limit, offset=top.offset)

    def _order_clauses(self, order_by: Any, state: SelectState, tiebreak: bool = False) -> list[sa.ColumnElement[Any]]:
        columns = state.columns
        clauses: list[sa.ColumnElement[Any]] = []
        used: set[str] = set()
        for part, descending in order_parts(order_by):
            if part.upper() == "KEY" and part not in self._heading:  # an attribute may be named `key`
                names = self.primary_key
            elif IDENTIFIER.fullmatch(part):
                self._heading[part]  # raises UnknownAttributeError naming what is available
                names = [part]
            else:
                expression = bind(part, columns, where=self._label())
                clauses.append(expression.desc() if descending else expression.asc())
                continue
            for name in names:
                if name not in used:
                    used.add(name)
                    key = sort_key(columns[name], self._heading[name])
                    clauses.append(key.desc() if descending else key.asc())
        if tiebreak:  # the same rows on every backend when the ordering has ties
            clauses += [sort_key(columns[n], self._heading[n]).asc() for n in self.primary_key if n not in used]
        return clauses

    # -- projection ------------------------------------------------------------------
    def proj(self, *attributes: Any, **named: str) -> QueryExpression:
        """Keep, rename (``new='old'``), duplicate (``dup='(old)'``) or compute (``x='a * 2'``) attributes.

        The primary key is always kept (its attributes may be renamed, not dropped);
        ``...`` keeps all attributes and ``'-attr'`` drops a secondary one.  Renamed and
        duplicated attributes keep their lineage; computed ones have none.
        """
        heading = self._heading
        kept, renames, duplicates, computed = plan_projection(heading, attributes, named, self._label())
        columns = self._state.columns
        attrs: list[Attribute] = []
        new_columns: dict[str, sa.ColumnElement[Any]] = {}
        for attr in heading.attributes.values():
            if attr.name in kept:
                attrs.append(attr)
                new_columns[attr.name] = columns[attr.name]
            for new, old in renames.items():
                if old == attr.name:
                    attrs.append(attr.renamed(new))
                    new_columns[new] = columns[old]
            for new, old in duplicates.items():
                if old == attr.name:
                    attrs.append(replace(attr, name=new, in_key=False))
                    new_columns[new] = columns[old]
        for new, sql in computed.items():
            attrs.append(computed_attribute(new, sql))
            new_columns[new] = bind(sql, columns, where=self._label())
        projected = QueryExpression._new(self._connection, Heading(attrs), self._state.with_columns(new_columns))
        if self._caption is not None:
            projected._caption = self._caption
        return projected

    # -- join ------------------------------------------------------------------------
    def join(self, other: Any, semantic_check: bool = True, left: bool = False) -> QueryExpression:
        """Rows of both operands that agree on their homologous namesakes.

        Namesakes of different lineage raise DataJointError unless ``semantic_check=False``.
        ``left=True`` keeps the rows of this operand without a match (the other's attributes
        NULL); it requires this operand to determine the other (to hold its primary key).
        """
        from .universal import U

        other = _operand(other, "join")
        if isinstance(other, U):
            return other.join(self)  # raises: joining with dj.U was removed in 2.0
        shared = check_homology(self._heading, other.heading, semantic_check)
        if left and not determines(self._heading, other.heading):
            missing = [n for n in other.heading.primary_key if n not in self._heading]
            raise DataJointError(
                "A left join (or extend) requires the left operand to determine the right one: the right "
                f"operand's primary-key attribute(s) {missing} are not in the left operand. Use an inner join."
            )
        heading = join_heading(self._heading, other.heading, left_join=left)
        state = join_states(self._state, other._state, shared, outer=left)
        return QueryExpression._new(self._connection, heading, state)

    def extend(self, other: Any, semantic_check: bool = True) -> QueryExpression:
        """Add the attributes of ``other`` to every row (a left join; this operand must determine ``other``)."""
        return self.join(other, semantic_check=semantic_check, left=True)

    def __mul__(self, other: Any) -> QueryExpression:
        return self.join(other)

    def __rmul__(self, other: Any) -> QueryExpression:
        if isinstance(other, type) and issubclass(other, QueryExpression):
            return other().join(self)
        return NotImplemented

    # -- aggregation -------------------------------------------------------------------
    def aggr(self, group: Any, *attributes: Any, exclude_nonmatching: bool = False, **named: str) -> QueryExpression:
        """One row per row of this expression, with aggregates over its matching rows of ``group``.

        ``named`` are computations such as ``n="count(*)"`` or ``total="sum(x)"``;
        ``attributes`` (or ``...``) keep attributes of this expression.  Rows without a
        match are kept (``count`` gives 0, other aggregates NULL) unless
        ``exclude_nonmatching=True``.  ``group`` must contain this expression's primary key.
        """
        from .universal import U

        group = _operand(group, "aggr")
        if isinstance(group, U):
            raise DataJointError("dj.U cannot be aggregated; aggregate a query expression, e.g. dj.U('a').aggr(query, ...).")
        if not determines(group.heading, self._heading):
            missing = [n for n in self.primary_key if n not in group.heading]
            raise DataJointError(
                "Aggregation requires the group expression to contain all primary-key attributes of the "
                f"grouping expression; missing: {missing}."
            )
        shared = check_homology(self._heading, group.heading)
        keep_all = not exclude_nonmatching
        kept, renames, computed = self._aggregate_plan(attributes, named)
        needed = [n for sql in computed.values() for n in referenced_names(sql)]
        joined, visible, count_column = aggregate_states(
            self._state, group._state, shared, keep_all=keep_all, right_key=group.primary_key, needed=needed)
        attrs = [self._heading[n] for n in self._heading.names if n in kept]
        attrs += [self._heading[old].renamed(new) for new, old in renames.items()]
        columns = {n: joined.columns[n] for n in self._heading.names if n in kept}
        columns.update({new: joined.columns[old] for new, old in renames.items()})
        group_by = tuple(columns.values())
        for name, sql in computed.items():
            attrs.append(computed_attribute(name, sql))
            columns[name] = bind(sql, visible, where="the aggregation", count_column=count_column)
        state = SelectState(joined.source, columns, joined.where, group_by=group_by)
        return QueryExpression._new(self._connection, Heading(attrs), state)

    aggregate = aggr

    def _aggregate_plan(self, attributes: Sequence[Any], named: dict[str, str]
                        ) -> tuple[set[str], dict[str, str], dict[str, str]]:
        heading = self._heading
        kept = set(heading.primary_key)
        for attr in attributes:
            if attr is Ellipsis:
                kept.update(heading.secondary_attributes)
            elif isinstance(attr, str) and attr in heading:
                kept.add(attr)
            else:
                raise DataJointError(
                    f"aggr keeps attributes of the grouping expression only; {attr!r} is not one of "
                    f"{', '.join(heading.names)}."
                )
        renames: dict[str, str] = {}
        computed: dict[str, str] = {}
        for new, spec in named.items():
            if not isinstance(spec, str):
                raise DataJointError(f"aggr computation {new}= must be an SQL string, not {type(spec).__name__}.")
            source = spec.strip()
            if IDENTIFIER.fullmatch(source) and source in heading and source not in kept:
                renames[new] = source
            else:
                computed[new] = source
            if new in kept:
                raise DataJointError(f"Attribute `{new}` already exists.")
        return kept, renames, computed

    # -- union ---------------------------------------------------------------------------
    def __add__(self, other: Any) -> QueryExpression:
        """Union: the rows of both operands, which must have the same primary key and no
        common secondary attributes (a secondary attribute is NULL where its operand has no row)."""
        from .universal import U

        other = _operand(other, "union")
        if isinstance(other, U):
            raise DataJointError("A query cannot be unioned with dj.U.")
        if set(self.primary_key) != set(other.primary_key):
            raise DataJointError(
                f"The operands of a union must have the same primary key: {self.primary_key} vs {other.primary_key}."
            )
        common = set(self._heading.secondary_attributes) & set(other.heading.secondary_attributes)
        if common:
            raise DataJointError(
                f"The operands of a union must not share secondary attributes; both have {sorted(common)}."
            )
        heading = _union_heading(self._heading, other.heading)
        state = union_states(self._state, other._state, self.primary_key,
                             self._heading.secondary_attributes, other.heading.secondary_attributes)
        return QueryExpression._new(self._connection, heading, state)

    def __radd__(self, other: Any) -> QueryExpression:
        if isinstance(other, type) and issubclass(other, QueryExpression):
            return other() + self
        return NotImplemented

    # -- SQL -------------------------------------------------------------------------------
    def make_select(self, names: Sequence[str] | None = None) -> sa.Select[Any]:
        """The SELECT producing this expression's rows (``names``: a subset of the heading)."""
        return self._state.select(self._heading.names if names is None else list(names))

    def make_sql(self) -> str:
        """The SQL of this expression for the connected database, for inspection."""
        dialect = self._connection.engine.dialect
        select = self.make_select()
        try:
            return str(select.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        except (sa.exc.CompileError, NotImplementedError):
            return str(select.compile(dialect=dialect))

    def ordered_select(self, names: Sequence[str] | None = None, order_by: Any = None,
                       limit: int | None = None, offset: int | None = None) -> sa.Select[Any]:
        """The SELECT of ``names`` in ``order_by`` order, limited to ``limit`` rows after ``offset``."""
        names = self._heading.names if names is None else list(names)
        if order_by is None and limit is None and not offset:
            return self.make_select(names)
        state = self._state
        if order_by is None and state.top is not None:
            # paging a Top-ordered query keeps its order: a Top(limit, order_by=None) merged into it
            return self._apply_top(Top(None if limit is None else int(limit), None, int(offset or 0))).select(names)
        if needs_wrap_to_order(state) or (state.distinct and len(names) < len(state.columns)):
            state = state.wrapped(self._heading.names)
        order = self._order_clauses(order_by, state) if order_by is not None else list(state.order_by)
        limit = None if limit is None else int(limit)
        state = replace(state, order_by=tuple(order), limit=limit, offset=int(offset) if offset else None)
        return state.select(names)

    # -- counting --------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._connection.execute(self._state.count()).scalar_one())

    def __bool__(self) -> bool:
        return bool(self._connection.execute(self._state.exists()).scalar())

    def __contains__(self, item: Any) -> bool:
        return bool(self & item)
