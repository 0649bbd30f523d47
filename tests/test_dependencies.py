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


def test_topo_sort_orders_quoted_names_with_parts_after_masters():
    import networkx as nx

    from datajoint_sa.dependencies import topo_sort

    for q in ("`", '"'):
        def n(table: str, q: str = q) -> str:
            return f"{q}a{q}.{q}{table}{q}"

        graph = nx.DiGraph([(n("a"), n("m")), (n("a"), n("z")), (n("m"), n("m__part")), (n("z"), n("m__part"))])
        assert topo_sort(graph) == [n("a"), n("z"), n("m"), n("m__part")]  # m waits for its part's other parent


def test_graph_answers_full_names_in_kind_and_reloads_in_place():
    rows = {("s", "a"): ["a"], ("s", "b"): ["a", "b"]}
    links = [ForeignKey(("s", "b"), ("s", "a"), (("a", "a"),))]
    reads: list[int] = []

    def loader():
        reads.append(1)
        return {**rows, ("s", "c"): ["c"]}, links

    graph = DependencyGraph(rows, links, loader=loader, full_name=lambda n: f"`{n[0]}`.`{n[1]}`",
                            known_schemas=lambda: ["s"])
    assert "`s`.`a`" in graph and ("s", "b") in graph and "`s`.`c`" not in graph
    assert graph.descendants("`s`.`a`") == ["`s`.`a`", "`s`.`b`"]
    assert graph.children(("s", "a")) == [("s", "b")] and graph.parents("`s`.`b`", primary=True) == ["`s`.`a`"]
    graph.load_all_downstream()
    graph.load_all_upstream()
    assert reads == []  # every known schema is loaded: nothing to read
    graph.load()
    assert reads == [1] and "`s`.`c`" in graph
    graph.load(force=False)
    assert reads == [1]


def test_graph_reloads_when_a_schema_was_activated_since():
    schemas = ["s"]
    reads: list[int] = []

    def loader():
        reads.append(1)
        return {("s", "a"): ["a"], ("t", "x"): ["x"]}, []

    graph = DependencyGraph({("s", "a"): ["a"]}, [], loader=loader, known_schemas=lambda: list(schemas))
    schemas.append("t")
    graph.load_all_downstream()
    assert reads == [1] and ("t", "x") in graph
    graph.load_all_upstream()
    assert reads == [1]


def test_graph_without_a_loader_says_so():
    import pytest

    import datajoint_sa as dj

    with pytest.raises(dj.DataJointError, match="no database to reload"):
        DependencyGraph({}, []).load()
    with pytest.raises(dj.DataJointError, match="not a full table name"):
        DependencyGraph({}, []).node("nodot")
