"""Codecs that keep values in object stores, against a local folder and an S3 API (moto), on each backend."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from store_helpers import s3_endpoint, store_settings, stores  # noqa: F401 - fixture

import datajoint_sa as dj
from datajoint_sa.errors import DataJointError
from datajoint_sa.stores import backend_for, store_spec
from datajoint_sa.stores.paths import content_hash

STORE_KINDS = ["file", "s3"]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path, schema) -> str:
    """A fresh default store ``main`` of each kind; yields its kind."""
    endpoint = request.getfixturevalue("s3_endpoint") if request.param == "s3" else None
    dj.config["download_path"] = str(tmp_path / "downloads")
    with stores(main=store_settings(request.param, tmp_path, endpoint)):
        yield request.param


def _declare(schema: dj.Schema, definition: str) -> type:
    class Item(dj.Manual):
        pass

    Item.definition = definition
    return schema(Item)


def _raw(table: type, attribute: str) -> list:
    """The stored JSON metadata of a column, as dicts, in key order."""
    sql = table().sql_table
    with table().connection.session() as conn:
        values = [row[0] for row in conn.execute(sql.select().with_only_columns(sql.c[attribute]).order_by(sql.c.id))]
    return [json.loads(v) if isinstance(v, str) else v for v in values]


def test_blob_in_store_round_trip_and_dedup(schema, store) -> None:
    Item = _declare(schema, "id : int32\n---\npayload : <blob@>")
    values = [np.arange(1000, dtype=np.float64), {"a": [1, 2]}, np.arange(1000, dtype=np.float64)]
    Item.insert([{"id": i, "payload": v} for i, v in enumerate(values)])
    fetched = Item.to_dicts(order_by="id")
    np.testing.assert_array_equal(fetched[0]["payload"], values[0])
    assert fetched[1]["payload"] == {"a": [1, 2]}
    meta = _raw(Item, "payload")
    assert meta[0]["path"] == meta[2]["path"]  # same content, stored once
    assert re.fullmatch(rf"_hash/{schema.database}/[a-z2-7]{{26}}", meta[0]["path"])
    assert meta[0]["hash"] == meta[0]["path"].rsplit("/", 1)[1]
    assert meta[0]["store"] is None and meta[0]["schema"] == schema.database
    assert backend_for().exists(meta[0]["path"])
    assert len(dj.gc.GarbageCollector(schema).list_hash_paths(schema.database)) == 2


def test_hash_codec_stores_bytes_and_checks_type(schema, store) -> None:
    Item = _declare(schema, "id : int32\n---\ndata : <hash@main>")
    Item.insert1({"id": 1, "data": b"\x00raw bytes"})
    assert (Item & {"id": 1}).fetch1("data") == b"\x00raw bytes"
    assert _raw(Item, "data")[0]["hash"] == content_hash(b"\x00raw bytes")
    with pytest.raises(DataJointError, match="bytes"):
        Item.insert1({"id": 2, "data": "not bytes"})
    assert len(Item()) == 1


@pytest.mark.parametrize("where", ["<attach>", "<attach@>"])
def test_attach_round_trip(schema, store, tmp_path, where) -> None:
    Item = _declare(schema, f"id : int32\n---\nfile : {where}")
    source = tmp_path / "notes.txt"
    source.write_bytes(b"line one\nline two\n")
    Item.insert1({"id": 1, "file": str(source)})
    local = (Item & {"id": 1}).fetch1("file")
    assert local.endswith("notes.txt") and local != str(source)
    assert open(local, "rb").read() == b"line one\nline two\n"


def test_object_codec_bytes_file_and_folder(schema, store, tmp_path) -> None:
    Item = _declare(schema, "id : int32\n---\nobj : <object@>")
    (tmp_path / "f.dat").write_bytes(b"file content")
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A")
    (folder / "sub" / "b.txt").write_text("BB")
    Item.insert([{"id": 1, "obj": b"some bytes"}, {"id": 2, "obj": str(tmp_path / "f.dat")},
                 {"id": 3, "obj": str(folder)}])
    refs = dict(zip(*Item.to_arrays("id", "obj", order_by="id")))
    assert isinstance(refs[1], dj.ObjectRef) and refs[1].read() == b"some bytes"
    assert refs[2].ext == ".dat" and refs[2].path.endswith(".dat") and refs[2].read() == b"file content"
    assert re.fullmatch(rf"_schema/{schema.database}/item/id=2/obj_[\w-]{{8}}\.dat", refs[2].path)
    assert refs[3].is_dir and refs[3].item_count == 2 and sorted(refs[3].listdir()) == ["a.txt", "sub"]
    assert refs[3].open("sub/b.txt").read() == b"BB"
    assert refs[3].verify() and backend_for().exists(refs[3].path + ".manifest.json")
    copied = refs[3].download(tmp_path / "copy")
    assert (copied / "sub" / "b.txt").read_text() == "BB"


def test_npy_is_lazy(schema, store) -> None:
    Item = _declare(schema, "id : int32\n---\narr : <npy@>")
    array = np.arange(12, dtype=np.int16).reshape(3, 4)
    Item.insert1({"id": 1, "arr": array})
    ref = (Item & {"id": 1}).fetch1("arr")
    assert isinstance(ref, dj.NpyRef) and not ref.is_loaded
    assert ref.shape == (3, 4) and ref.dtype == np.int16 and len(ref) == 3
    backend_for().remove(ref.path)  # fetching downloaded nothing: only using the data needs the file
    with pytest.raises(dj.errors.MissingExternalFile):
        ref.load()
    Item.insert1({"id": 2, "arr": array})
    ref = (Item & {"id": 2}).fetch1("arr")
    np.testing.assert_array_equal(np.asarray(ref) + 1, array + 1)
    assert ref.is_loaded and ref[1, 2] == array[1, 2]
    assert np.load(backend_for().open(ref.path)).tolist() == array.tolist()  # a plain .npy file
    with pytest.raises(DataJointError, match="numpy"):
        Item.insert1({"id": 3, "arr": [1, 2]})


def test_filepath_refers_to_existing_files(schema, store) -> None:
    Item = _declare(schema, "id : int32\n---\npath : <filepath@main>")
    backend_for("main").put_buffer(b"acquired", "raw/session1/data.bin")
    Item.insert1({"id": 1, "path": "raw/session1/data.bin"})
    ref = (Item & {"id": 1}).fetch1("path")
    assert ref.read() == b"acquired" and ref.size == 8
    with pytest.raises(DataJointError, match="not found|File"):
        Item.insert1({"id": 2, "path": "raw/missing.bin"})
    with pytest.raises(DataJointError, match="_hash"):
        Item.insert1({"id": 3, "path": "_hash/x/y"})


def test_garbage_collection_removes_only_orphans(schema, store) -> None:
    Item = _declare(schema, "id : int32\n---\nb = null : <blob@>\nn = null : <npy@>")
    Item.insert([{"id": i, "b": np.full(10, i), "n": np.full(3, i)} for i in range(4)])
    (Item & "id >= 2").delete_quick()
    collector = dj.gc.GarbageCollector(schema)
    report = collector.collect()
    assert report["dry_run"] and report["hash_paths_orphaned"] == 2 and report["schema_paths_orphaned"] == 2
    assert report["deleted"] == 0 and len(collector.list_hash_paths(schema.database)) == 4
    report = collector.collect(dry_run=False)
    assert report["deleted"] == 4 and report["bytes_freed"] > 0
    assert len(collector.list_hash_paths(schema.database)) == 2
    kept = Item.to_dicts(order_by="id")
    assert [int(r["b"][0]) for r in kept] == [0, 1] and [int(np.asarray(r["n"])[0]) for r in kept] == [0, 1]
    assert collector.collect()["hash_paths_orphaned"] == 0


def test_subfolding_and_prefixes(schema, tmp_path) -> None:
    settings = store_settings("file", tmp_path, subfolding=[2, 3], hash_prefix="h", schema_prefix="objects")
    with stores(main=settings):
        Item = _declare(schema, "id : int32\n---\nb : <blob@>\no : <object@>")
        Item.insert1({"id": 7, "b": [1, 2, 3], "o": b"x"})
        digest = _raw(Item, "b")[0]["hash"]
        assert _raw(Item, "b")[0]["path"] == f"h/{schema.database}/{digest[:2]}/{digest[2:5]}/{digest}"
        assert _raw(Item, "o")[0]["path"].startswith(f"objects/{schema.database}/item/id=7/o_")
        assert (Item & {"id": 7}).fetch1("b") == [1, 2, 3]


@pytest.mark.parametrize("settings, message", [
    ({}, "not configured"),
    ({"main": {"protocol": "ftp", "location": "x"}}, "Unknown protocol"),
    ({"main": {"protocol": "s3", "location": "x"}}, "missing: endpoint, bucket"),
    ({"main": {"protocol": "file", "location": "x", "colour": 1}}, "Invalid key"),
    ({"main": {"protocol": "file", "location": "x", "hash_prefix": "a", "schema_prefix": "a/b"}}, "overlap"),
])
def test_store_spec_errors(settings, message) -> None:
    saved = dj.config["stores"]
    dj.config["stores"] = settings
    try:
        with pytest.raises(DataJointError, match=message):
            store_spec("main")
    finally:
        dj.config["stores"] = saved


def test_store_spec_defaults() -> None:
    with stores(main={"protocol": "file", "location": "/tmp"}):
        spec = store_spec()
    assert spec["hash_prefix"] == "_hash" and spec["schema_prefix"] == "_schema" and spec["token_length"] == 8


def test_store_codec_needs_a_store_name_or_default(schema, tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path)):
        Item = _declare(schema, "id : int32\n---\nb : <blob@elsewhere>")
        with pytest.raises(DataJointError, match="elsewhere"):
            Item.insert1({"id": 1, "b": 1})
        assert len(Item()) == 0


def test_fetching_object_refs_reads_nothing_from_the_store(schema, store) -> None:
    Item = _declare(schema, "id : int32\n---\nobj : <object@>")
    Item.insert1({"id": 1, "obj": b"payload"})
    saved = dj.config["stores"]
    dj.config["stores"] = {}  # no store at all: fetching must still work, using the data must not
    try:
        ref = (Item & {"id": 1}).fetch1("obj")
        assert ref.size == 7 and ref.path.startswith(f"_schema/{schema.database}/item/id=1/obj_")
        with pytest.raises(DataJointError, match="not configured"):
            ref.read()
    finally:
        dj.config["stores"] = saved
    assert ref.read() == b"payload"
