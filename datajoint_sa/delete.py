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
from typing import Any

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


@dataclass
class CascadePlan:
    """What a delete will touch: per table, a SELECT of the primary keys of the rows to remove."""

    connection: Any
    graph: DependencyGraph
    roots: dict[Node, list[sa.ColumnElement[bool]]]
    order: list[Node] = field(default_factory=list)  # parents first
    _tables: dict[Node, sa.TableClause] = field(default_factory=dict)

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

    def keys(self, node: Node) -> sa.Select:
        """SELECT of the primary keys of the rows of ``node`` that the delete removes."""
        table = self.table(node)
        conditions = list(self.roots.get(node, []))
        members = set(self.order)
        for parent, edge in self.graph.edges_to(node):
            if parent not in members or parent == node:
                continue
            parent_keys = self.keys(parent).subquery()
            child_columns = [table.c[c] for c in edge.attr_map]
            parent_columns = [parent_keys.c[p] for p in edge.attr_map.values()]
            conditions.append(_in(child_columns, sa.select(*parent_columns)))
        key = self.graph.primary_keys[node]
        return sa.select(*(table.c[c] for c in key)).where(sa.or_(sa.false(), *conditions))

    def counts(self) -> dict[Node, int]:
        """Rows each table would lose, without deleting anything."""
        result = {}
        with self.connection.connect() as conn:
            for node in self.order:
                count = conn.execute(sa.select(sa.func.count()).select_from(self.keys(node).subquery())).scalar()
                result[node] = int(count or 0)
        return result

    def delete_statements(self) -> list[tuple[Node, sa.Delete]]:
        """One DELETE per table, children first."""
        statements = []
        for node in reversed(self.order):
            table = self.table(node)
            key_columns = [table.c[c] for c in self.graph.primary_keys[node]]
            keys = self.keys(node)
            if self.connection.dialect_name == "mysql":
                # MySQL refuses a subquery on the table being deleted from (error 1093) unless it is
                # materialized as a derived table (MySQL manual, "Subquery Restrictions").
                derived = keys.subquery()
                keys = sa.select(*derived.c)
            statements.append((node, sa.delete(table).where(_in(key_columns, keys))))
        return statements


def _in(columns: Sequence[sa.ColumnElement[Any]], select: sa.Select) -> sa.ColumnElement[bool]:
    return columns[0].in_(select) if len(columns) == 1 else sa.tuple_(*columns).in_(select)


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
    plan = CascadePlan(connection, graph, {})
    table = plan.table(root)
    plan.roots[root] = [_in([table.c[c] for c in graph.primary_keys[root]], root_keys)]
    plan.order = _cascade_order(graph, plan.roots)
    if part_integrity == "cascade":
        _add_masters(plan)
    return plan


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
            master_table = plan.table(master)
            columns = [master_table.c[p] for p in edge.attr_map.values()]
            values = [tuple(r) for r in rows]
            condition = columns[0].in_([v[0] for v in values]) if len(columns) == 1 else sa.tuple_(*columns).in_(values)
            plan.roots.setdefault(master, []).append(condition)
            added = True
        if not added:
            return
        plan.order = _cascade_order(plan.graph, plan.roots)


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
            deleted[node] = count
            master = master_of(node, plan.graph)
            if count and part_integrity == "enforce" and master is not None and master not in members:
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

