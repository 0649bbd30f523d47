"""View model -> Graphviz (the ``graphviz`` package), and rendering through the ``dot`` program.

A table is named ``schema.table`` in the DOT source (and in the SVG's titles), unless
its name holds a character DOT, SVG or the ``graphviz`` package gives meaning to in a
node name (``:`` ports, backslashes, quotes, ``&``, line breaks): then it is ``node_<n>``.
Free text goes through :func:`graphviz.escape` and labels are HTML-like with their
text escaped, so the DOT source is valid whatever the schema and table names are.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from .style import THEMES, TIER_SHAPES, Theme
from .view import EdgeView, NodeView, View

__all__ = ["to_digraph", "render", "adaptive_svg", "INSTALL_HINT"]

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


def to_digraph(view: View, theme: Theme) -> Any:
    """A ``graphviz.Digraph``: one cluster per schema, masters boxed with their parts."""
    graphviz = _graphviz()
    dot = graphviz.Digraph(name="pipeline", graph_attr={"rankdir": view.direction}, node_attr={"fontname": "Helvetica"},
                           edge_attr={"arrowhead": "none"})
    if theme.background:
        dot.attr(bgcolor=theme.background)
    by_key = {n.key: n for n in view.nodes}
    ids = _identifiers(view)
    for number, cluster in enumerate(view.clusters):
        with dot.subgraph(name=f"cluster_{number}") as sub:
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
    """node key -> DOT node name: the key itself where it is plain, else ``node_<n>`` (keys always hold a dot)."""
    escape = _graphviz().escape
    return {n.key: escape(n.key) if _UNSAFE.isdisjoint(n.key) else f"node_{i}" for i, n in enumerate(view.nodes)}


_UNSAFE = frozenset(':\\"&\n\r')


def _add_entities(sub: Any, number: int, members: list[NodeView], ids: dict[str, str], theme: Theme) -> set[str]:
    """Each master drawn with its parts in a shaded box; returns the keys so placed."""
    parts: dict[str, list[NodeView]] = {}
    for node in members:
        if node.master is not None:
            parts.setdefault(node.master, []).append(node)
    placed: set[str] = set()
    for index, master in enumerate(n for n in members if n.key in parts):
        with sub.subgraph(name=f"cluster_{number}_{index}") as entity:
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
