"""dj.Diagram: a selection of tables of one connection's dependency graph, and its drawings.

A Diagram is immutable: every operator returns a new one.

- ``Diagram(schema | table | module)``; ``Diagram.from_sequence([...])`` is their union.
- ``d + n`` adds ``n`` generations of dependents, ``d - n`` of dependencies.
- ``d1 + d2``, ``d1 - d2``, ``d1 * d2``: union, difference, intersection of the tables
  (a table class stands for its one-table Diagram).
- ``d.collapse()`` draws the tables as one node per schema; in a union a table
  expanded in either operand stays expanded.
- Drawings: ``make_dot()`` (a ``graphviz.Digraph`` that lists its nodes and edges),
  ``make_svg()``, ``make_png()``, ``make_image()`` (an RGB(A) array), ``make_mermaid()``,
  ``save(path)``, and ``_repr_svg_``/``_repr_html_`` for Jupyter.
  The layout direction and colours follow ``display.diagram_direction`` and
  ``display.diagram_theme`` (``light``, ``dark``, or ``auto``: an SVG that follows the
  viewer's light or dark mode).

Rows, too, can be followed along the foreign keys:

- ``Diagram.cascade(expr)``: ``expr``'s table and its descendants, with the rows a
  delete of ``expr`` would remove (``part_integrity`` as in ``Table.delete``);
- ``Diagram.trace(expr)``: ``expr``'s table and its ancestors, each restricted to the
  rows the seed's rows reference, along any path (OR);
- ``d.restrict(expr)``: ``expr``'s descendants in ``d`` restricted to rows that match
  every restricted ancestor (AND; chainable), as for an export.

Such a diagram counts its rows (``counts()``), hands out each table restricted
(``d[Table]``, ``d["`schema`.`table`"]``, and iteration), and ``prune()`` drops tables
with no rows.  Cascade diagrams are for deleting and keep every table.
"""

from __future__ import annotations

import functools
import io
import os
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import DataJointError
from ..settings import config
from . import dot, mermaid, propagate
from .sources import Node, Selection, drawable, name_class, resolve
from .style import THEMES, theme_named
from .view import View, build_view

__all__ = ["Diagram", "SvgText"]

_DIRECTIONS = ("TB", "LR", "BT", "RL")
_SAVE_FORMATS = {"svg": "svg", "png": "png", "mmd": "mermaid", "mermaid": "mermaid", "dot": "dot", "gv": "dot"}


class SvgText(str):
    """An SVG document: a ``str`` that Jupyter shows as the picture (``.data`` as IPython's SVG has)."""

    @property
    def data(self) -> str:
        return str(self)

    def _repr_svg_(self) -> str:
        return str(self)


class Diagram:
    """The tables of a schema, table or module and the foreign keys between them, to draw or iterate."""

    def __init__(self, source: Any, context: Any = None) -> None:
        # ``context`` is accepted for DataJoint compatibility: names come from the classes themselves.
        if isinstance(source, Diagram):
            selection, expanded = source._selection, source._expanded
            self._mode, self._restrictions, self._plan = source._mode, source._restrictions, source._plan
            self._tables: dict[Node, Any] = source._tables
        else:
            selection = resolve(source)
            expanded = frozenset(selection.nodes)
            self._mode, self._restrictions, self._plan = None, {}, None
            self._tables = {}  # FreeTables by node, shared by the diagrams derived from this one
        self._selection: Selection = selection
        self._nodes: frozenset[Node] = frozenset(selection.nodes)
        self._expanded: frozenset[Node] = frozenset(expanded)

    @classmethod
    def from_sequence(cls, sequence: Iterable[Any]) -> Diagram:
        """The union of the Diagrams of each item."""
        return functools.reduce(lambda a, b: a + b, (Diagram(s) for s in sequence))

    # -- the selection -------------------------------------------------------------------
    @property
    def connection(self) -> Any:
        return self._selection.connection

    @property
    def nodes(self) -> frozenset[Node]:
        """The tables shown, as ``(schema, table)`` pairs."""
        return self._nodes

    @property
    def nodes_to_show(self) -> set[str]:
        """The tables shown, as quoted full table names (as in DataJoint)."""
        return {self.connection.full_name(n) for n in self._nodes}

    def _graph(self) -> Any:
        """The connection's dependency graph, reloaded if it lacks a table of this diagram."""
        graph = self.connection.dependencies
        if not all(n in graph for n in self._nodes):
            self.connection.invalidate_dependencies()
            graph = self.connection.dependencies
        return graph

    def _with(self, nodes: Iterable[Node], expanded: Iterable[Node], extra: Selection | None = None) -> Diagram:
        selection = Selection(self.connection, set(nodes), dict(self._selection.class_names),
                              dict(self._selection.modules))
        if extra is not None:
            selection.class_names.update(extra.class_names)
            selection.modules.update(extra.modules)
        new = object.__new__(Diagram)
        new._selection, new._nodes = selection, frozenset(selection.nodes)
        new._expanded = frozenset(expanded) & new._nodes
        new._mode, new._plan, new._tables = self._mode, self._plan, self._tables
        new._restrictions = {n: r for n, r in self._restrictions.items() if n in new._nodes}
        return new

    def _other(self, other: Any, operator: str) -> Diagram:
        if isinstance(other, int):  # bool too
            raise DataJointError(f"Diagram {operator} expects a Diagram, schema or table here, not {other!r}.")
        result = other if isinstance(other, Diagram) else Diagram(other)
        if result.connection is not self.connection:
            raise DataJointError("Cannot combine diagrams of tables on different connections.")
        return result

    def _expand(self, steps: int, downstream: bool) -> Diagram:
        if steps < 0:
            raise DataJointError(f"Diagram expansion takes a non-negative number of steps, not {steps}.")
        graph = self._graph()
        step = graph.graph.successors if downstream else graph.graph.predecessors
        nodes, frontier = set(self._nodes), set(self._nodes)
        for _ in range(steps):
            frontier = {m for n in frontier for m in step(n) if drawable(m)} - nodes
            if not frontier:
                break
            nodes |= frontier
        return self._with(nodes, self._expanded | (nodes - self._nodes))

    def __add__(self, other: Any) -> Diagram:
        """``+ n``: add n generations of dependent tables; ``+ diagram``: the union."""
        if isinstance(other, int) and not isinstance(other, bool):
            return self._expand(other, downstream=True)
        other = self._other(other, "+")
        return self._with(self._nodes | other._nodes, self._expanded | other._expanded, other._selection)

    def __sub__(self, other: Any) -> Diagram:
        """``- n``: add n generations of the tables these depend on; ``- diagram``: the difference."""
        if isinstance(other, int) and not isinstance(other, bool):
            return self._expand(other, downstream=False)
        other = self._other(other, "-")
        return self._with(self._nodes - other._nodes, self._expanded)

    def __mul__(self, other: Any) -> Diagram:
        """The tables in both."""
        other = self._other(other, "*")
        return self._with(self._nodes & other._nodes, self._expanded | other._expanded)

    def collapse(self) -> Diagram:
        """This diagram drawn as one node per schema (``+`` with an expanded diagram expands its tables)."""
        return self._with(self._nodes, ())

    def add_parts(self) -> Diagram:
        """Add the part tables of the masters in the diagram (drawn as their masters are)."""
        graph = self._graph()
        parts = {n: graph.master(n) for n in graph.graph if graph.master(n) in self._nodes}
        return self._with(self._nodes | set(parts), self._expanded | {p for p, m in parts.items() if m in self._expanded})

    def topological(self) -> list[Node]:
        """The tables, parents before children, each part table right after its master where possible."""
        return self._graph().topological_with_parts(self._nodes)

    def __iter__(self) -> Iterator[Any]:
        """The tables as FreeTables, parents first; restricted as traced or restricted (see ``__getitem__``).

        A cascade diagram gives its tables whole: the rows a delete would remove are its ``counts()``.
        """
        for node in self.topological():
            yield self._restricted(node)

    def __reversed__(self) -> Iterator[Any]:
        for node in reversed(self.topological()):
            yield self._restricted(node)

    def __len__(self) -> int:
        return len(self._nodes)

    def number_of_edges(self, parent: Any = None, child: Any = None) -> int:
        """Foreign keys between the tables shown: from ``parent`` to ``child`` (tables or names), or all."""
        graph = self._graph()
        if parent is None or child is None:
            return sum(1 for p, c in graph.graph.edges() if p in self._nodes and c in self._nodes)
        ends = self._node_of(parent), self._node_of(child)
        return graph.number_of_edges(*ends) if all(n in self._nodes for n in ends) else 0

    def __repr__(self) -> str:
        return f"<Diagram of {len(self._nodes)} tables in {', '.join(sorted({s for s, _ in self._nodes})) or 'no schema'}>"

    # -- drawing -------------------------------------------------------------------------
    def view(self) -> View:
        """What gets drawn: nodes, edges and schema clusters (see :mod:`datajoint_sa.diagram.view`)."""
        direction = str(config["display.diagram_direction"]).upper()
        if direction not in _DIRECTIONS:
            raise DataJointError(f"display.diagram_direction must be one of {', '.join(_DIRECTIONS)}; got {direction!r}.")
        return build_view(self._graph(), self._nodes, self._expanded, direction=direction,
                          class_names=self._selection.class_names, modules=self._selection.modules)

    @staticmethod
    def _theme_name(theme: str | None) -> str:
        name = theme or config["display.diagram_theme"] or "auto"
        if name != "auto" and name not in THEMES:
            raise DataJointError(f"Diagram theme must be auto, {' or '.join(THEMES)}; got {name!r}.")
        return name

    def make_dot(self, theme: str | None = None) -> Any:
        """The diagram as a ``graphviz.Digraph`` (its ``.source`` is the DOT text)."""
        return dot.to_digraph(self.view(), theme_named(self._theme_name(theme)))

    def svg_string(self, theme: str | None = None) -> str:
        """The SVG text, drawn by Graphviz's ``dot``; with the ``auto`` theme it adapts to dark mode."""
        name = self._theme_name(theme)
        svg = dot.render(self.make_dot(name), "svg").decode()
        return dot.adaptive_svg(svg) if name == "auto" else svg

    def make_svg(self, theme: str | None = None) -> SvgText:
        """The SVG document (a ``str``, shown as a picture in Jupyter)."""
        return SvgText(self.svg_string(theme))

    def make_png(self, theme: str | None = None) -> io.BytesIO:
        """The PNG image, in a BytesIO (as DataJoint returns it)."""
        name = self._theme_name(theme)
        return io.BytesIO(dot.render(self.make_dot("light" if name == "auto" else name), "png"))

    def make_image(self, theme: str | None = None) -> Any:
        """The picture as a NumPy array of shape (height, width, 3 or 4), values 0..1 (as matplotlib reads PNGs)."""
        from .png import decode_png

        return decode_png(self.make_png(theme).getvalue())

    def _make_graph(self) -> Any:
        """The drawn graph as a ``networkx.MultiDiGraph``: nodes by drawn name (class name, or schema when
        collapsed) with their tier, one edge per drawn foreign key with its ``primary`` flag and renames."""
        import networkx as nx

        view = self.view()
        graph = nx.MultiDiGraph()
        names = {n.key: n.name for n in view.nodes}
        for node in view.nodes:
            graph.add_node(node.name, node_type=node.tier, key=node.key, label=node.label)
        for edge in view.edges:
            graph.add_edge(names[edge.parent], names[edge.child], primary=edge.primary, one_to_one=edge.one_to_one,
                           renames=dict(edge.renames), bundle=edge.bundle)
        return graph

    def make_mermaid(self) -> str:
        """The diagram as a Mermaid flowchart (GitHub Markdown, mermaid.live); needs no Graphviz."""
        return mermaid.to_mermaid(self.view(), THEMES["light"])

    def save(self, filename: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the diagram; the format (svg, png, mermaid, dot) is ``format`` or follows the extension."""
        path = os.fspath(filename)
        chosen = (format or _SAVE_FORMATS.get(path.rsplit(".", 1)[-1].lower() if "." in path else "", "")).lower()
        if chosen not in set(_SAVE_FORMATS.values()):
            raise DataJointError(f"Cannot save a Diagram as {path!r}: use a .svg, .png, .mmd, .mermaid, .dot or .gv "
                                 f"file name, or format='svg'|'png'|'mermaid'|'dot'.")
        data = {"svg": lambda: self.svg_string().encode(), "png": lambda: self.make_png().getvalue(),
                "mermaid": lambda: self.make_mermaid().encode(), "dot": lambda: self.make_dot().source.encode()}
        content = data[chosen]()  # drawn before the file is opened: a failure leaves no empty file
        with open(path, "wb") as f:
            f.write(content)

    def _repr_svg_(self) -> str | None:
        """The ``<svg>`` element alone (no XML prolog), as Jupyter inlines it; None without Graphviz."""
        try:
            svg = self.svg_string()
        except DataJointError:
            return None  # no Graphviz: Jupyter falls back to _repr_html_ / the text repr
        start = svg.find("<svg")
        return svg[start:].rstrip() if start >= 0 else svg

    def _repr_html_(self) -> str:
        """The SVG inline, or without Graphviz the Mermaid text and how to get pictures."""
        try:
            return f'<div class="datajoint-diagram">{self.svg_string()}</div>'
        except DataJointError as err:
            import html

            return (f'<div class="datajoint-diagram"><p>{html.escape(str(err))}</p>'
                    f'<pre class="mermaid">{html.escape(self.make_mermaid())}</pre></div>')

    # -- rows along the foreign keys ----------------------------------------------------------
    @classmethod
    def cascade(cls, table_expr: Any, part_integrity: str = "enforce") -> Diagram:
        """The tables a delete of ``table_expr``'s rows reaches, with the rows it would remove.

        ``counts()`` previews the delete without deleting; ``part_integrity`` is as in
        ``Table.delete`` (``"cascade"`` also takes the masters of the part rows reached).
        """
        from ..delete import check_part_integrity, plan_cascade

        check_part_integrity(part_integrity)
        table = _expression(table_expr)
        plan = plan_cascade(table.connection, table._node, table.make_select(table.primary_key),
                            part_integrity=part_integrity)
        return cls._of_rows(table, set(plan.order), "cascade", {}, plan)

    @classmethod
    def trace(cls, table_expr: Any) -> Diagram:
        """``table_expr``'s table and its ancestors, each restricted to the rows the seed's rows reference.

        An ancestor reached along several foreign-key paths keeps the rows of any of
        them.  ``trace[Session]`` gives an ancestor restricted so; tables that are
        not ancestors of the seed (an ancestor's parts, say) are not in the trace.
        """
        table = _expression(table_expr)
        graph = _graph_with(table.connection, table._node)
        diagram = cls._of_rows(table, set(), "trace", {}, None)
        restrictions = propagate.propagate_up(graph, table._node, propagate.seed_restriction(table), diagram._table)
        return diagram._replace(set(restrictions), restrictions)

    def restrict(self, table_expr: Any) -> Diagram:
        """This diagram with ``table_expr``'s rows, and the rows of its descendants that match them.

        A table below several restricted tables keeps the rows matching all of them;
        restricting again narrows further.  Cascade and trace diagrams cannot be restricted.
        """
        if self._mode in ("cascade", "trace"):
            raise DataJointError(f"Cannot restrict() a Diagram made by Diagram.{self._mode}(): "
                                 "cascade, trace and restrict are separate modes.")
        table = _expression(table_expr)
        if table.connection is not self.connection or table._node not in self._nodes:
            raise DataJointError(f"Table {table.full_table_name} is not in the diagram.")
        graph = self._graph()
        restrictions = propagate.propagate_down(graph, table._node, propagate.seed_restriction(table), self._table,
                                                self._restrictions)
        restrictions = {n: r for n, r in restrictions.items() if n in self._nodes}
        new = self._with(self._nodes, self._expanded)
        new._mode, new._restrictions = "restrict", restrictions
        return new

    def counts(self) -> dict[str, int]:
        """Rows per table (by full table name) that the cascade, trace or restriction selects; nothing changes."""
        if self._mode == "cascade":
            return {self.connection.full_name(n): c for n, c in self._plan.counts().items() if n in self._nodes}
        if not self._restrictions:
            raise DataJointError("counts() needs rows to count: use Diagram.cascade(expr), Diagram.trace(expr) "
                                 "or diagram.restrict(expr) first.")
        return {self.connection.full_name(n): len(self._restricted(n)) for n in self.topological()
                if n in self._restrictions}

    def prune(self) -> Diagram:
        """This diagram without the tables that have no rows (no restricted rows, once restricted or traced).

        A cascade diagram keeps every table (rows may be inserted before the delete runs).
        """
        if self._mode == "cascade":
            raise DataJointError("prune() cannot be used on a Diagram made by Diagram.cascade(): "
                                 "a cascade keeps every descendant table for a safe delete.")
        if self._restrictions:
            empty = {n for n in self._restrictions if n in self._nodes and len(self._restricted(n)) == 0}
        else:
            empty = {n for n in self._nodes if len(self._table(n)) == 0}
        return self._with(self._nodes - empty, self._expanded)

    def __getitem__(self, key: Any) -> Any:
        """A table of this diagram as a FreeTable, restricted as the trace, cascade or restriction selects its rows.

        ``key`` is a table class or instance, a full table name (quoted or not), or a
        class name (``"Session"``, ``"Session.Trial"``, ``"schema.Session"``).
        """
        if self._mode == "cascade":
            raise DataJointError("A cascade diagram previews a delete: use counts() for its rows per table "
                                 "(Diagram.trace and diagram.restrict give tables restricted to their rows).")
        node = self._node_of(key)
        if node not in self._nodes:
            where = "this trace's subgraph (not an ancestor of the seed)" if self._mode == "trace" else "this diagram"
            raise DataJointError(f"Table {self.connection.full_name(node)} is not in {where}.")
        return self._restricted(node)

    @property
    def restrictions(self) -> dict[str, tuple[Any, ...]]:
        """The restrictions of each restricted table (by full table name), as query expressions on it."""
        return {self.connection.full_name(n): r for n, r in self._restrictions.items()}

    @property
    def _restrict_conditions(self) -> dict[str, tuple[Any, ...]]:
        # DataJoint 2.3's name for the restrictions of a restrict() diagram
        return self.restrictions if self._mode == "restrict" else {}

    # -- helpers for the row modes ------------------------------------------------------------
    @classmethod
    def _of_rows(cls, table: Any, nodes: set[Node], mode: str, restrictions: dict[Node, tuple[Any, ...]],
                 plan: Any) -> Diagram:
        selection = Selection(table.connection, set(nodes))
        if hasattr(table, "definition"):
            name_class(selection, type(table))
        new = object.__new__(cls)
        new._selection, new._nodes, new._expanded = selection, frozenset(nodes), frozenset(nodes)
        new._mode, new._restrictions, new._plan = mode, dict(restrictions), plan
        # one set of FreeTables per dependency graph: populate traces every key it makes (self.upstream)
        new._tables = _FREE_TABLES.setdefault(table.connection.dependencies, {})
        return new

    def _replace(self, nodes: set[Node], restrictions: dict[Node, tuple[Any, ...]]) -> Diagram:
        selection = Selection(self.connection, set(nodes), dict(self._selection.class_names),
                              dict(self._selection.modules))
        new = object.__new__(Diagram)
        new._selection, new._nodes, new._expanded = selection, frozenset(nodes), frozenset(nodes)
        new._mode, new._restrictions, new._plan, new._tables = self._mode, dict(restrictions), self._plan, self._tables
        return new

    def _table(self, node: Node) -> Any:
        """The FreeTable of ``node`` (read once per diagram family)."""
        if node not in self._tables:
            from ..table import FreeTable

            self._tables[node] = FreeTable(self.connection, f"{node[0]}.{node[1]}", _name=node)
        return self._tables[node]

    def _restricted(self, node: Node, table: Any = None) -> Any:
        table = self._table(node) if table is None else table
        restrictions = self._restrictions.get(node, ())
        return propagate.restricted(table, restrictions, any_of=self._mode != "restrict")

    def _node_of(self, key: Any) -> Node:
        if isinstance(key, str):
            return self._node_named(key)
        if isinstance(key, type) or hasattr(key, "_node"):
            instance = key() if isinstance(key, type) else key
            return instance._node
        raise DataJointError(f"A Diagram is indexed by a table class, a table or a table name, not {key!r}.")

    def _node_named(self, name: str) -> Node:
        """The node a full table name or a class name (optionally ``schema.``-qualified) stands for."""
        from ..dependencies import split_full_name
        from .view import class_name_of

        if "." in name:
            schema, table, _ = split_full_name(name)
            if (schema, table) in self._nodes or '"' in name or "`" in name:
                return (schema, table)
        matches = [n for n in self._nodes if name in (
            self._selection.class_names.get(n) or class_name_of(n[1]),
            f"{n[0]}.{self._selection.class_names.get(n) or class_name_of(n[1])}")]
        if len(matches) > 1:
            raise DataJointError(f"{name!r} names several tables here: "
                                 f"{', '.join(sorted(self.connection.full_name(n) for n in matches))}; use a full name.")
        if not matches:
            where = "this trace's subgraph (not an ancestor of the seed)" if self._mode == "trace" else "this diagram"
            raise DataJointError(f"Table {name!r} is not in {where}.")
        return matches[0]


#: FreeTables per dependency graph; a graph reloaded after DDL starts afresh.
_FREE_TABLES: weakref.WeakKeyDictionary[Any, dict[Node, Any]] = weakref.WeakKeyDictionary()


def _expression(table_expr: Any) -> Any:
    """A restricted table (a class stands for all its rows); other query expressions are refused."""
    table = table_expr() if isinstance(table_expr, type) else table_expr
    if not hasattr(table, "_node") or not hasattr(table, "make_select"):
        raise DataJointError(f"Expected a table or a restricted table, not {table_expr!r}.")
    return table


def _graph_with(connection: Any, node: Node) -> Any:
    from ..delete import graph_with

    return graph_with(connection, node)
