"""Restrictions carried along foreign keys, as query expressions: trace (upstream) and restrict (downstream).

A seed -- a restricted table -- selects rows; each foreign key carries that
selection one table further:

- **upstream** (``Diagram.trace``): a parent keeps the rows its restricted child rows
  reference; the child's foreign-key columns are projected and renamed back to the
  parent's names (a child row whose foreign key is NULL references nothing).  Rows
  reached along several paths are united (OR).
- **downstream** (``Diagram.restrict``): a child keeps the rows that reference
  restricted parent rows; a child reached from several restricted parents keeps
  only rows matching all of them (AND), as an export wants.

Each table's restrictions are kept as a tuple of query expressions whose
attributes are that table's own column names, so ``FreeTable & restriction``
applies one.  Delete cascades are planned in SQL instead (:mod:`datajoint_sa.delete`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx

from ..dependencies import DependencyGraph, Edge, Node

__all__ = ["seed_restriction", "upward", "downward", "restricted", "propagate_up", "propagate_down"]

Restrictions = dict[Node, tuple[Any, ...]]


def seed_restriction(expr: Any) -> Any:
    """The seed's rows as a restriction of its own table: their distinct primary keys (a ``dj.Top`` included).

    The keys are a derived table (``dj.U(*key) & expr``), so restricting the seed's own
    table by them never correlates the table with itself.
    """
    from ..expression.universal import U

    return U(*expr.primary_key) & expr


def upward(child_rows: Any, edge: Edge) -> Any:
    """The parent rows the ``child_rows`` reference through ``edge``, named as the parent's columns."""
    from ..expression.universal import U

    referenced = U(*edge.attr_map) & child_rows
    renames = {parent: child for child, parent in edge.attr_map.items() if child != parent}
    return referenced.proj(**renames) if renames else referenced


def downward(parent_rows: Any, edge: Edge) -> Any:
    """The key values child rows must carry (in the child's column names) to reference ``parent_rows``."""
    from ..expression.universal import U

    referenced = U(*edge.attr_map.values()) & parent_rows
    renames = {child: parent for child, parent in edge.attr_map.items() if child != parent}
    return referenced.proj(**renames) if renames else referenced


def restricted(table: Any, restrictions: Iterable[Any], *, any_of: bool) -> Any:
    """``table`` restricted by any one (``any_of``) or by all of ``restrictions``; none: the whole table."""
    restrictions = list(restrictions)
    if not restrictions:
        return table
    if any_of:
        return table & restrictions  # a list restricts to rows matching any element
    for restriction in restrictions:
        table = table & restriction
    return table


TableOf = Callable[[Node], Any]


def propagate_up(graph: DependencyGraph, seed: Node, restriction: Any, table_of: TableOf) -> Restrictions:
    """The restrictions of ``seed`` and each of its ancestors that the seed's rows reach (OR at convergence).

    Children are visited before their parents (reverse topological order), so when a
    parent is reached it has gathered the rows of every restricted child.
    """
    members = {seed, *nx.ancestors(graph.graph, seed)}
    found: Restrictions = {seed: (restriction,)}
    for node in reversed(graph.topological(members)):
        if node not in found:
            continue
        rows = restricted(table_of(node), found[node], any_of=True)
        for parent, edge in graph.edges_to(node):
            if parent in members and parent != node:
                found[parent] = (*found.get(parent, ()), upward(rows, edge))
    return found


def propagate_down(graph: DependencyGraph, seed: Node, restriction: Any, table_of: TableOf,
                   previous: Mapping[Node, tuple[Any, ...]] | None = None) -> Restrictions:
    """``previous`` restrictions ANDed with ``restriction`` on ``seed``, carried to every descendant.

    A descendant's restriction gains one term per restricted parent, so it keeps
    only rows that match all of its restricted ancestors.  Parents are visited
    first (topological order); only descendants of ``seed`` change.
    """
    found: Restrictions = dict(previous or {})
    found[seed] = (*found.get(seed, ()), restriction)
    members = {seed, *nx.descendants(graph.graph, seed)}
    for node in graph.topological(members):
        if node == seed or node not in found and not any(p in found for p, _ in graph.edges_to(node) if p in members):
            continue
        terms = [downward(restricted(table_of(p), found[p], any_of=False), e)
                 for p, e in graph.edges_to(node) if p in members and p in found and p != node]
        found[node] = (*found.get(node, ()), *terms)
    return found
