"""The dependency graph of a database: tables as nodes, foreign keys as edges.

One graph per connection, built from catalog rows (see
:mod:`datajoint_sa.engine.foreign_keys`), serves delete cascades, populate's key
sources, schema listings in dependency order and the diagram.  Nodes are
``(schema, table)`` pairs; each edge carries the attribute map of its foreign key
and whether it lies in the child's primary key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

__all__ = ["Edge", "DependencyGraph"]

Node = tuple[str, str]


@dataclass(frozen=True)
class Edge:
    """One foreign key: child attribute -> parent attribute."""

    attr_map: dict[str, str]
    primary: bool  # every foreign-key column is in the child's primary key

    @property
    def aliased(self) -> bool:
        return any(child != parent for child, parent in self.attr_map.items())


class DependencyGraph:
    """Tables and the foreign keys between them, with the traversals DataJoint needs."""

    def __init__(self, primary_keys: dict[Node, list[str]], foreign_keys: Iterable) -> None:
        self.graph = nx.MultiDiGraph()
        self.primary_keys = primary_keys
        for node in primary_keys:
            self.graph.add_node(node)
        for fk in foreign_keys:
            attr_map = dict(fk.columns)
            primary = set(attr_map) <= set(primary_keys.get(fk.child, ()))
            self.graph.add_edge(fk.parent, fk.child, edge=Edge(attr_map, primary))

    def __contains__(self, node: object) -> bool:
        return node in self.graph

    def edges_from(self, parent: Node) -> list[tuple[Node, Edge]]:
        """(child, edge) for every foreign key referencing ``parent``."""
        return [(child, data["edge"]) for _, child, data in self.graph.out_edges(parent, data=True)]

    def edges_to(self, child: Node) -> list[tuple[Node, Edge]]:
        """(parent, edge) for every foreign key of ``child``."""
        return [(parent, data["edge"]) for parent, _, data in self.graph.in_edges(child, data=True)]

    def parents(self, node: Node, primary: bool | None = None) -> list[Node]:
        return _unique(p for p, e in self.edges_to(node) if primary is None or e.primary == primary)

    def children(self, node: Node, primary: bool | None = None) -> list[Node]:
        return _unique(c for c, e in self.edges_from(node) if primary is None or e.primary == primary)

    def ancestors(self, node: Node) -> list[Node]:
        """``node`` and everything it depends on, in topological order."""
        return self.topological([node, *nx.ancestors(self.graph, node)])

    def descendants(self, node: Node) -> list[Node]:
        """``node`` and everything that depends on it, in topological order."""
        return self.topological([node, *nx.descendants(self.graph, node)])

    def topological(self, nodes: Iterable[Node] | None = None) -> list[Node]:
        """Nodes ordered parents-first; ties broken by name for a stable order."""
        subgraph = self.graph if nodes is None else self.graph.subgraph(nodes)
        return list(nx.lexicographical_topological_sort(subgraph, key=_sort_key))

    def master(self, node: Node) -> Node | None:
        """The master of a part table (``master__part`` -> ``master``) if it is in the graph, else None."""
        schema, table = node
        prefix_length = len(table) - len(table.lstrip("#_"))
        head, separator, _ = table[prefix_length:].partition("__")
        if not separator or not head:
            return None
        candidate = (schema, table[:prefix_length] + head)
        return candidate if candidate in self.graph else None

    def topological_with_parts(self, nodes: Iterable[Node] | None = None) -> list[Node]:
        """Like :meth:`topological`, but each part table follows its master directly where it can.

        A part whose other parents the master does not already come after (say, a
        table computed from the master itself) keeps its own place further down.
        """
        subgraph = nx.MultiDiGraph(self.graph if nodes is None else self.graph.subgraph(nodes))
        parts_of: dict[Node, list[Node]] = {}
        for node in list(subgraph):
            master = self.master(node)
            if master is None or master not in subgraph:
                continue
            parts_of.setdefault(master, []).append(node)
            for parent in list(subgraph.predecessors(node)):
                if parent != master and self.master(parent) != master and not nx.has_path(subgraph, master, parent):
                    subgraph.add_edge(parent, master)  # the master waits for its parts' other parents
        order = list(nx.lexicographical_topological_sort(subgraph, key=_sort_key))
        position = {node: i for i, node in enumerate(order)}
        placed: list[Node] = []
        done: set[Node] = set()
        for node in order:
            if node in done:
                continue
            placed.append(node)
            done.add(node)
            for part in sorted(parts_of.get(node, ()), key=position.__getitem__):
                if part not in done and all(p in done for p in self.graph.predecessors(part) if p in subgraph):
                    placed.append(part)
                    done.add(part)
        return placed


def _sort_key(node: Node) -> str:
    return f"{node[0]}.{node[1]}"


def _unique(nodes: Iterable[Node]) -> list[Node]:
    return list(dict.fromkeys(nodes))
