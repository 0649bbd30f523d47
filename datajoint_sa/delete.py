"""Cascading delete, planned on the dependency graph.

A delete removes the restricted rows and every row that depends on them,
across schemas, in one transaction.  Each affected table gets one set-based
statement, ``DELETE FROM t WHERE key IN (SELECT ...)``, where the subquery
follows the foreign keys from the restricted rows down to ``t``; statements run
children first.  Nothing here parses database error messages: the cascade
comes from the graph -- the graph of the tables this connection can read, so a
user without access to another schema's catalog still gets a correct cascade
over what they may see, and a clear error if an unseen table blocks it.

Part tables belong to their master.  ``part_integrity`` decides what happens
when a delete removes rows of a part table but none of its master:
``"enforce"`` (default) refuses, ``"ignore"`` deletes the part rows alone,
``"cascade"`` also deletes the master rows that own them (and so their other parts).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

import sqlalchemy as sa

from .dependencies import DependencyGraph, Edge, Node
from .errors import DataJointError, IntegrityError
from .prompts import confirm

__all__ = ["CascadePlan", "plan_cascade", "delete_rows", "preview_counts", "master_of", "check_part_integrity",
           "PART_INTEGRITY"]

logger = logging.getLogger("datajoint_sa")

PART_INTEGRITY = ("enforce", "ignore", "cascade")


def check_part_integrity(value: str, allowed: Sequence[str] = PART_INTEGRITY) -> None:
    """Raise ValueError (as DataJoint does) unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ValueError(f"part_integrity must be one of {', '.join(map(repr, allowed))}; got {value!r}.")


def master_of(node: Node, graph: DependencyGraph) -> Node | None:
    """The master of a part table (``master__part``), or None for other tables."""
    schema, table = node
    stem = table.lstrip("#_")
    if "__" not in stem:
        return None
    master = (schema, table[: len(table) - len(stem)] + stem.split("__", 1)[0])
    return master if master in graph else None


#: Table clauses per dependency graph; a reloaded graph (after DDL) starts afresh.
_TABLE_CLAUSES: weakref.WeakKeyDictionary[DependencyGraph, dict[Node, sa.TableClause]] = weakref.WeakKeyDictionary()

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
        """A lightweight table clause with the key and foreign-key columns of ``node`` (one per node).

        The clauses are kept with the graph they come from, so repeated deletes build them once.
        """
        if node not in self._tables:
            shared = _TABLE_CLAUSES.setdefault(self.graph, {})
            if node not in shared:
                shared[node] = self._make_table(node)
            self._tables[node] = shared[node]
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
        with self.connection.session() as conn:
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
    if not isinstance(target, list):
        return columns[0].in_(target) if len(columns) == 1 else sa.tuple_(*columns).in_(target)
    if len(columns) > 1:
        return sa.tuple_(*columns).in_(target)
    values = [t[0] for t in target]
    if values and all(type(v) is int for v in values):
        return _integer_ranges(columns[0], values)
    return columns[0].in_(values)


#: Runs of at least this many consecutive integers become one BETWEEN.
MIN_RUN = 8


def _integer_ranges(column: sa.ColumnElement[Any], values: list[int]) -> sa.ColumnElement[bool]:
    """``column IN (values)`` with runs of consecutive integers written as BETWEEN.

    Keys read from a range restriction (``subject_id < 100``) come back as one run; a
    range lets every server scan the index once, as a hand-written delete would, where
    a long IN list costs one index probe per value (and on SQLite a two-pass delete).
    """
    ordered = sorted(set(values))
    singles: list[int] = []
    terms: list[sa.ColumnElement[bool]] = []
    start = 0
    for end in range(1, len(ordered) + 1):
        if end < len(ordered) and ordered[end] == ordered[end - 1] + 1:
            continue
        run = ordered[start:end]
        if len(run) >= MIN_RUN:
            terms.append(column.between(run[0], run[-1]))
        else:
            singles.extend(run)
        start = end
    if singles:
        terms.append(column.in_(singles))
    return sa.or_(*terms) if len(terms) != 1 else terms[0]


def graph_with(connection: Any, node: Node) -> DependencyGraph:
    """The connection's dependency graph, reloaded once if ``node`` is not in it yet."""
    graph = connection.dependencies
    if node not in graph:
        connection.invalidate_dependencies()
        graph = connection.dependencies
    if node not in graph:
        raise DataJointError(f"Table {connection.full_name(node)} is not in the dependency graph: is it declared?")
    return graph


def _cascade_order(graph: DependencyGraph, roots: dict[Node, Any]) -> list[Node]:
    nodes: set[Node] = set()
    for root in roots:
        nodes.update(graph.descendants(root))
    return graph.topological(nodes)


def plan_cascade(connection: Any, root: Node, root_keys: Target, *, part_integrity: str = "enforce") -> CascadePlan:
    """Plan the delete of the rows of ``root`` whose keys ``root_keys`` gives, and of all their dependents.

    ``root_keys`` is a SELECT of the root's primary keys, or a list of key tuples.
    The plan reads the database only for ``part_integrity="cascade"`` (the masters' keys).
    """
    check_part_integrity(part_integrity)
    graph = graph_with(connection, root)
    key = tuple(graph.primary_keys[root])
    plan = CascadePlan(connection, graph, {root: [(key, root_keys)]})
    plan.order = _cascade_order(graph, plan.roots)
    if part_integrity == "cascade":
        _add_masters(plan)
    return plan


#: Root keys up to this many bound parameters are fetched and passed as literal key lists.
LITERAL_KEY_PARAMETERS = 20_000


def _root_targets(connection: Any, graph: DependencyGraph, root: Node, root_keys: sa.Select) -> list[Target]:
    """The root's keys, as the targets of one cascade each: literal key lists, or the SELECT itself.

    A short literal key list lets every server use the primary-key index of each
    descendant directly, as a hand-written delete would; planners often cannot see
    that a subquery yields few rows.  Many keys stay a SELECT -- unless the
    restriction reads a table the cascade empties first (``(Subject & Recording).delete()``),
    where a live subquery would find no rows by the time the root is deleted: those
    keys are read once and deleted in chunks.  Keys are read inside the delete's transaction.
    """
    width = len(graph.primary_keys[root])
    limit = max(LITERAL_KEY_PARAMETERS // max(width, 1), 1)
    keys = root_keys.subquery()  # keeps a LIMIT of the restriction itself (dj.Top)
    # The values as the database stores them (no type's result processing: a uuid stays its
    # stored bytes or text), so that bound again to the untyped columns of the plan they match.
    stored = sa.select(*(sa.type_coerce(c, sa.types.NullType()) for c in keys.c))
    with connection.session() as conn:
        rows = conn.execute(stored.limit(limit + 1)).all()
        if len(rows) <= limit:
            return [[tuple(r) for r in rows]] if rows else []
        if not _reads_descendants(connection, graph, root, root_keys):
            return [root_keys]
        rows = conn.execute(stored).all()
    found = [tuple(r) for r in rows]
    return [found[i:i + limit] for i in range(0, len(found), limit)]


def _reads_descendants(connection: Any, graph: DependencyGraph, root: Node, select: sa.Select) -> bool:
    """Whether ``select`` reads a table (other than ``root``) that the cascade deletes from."""
    names = {connection.rules.sql_table(*n) for n in graph.descendants(root) if n != root}
    found = sa.sql.util.find_tables(select, include_aliases=True, include_joins=True, include_selects=True)
    return any((getattr(t, "schema", None), t.name) in names for t in found if hasattr(t, "name"))


def _add_masters(plan: CascadePlan) -> None:
    """Pull in the master rows of every part row the cascade reaches (part_integrity="cascade").

    Each part lifts its master once.  The master's rows are those the part rows
    reach along the foreign keys from the part up to the master -- directly, or
    through other parts of the same master (``-> Master.PartA``), renamed or not.
    A master that no part row reaches still joins the plan, with no rows, so a
    preview lists it.  The masters' keys are read before anything is deleted: the
    part rows they are found through are gone by the time the masters are deleted.
    """
    lifted: set[tuple[Node, Node]] = set()
    while True:
        added = False
        for node in plan.order:
            master = master_of(node, plan.graph)
            if master is None or (node, master) in lifted:
                continue
            path = _path_to_master(plan.graph, master, node)
            if path is None:
                continue
            lifted.add((node, master))
            with plan.connection.session() as conn:
                rows = conn.execute(_master_keys(plan, path)).all()
            key = tuple(plan.graph.primary_keys[master])
            plan.roots.setdefault(master, []).append((key, [tuple(r) for r in rows]))
            added = True
        if not added:
            return
        plan.order = _cascade_order(plan.graph, plan.roots)
        plan._sources.clear()


def _path_to_master(graph: DependencyGraph, master: Node, part: Node) -> list[tuple[Node, Node, Edge]] | None:
    """The foreign keys (parent, child, edge) from ``master`` down to its ``part``, along the shortest path."""
    import networkx as nx

    try:
        nodes = nx.shortest_path(graph.graph, master, part)
    except nx.NetworkXNoPath:
        return None
    hops = []
    for parent, child in zip(nodes, nodes[1:]):
        edge = next(e for p, e in graph.edges_to(child) if p == parent)
        hops.append((parent, child, edge))
    return hops


def _master_keys(plan: CascadePlan, path: list[tuple[Node, Node, Edge]]) -> sa.Select:
    """SELECT DISTINCT of the master keys the planned part rows reach along ``path`` (master first)."""
    part_table = plan.table(path[-1][1])
    # the planned rows of the part, with its key and foreign-key columns, joined up the path
    rows = sa.select(*part_table.c).where(plan.where(path[-1][1])).subquery("lift_part")
    joined: Any = rows
    current: Any = rows
    for index, (parent, _child, edge) in enumerate(reversed(path), start=1):
        upper = plan.table(parent).alias(f"lift_{index}")
        joined = joined.join(upper, sa.and_(*(upper.c[p] == current.c[c] for c, p in edge.attr_map.items())))
        current = upper
    master = path[0][0]
    return sa.select(*(current.c[k] for k in plan.graph.primary_keys[master])).select_from(joined).distinct()


def _orphaned_parts(plan: CascadePlan) -> list[tuple[Node, Node]]:
    """(part, master) for parts with rows to delete whose master is not in the cascade at all."""
    members = set(plan.order)
    found = []
    for node in plan.order:
        master = master_of(node, plan.graph)
        if master is None or master in members:
            continue
        probe = sa.select(sa.exists(sa.select(sa.literal(1)).select_from(plan.table(node)).where(plan.where(node))))
        with plan.connection.session() as conn:
            if conn.execute(probe).scalar():
                found.append((node, master))
    return found


def _part_error(connection: Any, part: Node, master: Node) -> DataJointError:
    return DataJointError(
        f"Attempt to delete part table {connection.full_name(part)} before its master {connection.full_name(master)}: "
        "delete from the master instead, or pass part_integrity='ignore' (delete the part rows only) or "
        "'cascade' (also delete the master rows that own them)."
    )


def _blocked(connection: Any, node: Node, err: IntegrityError) -> IntegrityError:
    """A foreign-key failure while deleting: some table outside the readable graph still references the rows."""
    return IntegrityError(
        f"Delete from {connection.full_name(node)} is blocked: rows of a table that is not in the dependency graph "
        "this connection can read still reference the rows to delete (a schema it has no privileges on?). "
        f"Ask for access to that schema, or delete those rows first. The database said: {err.args[0]}",
        *err.args[1:],
    )


def execute_cascade(plan: CascadePlan, *, part_integrity: str = "enforce") -> dict[Node, int]:
    """Run the planned deletes (inside the caller's transaction); return rows deleted per table."""
    from .engine.errors import translate

    if part_integrity == "enforce":
        orphaned = _orphaned_parts(plan)
        if orphaned:
            raise _part_error(plan.connection, *orphaned[0])
    deleted: dict[Node, int] = dict.fromkeys(plan.order, 0)
    with plan.connection.session() as conn:
        for node, statement in plan.delete_statements():
            try:
                deleted[node] += conn.execute(statement).rowcount
            except sa.exc.DBAPIError as err:
                error = translate(err, plan.connection.dialect_name)
                raise (_blocked(plan.connection, node, error) if isinstance(error, IntegrityError) else error) from err
    if part_integrity == "enforce":
        for node in plan.order:
            master = master_of(node, plan.graph)
            if master is not None and deleted[node] and not deleted.get(master):
                raise _part_error(plan.connection, node, master)
    return deleted


def _cascade_all(expr: Any, part_integrity: str) -> dict[Node, int]:
    """Delete the rows of ``expr`` and their dependents in the current transaction."""
    connection, root = expr.connection, expr._node
    graph = graph_with(connection, root)
    deleted: dict[Node, int] = {}
    for target in _root_targets(connection, graph, root, expr.make_select(expr.primary_key)):
        plan = plan_cascade(connection, root, target, part_integrity=part_integrity)
        for node, count in execute_cascade(plan, part_integrity=part_integrity).items():
            deleted[node] = deleted.get(node, 0) + count
    return deleted


class _Declined(Exception):
    """The user did not confirm: roll the delete back."""


def delete_rows(expr: Any, *, prompt: bool, part_integrity: str = "enforce", transaction: bool = True) -> int:
    """Delete the rows of the restricted table ``expr`` and all rows depending on them; see ``Table.delete``."""
    check_part_integrity(part_integrity)
    connection, root = expr.connection, expr._node
    if not transaction:
        return _report(connection, _cascade_all(expr, part_integrity)).get(root, 0)
    if connection.in_transaction:
        if prompt:
            raise DataJointError("delete() cannot ask for confirmation inside an ongoing transaction: "
                                 "pass prompt=False to delete as part of it, or transaction=False.")
        with connection.session() as conn, conn.begin_nested():  # a savepoint keeps the delete all-or-nothing
            return _report(connection, _cascade_all(expr, part_integrity)).get(root, 0)
    try:
        with connection.transaction:
            deleted = _report(connection, _cascade_all(expr, part_integrity))
            if prompt:
                _confirm_commit(connection, deleted, root)
    except _Declined:
        return 0
    return deleted.get(root, 0)


def _report(connection: Any, deleted: dict[Node, int]) -> dict[Node, int]:
    for node, count in reversed(deleted.items()):  # in the order of the statements: children first
        logger.info("Deleting %d rows from %s", count, connection.full_name(node))
    return deleted


def _confirm_commit(connection: Any, deleted: dict[Node, int], root: Node) -> None:
    """Show what the (uncommitted) delete removed per table; raise _Declined unless the user commits it."""
    if not deleted.get(root):
        print("Nothing to delete.")
        raise _Declined
    for node, count in deleted.items():
        print(f"{connection.full_name(node)} ({count} tuples)")
    if not confirm("Commit deletes?"):
        print("Delete cancelled.")
        raise _Declined
    print("Delete committed.")


def preview_counts(expr: Any, part_integrity: str = "enforce") -> dict[str, int]:
    """Rows a delete of ``expr`` would remove from each table, by full table name, without deleting."""
    plan = plan_cascade(expr.connection, expr._node, expr.make_select(expr.primary_key), part_integrity=part_integrity)
    return {expr.connection.full_name(node): count for node, count in plan.counts().items()}
