"""The dependency graph of a database: tables as nodes, foreign keys as edges.

One graph per connection, built from catalog rows (see
:mod:`datajoint_sa.engine.foreign_keys`), serves delete cascades, populate's key
sources, schema listings in dependency order and the diagram.  Nodes are
``(schema, table)`` pairs; each edge carries the attribute map of its foreign key
and whether it lies in the child's primary key.

Methods that take a table accept the node or its quoted full name
(``"`lab`.`session`"``, as ``Table.full_table_name`` gives it) and answer in the
same form.  :func:`topo_sort` orders any graph of either kind with each part
table placed right after its master.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Union

import networkx as nx

from .errors import DataJointError

__all__ = ["Edge", "DependencyGraph", "topo_sort", "split_full_name"]

Node = tuple[str, str]
TableRef = Union[Node, str]  # a node, or a quoted full table name
Loader = Callable[[], tuple[dict[Node, list[str]], Iterable[Any]]]


@dataclass(frozen=True)
class Edge:
    """One foreign key: child attribute -> parent attribute."""

    attr_map: dict[str, str]
    primary: bool  # every foreign-key column is in the child's primary key

    @property
    def aliased(self) -> bool:
        return any(child != parent for child, parent in self.attr_map.items())


class DependencyGraph:
    """Tables and the foreign keys between them, with the traversals DataJoint needs.

    ``primary_keys`` ({node: key attributes}) and ``foreign_keys`` (rows with ``child``,
    ``parent`` and ``columns``) give the tables; ``loader`` returns both afresh for
    :meth:`load`; ``full_name`` spells a node as the database quotes it; ``known_schemas``
    lists the schemas the connection has activated (see :meth:`load_all_downstream`).
    """

    def __init__(self, primary_keys: dict[Node, list[str]], foreign_keys: Iterable, *, loader: Loader | None = None,
                 full_name: Callable[[Node], str] | None = None,
                 known_schemas: Callable[[], Iterable[str]] | None = None) -> None:
        self._loader = loader
        self._full_name = full_name
        self._known_schemas = known_schemas
        self._build(primary_keys, foreign_keys)

    def _build(self, primary_keys: dict[Node, list[str]], foreign_keys: Iterable) -> None:
        self.graph = nx.MultiDiGraph()
        self.primary_keys = primary_keys
        for node in primary_keys:
            self.graph.add_node(node)
        for fk in foreign_keys:
            attr_map = dict(fk.columns)
            primary = set(attr_map) <= set(primary_keys.get(fk.child, ()))
            self.graph.add_edge(fk.parent, fk.child, edge=Edge(attr_map, primary))
        #: whether the graph holds the catalog's tables, and the schemas it was loaded for
        self._loaded = True
        self._loaded_schemas = {schema for schema, _ in primary_keys} | set(self._schemas_known())

    def _schemas_known(self) -> list[str]:
        return list(self._known_schemas()) if self._known_schemas is not None else []

    # -- loading ---------------------------------------------------------------------------
    def load(self, force: bool = True) -> None:
        """Read the tables and foreign keys from the database again (in place).

        The graph always spans every schema the connection may read, so tables
        declared in another session are found too.  ``force=False`` keeps a graph
        already loaded.
        """
        if self._loaded and not force:
            return
        if self._loader is None:
            raise DataJointError("This dependency graph was built from given rows and has no database to reload from.")
        self._build(*self._loader())

    def load_all_downstream(self) -> None:
        """Make sure the graph covers every schema that may depend on the connection's schemas.

        The graph is read for the whole database at once, so it needs reloading only
        when a schema was activated after it was loaded; otherwise this costs nothing
        (populate and delete call it on every use).
        """
        self._load_if_schemas_changed()

    def load_all_upstream(self) -> None:
        """Make sure the graph covers every schema the connection's tables depend on (see load_all_downstream)."""
        self._load_if_schemas_changed()

    def _load_if_schemas_changed(self) -> None:
        if self._loaded and set(self._schemas_known()) <= self._loaded_schemas:
            return
        self.load()

    # -- names -------------------------------------------------------------------------------
    def node(self, table: TableRef) -> Node:
        """The node of a table given as a node or as a (quoted) full table name."""
        if isinstance(table, tuple):
            return table
        schema, name, _ = split_full_name(table)
        return (schema, name)

    def _named(self, nodes: Iterable[Node], like: TableRef) -> list[Any]:
        """``nodes`` in the form ``like`` was given in: nodes, or quoted full names."""
        if isinstance(like, tuple):
            return list(nodes)
        if self._full_name is not None:
            return [self._full_name(n) for n in nodes]
        _, _, quote = split_full_name(like)
        return [f"{quote}{s}{quote}.{quote}{t}{quote}" for s, t in nodes]

    def __contains__(self, table: object) -> bool:
        if isinstance(table, str):
            return self.node(table) in self.graph
        return table in self.graph

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.graph)

    def __len__(self) -> int:
        return self.graph.number_of_nodes()

    def number_of_edges(self, parent: TableRef | None = None, child: TableRef | None = None) -> int:
        """Foreign keys from ``parent`` to ``child`` (each one counts: a table may reference another twice);
        without arguments, all of them."""
        if parent is None or child is None:
            return self.graph.number_of_edges()
        return self.graph.number_of_edges(self.node(parent), self.node(child))

    def edges_from(self, parent: Node) -> list[tuple[Node, Edge]]:
        """(child, edge) for every foreign key referencing ``parent``."""
        return [(child, data["edge"]) for _, child, data in self.graph.out_edges(parent, data=True)]

    def edges_to(self, child: Node) -> list[tuple[Node, Edge]]:
        """(parent, edge) for every foreign key of ``child``."""
        return [(parent, data["edge"]) for parent, _, data in self.graph.in_edges(child, data=True)]

    def parents(self, table: TableRef, primary: bool | None = None) -> list[Any]:
        """Tables ``table`` references; ``primary`` selects foreign keys in (True) or out of (False) its key."""
        node = self.node(table)
        found = _unique(p for p, e in self.edges_to(node) if primary is None or e.primary == primary)
        return self._named(found, table)

    def children(self, table: TableRef, primary: bool | None = None) -> list[Any]:
        """Tables referencing ``table``; ``primary`` as in :meth:`parents`."""
        node = self.node(table)
        found = _unique(c for c, e in self.edges_from(node) if primary is None or e.primary == primary)
        return self._named(found, table)

    def ancestors(self, table: TableRef) -> list[Any]:
        """``table`` and everything it depends on, in topological order."""
        node = self.node(table)
        return self._named(self.topological([node, *nx.ancestors(self.graph, node)]), table)

    def descendants(self, table: TableRef) -> list[Any]:
        """``table`` and everything that depends on it, in topological order."""
        node = self.node(table)
        return self._named(self.topological([node, *nx.descendants(self.graph, node)]), table)

    def topological(self, nodes: Iterable[Node] | None = None) -> list[Node]:
        """Nodes ordered parents-first; ties broken by name for a stable order."""
        subgraph = self.graph if nodes is None else self.graph.subgraph(nodes)
        return list(nx.lexicographical_topological_sort(subgraph, key=_sort_key))

    def master(self, node: Node) -> Node | None:
        """The master of a part table (``master__part`` -> ``master``) if it is in the graph, else None."""
        return _master_by_name(self.graph)(node)  # type: ignore[return-value]

    def topological_with_parts(self, nodes: Iterable[Node] | None = None) -> list[Node]:
        """Like :meth:`topological`, but each part table follows its master directly where it can (see topo_sort)."""
        subgraph = self.graph if nodes is None else self.graph.subgraph(nodes)
        return topo_sort(subgraph, self.master)


def split_full_name(name: str) -> tuple[str, str, str]:
    """``"`schema`.`table`"`` (or ``"schema"."table"``, or ``schema.table``) -> (schema, table, quote character).

    SQLite keeps a schema as a table-name prefix (``"schema.table"``): the name is split at its first dot.
    """
    quote = name[0] if name[:1] in ("`", '"') else ""
    separator = name.find(quote + "." + quote) if quote else -1
    if quote and separator > 0 and name.endswith(quote):
        schema, table = name[1:separator], name[separator + 3:-1]
    else:
        schema, _, table = name.replace("`", "").replace('"', "").partition(".")
    if not schema or not table:
        raise DataJointError(f"{name!r} is not a full table name like `schema`.`table`.")
    return schema, table, quote


def _master_by_name(graph: Any) -> Callable[[Hashable], Hashable | None]:
    """The master of a node of ``graph`` found from its name (``master__part`` -> ``master``), if in ``graph``."""

    def master(node: Hashable) -> Hashable | None:
        if isinstance(node, tuple):
            schema, table, quote = node[0], node[1], None
        elif isinstance(node, str):
            try:
                schema, table, quote = split_full_name(node)
            except DataJointError:
                return None
        else:
            return None
        prefix_length = len(table) - len(table.lstrip("#_"))
        head, separator, _ = table[prefix_length:].partition("__")
        if not separator or not head:
            return None
        name = table[:prefix_length] + head
        candidate: Hashable = (schema, name) if quote is None else f"{quote}{schema}{quote}.{quote}{name}{quote}"
        return candidate if candidate in graph else None

    return master


def topo_sort(graph: Any, master: Callable[[Any], Any] | None = None) -> list[Any]:
    """The nodes of ``graph`` parents first, each part table right after its master where it can be.

    ``graph`` is a networkx directed graph whose nodes are ``(schema, table)`` pairs
    or quoted full table names; ``master`` gives a node's master (by default read
    from the table name, ``master__part``).  A master waits for the other parents
    of its parts, so the parts can follow it directly; a part that depends on a
    table computed from its own master keeps its own place further down.  Ties are
    broken by name, so the order is stable.
    """
    master = master or _master_by_name(graph)
    subgraph = nx.MultiDiGraph(graph)
    parts_of: dict[Any, list[Any]] = {}
    for node in list(subgraph):
        owner = master(node)
        if owner is None or owner not in subgraph:
            continue
        parts_of.setdefault(owner, []).append(node)
        for parent in list(subgraph.predecessors(node)):
            if parent != owner and master(parent) != owner and not nx.has_path(subgraph, owner, parent):
                subgraph.add_edge(parent, owner)  # the master waits for its parts' other parents
    order = list(nx.lexicographical_topological_sort(subgraph, key=_sort_key))
    position = {node: i for i, node in enumerate(order)}
    placed: list[Any] = []
    done: set[Any] = set()
    for node in order:
        if node in done:
            continue
        placed.append(node)
        done.add(node)
        for part in sorted(parts_of.get(node, ()), key=position.__getitem__):
            if part not in done and all(p in done for p in graph.predecessors(part) if p in subgraph):
                placed.append(part)
                done.add(part)
    return placed


def _sort_key(node: Any) -> str:
    return f"{node[0]}.{node[1]}" if isinstance(node, tuple) else str(node)


def _unique(nodes: Iterable[Node]) -> list[Node]:
    return list(dict.fromkeys(nodes))
