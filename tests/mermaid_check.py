"""A structural check of the Mermaid flowcharts the diagram writes (no Mermaid parser on PyPI to lean on).

It accepts the subset of the flowchart grammar the diagram uses and checks what a
parser would: every line is a known statement, subgraphs close, identifiers are
valid and unique (nodes and subgraphs share one namespace), edges join declared
nodes, node classes are defined and each ``linkStyle`` names an existing edge.
"""

from __future__ import annotations

import re

__all__ = ["check_flowchart", "Flowchart"]

_ID = r"[A-Za-z_][A-Za-z0-9_]*"
_TEXT = r'"[^"\n]*"'
_SHAPES = [(r"\[", r"\]"), (r"\(\[", r"\]\)"), (r"\[\[", r"\]\]"), (r"\(\(", r"\)\)")]
_KEYWORDS = {"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "linkstyle", "direction"}

_HEADER = re.compile(r"flowchart (TB|TD|BT|LR|RL)")
_CLASSDEF = re.compile(rf"classDef ({_ID}) (fill:#[0-9A-Fa-f]{{6}},stroke:#[0-9A-Fa-f]{{6}},color:#[0-9A-Fa-f]{{6}})")
_SUBGRAPH = re.compile(rf"subgraph ({_ID})\[{_TEXT}\]")
_NODE = re.compile("(" + _ID + ")(?:" + "|".join(f"{o}{_TEXT}{c}" for o, c in _SHAPES) + f"):::({_ID})")
_EDGE = re.compile(rf"({_ID}) (-->|-\.->) ({_ID})")
_LINKSTYLE = re.compile(r"linkStyle (\d+) stroke:#[0-9A-Fa-f]{6},stroke-width:\d+px")


class Flowchart:
    """What the check read: nodes (id -> class, subgraph path), edges (parent, arrow, child), subgraphs."""

    def __init__(self) -> None:
        self.direction = ""
        self.classes: set[str] = set()
        self.nodes: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.subgraphs: list[str] = []
        self.edges: list[tuple[str, str, str]] = []
        self.styled: set[int] = set()


def check_flowchart(text: str) -> Flowchart:
    """Parse ``text``; AssertionError naming the line for anything a Mermaid parser would reject."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert lines, "empty Mermaid text"
    header = _HEADER.fullmatch(lines[0])
    assert header, f"not a flowchart header: {lines[0]!r}"
    chart, stack = Flowchart(), []
    chart.direction = header.group(1)
    for number, line in enumerate(lines[1:], 2):
        _read_line(chart, stack, line, number)
    assert not stack, f"subgraphs left open: {stack}"
    _check_references(chart)
    return chart


def _read_line(chart: Flowchart, stack: list[str], line: str, number: int) -> None:
    if m := _CLASSDEF.fullmatch(line):
        chart.classes.add(m.group(1))
    elif m := _SUBGRAPH.fullmatch(line):
        _declare(chart, m.group(1), number)
        chart.subgraphs.append(m.group(1))
        stack.append(m.group(1))
    elif line == "end":
        assert stack, f"line {number}: 'end' without a subgraph"
        stack.pop()
    elif m := _NODE.fullmatch(line):
        _declare(chart, m.group(1), number)
        chart.nodes[m.group(1)] = (m.group(2), tuple(stack))
    elif m := _EDGE.fullmatch(line):
        chart.edges.append((m.group(1), m.group(2), m.group(3)))
    elif m := _LINKSTYLE.fullmatch(line):
        chart.styled.add(int(m.group(1)))
    else:
        raise AssertionError(f"line {number}: not a flowchart statement: {line!r}")


def _declare(chart: Flowchart, identifier: str, number: int) -> None:
    assert identifier.lower() not in _KEYWORDS, f"line {number}: {identifier!r} is a Mermaid keyword"
    assert identifier not in chart.nodes and identifier not in chart.subgraphs, f"line {number}: {identifier!r} twice"


def _check_references(chart: Flowchart) -> None:
    for parent, _, child in chart.edges:
        assert parent in chart.nodes and child in chart.nodes, f"edge {parent} -> {child} names an undeclared node"
    for identifier, (cls, _) in chart.nodes.items():
        assert cls in chart.classes, f"node {identifier} uses undefined class {cls!r}"
    assert chart.styled <= set(range(len(chart.edges))), f"linkStyle beyond the {len(chart.edges)} edges"
