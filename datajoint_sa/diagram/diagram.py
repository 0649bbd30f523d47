"""dj.Diagram: a selection of tables of one connection's dependency graph, and its drawings.

A Diagram is immutable: every operator returns a new one.

- ``Diagram(schema | table | module)``; ``Diagram.from_sequence([...])`` is their union.
- ``d + n`` adds ``n`` generations of dependents, ``d - n`` of dependencies.
- ``d1 + d2``, ``d1 - d2``, ``d1 * d2``: union, difference, intersection of the tables
  (a table class stands for its one-table Diagram).
- ``d.collapse()`` draws the tables as one node per schema; in a union a table
  expanded in either operand stays expanded.
- Drawings: ``make_dot()`` (a ``graphviz.Digraph``), ``make_svg()``, ``make_png()``,
  ``make_mermaid()``, ``save(path)``, and ``_repr_svg_``/``_repr_html_`` for Jupyter.
  The layout direction and colours follow ``display.diagram_direction`` and
  ``display.diagram_theme`` (``light``, ``dark``, or ``auto``: an SVG that follows the
  viewer's light or dark mode).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ..errors import DataJointError
from ..settings import config
from . import dot, mermaid
from .sources import Node, Selection, drawable, resolve
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
        else:
            selection = resolve(source)
            expanded = frozenset(selection.nodes)
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
        """The tables as FreeTables, parents first."""
        from ..table import FreeTable

        for schema, table in self.topological():
            yield FreeTable(self.connection, f"{schema}.{table}")

    def __reversed__(self) -> Iterator[Any]:
        from ..table import FreeTable

        for schema, table in reversed(self.topological()):
            yield FreeTable(self.connection, f"{schema}.{table}")

    def __len__(self) -> int:
        return len(self._nodes)

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
        try:
            return self.svg_string()
        except DataJointError:
            return None  # no Graphviz: Jupyter falls back to _repr_html_ / the text repr

    def _repr_html_(self) -> str:
        """The SVG inline, or without Graphviz the Mermaid text and how to get pictures."""
        try:
            return f'<div class="datajoint-diagram">{self.svg_string()}</div>'
        except DataJointError as err:
            import html

            return (f'<div class="datajoint-diagram"><p>{html.escape(str(err))}</p>'
                    f'<pre class="mermaid">{html.escape(self.make_mermaid())}</pre></div>')

    # -- delete preview --------------------------------------------------------------------
    @staticmethod
    def cascade(restricted_table: Any, part_integrity: str = "enforce") -> _CascadeView:
        """What deleting ``restricted_table``'s rows would remove; ``.counts()`` -> {full_table_name: rows}."""
        from ..delete import plan_cascade

        table = restricted_table() if isinstance(restricted_table, type) else restricted_table
        plan = plan_cascade(table._connection, table._node, table.make_select(table.primary_key),
                            part_integrity=part_integrity)
        return _CascadeView(plan)


class _CascadeView:
    def __init__(self, plan: Any) -> None:
        self._plan = plan

    def counts(self) -> dict[str, int]:
        return {self._plan.connection.full_name(node): n for node, n in self._plan.counts().items()}
