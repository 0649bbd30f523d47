"""The public storage API of DataJoint 2.3: URLs, object paths, storage adapters, hash registry,
garbage collection, staged inserts and replica identity; database tests run on each backend."""

from __future__ import annotations

import json
import pathlib
from unittest import mock

import fsspec
import numpy as np
import pytest
from store_helpers import store_settings, stores

import datajoint_sa as dj
from datajoint_sa import hash_registry, storage, storage_adapter
from datajoint_sa.errors import DataJointError
from datajoint_sa.storage import StorageBackend

# -- URLs and object paths (no database) -----------------------------------------------------------


def test_urls() -> None:
    assert storage.is_url("S3://bucket/key") and storage.is_url("file:///a") and not storage.is_url("/a/b")
    assert storage.parse_url("gs://b/k") == ("gcs", "b/k") and storage.parse_url("az://c/k") == ("abfs", "c/k")
    assert storage.parse_url("file:///data/x") == ("file", "/data/x")
    assert storage.normalize_to_url("s3://b/k") == "s3://b/k"
    assert storage.normalize_to_url("/data/x.dat") == "file:///data/x.dat"
    with pytest.raises(DataJointError, match="Unsupported URL protocol"):
        storage.parse_url("ftp://host/x")
    with pytest.raises(DataJointError, match="Unsupported URL protocol"):
        storage.parse_url("/local/path")


def test_build_object_path_layout() -> None:
    path, token = storage.build_object_path("lab", "session", "raw", {"subject": 1, "day": 2}, ".zarr",
                                            partition_pattern="{subject}", token_length=6)
    assert len(token) == 6
    assert path == f"_schema/subject=1/lab/session/day=2/raw_{token}.zarr"
    path, token = storage.build_object_path("lab", "session", "raw", {"id": 3}, None, schema_prefix="")
    assert path == f"lab/session/id=3/raw_{token}"
    assert len(storage.generate_token(2)) == 4 and len(storage.generate_token(40)) == 16
    assert storage.encode_pk_value("a/b") == "a%2Fb" and storage.encode_pk_value(-5) == "-5"


def test_file_backend_paths_use_forward_slashes(tmp_path) -> None:
    backend = StorageBackend({"protocol": "file", "location": str(tmp_path)})
    assert backend._full_path("s/ab/h") == f"{tmp_path.as_posix()}/s/ab/h"
    assert backend.get_url("s/ab/h") == f"file://{tmp_path.as_posix()}/s/ab/h"
    windows = StorageBackend.__new__(StorageBackend)
    windows.spec, windows.protocol = {"protocol": "file", "location": "data\\blobs"}, "file"
    assert windows._full_path("s/ab/h") == "data/blobs/s/ab/h"


# -- storage adapters ----------------------------------------------------------------------------------


class MemoryAdapter(dj.StorageAdapter):
    """A plugin protocol over fsspec's in-memory filesystem."""

    protocol = "memtest"
    required_keys = ("protocol", "location", "bucket_name")

    def create_filesystem(self, spec):
        return fsspec.filesystem("memory")


@pytest.fixture
def memory_adapter():
    storage_adapter.register_storage_adapter(MemoryAdapter)
    yield
    storage_adapter._adapter_registry.pop("memtest", None)


def test_built_in_adapters_are_registered() -> None:
    for protocol in ("file", "s3", "gcs", "azure"):
        assert dj.get_storage_adapter(protocol).protocol == protocol
    assert dj.get_storage_adapter("no_such_protocol") is None


def test_adapter_validates_keys(memory_adapter) -> None:
    adapter = dj.get_storage_adapter("memtest")
    adapter.validate_spec({"protocol": "memtest", "location": "x", "bucket_name": "b", "hash_prefix": "h"})
    with pytest.raises(DataJointError, match="missing: bucket_name"):
        adapter.validate_spec({"protocol": "memtest", "location": "x"})
    with pytest.raises(DataJointError, match="Invalid key.*colour"):
        adapter.validate_spec({"protocol": "memtest", "location": "x", "bucket_name": "b", "colour": 1})
    assert adapter.full_path({"location": "root"}, "a/b") == "root/a/b"
    assert adapter.get_url({}, "a/b") == "memtest://a/b"


def test_plugin_protocol_serves_a_store(memory_adapter) -> None:
    with stores(mem={"protocol": "memtest", "location": "/djmem", "bucket_name": "b"}):
        assert dj.config.get_store_spec("mem")["protocol"] == "memtest"
        meta = hash_registry.put_hash(b"plugin bytes", "lab", "mem")
        assert hash_registry.get_hash(meta) == b"plugin bytes"
        assert hash_registry.delete_path(meta["path"], "mem") is True
        assert hash_registry.delete_path(meta["path"], "mem") is False


def test_unknown_protocol_names_plugins() -> None:
    with stores(bad={"protocol": "nonexistent_xyz", "location": ""}):
        with pytest.raises(DataJointError, match="Install a plugin"):
            dj.config.get_store_spec("bad")


def test_entry_point_discovery_skips_broken_plugins(monkeypatch, caplog) -> None:
    class Good:
        name = "good"

        def load(self):
            return type("GoodAdapter", (MemoryAdapter,), {"protocol": "goodtest"})

    class Broken:
        name = "broken"

        def load(self):
            raise RuntimeError("boom")

    monkeypatch.setattr("importlib.metadata.entry_points",
                        lambda *, group=None: [Broken(), Good()] if group == "datajoint.storage" else [])
    monkeypatch.setattr(storage_adapter, "_adapters_loaded", False)
    try:
        with caplog.at_level("WARNING"):
            assert dj.get_storage_adapter("goodtest").protocol == "goodtest"
        assert any("broken" in r.message and "boom" in r.message for r in caplog.records)
    finally:
        storage_adapter._adapter_registry.pop("goodtest", None)


def test_s3_credentials_are_both_or_neither() -> None:
    base = {"protocol": "s3", "endpoint": "localhost:9000", "bucket": "b", "location": ""}
    dj.get_storage_adapter("s3").validate_spec(base)
    with pytest.raises(DataJointError, match="Incomplete S3 credentials"):
        dj.get_storage_adapter("s3").validate_spec({**base, "access_key": "AK"})


# -- hash registry --------------------------------------------------------------------------------------


def test_hash_registry_round_trip(tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path, subfolding=[2])):
        meta = hash_registry.put_hash(b"content", "lab")
        digest = hash_registry.compute_hash(b"content")
        assert meta == {"hash": digest, "path": f"_hash/lab/{digest[:2]}/{digest}", "schema": "lab",
                        "store": None, "size": 7}
        assert hash_registry.get_hash(meta) == b"content"
        (pathlib.Path(tmp_path, "store", meta["path"])).write_bytes(b"changed")
        with pytest.raises(DataJointError, match="Hash mismatch"):
            hash_registry.get_hash(meta)
    with pytest.raises(DataJointError, match="Invalid content hash"):
        hash_registry.build_hash_path("NOT-A-HASH", "lab")


# -- garbage collection -----------------------------------------------------------------------------------


def _declare(schema: dj.Schema, name: str, definition: str) -> type:
    return schema(type(name, (dj.Manual,), {"definition": definition}))


def test_gc_collects_orphans_and_prunes_folders(schema, tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path)):
        Item = _declare(schema, "Item", "id : int32\n---\nb : <blob@>\no : <object@>")
        Item.insert([{"id": 1, "b": np.arange(5), "o": b"one"}, {"id": 2, "b": np.arange(6), "o": b"two"}])
        collector = dj.gc.GarbageCollector(schema)
        assert len(collector.hash_references()) == 2 and len(collector.schema_references()) == 2
        assert collector.collect()["deleted"] == 0
        (Item & {"id": 1}).delete()
        report = collector.collect()
        assert report["dry_run"] and report["hash_paths_orphaned"] == 1 and report["schema_paths_orphaned"] == 1
        gone = report["orphaned_schema_paths"][0]
        report = collector.collect(dry_run=False)
        assert report["deleted"] == 2 and report["scan_errors"] == []
        folder = pathlib.Path(tmp_path, "store", gone).parent
        assert not folder.exists() and folder.parent.exists()  # the empty key folder is pruned
        assert (Item & {"id": 2}).fetch1("o").read() == b"two"
        assert collector.collect()["deleted"] == 0


def test_gc_folder_objects_are_covered_by_their_prefix(schema, tmp_path) -> None:
    def folder(name: str) -> str:
        made = tmp_path / name
        made.mkdir()
        for i in range(3):
            (made / f"0.{i}").write_bytes(b"chunk%d" % i)
        return str(made)

    with stores(main=store_settings("file", tmp_path)):
        Item = _declare(schema, "Item", "id : int32\n---\no : <object@>")
        Item.insert([{"id": 1, "o": folder("gone.zarr")}, {"id": 2, "o": folder("kept.zarr")}])
        collector = dj.gc.GarbageCollector(schema)
        refs = collector.schema_references()
        stored = collector.list_schema_paths(schema.database)
        assert all(f"{ref}.manifest.json" in stored for ref in refs)
        assert collector.collect()["schema_paths_orphaned"] == 0
        (Item & {"id": 1}).delete()
        live = collector.schema_references()
        (dead,) = refs - live
        collector.collect(dry_run=False)
        after = collector.list_schema_paths(schema.database)
        assert not [p for p in after if p.startswith(dead)]
        assert len([p for p in after if p.startswith(next(iter(live)))]) == 4  # 3 chunks and the manifest


def test_gc_keeps_hash_objects_written_under_an_older_prefix(schema, tmp_path) -> None:
    settings = store_settings("file", tmp_path)
    with stores(main=settings):
        Item = _declare(schema, "Item", "id : int32\n---\nb : <blob@>")
        Item.insert1({"id": 1, "b": np.arange(8)})
        settings["hash_prefix"] = "content"
        collector = dj.gc.GarbageCollector(schema)
        (old,) = collector.hash_references()
        assert old.startswith("_hash/")
        report = collector.collect(dry_run=False)
        assert old not in report["orphaned_hash_paths"] + report["orphaned_schema_paths"]
        np.testing.assert_array_equal((Item & {"id": 1}).fetch1("b"), np.arange(8))


def test_gc_refuses_to_delete_after_a_listing_error(schema, tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path)):
        collector = dj.gc.GarbageCollector(schema)
        with mock.patch.object(type(collector.backend.fs), "walk", side_effect=PermissionError("denied")):
            report = collector.collect()
            assert report["scan_errors"][0].startswith(f"list_hash_paths({schema.database}): denied")
            with pytest.raises(DataJointError, match="Refusing to delete"):
                collector.collect(dry_run=False)
        assert collector.collect()["scan_errors"] == []


def test_gc_needs_a_schema() -> None:
    with pytest.raises(DataJointError, match="At least one schema"):
        dj.gc.GarbageCollector(store="main")


# -- staged insert -------------------------------------------------------------------------------------------


def test_staged_insert_writes_in_place(schema, tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path)):
        Rec = _declare(schema, "Rec", "rid : int32\n---\nfile : <object@>\nfolder : <object@>\nnote='' : varchar(20)")
        with Rec().staged_insert1 as staged:
            staged.rec["rid"] = 1
            with staged.open("file", ".dat") as f:
                f.write(b"staged")
            folder = staged.store("folder", ".zarr")
            folder["a"], folder["b/c"] = b"1", b"22"
            staged.rec["note"] = "ok"
            assert isinstance(staged.fs, fsspec.AbstractFileSystem)
        row = (Rec & {"rid": 1}).fetch1()
        assert row["note"] == "ok" and row["file"].read() == b"staged" and row["file"].ext == ".dat"
        assert row["folder"].is_dir and row["folder"].item_count == 2 and row["folder"].size == 3
        assert sorted(row["folder"].listdir()) == ["a", "b"]


def test_staged_insert_cleans_up_on_error(schema, tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path)):
        Rec = _declare(schema, "Rec", "rid : int32\n---\nfile : <object@>")
        with pytest.raises(ValueError), Rec().staged_insert1 as staged:
            staged.rec["rid"] = 2
            with staged.open("file", ".dat") as f:
                f.write(b"doomed")
            raise ValueError("stop")
        assert len(Rec()) == 0
        assert [p for p in pathlib.Path(tmp_path, "store").rglob("*") if p.is_file()] == []
        with pytest.raises(DataJointError, match="Primary key"), Rec().staged_insert1 as staged:
            staged.open("file")
        with pytest.raises(DataJointError, match="not an <object@> attribute"), Rec().staged_insert1 as staged:
            staged.rec["rid"] = 3
            staged.open("rid")


# -- replica identity ------------------------------------------------------------------------------------------


def test_set_replica_identity(schema, backend) -> None:
    _declare(schema, "Probe", "pid : int32\n---\nv : float64")
    with pytest.raises(DataJointError, match="mode must be 'default' or 'full'"):
        dj.deploy.set_replica_identity(schema, mode="nothing")
    with pytest.raises(DataJointError, match="must be a Schema or Table"):
        dj.deploy.set_replica_identity("a schema", mode="full")
    if backend != "postgresql":
        with pytest.raises(DataJointError, match="PostgreSQL-only"):
            dj.deploy.set_replica_identity(schema, mode="full")
        return
    planned = dj.deploy.set_replica_identity(schema, mode="FULL")
    assert planned == {"tables_analyzed": 1, "tables_modified": 0,
                       "ddl": [f'ALTER TABLE "{schema.database}"."probe" REPLICA IDENTITY FULL']}
    applied = dj.deploy.set_replica_identity(schema, mode="full", dry_run=False)
    assert applied["tables_modified"] == 1
    sql = ("SELECT c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE n.nspname = %s AND c.relname = 'probe'")
    assert schema.connection.query(sql, (schema.database,)).fetchone()[0] == "f"
    dj.deploy.set_replica_identity(schema, mode="default", dry_run=False)
    assert schema.connection.query(sql, (schema.database,)).fetchone()[0] == "d"
    assert json.dumps(planned)  # a plain, serialisable report
