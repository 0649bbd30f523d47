"""View model -> Graphviz (the ``graphviz`` package), and rendering through the ``dot`` program.

A table is named by its class (``Session``, ``Session.Trial``; a collapsed schema by
the schema's name) in the DOT source and the SVG's titles, as DataJoint names it;
where two drawn nodes would share a name, by ``schema.table``; and where that holds
a character DOT, SVG or the ``graphviz`` package gives meaning to in a node name
(``:`` ports, backslashes, quotes, ``&``, line breaks), by ``node_<n>``.
:func:`to_digraph` returns a :class:`DotGraph`: a ``graphviz.Digraph`` that also
lists its nodes and edges with their attributes (``get_nodes()``, ``get_edges()``),
and draws itself (``create_svg()``), as DataJoint's pydot graphs do.
Free text goes through :func:`graphviz.escape` and labels are HTML-like with their
text escaped, so the DOT source is valid whatever the schema and table names are.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..errors import DataJointError
from .style import THEMES, TIER_SHAPES, Theme
from .view import EdgeView, NodeView, View

__all__ = ["to_digraph", "render", "adaptive_svg", "available", "DotGraph", "DotElement", "INSTALL_HINT"]

INSTALL_HINT = (
    "Drawing a Diagram as SVG or PNG needs Graphviz's `dot` program, which is not on PATH. Install Graphviz: "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), `conda install graphviz`, "
    "or see https://graphviz.org/download/. Diagram.make_mermaid() needs nothing installed."
)


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError as err:  # a declared dependency, but an environment may lack it
        raise DataJointError("Diagram.make_dot() and the pictures need the Python package graphviz: "
                             "pip install graphviz. Diagram.make_mermaid() needs nothing.") from err
    return graphviz


def available() -> bool:
    """Whether diagrams can be built as Graphviz graphs here (the ``graphviz`` package imports)."""
    try:
        _graphviz()
    except DataJointError:
        return False
    return True


class DotElement:
    """A node or an edge of a :class:`DotGraph`: its name (or ends) and attributes, read as pydot offers them.

    ``get_<attribute>()`` gives an attribute's value, or None where it is not set.
    """

    def __init__(self, name: str, attributes: dict[str, str], ends: tuple[str, str] | None = None) -> None:
        self._name = name
        self._attributes = dict(attributes)
        self._ends = ends

    def get_name(self) -> str:
        return self._name

    def get_source(self) -> str:
        return self._ends[0] if self._ends else self._name

    def get_destination(self) -> str:
        return self._ends[1] if self._ends else self._name

    def get_attributes(self) -> dict[str, str]:
        return dict(self._attributes)

    def get(self, attribute: str) -> str | None:
        return self._attributes.get(attribute)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("get_"):
            return lambda: self._attributes.get(name[4:])
        raise AttributeError(name)

    def __repr__(self) -> str:
        ends = f"{self._ends[0]} -> {self._ends[1]}" if self._ends else self._name
        return f"<{'edge' if self._ends else 'node'} {ends} {self._attributes}>"


def _digraph_class() -> type:
    graphviz = _graphviz()

    class _DotGraph(graphviz.Digraph):  # type: ignore[misc,name-defined]
        """A ``graphviz.Digraph`` that remembers its nodes and edges (subgraphs' included) and draws itself."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._node_list: list[DotElement] = []
            self._edge_list: list[DotElement] = []

        def node(self, name: str, label: str | None = None, _attributes: Any = None, **attrs: str) -> None:
            super().node(name, label=label, _attributes=_attributes, **attrs)
            self._node_list.append(DotElement(name, {**({"label": label} if label is not None else {}), **attrs}))

        def edge(self, tail_name: str, head_name: str, label: str | None = None, _attributes: Any = None,
                 **attrs: str) -> None:
            super().edge(tail_name, head_name, label=label, _attributes=_attributes, **attrs)
            attributes = {**({"label": label} if label is not None else {}), **attrs}
            self._edge_list.append(DotElement(f"{tail_name}->{head_name}", attributes, (tail_name, head_name)))

        def subgraph(self, graph: Any = None, **kwargs: Any) -> Any:
            result = super().subgraph(graph, **kwargs)
            if graph is not None and isinstance(graph, _DotGraph):
                self._node_list += [n for n in graph._node_list if len(n.get_attributes())]
                self._edge_list += graph._edge_list
            return result

        def get_nodes(self) -> list[DotElement]:
            """The nodes drawn, clusters' included (not the bare rank statements)."""
            return list(self._node_list)

        def get_edges(self) -> list[DotElement]:
            return list(self._edge_list)

        def create(self, format: str = "svg", prog: str | None = None) -> bytes:
            """The picture in ``format`` (svg, png, ...) drawn by Graphviz's ``dot``."""
            return render(self, format)

        def create_svg(self) -> bytes:
            return render(self, "svg")

        def create_png(self) -> bytes:
            return render(self, "png")

    _DotGraph.__name__ = _DotGraph.__qualname__ = "DotGraph"
    return _DotGraph


def DotGraph(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - stands for the class, built once graphviz imports
    """A new :class:`graphviz.Digraph` that lists its nodes and edges and draws itself (see the module doc)."""
    global _DOT_GRAPH
    if _DOT_GRAPH is None:
        _DOT_GRAPH = _digraph_class()
    return _DOT_GRAPH(*args, **kwargs)


_DOT_GRAPH: Any = None


def to_digraph(view: View, theme: Theme) -> Any:
    """A :class:`DotGraph`: one cluster per schema, masters boxed with their parts."""
    dot = DotGraph(name="pipeline", graph_attr={"rankdir": view.direction}, node_attr={"fontname": "Helvetica"},
                           edge_attr={"arrowhead": "none"})
    if theme.background:
        dot.attr(bgcolor=theme.background)
    by_key = {n.key: n for n in view.nodes}
    ids = _identifiers(view)
    for number, cluster in enumerate(view.clusters):
        with dot.subgraph(name=f"cluster_schema_{number}") as sub:
            sub.attr(label=_plain(cluster.label), labelloc="t", labeljust="r", style="rounded,dashed",
                     color=theme.cluster_stroke, fontcolor=theme.cluster_text, fontname="Helvetica")
            members = [by_key[k] for k in cluster.nodes]
            grouped = _add_entities(sub, number, members, ids, theme)
            for node in members:
                if node.key not in grouped:
                    _add_node(sub, node, ids[node.key], theme)
    for edge in view.edges:
        dot.edge(ids[edge.parent], ids[edge.child], **_edge_attributes(edge, theme))
    return dot


def _identifiers(view: View) -> dict[str, str]:
    """node key -> DOT node name: the class name where no other node has it, else the key where it is plain,
    else ``node_<n>``."""
    escape = _graphviz().escape
    names = Counter(n.name for n in view.nodes)
    ids = {}
    for i, node in enumerate(view.nodes):
        if names[node.name] == 1 and _UNSAFE.isdisjoint(node.name) and node.name.lower() not in _RESERVED:
            ids[node.key] = escape(node.name)
        else:
            ids[node.key] = escape(node.key) if _UNSAFE.isdisjoint(node.key) else f"node_{i}"
    if len(set(ids.values())) < len(ids):  # a class name equal to another node's key: keys throughout
        ids = {n.key: escape(n.key) if _UNSAFE.isdisjoint(n.key) else f"node_{i}" for i, n in enumerate(view.nodes)}
    return ids


_RESERVED = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})  # DOT keywords


_UNSAFE = frozenset(':\\"&\n\r')


def _add_entities(sub: Any, number: int, members: list[NodeView], ids: dict[str, str], theme: Theme) -> set[str]:
    """Each master drawn with its parts in a shaded box; returns the keys so placed."""
    parts: dict[str, list[NodeView]] = {}
    for node in members:
        if node.master is not None:
            parts.setdefault(node.master, []).append(node)
    placed: set[str] = set()
    for index, master in enumerate(n for n in members if n.key in parts):
        with sub.subgraph(name=f"cluster_entity_{number}_{index}") as entity:
            entity.attr(label="", style="rounded,filled", fillcolor=theme.entity_fill, color=theme.entity_fill)
            for node in [master, *parts[master.key]]:
                _add_node(entity, node, ids[node.key], theme)
                placed.add(node.key)
            beside = [n.key for n in parts[master.key] if n.beside_master]
            if beside:
                with entity.subgraph() as rank:  # master and its parts side by side
                    rank.attr(rank="same")
                    for key in [master.key, *beside]:
                        rank.node(ids[key])
    return placed


def _add_node(graph: Any, node: NodeView, identifier: str, theme: Theme) -> None:
    shape = TIER_SHAPES[node.tier]
    fill, stroke, text = theme.palette[node.tier]
    label = _html_text(node.label)
    graph.node(
        identifier,
        label=f"<<u>{label}</u>>" if node.underline else f"<{label}>",
        tooltip=_plain(node.tooltip),
        shape=shape.dot_shape, fontsize=str(shape.fontsize), width=str(shape.size), height=str(shape.size),
        margin="0.11,0.06", fontcolor=text, fillcolor=fill, color=stroke,
        style="rounded,filled" if shape.rounded else "filled",
        **{"class": node.tier.lower()},
    )


def _plain(text: str) -> str:
    """Free text for an attribute: ``&`` as a character reference (Graphviz passes ``&name;`` through to the
    SVG as an entity), ``<...>`` without its HTML meaning (:func:`graphviz.escape`), backslashes as ``∖``."""
    return _graphviz().escape(text.replace("&", "&#38;").replace("\\", _BACKSLASH))


def _html_text(text: str) -> str:
    """Text for an HTML-like label: anything but letters, digits, spaces, ``.``, ``_`` and ``-`` as a
    character reference (Graphviz's label parser trips on some characters ``html.escape`` leaves, like ``]``)."""
    return "".join(c if c.isalnum() or c in " ._-" else f"&#{ord(c)};" for c in text.replace("\\", _BACKSLASH))


# Graphviz (2.43) reads backslash escapes (\N, \E, ...) in every text, even one made of character
# references, and no spelling of a literal backslash survives in all of them: it is drawn as U+2216.
_BACKSLASH = "\u2216"


def _edge_attributes(edge: EdgeView, theme: Theme) -> dict[str, str]:
    if edge.bundle:
        return {"color": theme.edge + theme.edge_alpha, "style": "solid", "penwidth": "2", "weight": "3",
                "tooltip": "several foreign keys"}
    attributes = {
        "color": (theme.edge_renamed if edge.renames else theme.edge) + theme.edge_alpha,
        "style": "solid" if edge.primary else "dashed",
        "penwidth": "2" if edge.one_to_one else "0.75",
        "weight": "3" if edge.one_to_one else "1",
    }
    if edge.renames:
        attributes["tooltip"] = _plain("; ".join(f"{c} ← {p}" for c, p in edge.renames))
    return attributes


def render(digraph: Any, fmt: str) -> bytes:
    """Run ``dot`` on the source; a missing program or a rejected graph raises DataJointError."""
    graphviz = _graphviz()
    try:
        return digraph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as err:
        raise DataJointError(INSTALL_HINT) from err
    except graphviz.CalledProcessError as err:
        detail = (err.stderr or b"").decode(errors="replace").strip()
        raise DataJointError(f"Graphviz could not draw the diagram: {detail}") from err


def adaptive_svg(svg: str) -> str:
    """Add a style block that switches a light-themed SVG to the dark colours when the viewer prefers dark."""
    light, dark = THEMES["light"], THEMES["dark"]
    rules = [f"svg {{ background-color: {dark.background}; }}", f'polygon[fill="white"] {{ fill: {dark.background}; }}']
    for tier, (fill, stroke, text) in light.palette.items():
        dark_fill, dark_stroke, dark_text = dark.palette[tier]
        rules += [_fill(fill, dark_fill), _stroke(stroke, dark_stroke), _fill(text, dark_text)]
    rules += [_stroke(light.edge, dark.edge), _stroke(light.edge_renamed, dark.edge_renamed),
              _fill(light.edge, dark.edge), _fill(light.edge_renamed, dark.edge_renamed),
              _fill(light.entity_fill, dark.entity_fill), _stroke(light.entity_fill, dark.entity_fill),
              _stroke(light.cluster_stroke, dark.cluster_stroke), _fill(light.cluster_text, dark.cluster_text)]
    block = "<style>\n@media (prefers-color-scheme: dark) {\n" + "\n".join("  " + r for r in rules) + "\n}\n</style>"
    start = svg.find("<svg")
    if start < 0:
        return svg
    end = svg.find(">", start) + 1
    return svg[:end] + "\n" + block + svg[end:]


def _fill(light: str, dark: str) -> str:
    return f'[fill="{light.lower()}"] {{ fill: {dark}; }}'


def _stroke(light: str, dark: str) -> str:
    return f'[stroke="{light.lower()}"] {{ stroke: {dark}; }}'
