"""The codec API: registration by subclassing, chains, context passed to codecs, errors."""

from __future__ import annotations

import numpy as np
import pytest

import datajoint_sa as dj
from datajoint_sa.codecs import codec_chain, resolve_dtype, storage_type, unregister_codec
from datajoint_sa.errors import DataJointError
from datajoint_sa.types import parse_type


class Interval:
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high


class IntervalCodec(dj.Codec):
    """A user codec chained onto <blob>: an Interval stored as a two-element array."""

    name = "interval"
    seen_context: dict = {}

    def get_dtype(self, is_store: bool) -> str:
        return "<blob>"

    def encode(self, value, *, key=None, context=None, store_name=None):
        IntervalCodec.seen_context = {"key": dict(key or {}), "context": dict(context or {}), "store": store_name}
        return np.array([value.low, value.high])

    def decode(self, stored, *, key=None, context=None):
        return Interval(*stored.tolist())

    def validate(self, value) -> None:
        if not isinstance(value, Interval):
            raise TypeError(f"<interval> takes an Interval, got {type(value).__name__}")


class OldStyleCodec(dj.Codec):
    """A codec written without ``context`` or ``store_name`` still works."""

    name = "upper"

    def get_dtype(self, is_store: bool) -> str:
        return "varchar(40)"

    def encode(self, value, *, key=None):
        return value.upper()

    def decode(self, stored, *, key=None):
        return stored.lower()


def test_subclass_registers_by_name() -> None:
    assert {"blob", "attach", "hash", "object", "npy", "filepath", "interval", "upper"} <= set(dj.list_codecs())
    assert isinstance(dj.get_codec("<interval>"), IntervalCodec)
    assert isinstance(dj.get_codec("blob@store"), dj.get_codec("blob").__class__)


def test_abstract_and_duplicate_codecs() -> None:
    class Base(dj.Codec, register=False):
        name = "not_registered"

        def get_dtype(self, is_store):
            return "bytes"

    assert "not_registered" not in dj.list_codecs()
    with pytest.raises(DataJointError, match="already registered"):
        class Another(dj.Codec):
            name = "blob"

            def get_dtype(self, is_store):
                return "bytes"

            def encode(self, value, *, key=None):
                return value

            def decode(self, stored, *, key=None):
                return stored


def test_chains_resolve_to_core_types() -> None:
    assert resolve_dtype("<blob>")[0] == "bytes"
    final, chain, store = resolve_dtype("<blob@cold>")
    assert (final, [c.name for c in chain], store) == ("json", ["blob", "hash"], "cold")
    final, chain, store = codec_chain(parse_type("<interval@>"))
    assert (final, [c.name for c in chain], store) == ("json", ["interval", "blob", "hash"], "")
    assert storage_type(parse_type("<interval>")).kind == "bytes"
    for bad in ("<hash>", "<object>", "<npy>", "<filepath>"):
        with pytest.raises(DataJointError, match="store"):
            storage_type(parse_type(bad))
    with pytest.raises(DataJointError, match="Unknown codec <nosuch>"):
        storage_type(parse_type("<nosuch>"))


def test_cycle_is_reported() -> None:
    class Loop(dj.Codec):
        name = "loop_codec"

        def get_dtype(self, is_store):
            return "<loop_codec>"

        def encode(self, value, *, key=None):
            return value

        def decode(self, stored, *, key=None):
            return stored

    try:
        with pytest.raises(DataJointError, match="refers back"):
            resolve_dtype("<loop_codec>")
    finally:
        unregister_codec("loop_codec")


def test_user_codecs_in_a_table(schema) -> None:
    @schema
    class Span(dj.Manual):
        definition = """
        span_id : int32
        ---
        span : <interval>
        label = null : <upper>
        """

    Span.insert1({"span_id": 3, "span": Interval(1.5, 2.5), "label": "abc"})
    seen = IntervalCodec.seen_context
    assert seen["key"]["span_id"] == 3 and seen["context"]["field"] == "span"
    assert seen["context"]["schema"] == schema.database and seen["context"]["table"] == "span"
    row = (Span & {"span_id": 3}).fetch1()
    assert (row["span"].low, row["span"].high, row["label"]) == (1.5, 2.5, "abc")
    raw = Span.to_arrays("label")  # stored upper-case, decoded on fetch
    assert list(raw) == ["abc"]
    with pytest.raises(DataJointError, match="Interval"):
        Span.insert1({"span_id": 4, "span": (1, 2)})
    assert len(Span()) == 1
    assert Span.validate([{"span_id": 5, "span": "x"}]).is_valid is False


def test_unknown_codec_fails_declaration(schema) -> None:
    class Bad(dj.Manual):
        definition = """
        bad_id : int32
        ---
        x : <no_such_codec>
        """

    with pytest.raises(DataJointError, match="no_such_codec"):
        schema(Bad)


def test_update1_encodes_codec_values(schema) -> None:
    @schema
    class Holder(dj.Manual):
        definition = """
        holder_id : int32
        ---
        value : <blob>
        """

    Holder.insert1({"holder_id": 1, "value": [1]})
    Holder.update1({"holder_id": 1, "value": np.arange(3)})
    np.testing.assert_array_equal((Holder & {"holder_id": 1}).fetch1("value"), np.arange(3))


def test_blob_of_nan_is_a_value_not_null(schema) -> None:
    @schema
    class Reading(dj.Manual):
        definition = """
        reading_id : int32
        ---
        value = null : <blob>
        """

    Reading.insert([{"reading_id": 1, "value": float("nan")}, {"reading_id": 2, "value": np.float32("nan")},
                    {"reading_id": 3, "value": None}])
    values = dict(zip(*Reading.to_arrays("reading_id", "value", order_by="reading_id")))
    assert np.isnan(values[1]) and np.isnan(values[2]) and values[3] is None
