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
        return list(nx.lexicographical_topological_sort(subgraph, key=lambda n: f"{n[0]}.{n[1]}"))


def _unique(nodes: Iterable[Node]) -> list[Node]:
    return list(dict.fromkeys(nodes))
