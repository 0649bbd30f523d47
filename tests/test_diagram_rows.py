"""Rows along foreign keys: Diagram.trace (upstream, OR), restrict (downstream, AND), cascade, counts, prune."""

from __future__ import annotations

import pytest

import datajoint_sa as dj


@pytest.fixture
def diamond(schema):
    """Root <- Left, Root <- Right (renamed root_id2), Leaf <- Left and Right; Other stands apart."""

    @schema
    class Root(dj.Manual):
        definition = "root_id : int32\n---\nlabel = '' : varchar(8)"

    @schema
    class Left(dj.Manual):
        definition = "-> Root\nleft_id : int32"

    @schema
    class Right(dj.Manual):
        definition = "-> Root.proj(root_id2='root_id')\nright_id : int32"

    @schema
    class Leaf(dj.Manual):
        definition = "-> Left\n-> Right\nleaf_id : int32"

    @schema
    class Other(dj.Manual):
        definition = "other_id : int32"

    Root.insert([(1, "a"), (2, "b"), (3, "c")])
    Left.insert([(1, 10), (3, 30)])
    Right.insert([(2, 20), (3, 31)])
    Leaf.insert([(1, 10, 2, 20, 100), (3, 30, 3, 31, 300)])
    Other.insert([(7,)])
    return dict(Root=Root, Left=Left, Right=Right, Leaf=Leaf, Other=Other, schema=schema)


def keys(expr, attribute):
    return sorted(int(v) for v in expr.to_arrays(attribute))


def test_trace_unites_the_rows_of_every_path(diamond):
    t = diamond
    trace = dj.Diagram.trace(t["Leaf"] & {"leaf_id": 100})
    assert keys(trace[t["Root"]], "root_id") == [1, 2]  # 1 through Left, 2 through Right's renamed key
    assert keys(trace[t["Left"]], "left_id") == [10] and keys(trace[t["Right"]], "right_id") == [20]
    assert len(trace[t["Leaf"]]) == 1
    assert trace[t["Root"]].fetch("label").tolist() == ["a", "b"]
    assert isinstance(trace[t["Root"].full_table_name], dj.FreeTable)
    assert trace.counts() == {t[n].full_table_name: c for n, c in [("Root", 2), ("Left", 1), ("Right", 1), ("Leaf", 1)]}
    with pytest.raises(dj.DataJointError, match="not in this trace"):
        trace[t["Other"]]


def test_trace_of_a_table_without_parents_and_of_a_top(diamond):
    t = diamond
    assert dj.Diagram.trace(t["Root"] & {"root_id": 1}).counts() == {t["Root"].full_table_name: 1}
    top = dj.Diagram.trace(t["Left"] & dj.Top(1, order_by="left_id DESC"))
    assert keys(top[t["Root"]], "root_id") == [3]


def test_restrict_keeps_rows_matching_every_restricted_ancestor(diamond):
    t = diamond
    restricted = dj.Diagram(t["schema"]).restrict(t["Root"] & {"root_id": 1})
    counts = restricted.counts()
    assert counts[t["Left"].full_table_name] == 1
    assert counts[t["Right"].full_table_name] == 0  # Right references root 2 and 3 only
    assert counts[t["Leaf"].full_table_name] == 0  # AND: its Right parent is not restricted to root 1
    assert t["Other"].full_table_name not in counts
    # chained restrictions narrow further
    wider = dj.Diagram(t["schema"]).restrict(t["Root"] & "root_id >= 1")
    assert wider.counts()[t["Leaf"].full_table_name] == 2
    narrower = wider.restrict(t["Root"] & "root_id = 3")
    assert narrower.counts()[t["Leaf"].full_table_name] == 1
    with pytest.raises(dj.DataJointError, match="not in the diagram"):
        dj.Diagram(t["Left"]).restrict(t["Root"] & {"root_id": 1})


def test_prune_drops_tables_without_rows(diamond):
    t = diamond
    pruned = dj.Diagram(t["schema"]).restrict(t["Root"] & {"root_id": 1}).prune()
    assert set(pruned.counts()) == {t["Root"].full_table_name, t["Left"].full_table_name}
    assert pruned.prune().nodes == pruned.nodes
    (t["Other"]).delete_quick()
    assert t["Other"].full_table_name not in dj.Diagram(t["schema"]).prune().nodes_to_show
    with pytest.raises(dj.DataJointError, match="prune.*cannot be used.*cascade"):
        dj.Diagram.cascade(t["Root"] & {"root_id": 1}).prune()
    with pytest.raises(dj.DataJointError, match="counts\\(\\) needs"):
        dj.Diagram(t["schema"]).counts()
    # a trace prunes too (deviation from 2.3.5, which refuses): ancestors without traced rows go
    traced = dj.Diagram.trace(t["Leaf"] & {"leaf_id": 999})
    assert len(traced.nodes) == 4 and traced.prune().nodes == frozenset()


def test_cascade_counts_every_descendant_with_or(diamond):
    t = diamond
    counts = dj.Diagram.cascade(t["Root"] & {"root_id": 2}).counts()
    assert counts == {t[n].full_table_name: c for n, c in [("Root", 1), ("Left", 0), ("Right", 1), ("Leaf", 1)]}
    with pytest.raises(dj.DataJointError, match="separate modes"):
        dj.Diagram.cascade(t["Root"] & {"root_id": 2}).restrict(t["Root"])
    with pytest.raises(ValueError, match="part_integrity"):
        dj.Diagram.cascade(t["Root"], part_integrity="casade")
    with pytest.raises(dj.DataJointError, match="previews a delete"):
        dj.Diagram.cascade(t["Root"] & {"root_id": 2})[t["Leaf"]]


@pytest.fixture
def parts(schema):
    """Master with PartA, PartB (-> PartA), PartC (-> PartB renamed); Ext <- Master.P (secondary -> master)."""

    @schema
    class Master(dj.Manual):
        definition = "master_id : int32"

        class PartA(dj.Part):
            definition = "-> master\npart_a_id : int32"

        class PartB(dj.Part):
            definition = "-> Master.PartA\npart_b_id : int32"

        class PartC(dj.Part):
            definition = "-> Master.PartB.proj(src_master='master_id', src_a='part_a_id', src_b='part_b_id')\nc : int32"

    @schema
    class Ext(dj.Manual):
        definition = "ext_id : int32"

    @schema
    class Owner(dj.Manual):
        definition = "owner_id : int32"

        class P(dj.Part):
            definition = "-> Ext\npart_id : int32\n---\n-> master"

    Master.insert([(1,), (2,)])
    Master.PartA.insert([(1, 10), (1, 11), (2, 20)])
    Master.PartB.insert([(1, 10, 100), (1, 11, 110), (2, 20, 200)])
    Master.PartC.insert([(1, 10, 100, 0), (2, 20, 200, 0)])
    Ext.insert([(1,), (2,), (3,)])
    Owner.insert([(1,), (2,)])
    Owner.P.insert([(1, 10, 1), (2, 20, 2)])
    return dict(Master=Master, Ext=Ext, Owner=Owner)


def test_part_integrity_cascade_lifts_masters_along_part_chains(parts):
    m = parts["Master"]
    seed = m.PartC & {"src_master": 1, "src_a": 10, "src_b": 100, "c": 0}
    counts = dj.Diagram.cascade(seed, part_integrity="cascade").counts()
    assert counts[m.full_table_name] == 1  # PartC -> PartB (renamed) -> PartA -> Master
    assert counts[m.PartA.full_table_name] == 2 and counts[m.PartB.full_table_name] == 2
    assert counts[m.PartC.full_table_name] == 1
    (m.PartB & {"master_id": 1}).delete(prompt=False, part_integrity="cascade")
    assert keys(m(), "master_id") == [2] and len(m.PartA()) == len(m.PartB()) == len(m.PartC()) == 1


def test_part_integrity_cascade_through_a_secondary_master_key(parts):
    ext, owner = parts["Ext"], parts["Owner"]
    counts = dj.Diagram.cascade(ext & {"ext_id": 1}, part_integrity="cascade").counts()
    assert counts[owner.full_table_name] == 1  # only the owner of the part row that references ext 1
    # a part reached with no rows still brings its master into the preview, with none
    empty = dj.Diagram.cascade(ext & {"ext_id": 3}, part_integrity="cascade").counts()
    assert empty[owner.full_table_name] == 0 and empty[owner.P.full_table_name] == 0
    (ext & {"ext_id": 3}).delete(prompt=False, part_integrity="cascade")
    assert len(owner()) == 2 and len(ext()) == 2


def test_trace_is_indexed_by_class_table_or_name(diamond):
    t = diamond
    trace = dj.Diagram.trace(t["Leaf"] & {"leaf_id": 300})
    by_class = trace[t["Root"]]
    assert isinstance(by_class, dj.FreeTable) and keys(by_class, "root_id") == [3]
    for name in ("Root", f"{t['schema'].database}.Root", t["Root"].full_table_name,
                 f"{t['schema'].database}.{t['Root'].table_name}"):
        assert keys(trace[name], "root_id") == [3], name
    assert keys(trace[t["Root"]()], "root_id") == [3]
    with pytest.raises(dj.DataJointError, match="not in this trace"):
        trace["Other"]
    with pytest.raises(dj.DataJointError, match="indexed by"):
        trace[42]
    assert [len(table) for table in trace] == [1, 1, 1, 1]  # iteration: restricted tables, parents first


def test_delete_by_uuid_keys_reaches_the_part_rows(schema):
    """Keys read for the delete are bound back as stored (a uuid as its bytes on MySQL and SQLite)."""
    import uuid

    @schema
    class Website(dj.Lookup):
        definition = "url_hash : uuid\n---\nurl : varchar(100)"

    @schema
    class Profile(dj.Manual):
        definition = "ssn : char(11)"

        class Website(dj.Part):
            definition = "-> master\n-> Website"

    hashes = [uuid.uuid4() for _ in range(3)]
    Website.insert([(h, f"u{i}") for i, h in enumerate(hashes)])
    Profile.insert([(f"s{i}",) for i in range(3)])
    Profile.Website.insert([(f"s{i}", h) for i, h in enumerate(hashes)])
    with pytest.raises(dj.DataJointError, match="before its master"):
        Website().delete(prompt=False, part_integrity="enforce")
    assert len(Website()) == 3 and len(Profile.Website()) == 3
    assert (Website & {"url_hash": hashes[0]}).delete(prompt=False, part_integrity="cascade") == 1
    assert len(Website()) == 2 and len(Profile()) == 2 and len(Profile.Website()) == 2


def test_parallel_foreign_keys_are_counted_apart(schema):
    @schema
    class Cell(dj.Manual):
        definition = "cell : int32"

    @schema
    class Synapse(dj.Manual):
        definition = "-> Cell.proj(pre='cell')\n-> Cell.proj(post='cell')"

    deps = Cell.connection.dependencies
    deps.load(force=False)
    assert deps.number_of_edges(Cell.full_table_name, Synapse.full_table_name) == 2
    diagram = dj.Diagram(schema)
    assert diagram.number_of_edges(Cell.full_table_name, Synapse.full_table_name) == 2 == diagram.number_of_edges()
    assert dj.Diagram(Cell).number_of_edges(Cell, Synapse) == 0  # Synapse is not shown
