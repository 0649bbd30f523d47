"""dj.Diagram on every backend: node sets and operators, collapse, Graphviz/SVG/PNG, Mermaid, and no-Graphviz."""

from __future__ import annotations

import os
import shutil
import sys
import types
import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa
from hypothesis import example, given, settings
from hypothesis import strategies as st
from mermaid_check import check_flowchart

import datajoint_sa as dj
from datajoint_sa.diagram.dot import render, to_digraph
from datajoint_sa.diagram.mermaid import to_mermaid
from datajoint_sa.diagram.style import THEMES, TIER_SHAPES
from datajoint_sa.diagram.view import ClusterView, EdgeView, NodeView, View

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
LIGHT = THEMES["light"]
SVG_NS = {"svg": "http://www.w3.org/2000/svg"}
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def need_dot() -> None:
    if shutil.which("dot") is None:
        if ON_CI:
            pytest.fail("graphviz's dot is required on CI")
        pytest.skip("graphviz's dot is not installed (apt-get install graphviz)")


@pytest.fixture
def pipeline(make_schema):
    """Three schemas: acq (Subject, Kind), sess (Session with part Trial, Raw), ana (Stats, Pair)."""
    acq, sess, ana = make_schema("dacq"), make_schema("dsess"), make_schema("dana")

    @acq
    class Subject(dj.Manual):
        definition = "subject_id: int32\n---\nname: varchar(20)"

    @acq
    class Kind(dj.Lookup):
        definition = "kind: varchar(8)"

    @sess
    class Session(dj.Manual):
        definition = "-> Subject\nsession: int32\n---\n-> Kind\n-> [nullable] Subject.proj(buddy='subject_id')"

        class Trial(dj.Part):
            definition = "-> master\ntrial: int32"

    @sess
    class Raw(dj.Imported):
        definition = "-> Session\n---\nv: int32"

    @ana
    class Stats(dj.Computed):
        definition = "-> Raw\n---\nm: float64"

    @ana
    class Pair(dj.Computed):
        definition = "-> Session\n-> Session.proj(other='session')\n---\nd: float64"

    tables = dict(Subject=Subject, Kind=Kind, Session=Session, Trial=Session.Trial, Raw=Raw, Stats=Stats, Pair=Pair)
    return types.SimpleNamespace(acq=acq, sess=sess, ana=ana, **tables)


def key(table) -> str:
    return f"{table.database}.{table.table_name}"


def names(diagram) -> list[str]:
    return sorted(table.table_name for table in diagram)


# Expected drawing of the pipeline: tier per table, and (parent, child, primary, renamed, one-to-one) per foreign key.
TIERS = dict(Subject="Manual", Kind="Lookup", Session="Manual", Trial="Part", Raw="Imported", Stats="Computed",
             Pair="Computed")
EDGES = [
    ("Subject", "Session", True, False, False),
    ("Subject", "Session", False, True, False),  # buddy -> subject_id
    ("Kind", "Session", False, False, False),
    ("Session", "Trial", True, False, False),
    ("Session", "Raw", True, False, True),
    ("Session", "Pair", True, False, False),
    ("Session", "Pair", True, True, False),  # other -> session
    ("Raw", "Stats", True, False, True),
]


def test_selection_and_operators(pipeline):
    p = pipeline
    assert names(dj.Diagram(p.sess)) == ["_raw", "session", "session__trial"]
    assert names(dj.Diagram(p.Subject) + 1) == ["session", "subject"]
    assert names(dj.Diagram(p.Subject) + 2) == ["__pair", "_raw", "session", "session__trial", "subject"]
    assert names(dj.Diagram(p.Stats) - 2) == ["__stats", "_raw", "session"]
    assert names(dj.Diagram(p.Stats) - 9) == ["#kind", "__stats", "_raw", "session", "subject"]
    assert names(dj.Diagram(p.Subject) + dj.Diagram(p.Kind)) == ["#kind", "subject"]
    assert names(dj.Diagram(p.acq) + p.Stats) == ["#kind", "__stats", "subject"]
    assert names(dj.Diagram(p.sess) - p.Session.Trial) == ["_raw", "session"]
    assert names(dj.Diagram(p.sess) - dj.Diagram(p.Raw)) == ["session", "session__trial"]
    assert names((dj.Diagram(p.Session) + 1) * dj.Diagram(p.ana)) == ["__pair"]
    assert names(dj.Diagram.from_sequence([p.acq, p.Raw])) == ["#kind", "_raw", "subject"]
    assert names(dj.Diagram(p.Session).add_parts()) == ["session", "session__trial"]
    whole = dj.Diagram(p.acq) + dj.Diagram(p.sess) + dj.Diagram(p.ana)
    assert len(whole) == 7
    order = [t.table_name for t in whole]
    assert order.index("session__trial") == order.index("session") + 1, "a part follows its master"
    assert order.index("_raw") > order.index("session") and order.index("__stats") > order.index("_raw")
    assert [t.table_name for t in reversed(whole)] == order[::-1]
    assert dj.Diagram(p.acq).nodes_to_show == {dj.Diagram(p.Subject).connection.full_name(n)
                                                for n in dj.Diagram(p.acq).nodes}


def test_bad_sources_and_operands(pipeline):
    with pytest.raises(dj.DataJointError, match="Cannot make a Diagram"):
        dj.Diagram(42)
    with pytest.raises(dj.DataJointError, match="has no schema"):
        dj.Diagram(types.ModuleType("empty"))
    with pytest.raises(dj.DataJointError, match="expects a Diagram"):
        dj.Diagram(pipeline.acq) * 2
    with pytest.raises(dj.DataJointError, match="non-negative"):
        dj.Diagram(pipeline.acq) + (-1)


def test_module_source(pipeline):
    module = types.ModuleType("acquisition")
    module.schema = pipeline.acq
    assert names(dj.Diagram(module)) == ["#kind", "subject"]
    loose = types.ModuleType("loose")
    loose.Raw, loose.Stats = pipeline.Raw, pipeline.Stats
    assert names(dj.Diagram(loose)) == ["__stats", "_raw"]


def svg_elements(svg: str) -> tuple[dict[str, ET.Element], dict[str, list[ET.Element]]]:
    """(node title -> <g>, edge title -> [<g>, ...]) of a Graphviz SVG."""
    root = ET.fromstring(svg)
    nodes, edges = {}, {}
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        title = group.find("svg:title", SVG_NS)
        classes = (group.get("class") or "").split()
        if "node" in classes:
            nodes[title.text] = group
        elif "edge" in classes:
            edges.setdefault(title.text, []).append(group)
    return nodes, edges


def shape_of(group: ET.Element) -> ET.Element:
    return next(e for e in group.iter() if e.tag.rsplit("}", 1)[-1] in ("path", "polygon", "ellipse"))


def test_svg_draws_every_table_and_edge_in_style(pipeline):
    need_dot()
    p = pipeline
    svg = (dj.Diagram(p.acq) + dj.Diagram(p.sess) + dj.Diagram(p.ana)).make_svg(theme="light")
    assert svg.data == svg and svg.startswith("<?xml")
    nodes, edges = svg_elements(svg)
    title = {name: "Session.Trial" if name == "Trial" else name for name in TIERS}  # nodes are named by class
    assert set(nodes) == set(title.values())
    for name, tier in TIERS.items():
        group = nodes[title[name]]
        shape = shape_of(group)
        fill, stroke, text = LIGHT.palette[tier]
        assert tier.lower() in group.get("class").split(), name
        assert (shape.get("fill"), shape.get("stroke")) == (fill.lower(), stroke.lower()), name
        expected_tag = "ellipse" if tier in ("Imported", "Computed") else "path"  # rounded boxes are paths
        assert shape.tag.endswith(expected_tag), (name, shape.tag)
        label = group.find(".//svg:text", SVG_NS)
        assert label.text == name and label.get("fill") == text.lower()
    assert nodes["Subject"].find(".//svg:text", SVG_NS).get("text-decoration") == "underline"
    assert nodes["Raw"].find(".//svg:text", SVG_NS).get("text-decoration") is None
    for parent, child, primary, renamed, one_to_one in EDGES:
        drawn = edges[f"{title[parent]}->{title[child]}"]
        paths = [shape_of(g) for g in drawn]
        colour = (LIGHT.edge_renamed if renamed else LIGHT.edge).lower()
        match = [e for e in paths if e.get("stroke") == colour and (e.get("stroke-dasharray") is None) == primary
                 and e.get("stroke-width") == ("2" if one_to_one else "0.75")]
        assert len(match) == 1, (parent, child, [e.attrib for e in paths])
    assert sum(len(v) for v in edges.values()) == len(EDGES)
    for schema in (p.acq, p.sess, p.ana):
        assert f">{schema.database}</text>" in svg, "each schema is a labelled cluster"


def test_mermaid_is_a_flowchart_of_the_pipeline(pipeline):
    p = pipeline
    text = (dj.Diagram(p.acq) + dj.Diagram(p.sess) + dj.Diagram(p.ana)).make_mermaid()
    chart = check_flowchart(text)
    assert chart.direction == dj.config["display.diagram_direction"]
    classes = {name: cls for name, (cls, _) in chart.nodes.items()}
    assert classes == {"Subject": "manual", "Kind": "lookup", "Session": "manual", "Session_Trial": "part",
                       "Raw": "imported", "Stats": "computed", "Pair": "computed"}
    assert len(chart.subgraphs) == 4  # three schemas and the Session entity
    assert chart.nodes["Session_Trial"][1] == chart.nodes["Session"][1], "a part is grouped with its master"
    ids = {name: name for name in TIERS} | {"Trial": "Session_Trial"}
    expected = [(ids[parent], "-->", ids[child]) for parent, child, _, _, _ in EDGES]  # weights, not dashes
    assert sorted(chart.edges) == sorted(expected)
    assert chart.styled == set(range(len(EDGES)))
    assert text.count("stroke:" + LIGHT.edge_renamed) == 2


def test_collapse(pipeline):
    p = pipeline
    diagram = dj.Diagram(p.acq) + dj.Diagram(p.sess).collapse() + dj.Diagram(p.ana).collapse()
    view = diagram.view()
    assert {n.label for n in view.nodes} == {"Subject", "Kind", "(3 tables)", "(2 tables)"}
    sess = f"{p.sess.database}.*"
    pairs = [(e.parent, e.child, e.bundle, e.primary) for e in view.edges]
    assert sorted(pairs) == sorted([
        (key(p.Kind), sess, False, False),
        (key(p.Subject), sess, True, True),  # two foreign keys drawn as one bundle
        (sess, f"{p.ana.database}.*", True, True),
    ])
    chart = check_flowchart(diagram.make_mermaid())
    assert sorted(cls for cls, _ in chart.nodes.values()) == ["collapsed", "collapsed", "lookup", "manual"]
    # a table added to a collapsed schema is drawn expanded; the rest of the schema stays collapsed
    mixed = (dj.Diagram(p.sess).collapse() + dj.Diagram(p.Raw)).view()
    assert sorted(n.label for n in mixed.nodes) == ["(2 tables)", "Raw"]
    assert [n.label for n in (dj.Diagram(p.sess).collapse() + 1).view().nodes if n.tier == "collapsed"] == ["(3 tables)"]
    if shutil.which("dot"):
        assert "(3 tables)" in diagram.make_svg()


def test_save_by_extension(pipeline, tmp_path):
    diagram = dj.Diagram(pipeline.sess)
    diagram.save(tmp_path / "d.mmd")
    check_flowchart((tmp_path / "d.mmd").read_text())
    diagram.save(str(tmp_path / "d.gv"))
    assert (tmp_path / "d.gv").read_text().startswith("digraph")
    with pytest.raises(dj.DataJointError, match=r"\.svg, \.png"):
        diagram.save(tmp_path / "d.jpeg")
    need_dot()
    diagram.save(tmp_path / "d.svg")
    diagram.save(tmp_path / "d.png")
    diagram.save(tmp_path / "picture", format="png")
    assert "<svg" in (tmp_path / "d.svg").read_text()
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" == (tmp_path / "picture").read_bytes()[:8]
    assert diagram.make_png().getvalue()[:4] == b"\x89PNG"
    assert 'class="datajoint-diagram"' in diagram._repr_html_() and "<svg" in diagram._repr_svg_()


def test_without_the_dot_program(pipeline, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    diagram = dj.Diagram(pipeline.sess)
    for draw in (diagram.make_svg, diagram.make_png):
        with pytest.raises(dj.DataJointError, match="apt-get install graphviz"):
            draw()
    with pytest.raises(dj.DataJointError, match="graphviz.org"):
        diagram.save(tmp_path / "d.png")
    assert not (tmp_path / "d.png").exists(), "a failed drawing leaves no file"
    assert diagram._repr_svg_() is None
    html = diagram._repr_html_()
    assert "install graphviz" in html and '<pre class="mermaid">' in html
    check_flowchart(diagram.make_mermaid())
    assert diagram.make_dot().source.startswith("digraph")  # the DOT text needs no program either
    monkeypatch.setitem(sys.modules, "graphviz", None)  # nor the Python package: Mermaid still works
    with pytest.raises(dj.DataJointError, match="pip install graphviz"):
        diagram.make_dot()
    check_flowchart(diagram.make_mermaid())


def test_themes_and_direction(pipeline):
    diagram = dj.Diagram(pipeline.acq)
    with dj.config.override(display__diagram_direction="TB"):
        assert "rankdir=TB" in diagram.make_dot().source
        assert check_flowchart(diagram.make_mermaid()).direction == "TB"
    assert THEMES["dark"].background in diagram.make_dot(theme="dark").source
    with pytest.raises(dj.DataJointError, match="theme"):
        diagram.make_dot(theme="neon")
    with dj.config.override(display__diagram_direction="sideways"), pytest.raises(dj.DataJointError, match="TB"):
        diagram.make_dot()
    need_dot()
    assert "prefers-color-scheme: dark" in diagram.make_svg(theme="auto")
    assert "prefers-color-scheme" not in diagram.make_svg(theme="light")


def test_odd_table_names_give_valid_dot_and_mermaid(schema, connection, backend):
    """Tables made outside DataJoint, with names DOT and Mermaid give meaning to, still draw."""

    @schema
    class Subject(dj.Manual):
        definition = "subject_id: int32"

    odd = ['node "odd" <b> & {x}', "end", "subgraph"]
    metadata = sa.MetaData()
    for name in odd:
        sql_schema, sql_name = connection.rules.sql_table(schema.database, name)
        parent_schema, parent_name = connection.rules.sql_table(schema.database, "subject")
        parent = sa.Table(parent_name, metadata, sa.Column("subject_id", sa.Integer, primary_key=True),
                          schema=parent_schema, extend_existing=True)
        sa.Table(sql_name, metadata, sa.Column("subject_id", sa.Integer, sa.ForeignKey(parent.c.subject_id),
                                               primary_key=True), schema=sql_schema)
    with connection.engine.begin() as conn:
        metadata.create_all(conn, tables=[t for t in metadata.sorted_tables if t.name != parent.name])
    diagram = dj.Diagram(schema)
    chart = check_flowchart(diagram.make_mermaid())
    assert len(chart.nodes) == 4 and len(chart.edges) == 3
    assert {n.tier for n in diagram.view().nodes} == {"Manual", "other"}
    need_dot()
    nodes, edges = svg_elements(diagram.make_svg())
    drawn = {g.find(".//svg:a", SVG_NS).get(XLINK_TITLE).splitlines()[0] for g in nodes.values()}
    assert drawn == {f"{schema.database}.{n}" for n in [*odd, "subject"]}  # tooltips name the tables
    assert sum(map(len, edges.values())) == 3


def test_dependency_graph_loads_in_a_few_queries(schema, connection):
    """The graph of the whole database costs the same few catalog queries however many tables there are."""

    def queries_to_load() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(connection.engine, "before_cursor_execute", listener)
        try:
            connection.invalidate_dependencies()
            assert connection.dependencies is not None
        finally:
            sa.event.remove(connection.engine, "before_cursor_execute", listener)
        return len(statements)

    @schema
    class First(dj.Manual):
        definition = "a: int32"

    few = queries_to_load()
    for number in range(6):
        schema(type(f"Extra{number}", (dj.Manual,), {"definition": "-> First\nb: int32"}), context={"First": First})
    assert queries_to_load() == few <= 4
    graph = connection.dependencies
    node = (schema.database, "first")
    assert len(graph.children(node)) == 6 and graph.descendants(node)[0] == node
    assert graph.topological_with_parts(graph.descendants(node))[0] == node


def test_cascade_counts(schema):
    @schema
    class Subject(dj.Manual):
        definition = "subject_id: int32"

    @schema
    class Session(dj.Manual):
        definition = "-> Subject\nsession: int32"

        class Trial(dj.Part):
            definition = "-> master\ntrial: int32"

    Subject.insert1(dict(subject_id=1))
    Session.insert1(dict(subject_id=1, session=1))
    Session.Trial.insert([dict(subject_id=1, session=1, trial=i) for i in range(3)])
    counts = dj.Diagram.cascade(Subject & {"subject_id": 1}).counts()
    assert counts == {Subject.full_table_name: 1, Session.full_table_name: 1, Session.Trial.full_table_name: 3}


names_strategy = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(names_strategy, names_strategy, st.sampled_from(sorted(TIER_SHAPES))), min_size=1,
                max_size=6, unique_by=lambda t: (t[0], t[1])),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=6))
@example([("0", "]", "Computed"), ("a:b", "c\\", "Part")], [(0, 1)])
@example([("end", "subgraph", "Manual"), ("<b>", '"q"', "other"), ("x", "&amp;", "collapsed")], [(0, 1), (1, 2)])
@example([("s", "a  b", "Manual")], [])
def test_any_names_give_valid_dot_and_mermaid(tables, links):
    """Whatever the schema and table names, the DOT source is accepted by dot and the Mermaid text parses."""
    nodes = tuple(NodeView(f"{s}.{t}", f"{s}.{t}", t, tier, s, tooltip=f"{s}.{t}") for s, t, tier in tables)
    nodes = tuple({n.key: n for n in nodes}.values())
    keys = [n.key for n in nodes]
    edges = tuple(EdgeView(keys[a % len(keys)], keys[b % len(keys)], primary=i % 2 == 0,
                           renames=(("x", "y"),) if i % 3 == 0 else ()) for i, (a, b) in enumerate(links))
    schemas = list(dict.fromkeys(n.schema for n in nodes))
    clusters = tuple(ClusterView(s, s, tuple(n.key for n in nodes if n.schema == s)) for s in schemas)
    view = View("LR", nodes, edges, clusters)
    chart = check_flowchart(to_mermaid(view, LIGHT))
    assert len(chart.nodes) == len(nodes) and len(chart.edges) == len(edges)
    if shutil.which("dot"):
        svg_nodes, svg_edges = svg_elements(render(to_digraph(view, LIGHT), "svg").decode())
        # graphviz writes the second of two adjacent spaces as a non-breaking space
        tooltips = {g.find(".//svg:a", SVG_NS).get(XLINK_TITLE).replace("\u00a0", " ") for g in svg_nodes.values()}
        assert tooltips == {k.replace("\\", "\u2216").replace("\u00a0", " ") for k in keys} and sum(map(len, svg_edges.values())) == len(edges)
        labels = sorted("".join(g.find(".//svg:text", SVG_NS).itertext()).split() for g in svg_nodes.values())
        assert labels == sorted(n.label.replace("\\", "\u2216").split() for n in nodes)


def test_make_dot_lists_its_nodes_and_edges_by_class_name(pipeline):
    p = pipeline
    assert dj.diagram.diagram_active
    dot = (dj.Diagram(p.acq) + dj.Diagram(p.sess) + dj.Diagram(p.ana)).make_dot(theme="light")
    assert {n.get_name() for n in dot.get_nodes()} == {"Session.Trial" if n == "Trial" else n for n in TIERS}
    edges = [(e.get_source(), e.get_destination(), float(e.get_penwidth()), e.get_style()) for e in dot.get_edges()]
    assert ("Session", "Raw", 2.0, "solid") in edges  # the foreign key is Raw's whole primary key: one-to-one
    assert ("Session", "Session.Trial", 0.75, "solid") in edges  # a part adds a key attribute: one-to-many
    assert ("Kind", "Session", 0.75, "dashed") in edges  # secondary
    assert dot.get_nodes()[0].get_missing() is None
    graph = dj.Diagram(p.sess)._make_graph()
    assert set(graph.nodes()) == {"Session", "Session.Trial", "Raw"}
    assert graph.nodes["Raw"]["node_type"] == "Imported" and graph.has_edge("Session", "Raw")
    collapsed = (dj.Diagram(p.acq) + dj.Diagram(p.sess)).collapse().make_dot()
    assert {n.get_name() for n in collapsed.get_nodes()} == {p.acq.database, p.sess.database}
    assert {(float(e.get_penwidth()), e.get_style()) for e in collapsed.get_edges()} == {(2.0, "solid")}  # a bundle
    need_dot()
    svg = dot.create_svg().decode()
    assert "cluster_entity_" in svg and "<title>Session.Trial</title>" in svg
    assert ">Trial</text>" in svg, "a part drawn with its master drops the master's name"
    assert dj.Diagram(p.sess)._repr_svg_().startswith("<svg")


def test_make_image_decodes_the_png(pipeline):
    need_dot()
    image = dj.Diagram(pipeline.sess).make_image()
    assert image.ndim == 3 and image.shape[2] in (3, 4) and image.shape[0] > 10
    assert 0 <= image.min() and image.max() <= 1


def test_png_decoder_undoes_every_filter():
    import struct
    import zlib

    import numpy as np

    from datajoint_sa.diagram.png import decode_png

    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(5, 7, 4)).astype(np.int32)
    flat, bpp = pixels.reshape(5, -1), 4

    def filtered(kind: int, row: np.ndarray, above: np.ndarray) -> np.ndarray:
        left = np.concatenate([np.zeros(bpp, np.int32), row[:-bpp]])
        upper_left = np.concatenate([np.zeros(bpp, np.int32), above[:-bpp]])
        if kind == 0:
            return row
        if kind == 1:
            return (row - left) & 0xFF
        if kind == 2:
            return (row - above) & 0xFF
        if kind == 3:
            return (row - ((left + above) >> 1)) & 0xFF
        p = left + above - upper_left
        pa, pb, pc = abs(p - left), abs(p - above), abs(p - upper_left)
        predictor = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, above, upper_left))
        return (row - predictor) & 0xFF

    raw = b"".join(bytes([kind]) + bytes(filtered(kind, flat[y], flat[y - 1] if y else np.zeros_like(flat[0])).astype(np.uint8))
                   for y, kind in enumerate([0, 1, 2, 3, 4]))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 7, 5, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    assert np.array_equal(np.round(decode_png(png) * 255).astype(np.int32), pixels)
    with pytest.raises(dj.DataJointError, match="Not a PNG"):
        decode_png(b"GIF89a")


def test_diagram_and_cli_modules_load_on_first_use():
    probe = ("import sys, datajoint_sa as dj; assert 'datajoint_sa.diagram' not in sys.modules; "
             "assert 'datajoint_sa.cli' not in sys.modules; dj.Schema, dj.Table, dj.config; "
             "assert 'datajoint_sa.diagram' not in sys.modules; d = dj.Diagram; "
             "assert 'datajoint_sa.diagram' in sys.modules and d.__name__ == 'Diagram'; "
             "assert dj.diagram.diagram_active in (True, False) and dj.diagram.Diagram is d")
    import subprocess

    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)
