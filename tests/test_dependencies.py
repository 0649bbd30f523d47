"""The dependency graph on its own (no database): masters, and parts kept beside their masters in order."""

from __future__ import annotations

from datajoint_sa.dependencies import DependencyGraph
from datajoint_sa.engine.foreign_keys import ForeignKey


def graph_of(keys: dict[str, list[str]], links: list[tuple[str, str, dict[str, str]]]) -> DependencyGraph:
    """Tables of schema ``s``: {table: primary key}; links (parent, child, {child column: parent column})."""
    return DependencyGraph({("s", t): k for t, k in keys.items()},
                           [ForeignKey(("s", c), ("s", p), tuple(m.items())) for p, c, m in links])


def test_master_of_parts():
    graph = graph_of({"session": ["a"], "session__trial": ["a", "t"], "__calc": ["a"], "__calc__part": ["a", "p"],
                      "#kind": ["k"], "#kind__x": ["k", "x"], "__orphan__part": ["o"]}, [])
    assert graph.master(("s", "session__trial")) == ("s", "session")
    assert graph.master(("s", "__calc__part")) == ("s", "__calc")
    assert graph.master(("s", "#kind__x")) == ("s", "#kind")
    assert graph.master(("s", "__calc")) is None and graph.master(("s", "session")) is None
    assert graph.master(("s", "__orphan__part")) is None  # its master is not in the graph


def test_parts_follow_their_masters():
    same = {"a": "a"}
    graph = graph_of(
        {"a": ["a"], "b": ["a", "b"], "m": ["a", "m"], "m__p": ["a", "m", "p"], "m__q": ["a", "m", "p", "q"],
         "z": ["a", "z"], "m__r": ["a", "m", "z"]},
        [("a", "m", same), ("a", "b", same), ("m", "m__p", {"a": "a", "m": "m"}), ("b", "m__p", same),
         ("m__p", "m__q", {"a": "a", "m": "m", "p": "p"}), ("m", "z", same), ("m", "m__r", {"a": "a", "m": "m"}),
         ("z", "m__r", {"a": "a", "z": "z"})],
    )
    order = [t for _, t in graph.topological_with_parts()]
    assert order.index("b") < order.index("m"), "the master waits for its parts' other parents"
    assert order[order.index("m"):order.index("m") + 3] == ["m", "m__p", "m__q"]
    # m__r needs z, which needs m itself: it cannot follow m directly and keeps its own place after z
    assert order.index("z") < order.index("m__r")
    plain = [t for _, t in graph.topological()]
    for parent, child in [("a", "m"), ("m", "z"), ("z", "m__r"), ("b", "m__p"), ("m__p", "m__q")]:
        assert order.index(parent) < order.index(child) and plain.index(parent) < plain.index(child)
