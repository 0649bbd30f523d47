"""Opening existing schemas: virtual modules, make_classes, rebuild_lineage and save, on every backend."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

import datajoint_sa as dj
from datajoint_sa.engine import catalog
from datajoint_sa.errors import DataJointError


def declare_pipeline(upstream: dj.Schema, main: dj.Schema) -> dict[str, type]:
    @upstream
    class Species(dj.Lookup):
        definition = """
        # kinds of animal
        species : varchar(20)   # common name
        """
        contents = [("mouse",), ("rat",)]

    @main
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        ---
        -> Species
        weight = null : float32   # grams
        tags = null : json
        alive = 1 : bool
        """

    @main
    class Scan(dj.Computed):
        definition = """
        # one scan per animal
        -> Animal
        ---
        n_frames : int16
        """

        class Frame(dj.Part):
            definition = """
            -> master
            frame : int16
            ---
            image : <blob>
            """

        def make(self, key):
            self.insert1(dict(key, n_frames=2))
            self.Frame.insert([dict(key, frame=i, image=np.full(2, i, dtype=float)) for i in range(2)])

    @main
    class Pair(dj.Manual):
        definition = """
        -> Animal.proj(first='animal_id')
        -> Animal.proj(second='animal_id')
        """

    Animal.insert([
        {"animal_id": 1, "species": "mouse", "weight": 21.5, "tags": {"cage": 3}, "alive": True},
        {"animal_id": 2, "species": "rat", "weight": None, "tags": None, "alive": False},
    ])
    Scan.populate()
    Pair.insert1({"first": 1, "second": 2})
    return {"Species": Species, "Animal": Animal, "Scan": Scan, "Pair": Pair}


@pytest.fixture
def pipeline(make_schema):
    upstream, main = make_schema("djvirt"), make_schema("djvirt")
    return upstream, main, declare_pipeline(upstream, main)


def test_virtual_module_classes_and_tiers(pipeline, connection):
    _, main, classes = pipeline
    vm = dj.VirtualModule("lab", main.database, connection=connection)
    assert vm.__name__ == "lab" and vm.schema.database == main.database
    assert sorted(n for n in vars(vm) if n[:1].isupper()) == ["Animal", "Pair", "Scan"]
    assert issubclass(vm.Animal, dj.Manual) and issubclass(vm.Scan, dj.Computed) and issubclass(vm.Pair, dj.Manual)
    assert issubclass(vm.Scan.Frame, dj.Part) and vm.Scan.Frame.master is vm.Scan
    assert vm.Scan.Frame.table_name == "__scan__frame"
    assert vm.Animal.heading.names == classes["Animal"].heading.names
    assert vm.Animal.heading["weight"].comment == "grams"
    assert vm.Animal.heading["weight"].type.text == "float32"
    assert vm.Scan.describe() == classes["Scan"].describe() and vm.Pair.describe() == classes["Pair"].describe()
    with pytest.raises(DataJointError, match="no class definition"):
        vm.Animal.alter(prompt=False)  # a class made from the database has no definition to alter to
    assert "#species" in vm.Animal.describe()  # a parent in another schema, with no class here: its table name


def test_create_virtual_module_is_the_0x_spelling(pipeline, connection):
    _, main, classes = pipeline
    vm = dj.create_virtual_module("lab_0x", main.database, False, False, connection)
    assert isinstance(vm, dj.VirtualModule) and vm.__name__ == "lab_0x"
    assert vm.Animal.heading.names == classes["Animal"].heading.names
    assert vm.Animal.to_dicts(order_by="KEY") == classes["Animal"].to_dicts(order_by="KEY")


def test_virtual_module_reads_like_the_classes(pipeline, connection):
    _, main, classes = pipeline
    vm = dj.virtual_schema(main.database, connection=connection)
    for name in ("Animal", "Scan", "Pair"):
        assert vm.__dict__[name]().to_dicts(order_by="KEY") == classes[name]().to_dicts(order_by="KEY")
    animal = (vm.Animal & {"animal_id": 1}).fetch1()
    assert animal["tags"] == {"cage": 3} and animal["alive"] is True
    frames = (vm.Scan.Frame & {"animal_id": 2}).to_dicts(order_by="KEY")
    assert [f["image"].tolist() for f in frames] == [[0.0, 0.0], [1.0, 1.0]]
    # semantic joins across virtual and declared classes follow lineage
    assert len(vm.Scan * classes["Animal"]) == 2
    assert len(vm.Pair * vm.Animal.proj(first="animal_id")) == 1
    assert vm.Animal.aggr(vm.Scan.Frame, n="count(*)").to_dicts(order_by="KEY")[0]["n"] == 2


def test_virtual_module_inserts_deletes_and_populates(pipeline, connection):
    _, main, classes = pipeline
    vm = dj.VirtualModule("lab", main.database, connection=connection)
    vm.Animal.insert1({"animal_id": 3, "species": "mouse", "tags": [1, 2]})
    assert (classes["Animal"] & {"animal_id": 3}).fetch1("tags") == [1, 2]
    classes["Scan"].populate()
    assert len(vm.Scan.Frame & {"animal_id": 3}) == 2
    (vm.Animal & {"animal_id": 1}).delete(prompt=False)
    assert sorted(classes["Animal"].to_arrays("animal_id").tolist()) == [2, 3]
    assert len(classes["Pair"]()) == 0 and len(classes["Scan"].Frame()) == 4
    vm.Animal.insert1({"animal_id": 4, "species": "rat"})
    with pytest.raises((DataJointError, NotImplementedError)):  # a virtual computed table has no make()
        vm.Scan.populate()
    assert len(vm.Scan & {"animal_id": 4}) == 0


def test_make_classes_fills_a_namespace_and_keeps_existing(pipeline, connection):
    upstream, main, classes = pipeline
    opened = dj.Schema(main.database, connection=connection, create_schema=False)
    names = {"Animal": classes["Animal"]}
    opened.make_classes(into=names)
    assert names["Animal"] is classes["Animal"] and set(names) == {"Animal", "Scan", "Pair"}
    again: dict = {}
    opened.spawn_missing_classes(context=again)
    assert set(again) == {"Animal", "Scan", "Pair"}
    with pytest.raises(DataJointError, match="does not exist"):
        dj.VirtualModule("nothing", upstream.database + "_missing", connection=connection)
    created = dj.VirtualModule("fresh", upstream.database + "_new", create_schema=True, connection=connection)
    assert [n for n in vars(created) if n[:1].isupper()] == []
    created.schema.drop(prompt=False)


def test_add_objects_go_into_the_module(pipeline, connection):
    _, main, _ = pipeline
    vm = dj.VirtualModule("lab", main.database, connection=connection, add_objects={"helper": 42})
    assert vm.helper == 42


def test_schema_access_by_table_name(pipeline):
    _, main, classes = pipeline
    assert "Animal" in main and "scan" in main and "Scan" in main and "Nothing" not in main
    assert main["Scan"].table_name == "__scan" and len(main["animal"]) == 2
    assert [t.table_name for t in main] == main.list_tables()
    with pytest.raises(DataJointError, match="does not exist"):
        main.get_table("nothing")


def test_rebuild_lineage_restores_semantic_matching(pipeline, connection):
    _, main, _ = pipeline
    before = main.lineage
    catalog.delete_lineage(connection, main.database, catalog.list_tables(connection, main.database))
    assert main.lineage == {}
    from datajoint_sa.migrate import rebuild_lineage

    preview = rebuild_lineage(main)
    assert preview == {"tables_analyzed": 4, "lineage_entries": len(before), "status": "dry_run"}
    assert main.lineage == {}
    main.rebuild_lineage()
    assert main.lineage == before
    vm = dj.VirtualModule("lab", main.database, connection=connection)
    assert vm.Pair.heading["first"].lineage == vm.Animal.heading["animal_id"].lineage


def test_save_writes_a_module_that_declares_the_same_schema(pipeline, connection, make_schema, tmp_path):
    upstream, main, classes = pipeline
    text = main.save(str(tmp_path / "saved.py"))
    assert (tmp_path / "saved.py").read_text() == text
    assert f"{upstream.database} = dj.VirtualModule(" in text and "class Frame(dj.Part):" in text
    target = make_schema("djvirt")
    source = text.replace(f"dj.Schema({main.database!r})",
                          f"dj.Schema({target.database!r}, connection=_connection)")
    source = source.replace(f"dj.VirtualModule({upstream.database!r}, {upstream.database!r})",
                            f"dj.VirtualModule({upstream.database!r}, {upstream.database!r}, connection=_connection)")
    path = tmp_path / "redeclare.py"
    path.write_text("import builtins\n_connection = builtins._djvirt_connection\n" + source)
    import builtins

    builtins._djvirt_connection = connection
    try:
        spec = importlib.util.spec_from_file_location("djvirt_saved", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["djvirt_saved"] = module
        spec.loader.exec_module(module)
    finally:
        del builtins._djvirt_connection
        sys.modules.pop("djvirt_saved", None)
    assert target.list_tables() == main.list_tables()
    assert module.Animal.heading.names == classes["Animal"].heading.names
    for name in ("Scan", "Pair"):
        assert getattr(module, name).describe() == classes[name].describe()
    assert module.Scan.Frame.describe() == classes["Scan"].Frame.describe()
    assert target.save().replace(target.database, main.database) == text


def test_types_and_comments_survive_alter(schema, connection):
    @schema
    class Reading(dj.Manual):
        definition = """
        # sensor readings
        reading_id : int16
        ---
        level : float32   # volts
        """

    Reading.insert1({"reading_id": 1, "level": 0.5})
    Reading.definition = """
        # sensor readings
        reading_id : int16
        ---
        level : float32   # volts
        note = null : varchar(40)   # added later
        flag = 0 : bool
        """
    Reading.alter(prompt=False)
    vm = dj.VirtualModule("sensors", schema.database, connection=connection)
    heading = vm.Reading.heading
    assert [heading[n].type.text for n in heading.names] == ["int16", "float32", "varchar(40)", "bool"]
    assert heading["level"].comment == "volts" and heading["note"].comment == "added later"
    assert heading.table_comment == "sensor readings"
    assert vm.Reading.fetch1() == {"reading_id": 1, "level": 0.5, "note": None, "flag": False}


def test_free_tables_carry_the_recorded_lineage(pipeline, connection):
    """A FreeTable's attributes have the lineages in ~lineage, the same as the declared classes'."""
    _, main, classes = pipeline
    for name in ("Animal", "Scan", "Pair"):
        declared = classes[name]
        free = dj.FreeTable(connection, declared.full_table_name)
        assert free.heading.lineages == declared.heading.lineages, name
    frame = dj.FreeTable(connection, classes["Scan"].Frame.full_table_name)
    assert frame.heading["animal_id"].lineage == classes["Animal"].heading["animal_id"].lineage
    assert len(frame * classes["Animal"]) == 4  # namesakes of one lineage: a semantic join
    with pytest.raises(DataJointError, match="lineage"):
        dj.FreeTable(connection, classes["Pair"].full_table_name) * frame.proj(second="frame")
    # what ~lineage records wins over what the foreign keys suggest (e.g. a parent this user cannot see)
    catalog.write_lineage(connection, main.database, "animal", {"animal_id": "elsewhere.origin.animal_id"})
    assert dj.FreeTable(connection, classes["Animal"].full_table_name).heading["animal_id"].lineage == \
        "elsewhere.origin.animal_id"
