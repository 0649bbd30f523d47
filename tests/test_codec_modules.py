"""DataJoint 2.3's codec module paths, the SparkAdapter protocol, legacy codec context and raw binary columns."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import datajoint_sa as dj
from datajoint_sa import codecs
from datajoint_sa.codecs import NpyRef, SchemaCodec, get_codec
from datajoint_sa.errors import DataJointError
from datajoint_sa.spark import SparkAdapter, check_spark_shape, to_spark

BUILTIN_MODULES = {
    "blob": "BlobCodec", "hash": "HashCodec", "attach": "AttachCodec", "filepath": "FilepathCodec",
    "npy": "NpyCodec", "object": "ObjectCodec", "schema": "SchemaCodec",
}


@pytest.mark.parametrize("module, name", sorted(BUILTIN_MODULES.items()))
def test_builtin_codecs_modules_hold_the_registered_classes(module: str, name: str) -> None:
    found = getattr(importlib.import_module(f"datajoint_sa.builtin_codecs.{module}"), name)
    assert found is getattr(codecs, name)
    if module != "schema":  # SchemaCodec is an abstract base, not registered
        assert type(get_codec(module)) is found


def test_builtin_codecs_package_exports() -> None:
    from datajoint_sa.builtin_codecs import NpyCodec, NpyRef, SchemaCodec

    assert issubclass(NpyCodec, SchemaCodec) and NpyRef is codecs.NpyRef


def test_registry_is_the_live_mapping() -> None:
    class Temporary(dj.Codec):
        name = "temporary_registry_probe"

        def get_dtype(self, is_store):
            return "bytes"

        def encode(self, value, *, key=None):
            return value

        def decode(self, stored, *, key=None):
            return stored

    try:
        assert isinstance(codecs._codec_registry["temporary_registry_probe"], Temporary)
    finally:
        codecs.unregister_codec("temporary_registry_probe")
    assert "temporary_registry_probe" not in codecs._codec_registry


def test_accepts_kwarg_inspects_each_function_once() -> None:
    def modern(value, *, key=None, context=None):
        return value

    def legacy(value, *, key=None):
        return value

    def catch_all(value, **options):
        return value

    codecs.accepts_kwarg.cache_clear()
    assert codecs.accepts_kwarg(modern, "context") and not codecs.accepts_kwarg(legacy, "context")
    assert codecs.accepts_kwarg(catch_all, "context")
    for _ in range(10):
        codecs.accepts_kwarg(modern, "context")
    info = codecs.accepts_kwarg.cache_info()
    assert (info.misses, info.hits) == (3, 10)
    assert codecs._accepts_kwarg is codecs.accepts_kwarg


# --- SparkAdapter -------------------------------------------------------------------------------


class ArrayAdapter:
    name = "array_adapter"

    def to_spark(self, decoded, *, key=None):
        return np.asarray(decoded).tolist()


class LeakyAdapter:
    name = "leaky"

    def to_spark(self, decoded, *, key=None):
        return decoded  # hands numpy arrays and tuples through unchanged


def test_spark_adapter_is_structural() -> None:
    assert dj.SparkAdapter is SparkAdapter
    assert isinstance(ArrayAdapter(), SparkAdapter)
    assert not isinstance(get_codec("blob"), SparkAdapter)
    assert not isinstance(get_codec("hash"), SparkAdapter)


def test_to_spark_returns_checked_values() -> None:
    assert to_spark(ArrayAdapter(), np.arange(3), key={"id": 1}) == [0, 1, 2]
    assert to_spark(LeakyAdapter(), {"x": 1.5, "tags": ["a", None], "at": np.float32(2)}) == {
        "x": 1.5, "tags": ["a", None], "at": np.float32(2)}


@pytest.mark.parametrize("bad, where", [
    (np.arange(3), "tolist"), ((1, 2), "tuple"), ({1, 2}, "set"), ({1: "a"}, "non-string key"),
    ([1, object()], r"value\[1\]"),
])
def test_to_spark_refuses_shapes_spark_cannot_hold(bad, where: str) -> None:
    with pytest.raises(DataJointError, match=where):
        to_spark(LeakyAdapter(), bad)


def test_to_spark_refuses_a_codec_without_the_method() -> None:
    with pytest.raises(DataJointError, match="<blob> does not implement SparkAdapter"):
        to_spark(get_codec("blob"), b"x")
    check_spark_shape(None)  # None is allowed


# --- legacy codec context -----------------------------------------------------------------------


class LegacyContextCodec(SchemaCodec):
    name = "legacy_context_probe"

    def encode(self, value, *, key=None, store_name=None):
        return self._extract_context(key)

    def decode(self, stored, *, key=None):
        return stored


def test_extract_context_warns_only_for_the_underscore_keys() -> None:
    codec = get_codec("legacy_context_probe")
    with pytest.warns(DeprecationWarning, match="1550"):
        found = codec.encode(b"x", key={"_schema": "lab", "_table": "t", "_field": "f", "id": 1})
    assert found == ("lab", "t", "f", {"id": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert codec.encode(b"x", key={"id": 1}) == ("unknown", "unknown", "data", {"id": 1})
        assert SchemaCodec._extract_context({"_schema": "old", "id": 2}, {"schema": "new", "table": "t"}) == (
            "new", "t", "data", {"id": 2})


# --- NpyRef with DataJoint 2.3 style backends ---------------------------------------------------


def test_npy_ref_mmap_with_backends_of_the_reference_interface(tmp_path) -> None:
    np.save(tmp_path / "a.npy", np.arange(5.0))
    meta = {"path": "a.npy", "store": None, "dtype": "float64", "shape": [5]}

    class LocalBackend:  # DataJoint 2.3 backends name the local path method _full_path
        protocol = "file"

        def _full_path(self, path):
            return str(tmp_path / path)

    class RemoteBackend:  # get_buffer only, no get_file
        protocol = "s3"

        def get_buffer(self, path):
            return (tmp_path / path).read_bytes()

    local = NpyRef(meta, LocalBackend()).load(mmap_mode="r")
    assert isinstance(local, np.memmap) and local.tolist() == [0, 1, 2, 3, 4]
    remote_meta = dict(meta, path=f"remote-{tmp_path.name}.npy")
    (tmp_path / remote_meta["path"]).write_bytes((tmp_path / "a.npy").read_bytes())
    assert NpyRef(remote_meta, RemoteBackend()).load(mmap_mode="r").tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(TypeError, match="0-dimensional"):
        len(NpyRef(dict(meta, shape=[]), LocalBackend()))


def test_store_only_codecs_say_they_require_a_store() -> None:
    for spec in ("<npy>", "<object>", "<hash>"):
        with pytest.raises(DataJointError, match="requires @"):
            codecs.resolve_dtype(spec)
    with pytest.raises(DataJointError, match="requires numpy.ndarray"):
        get_codec("npy").validate([1, 2])
    with pytest.raises(DataJointError, match="object dtype"):
        get_codec("npy").validate(np.array([1, "a"], dtype=object))


# --- raw binary columns -------------------------------------------------------------------------


def _native_binary(connection: dj.Connection) -> str:
    return "bytea" if connection.engine.dialect.name == "postgresql" else "longblob"


@pytest.mark.parametrize("column", ["native", "bytes"])
def test_binary_columns_take_bytes_and_refuse_arrays(schema, connection, column: str) -> None:
    kind = _native_binary(connection) if column == "native" else "bytes"

    @schema
    class Raw(dj.Manual):
        definition = f"""
        raw_id : int32
        ---
        data : {kind}
        """

    Raw.insert1({"raw_id": 1, "data": b"\x00raw"})
    for value in (np.arange(3.0), np.array([7.0]), np.array(5.0), [1, 2]):
        with pytest.raises(DataJointError, match=r"raw bytes only, got (ndarray|list); declare the attribute as <blob>"):
            Raw.insert1({"raw_id": 2, "data": value})
        with pytest.raises(DataJointError, match="raw bytes only"):
            Raw.insert([{"raw_id": 3, "data": b"ok"}, {"raw_id": 4, "data": value}])
        with pytest.raises(DataJointError, match="raw bytes only"):
            Raw.update1({"raw_id": 1, "data": value})
    assert Raw.to_dicts() == [{"raw_id": 1, "data": b"\x00raw"}]
    result = Raw.validate([{"raw_id": 5, "data": np.arange(3)}, {"raw_id": 6, "data": b"fine"}])
    assert [(row, name) for row, name, _ in result.errors] == [(0, "data")]
    assert "raw bytes only" in result.errors[0][2]


class SpanCodec(dj.Codec):
    """A typed codec that opts into SparkAdapter: (low, high) kept as a <blob>, rendered as a dict."""

    name = "spark_span"

    def get_dtype(self, is_store):
        return "<blob>"

    def encode(self, value, *, key=None):
        return np.array(value, dtype=float)

    def decode(self, stored, *, key=None):
        return tuple(stored.tolist())

    def to_spark(self, decoded, *, key=None):
        return {"low": decoded[0], "high": decoded[1]}


def test_heading_codec_is_the_instance_a_spark_consumer_checks(schema) -> None:
    @schema
    class Spans(dj.Manual):
        definition = """
        span_id : int32
        ---
        span : <spark_span>
        raw : <blob>
        note = null : varchar(16)
        """

    Spans.insert1({"span_id": 1, "span": (0.5, 2.0), "raw": [1, 2]})
    heading = Spans.heading
    assert heading["span"].codec is get_codec("spark_span") and heading["note"].codec is None
    row = Spans.fetch1()
    eligible = {name: to_spark(heading[name].codec, value) for name, value in row.items()
                if heading[name].codec is not None and isinstance(heading[name].codec, SparkAdapter)}
    assert eligible == {"span": {"low": 0.5, "high": 2.0}}
    assert not isinstance(heading["raw"].codec, SparkAdapter)
