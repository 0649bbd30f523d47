"""The view model of a diagram: what to draw, decided once, apart from how to draw it.

:func:`build_view` turns the dependency graph, the tables shown and the tables
left expanded into nodes, edges and schema clusters.  Tables that are shown but
not expanded collapse into one node per schema ("(3 tables)"); foreign keys that
then fall inside one collapsed node vanish, and several foreign keys that land on
the same pair of drawn nodes become one *bundle* edge, which claims no style of a
single foreign key.  Renderers (:mod:`.dot`, :mod:`.mermaid`) only translate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..dependencies import DependencyGraph, Edge
from ..naming import tier_of_table_name, to_camel_case
from .style import COLLAPSED, OTHER

__all__ = ["NodeView", "EdgeView", "ClusterView", "View", "build_view", "tier_of"]

Node = tuple[str, str]

# Table names DataJoint gives each tier; anything else is drawn as OTHER.
_WORD = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"
_DATAJOINT_TABLE = re.compile(rf"(?:#|_|__)?{_WORD}(?:__{_WORD})?")


@dataclass(frozen=True)
class NodeView:
    key: str  # unique, stable: "schema.table", or "schema.*" for a collapsed schema
    name: str  # the class name ("Session.Trial"), or the schema's name for a collapsed schema
    label: str
    tier: str  # a tier name, COLLAPSED or OTHER
    schema: str
    tooltip: str
    underline: bool = False  # the table adds primary-key attributes of its own
    master: str | None = None  # key of its master when both are drawn (they are grouped)
    beside_master: bool = False  # on the master's rank (it depends on no sibling part)


@dataclass(frozen=True)
class EdgeView:
    parent: str
    child: str
    primary: bool = True  # the foreign key lies in the child's primary key
    one_to_one: bool = False  # the foreign key is the child's whole primary key
    renames: tuple[tuple[str, str], ...] = ()  # (child attribute, parent attribute) pairs that differ
    bundle: bool = False  # stands for several foreign keys (one end is a collapsed schema)


@dataclass(frozen=True)
class ClusterView:
    schema: str
    label: str
    nodes: tuple[str, ...]  # keys, in drawing order


@dataclass(frozen=True)
class View:
    direction: str  # TB, LR, BT or RL
    nodes: tuple[NodeView, ...]
    edges: tuple[EdgeView, ...]
    clusters: tuple[ClusterView, ...]

    def node(self, key: str) -> NodeView:
        return next(n for n in self.nodes if n.key == key)


def tier_of(table: str) -> str:
    """The tier a table name says, or OTHER for names DataJoint would not give."""
    tier = tier_of_table_name(table)
    return tier if tier is not None and _DATAJOINT_TABLE.fullmatch(table) else OTHER


def class_name_of(table: str) -> str:
    """The class name a DataJoint table name stands for: ``session__trial`` -> ``Session.Trial``."""
    if tier_of(table) == OTHER:
        return table
    master, _, part = table.lstrip("#_").partition("__")
    return f"{to_camel_case(master)}.{to_camel_case(part)}" if part else to_camel_case(master)


def build_view(graph: DependencyGraph, shown: Iterable[Node], expanded: Iterable[Node], *, direction: str,
               class_names: Mapping[Node, str], modules: Mapping[Node, str]) -> View:
    """Nodes, edges and clusters for the tables ``shown``; those not ``expanded`` collapse by schema."""
    order = graph.topological_with_parts(n for n in shown if n in graph)
    expanded = set(expanded)
    names = {n: class_names.get(n) or class_name_of(n[1]) for n in order}
    key = {n: (f"{n[0]}.{n[1]}" if n in expanded else f"{n[0]}.*") for n in order}
    nodes = _table_nodes(graph, [n for n in order if n in expanded], names, key) + _collapsed_nodes(
        [n for n in order if n not in expanded])
    schemas = list(dict.fromkeys(n[0] for n in order))
    labels = _cluster_labels(schemas, {n: m for n, m in modules.items() if n in key})
    clusters = tuple(ClusterView(s, labels[s], tuple(v.key for v in nodes if v.schema == s)) for s in schemas)
    return View(direction, tuple(nodes), _edges(graph, order, key), clusters)


def _table_nodes(graph: DependencyGraph, tables: list[Node], names: Mapping[Node, str],
                 key: Mapping[Node, str]) -> list[NodeView]:
    views = []
    drawn = set(tables)
    for node in tables:
        tier = tier_of(node[1])
        master = graph.master(node) if tier == "Part" else None
        grouped = master in drawn
        label = names[node].rsplit(".", 1)[-1] if grouped else names[node]
        siblings = {p for p in graph.parents(node) if graph.master(p) == master} if grouped else set()
        key_attributes = graph.primary_keys.get(node, [])
        tooltip = f"{node[0]}.{node[1]}" + (f"\nprimary key: {', '.join(key_attributes)}" if key_attributes else "")
        views.append(NodeView(key[node], names[node], label, tier, node[0], tooltip, _introduces_dimension(graph, node),
                              key[master] if grouped else None, grouped and not siblings))
    return views


def _collapsed_nodes(tables: list[Node]) -> list[NodeView]:
    counts: dict[str, int] = {}
    for schema, _ in tables:
        counts[schema] = counts.get(schema, 0) + 1
    return [NodeView(f"{schema}.*", schema, f"({n} table{'s' if n != 1 else ''})", COLLAPSED, schema,
                     f"Collapsed schema {schema}: {n} table{'s' if n != 1 else ''}") for schema, n in counts.items()]


def _introduces_dimension(graph: DependencyGraph, node: Node) -> bool:
    """True when the table's primary key has attributes it does not inherit through primary foreign keys."""
    key_attributes = set(graph.primary_keys.get(node, ()))
    inherited = {a for _, edge in graph.edges_to(node) if edge.primary for a in edge.attr_map}
    return bool(key_attributes) and inherited < key_attributes


def _edges(graph: DependencyGraph, order: list[Node], key: Mapping[Node, str]) -> tuple[EdgeView, ...]:
    """One edge per foreign key between drawn nodes; several landing on a collapsed node make one bundle."""
    drawn: dict[tuple[str, str], list[EdgeView]] = {}
    for child in order:
        child_key_attributes = set(graph.primary_keys.get(child, ()))
        for parent, edge in sorted(graph.edges_to(child), key=lambda pe: (key.get(pe[0], ""), tuple(pe[1].attr_map))):
            if parent not in key or key[parent] == key[child]:
                continue
            drawn.setdefault((key[parent], key[child]), []).append(_edge_view(key[parent], key[child], edge,
                                                                              child_key_attributes))
    edges: list[EdgeView] = []
    for (parent, child), views in drawn.items():
        if len(views) > 1 and (parent.endswith(".*") or child.endswith(".*")):
            edges.append(EdgeView(parent, child, bundle=True))
        else:
            edges.extend(views)
    return tuple(edges)


def _edge_view(parent: str, child: str, edge: Edge, child_key_attributes: set[str]) -> EdgeView:
    renames = tuple((c, p) for c, p in edge.attr_map.items() if c != p)
    return EdgeView(parent, child, edge.primary, set(edge.attr_map) == child_key_attributes, renames)


def _cluster_labels(schemas: list[str], modules: Mapping[Node, str]) -> dict[str, str]:
    """A schema's cluster shows its Python module's name when that names it alone, else the schema name."""
    per_schema: dict[str, set[str]] = {}
    for (schema, _), module in modules.items():
        per_schema.setdefault(schema, set()).add(module)
    candidates = {s: next(iter(m)) for s, m in per_schema.items() if len(m) == 1 and "__main__" not in m}
    taken = list(candidates.values())
    return {s: candidates[s] if s in candidates and taken.count(candidates[s]) == 1 else s for s in schemas}
