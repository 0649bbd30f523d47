"""View model -> Mermaid flowchart text (no program needed to produce it).

Node identifiers are made from the labels, reduced to letters, digits and
underscores, kept clear of Mermaid's keywords and of each other; labels are
quoted with Mermaid's entity codes for the characters that would end them.
"""

from __future__ import annotations

import re

from .style import TIER_SHAPES, Theme
from .view import EdgeView, NodeView, View

__all__ = ["to_mermaid"]

_KEYWORDS = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle",
             "direction", "call", "href", "default", "interpolate"}


def to_mermaid(view: View, theme: Theme) -> str:
    """A ``flowchart``: one subgraph per schema, a nested one (``entity_...``) per master and its parts.

    Every foreign key is a ``-->`` line; its ``linkStyle`` gives the colour (amber when
    renamed) and the weight (2px when the foreign key is the child's whole primary key).
    """
    ids = _identifiers(view)
    lines = [f"flowchart {view.direction}"]
    for tier, (fill, stroke, text) in theme.palette.items():
        lines.append(f"    classDef {tier.lower()} fill:{fill},stroke:{stroke},color:{text}")
    by_key = {n.key: n for n in view.nodes}
    for number, cluster in enumerate(view.clusters):
        lines.append(f'    subgraph cluster_{number}["{_text(cluster.label)}"]')
        members = [by_key[k] for k in cluster.nodes]
        parts = {m.key: [n for n in members if n.master == m.key] for m in members}
        for node in members:
            if node.master is not None:
                continue
            if parts[node.key]:
                lines.append(f'        subgraph entity_{number}_{_index(members, node)}[" "]')
                lines += [_node_line(n, ids, "            ") for n in [node, *parts[node.key]]]
                lines.append("        end")
            else:
                lines.append(_node_line(node, ids, "        "))
        lines.append("    end")
    # as in the Graphviz drawing, a line's weight gives its cardinality (thick: one-to-one)
    lines += [f"    {ids[e.parent]} --> {ids[e.child]}" for e in view.edges]
    lines += [f"    linkStyle {i} {_edge_style(e, theme)}" for i, e in enumerate(view.edges)]
    return "\n".join(lines) + "\n"


def _index(members: list[NodeView], node: NodeView) -> int:
    return next(i for i, n in enumerate(members) if n.key == node.key)


def _node_line(node: NodeView, ids: dict[str, str], indent: str) -> str:
    shape = TIER_SHAPES[node.tier]
    return f'{indent}{ids[node.key]}{shape.mermaid_open}"{_text(node.label)}"{shape.mermaid_close}:::{node.tier.lower()}'


def _edge_style(edge: EdgeView, theme: Theme) -> str:
    colour = theme.edge_renamed if edge.renames and not edge.bundle else theme.edge
    width = "2px" if edge.bundle or edge.one_to_one else "1px"
    return f"stroke:{colour},stroke-width:{width}"


def _identifiers(view: View) -> dict[str, str]:
    """node key -> a unique Mermaid identifier, readable where the label allows."""
    taken = {f"cluster_{i}" for i in range(len(view.clusters))}
    taken |= {f"entity_{i}_{j}" for i, c in enumerate(view.clusters) for j in range(len(c.nodes))}
    ids: dict[str, str] = {}
    for node in view.nodes:
        base = re.sub(r"\W", "_", node.name, flags=re.ASCII).strip("_")
        if node.key.endswith(".*"):
            base = "schema_" + base
        if not base or base[0].isdigit() or base.lower() in _KEYWORDS or base[0] in "ox":
            base = "t_" + base
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        ids[node.key] = candidate
    return ids


def _text(label: str) -> str:
    """Label text safe inside Mermaid's double quotes."""
    return label.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
