"""Colours and shapes of a diagram: data only, shared by the Graphviz and Mermaid renderers.

The palette follows DataJoint 2.x so diagrams look alike in both: each tier has a
(fill, stroke, text) colour triple; primary-key foreign keys are solid lines,
secondary ones dashed; a renamed foreign key is amber; a one-to-one dependency
(the foreign key is the child's whole primary key) is drawn thick.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Theme", "THEMES", "TIER_SHAPES", "TierShape", "COLLAPSED", "OTHER", "theme_named"]

COLLAPSED = "collapsed"  # pseudo-tier of a node standing for several tables of one schema
OTHER = "other"  # pseudo-tier of a table whose name follows no DataJoint tier convention


@dataclass(frozen=True)
class TierShape:
    """How a tier's node is drawn, apart from its colours."""

    dot_shape: str  # Graphviz shape
    mermaid_open: str  # Mermaid shape delimiters around the label
    mermaid_close: str
    fontsize: int
    size: float  # minimum width and height, inches
    rounded: bool


TIER_SHAPES: dict[str, TierShape] = {
    "Manual": TierShape("box", "[", "]", 12, 0.48, True),
    "Lookup": TierShape("box", "[", "]", 12, 0.48, True),
    "Imported": TierShape("ellipse", "([", "])", 12, 0.48, False),
    "Computed": TierShape("ellipse", "([", "])", 12, 0.48, False),
    "Part": TierShape("box", "[", "]", 10, 0.12, True),
    COLLAPSED: TierShape("box3d", "[[", "]]", 12, 0.6, False),
    OTHER: TierShape("circle", "((", "))", 10, 0.48, False),
}


@dataclass(frozen=True)
class Theme:
    """Colours of one look; ``palette`` maps a tier to (fill, stroke, text)."""

    name: str
    background: str | None
    palette: dict[str, tuple[str, str, str]]
    edge: str
    edge_renamed: str
    edge_alpha: str  # two hex digits appended to edge colours
    cluster_stroke: str
    cluster_text: str
    entity_fill: str  # background shared by a master and its parts


THEMES: dict[str, Theme] = {
    "light": Theme(
        name="light", background=None,
        palette={
            "Manual": ("#E8F0E9", "#3E7A52", "#28513A"),
            "Lookup": ("#F0F0F1", "#808285", "#5A5C5F"),
            "Imported": ("#E0F4FC", "#00A0DF", "#00537A"),
            "Computed": ("#FFEDE5", "#FF5113", "#B23200"),
            "Part": ("#FFFFFF", "#B9BBBE", "#55585C"),
            COLLAPSED: ("#EDEEF0", "#808890", "#404040"),
            OTHER: ("#FFFDE7", "#C9BC5B", "#6B6420"),
        },
        edge="#171C39", edge_renamed="#C77D3A", edge_alpha="9E",
        cluster_stroke="#171D3A", cluster_text="#171C39", entity_fill="#F3F5F8",
    ),
    "dark": Theme(
        name="dark", background="#161A21",
        palette={
            "Manual": ("#16281F", "#6BBF94", "#BCE6CF"),
            "Lookup": ("#242832", "#9DA0A4", "#C9CFD9"),
            "Imported": ("#0F2433", "#33B8E8", "#BEE7F9"),
            "Computed": ("#331B12", "#FF7A47", "#FFC7AE"),
            "Part": ("#1E232C", "#8F959D", "#C8CED8"),
            COLLAPSED: ("#242730", "#8890A0", "#C7CDD6"),
            OTHER: ("#3A3620", "#C9BC5B", "#EBE3A0"),
        },
        edge="#AEB6C2", edge_renamed="#D68C4A", edge_alpha="C0",
        cluster_stroke="#606875", cluster_text="#8A93A1", entity_fill="#2A313D",
    ),
}


def theme_named(name: str) -> Theme:
    """The theme for a ``display.diagram_theme`` value; ``auto`` draws light (the SVG then adapts)."""
    return THEMES["light" if name == "auto" else name]
