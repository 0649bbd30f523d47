"""Cascading delete and drop, planned on the dependency graph.

A delete removes the restricted rows and every row that depends on them,
across schemas, in one transaction.  Each affected table gets one set-based
statement, ``DELETE FROM t WHERE key IN (SELECT ...)``, where the subquery
follows the foreign keys from the restricted rows down to ``t``; statements run
children first.  Nothing here parses database error messages: the cascade
comes from the graph.

Part tables belong to their master.  ``part_integrity`` decides what happens
when a cascade reaches a part whose master is not being deleted:
``"enforce"`` (default) refuses, ``"ignore"`` deletes the part rows alone,
``"cascade"`` also deletes the master rows (and so their other parts).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import sqlalchemy as sa

from .dependencies import DependencyGraph, Node
from .errors import DataJointError

__all__ = ["CascadePlan", "plan_cascade", "execute_cascade", "master_of", "drop_order", "drop_tables", "PART_INTEGRITY"]

logger = logging.getLogger("datajoint_sa")

PART_INTEGRITY = ("enforce", "ignore", "cascade")


def master_of(node: Node, graph: DependencyGraph) -> Node | None:
    """The master of a part table (``master__part``), or None for other tables."""
    schema, table = node
    stem = table.lstrip("#_")
    if "__" not in stem:
        return None
    master = (schema, table[: len(table) - len(stem)] + stem.split("__", 1)[0])
    return master if master in graph else None


Target = Union[sa.Select, list]  # a SELECT of key tuples, or literal key tuples
Source = tuple[tuple[str, ...], Target]  # "these columns of the table are in the target"


@dataclass
class CascadePlan:
    """What a delete will touch: per table, conditions selecting the rows to remove.

    Each table's rows are described by sources ``(columns, target)``: the row goes
    if its ``columns`` are among the ``target`` keys.  A source of a parent
    propagates to a child that carries the same key attributes (through its foreign
    key), so a grandchild is tested against the root's keys directly, as a
    hand-written ``DELETE ... WHERE subject_id IN (...)`` would be, instead of
    through a chain of subqueries over each intermediate table.
    """

    connection: Any
    graph: DependencyGraph
    roots: dict[Node, list[Source]]
    order: list[Node] = field(default_factory=list)  # parents first
    _tables: dict[Node, sa.TableClause] = field(default_factory=dict)
    _sources: dict[Node, list[Source]] = field(default_factory=dict)

    def table(self, node: Node) -> sa.TableClause:
        """A lightweight table clause with the key and foreign-key columns of ``node`` (one per node)."""
        if node not in self._tables:
            self._tables[node] = self._make_table(node)
        return self._tables[node]

    def _make_table(self, node: Node) -> sa.TableClause:
        columns = dict.fromkeys(self.graph.primary_keys.get(node, []))
        for _, edge in self.graph.edges_to(node):
            columns.update(dict.fromkeys(edge.attr_map))
        sql_schema, sql_name = self.connection.rules.sql_table(*node)
        return sa.table(sql_name, *(sa.column(c) for c in columns), schema=sql_schema)

    def sources(self, node: Node) -> list[Source]:
        """The conditions, ORed, that select the rows of ``node`` the delete removes."""
        if node not in self._sources:
            self._sources[node] = self._collect_sources(node)
        return self._sources[node]

    def _collect_sources(self, node: Node) -> list[Source]:
        found = list(self.roots.get(node, []))
        members = set(self.order)
        for parent, edge in self.graph.edges_to(node):
            if parent not in members or parent == node:
                continue
            to_child = {p: c for c, p in edge.attr_map.items()}
            unreduced = []
            for columns, target in self.sources(parent):
                if all(c in to_child for c in columns):
                    found.append((tuple(to_child[c] for c in columns), target))
                else:
                    unreduced.append((columns, target))
            if unreduced:
                parent_table = self.table(parent)
                keys = sa.select(*(parent_table.c[p] for p in edge.attr_map.values())).where(
                    self._condition(parent_table, unreduced))
                found.append((tuple(edge.attr_map), keys))
        return found

    def _condition(self, table: sa.TableClause, sources: list[Source]) -> sa.ColumnElement[bool]:
        terms = []
        for columns, target in sources:
            if isinstance(target, sa.Select) and self.connection.dialect_name == "mysql":
                # MySQL refuses a subquery on the table being changed (error 1093) unless it is a
                # materialized derived table (MySQL manual, "Subquery Restrictions").
                derived = target.subquery()
                target = sa.select(*derived.c)
            terms.append(_in([table.c[c] for c in columns], target))
        return sa.or_(sa.false(), *terms)

    def where(self, node: Node) -> sa.ColumnElement[bool]:
        return self._condition(self.table(node), self.sources(node))

    def keys(self, node: Node) -> sa.Select:
        """SELECT of the primary keys of the rows of ``node`` that the delete removes."""
        table = self.table(node)
        return sa.select(*(table.c[c] for c in self.graph.primary_keys[node])).where(self.where(node))

    def counts(self) -> dict[Node, int]:
        """Rows each table would lose, without deleting anything."""
        result = {}
        with self.connection.connect() as conn:
            for node in self.order:
                count = conn.execute(sa.select(sa.func.count()).select_from(self.table(node)).where(self.where(node)))
                result[node] = int(count.scalar() or 0)
        return result

    def delete_statements(self) -> list[tuple[Node, sa.Delete]]:
        """The DELETEs, children first: one per table, or on servers one per key source of a table."""
        statements = []
        for node in reversed(self.order):
            table = self.table(node)
            if self.connection.dialect_name == "sqlite":
                statements.append((node, sa.delete(table).where(self.where(node))))
                continue
            roots = self.roots.get(node, [])
            own = [source for source in self.sources(node) if source in roots or isinstance(source[1], list)]
            if own:
                statements.append((node, sa.delete(table).where(self._condition(table, own))))
            for columns, target in self.sources(node):
                if (columns, target) in own:
                    continue
                # A DELETE joined with the key set (DELETE ... USING): the server can drive from the
                # keys through the primary-key index; MariaDB does not semi-join IN subqueries of a
                # single-table DELETE ("Semi-join subquery optimizations", MariaDB KB).
                keys = target.subquery()
                match = [table.c[c] == keys.c[i] for c, i in zip(columns, keys.c.keys())]
                statements.append((node, sa.delete(table).where(*match)))
        return statements


def _in(columns: Sequence[sa.ColumnElement[Any]], target: Target) -> sa.ColumnElement[bool]:
    if isinstance(target, list):
        return columns[0].in_([t[0] for t in target]) if len(columns) == 1 else sa.tuple_(*columns).in_(target)
    return columns[0].in_(target) if len(columns) == 1 else sa.tuple_(*columns).in_(target)


def _cascade_order(graph: DependencyGraph, roots: dict[Node, Any]) -> list[Node]:
    nodes: set[Node] = set()
    for root in roots:
        nodes.update(graph.descendants(root))
    return graph.topological(nodes)


def plan_cascade(connection: Any, root: Node, root_keys: sa.Select, *, part_integrity: str = "enforce") -> CascadePlan:
    """Plan the delete of the rows of ``root`` whose keys ``root_keys`` selects, and of all their dependents."""
    if part_integrity not in PART_INTEGRITY:
        raise DataJointError(f"part_integrity must be one of {', '.join(PART_INTEGRITY)}; got {part_integrity!r}.")
    graph = connection.dependencies
    if root not in graph:
        connection.invalidate_dependencies()
        graph = connection.dependencies
    key = tuple(graph.primary_keys[root])
    plan = CascadePlan(connection, graph, {root: [(key, _materialized(connection, root_keys, len(key)))]})
    plan.order = _cascade_order(graph, plan.roots)
    if part_integrity == "cascade":
        _add_masters(plan)
    return plan


#: Root keys up to this many bound parameters are fetched and passed as literal key lists.
LITERAL_KEY_PARAMETERS = 20_000


def _materialized(connection: Any, root_keys: sa.Select, width: int) -> Target:
    """The root's keys as a list when they are few, else the SELECT itself.

    A short literal key list lets every server use the primary-key index of each
    descendant directly, as a hand-written delete would; planners often cannot see
    that a subquery yields few rows.  The keys are read inside the delete's transaction.
    """
    limit = LITERAL_KEY_PARAMETERS // max(width, 1)
    probe = root_keys
    if root_keys._limit_clause is not None or root_keys._offset_clause is not None:
        probe = sa.select(*root_keys.subquery().c)  # keep the query's own LIMIT (dj.Top) inside
    with connection.connect() as conn:
        rows = conn.execute(probe.limit(limit + 1)).all()
    return [tuple(r) for r in rows] if len(rows) <= limit else root_keys


def _add_masters(plan: CascadePlan) -> None:
    """Pull in the master rows of every part row the cascade reaches (part_integrity="cascade")."""
    while True:
        members = set(plan.order)
        added = False
        for node in plan.order:
            master = master_of(node, plan.graph)
            if master is None or master in members:
                continue
            edge = next(e for parent, e in plan.graph.edges_to(node) if parent == master)
            with plan.connection.connect() as conn:
                part_keys = plan.keys(node).subquery()
                rows = conn.execute(sa.select(*(part_keys.c[c] for c in edge.attr_map)).distinct()).all()
            if not rows:
                continue
            key = tuple(edge.attr_map.values())
            plan.roots.setdefault(master, []).append((key, [tuple(r) for r in rows]))
            added = True
        if not added:
            return
        plan.order = _cascade_order(plan.graph, plan.roots)
        plan._sources.clear()


def execute_cascade(plan: CascadePlan, root: Node, *, part_integrity: str = "enforce") -> dict[Node, int]:
    """Run the planned deletes (inside the caller's transaction); return rows deleted per table."""
    members = set(plan.order)
    deleted: dict[Node, int] = {}
    with plan.connection.connect() as conn:
        for node, statement in plan.delete_statements():
            try:
                count = conn.execute(statement).rowcount
            except sa.exc.DBAPIError as err:
                from .engine.errors import translate

                raise translate(err, plan.connection.dialect_name) from err
            deleted[node] = deleted.get(node, 0) + count
            master = master_of(node, plan.graph)
            if deleted[node] and part_integrity == "enforce" and master is not None and master not in members:
                what = "directly" if node == root else f"through the cascade from {plan.connection.full_name(root)}"
                raise DataJointError(
                    f"Cannot delete from part table {plan.connection.full_name(node)} {what} without deleting from "
                    f"its master {plan.connection.full_name(master)}. Delete from the master instead, or pass "
                    "part_integrity='ignore' (delete the part rows only) or 'cascade' (also delete the master rows)."
                )
    return deleted


def drop_order(connection: Any, node: Node) -> list[Node]:
    """``node`` and its dependents, children first: the order in which they must be dropped."""
    graph = connection.dependencies
    if node not in graph:
        connection.invalidate_dependencies()
        graph = connection.dependencies
    return list(reversed(graph.descendants(node)))


def drop_tables(connection: Any, nodes: Sequence[Node]) -> None:
    """Drop tables in the given order and forget their lineage."""
    from .engine.catalog import delete_lineage

    with connection.connect() as conn:
        for node in nodes:
            sql_schema, sql_name = connection.rules.sql_table(*node)
            sa.Table(sql_name, sa.MetaData(), schema=sql_schema).drop(conn, checkfirst=True)
    for schema in {n[0] for n in nodes}:
        delete_lineage(connection, schema, [n[1] for n in nodes if n[0] == schema])
    connection.invalidate_dependencies()
    for node in nodes:
        logger.info("Dropped table %s", connection.full_name(node))

