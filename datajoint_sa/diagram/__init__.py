"""dj.Diagram: a set of tables of one connection's dependency graph, drawn.

DRAFT (unfinished, untested): node-set arithmetic, iteration, Mermaid and DOT
output.  Styles, collapse, cascade and SVG/PNG error handling still to do.
"""

from __future__ import annotations

import types
from typing import Any

from ..errors import DataJointError
from ..naming import tier_of_table_name, to_camel_case

__all__ = ["Diagram"]

Node = tuple[str, str]


def _nodes_of(source: Any) -> tuple[Any, set[Node]]:
    """(connection, nodes) for a schema, table class/instance, module or Diagram."""
    if isinstance(source, Diagram):
        return source.connection, set(source.nodes)
    if isinstance(source, types.ModuleType):
        if hasattr(source, "schema"):
            return _nodes_of(source.schema)
        tables = [v for v in vars(source).values() if hasattr(v, "_node") and hasattr(v, "table_name")]
        if not tables:
            raise DataJointError(f"Module {source.__name__} has no `schema` attribute and no table classes.")
        conn = _nodes_of(tables[0])[0]
        return conn, {t()._node if isinstance(t, type) else t._node for t in tables}
    if hasattr(source, "database") and hasattr(source, "connection") and not hasattr(source, "table_name"):
        graph = source.connection.dependencies
        return source.connection, {n for n in graph.graph if n[0] == source.database and tier_of_table_name(n[1])}
    if hasattr(source, "table_name"):
        table = source() if isinstance(source, type) else source
        return table.connection, {table._node}
    raise DataJointError(f"Cannot make a Diagram from {source!r}: pass a schema, a table class or instance, or a module.")


class Diagram:
    def __init__(self, source: Any) -> None:
        self.connection, nodes = _nodes_of(source)
        self.nodes: frozenset[Node] = frozenset(nodes)

    @property
    def _graph(self) -> Any:
        return self.connection.dependencies

    def _with(self, nodes: set[Node]) -> Diagram:
        new = object.__new__(Diagram)
        new.connection, new.nodes = self.connection, frozenset(nodes)
        return new

    def __add__(self, other: Any) -> Diagram:
        if isinstance(other, int):
            nodes, frontier = set(self.nodes), set(self.nodes)
            for _ in range(other):
                frontier = {c for n in frontier for c in self._graph.graph.successors(n)} - nodes
                nodes |= frontier
            return self._with(nodes)
        return self._with(set(self.nodes) | set(Diagram(other).nodes))

    def __sub__(self, other: Any) -> Diagram:
        if isinstance(other, int):
            nodes, frontier = set(self.nodes), set(self.nodes)
            for _ in range(other):
                frontier = {p for n in frontier for p in self._graph.graph.predecessors(n)} - nodes
                nodes |= frontier
            return self._with(nodes)
        return self._with(set(self.nodes) - set(Diagram(other).nodes))

    def __mul__(self, other: Any) -> Diagram:
        return self._with(set(self.nodes) & set(Diagram(other).nodes))

    def topological(self) -> list[Node]:
        return self._graph.topological(self.nodes)

    def __iter__(self):
        from ..table import FreeTable

        for schema, table in self.topological():
            yield FreeTable(self.connection, f"{schema}.{table}")

    def label(self, node: Node) -> str:
        table = node[1]
        if tier_of_table_name(table) == "Part":
            stem = table.lstrip("#_")
            master, part = stem.split("__", 1)
            return f"{to_camel_case(master)}.{to_camel_case(part)}"
        return to_camel_case(table)

    def make_mermaid(self) -> str:
        order = self.topological()
        ids = {n: f"n{i}" for i, n in enumerate(order)}
        lines = ["flowchart TB"]
        for k, schema in enumerate(sorted({n[0] for n in order})):
            lines.append(f'    subgraph s{k}["{schema}"]')
            lines += [f'        {ids[n]}["{self.label(n)}"]' for n in order if n[0] == schema]
            lines.append("    end")
        for parent, child, data in self._graph.graph.subgraph(order).edges(data=True):
            arrow = "-->" if data["edge"].primary else "-.->"
            lines.append(f"    {ids[parent]} {arrow} {ids[child]}")
        return "\n".join(lines) + "\n"

    def _render(self, fmt: str) -> bytes:
        import graphviz

        try:
            return self.make_dot().pipe(format=fmt)
        except graphviz.ExecutableNotFound as err:
            raise DataJointError(
                "Rendering a Diagram as SVG/PNG needs the Graphviz program `dot`: install it with "
                "`apt-get install graphviz` or `conda install graphviz` (make_mermaid() needs nothing)."
            ) from err

    def make_svg(self) -> str:
        return self._render("svg").decode()

    def make_png(self) -> bytes:
        return self._render("png")

    def _repr_svg_(self) -> str:
        return self.make_svg()

    def save(self, path: str) -> None:
        """Write the diagram; the format follows the extension (.svg, .png, .dot/.gv, .mmd/.md)."""
        ext = path.rsplit(".", 1)[-1].lower()
        if ext in ("mmd", "md", "mermaid"):
            data: bytes = self.make_mermaid().encode()
        elif ext in ("dot", "gv"):
            data = self.make_dot().source.encode()
        elif ext in ("svg", "png"):
            data = self._render(ext)
        else:
            raise DataJointError(f"Cannot save a Diagram as .{ext}; use .svg, .png, .dot, .gv or .mmd.")
        with open(path, "wb") as f:
            f.write(data)

    @staticmethod
    def cascade(restricted_table: Any, part_integrity: str = "enforce") -> _CascadeView:
        """What deleting ``restricted_table``'s rows would remove; ``.counts()`` -> {full_table_name: rows}."""
        from ..delete import plan_cascade

        table = restricted_table
        plan = plan_cascade(table._connection, table._node, table.make_select(table.primary_key), part_integrity=part_integrity)
        return _CascadeView(plan, table)

    def make_dot(self) -> Any:
        import graphviz

        order = self.topological()
        ids = {n: f"n{i}" for i, n in enumerate(order)}  # ids never depend on table names: always valid DOT
        dot = graphviz.Digraph()
        for k, schema in enumerate(sorted({n[0] for n in order})):
            with dot.subgraph(name=f"cluster_{k}") as sub:
                sub.attr(label=schema)
                for n in (n for n in order if n[0] == schema):
                    sub.node(ids[n], label=self.label(n), **_STYLE.get(tier_of_table_name(n[1]) or "", {}))
        for parent, child, data in self._graph.graph.subgraph(order).edges(data=True):
            edge = data["edge"]
            dot.edge(ids[parent], ids[child], style="solid" if edge.primary else "dashed",
                     label="".join(f"{c}→{p} " for c, p in edge.attr_map.items() if c != p).strip() or None)
        return dot


_STYLE: dict[str, dict[str, str]] = {
    "Manual": {"shape": "box", "style": "filled", "fillcolor": "#00FF0030", "color": "#00FF0030"},
    "Lookup": {"shape": "plaintext", "style": "filled", "fillcolor": "#00000020", "color": "#00000020"},
    "Imported": {"shape": "ellipse", "style": "filled", "fillcolor": "#00007F40", "color": "#00007F40"},
    "Computed": {"shape": "ellipse", "style": "filled", "fillcolor": "#FF000020", "color": "#FF000020"},
    "Part": {"shape": "plaintext", "fontsize": "8"},
}


class _CascadeView:
    def __init__(self, plan: Any, table: Any) -> None:
        self._plan = plan

    def counts(self) -> dict[str, int]:
        from ..table import FreeTable

        return {FreeTable(self._plan.connection, f"{s}.{t}").full_table_name: n for (s, t), n in self._plan.counts().items()}
