"""Attributes built from DataJoint 2.x keyword properties, their storage classification
(hash- or schema-addressed objects) as garbage collection uses it, and operands on
different connections."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from store_helpers import store_settings, stores

import datajoint_sa as dj
from datajoint_sa.codecs import Codec, ObjectCodec, get_codec
from datajoint_sa.condition import assert_join_compatibility
from datajoint_sa.errors import DataJointError
from datajoint_sa.heading import COMPUTED_TYPE, Attribute, Heading, default_attribute_properties
from datajoint_sa.types import parse_type


class HeadingTestFolderCodec(ObjectCodec):
    """A custom schema-addressed codec: recognized by its class, not its name."""

    name = "heading_test_folder"


class HeadingTestWrappedCodec(Codec):
    """A codec stored through ``<blob>``: with ``@`` its values become hash-addressed objects."""

    name = "heading_test_wrapped"

    def get_dtype(self, is_store: bool) -> str:
        return "<blob>"

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> Any:
        return {"wrapped": value}

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        return stored["wrapped"]


def _attr(**overrides: Any) -> Attribute:
    return Attribute(**{**default_attribute_properties, "name": "x", **overrides})


# -- construction ---------------------------------------------------------------------------
def test_default_properties_are_read_only_and_describe_a_computed_attribute() -> None:
    assert {"name", "type", "in_key", "nullable", "default", "comment", "codec", "store"} <= set(default_attribute_properties)
    with pytest.raises(TypeError):
        default_attribute_properties["comment"] = "changed"  # type: ignore[index]
    attr = Attribute(**default_attribute_properties)
    assert attr.name is None and attr.type == COMPUTED_TYPE and not attr.in_key and attr.codec is None


@pytest.mark.parametrize(("overrides", "text"), [
    ({"codec": get_codec("blob"), "store": "cold"}, "<blob@cold>"),
    ({"codec": "attach", "store": ""}, "<attach@>"),
    ({"codec": get_codec("blob")}, "<blob>"),
    ({"type": "<blob>", "store": "cold"}, "<blob@cold>"),
    ({"type": "<blob@cold>", "codec": "blob"}, "<blob@cold>"),
    ({"type": "longblob", "codec": "blob", "store": "cold"}, "<blob@cold>"),  # 2.x: type is the SQL type
    ({"type": "int32"}, "int32"),
])
def test_codec_and_store_give_the_type(overrides: dict, text: str) -> None:
    attr = _attr(**overrides)
    assert attr.type == parse_type(text)
    assert attr.store == parse_type(text).store


def test_properties_that_follow_from_the_type_are_ignored_and_aliases_map() -> None:
    attr = _attr(type="int32", numeric=False, is_blob=True, dtype=object, autoincrement=False,
                 attribute_expression="a + 1")
    assert attr.numeric and not attr.is_blob and attr.expression == "a + 1" and attr.is_computed
    assert Heading([{"name": "k", "type": "int32", "in_key": True, "string": True}]).primary_key == ["k"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"colour": "red"}, "unknown properties \\['colour'\\]"),
    ({"type": "int32", "store": "cold"}, "store='cold' applies to codec types"),
    ({"type": "<blob@a>", "codec": "attach"}, "disagrees"),
    ({"type": "<blob@a>", "store": "b"}, "disagrees"),
    ({"codec": 3}, "codec must be a Codec or a codec name"),
    ({"type": 3}, "type string or an AttributeType"),
    ({"expression": "a", "attribute_expression": "b"}, "disagree"),
])
def test_bad_properties_raise_naming_them(overrides: dict, message: str) -> None:
    with pytest.raises(DataJointError, match=message):
        _attr(**overrides)


def test_field_constructor_and_replace_keep_working() -> None:
    int32 = parse_type("int32")
    attr = Attribute("a", int32, in_key=True, lineage="s.t.a")
    assert attr == Attribute(name="a", type="int32", in_key=True, lineage="s.t.a")
    assert replace(attr, in_key=False) == Attribute("a", int32, lineage="s.t.a")
    assert hash(attr) == hash(Attribute("a", int32, True, lineage="s.t.a"))
    with pytest.raises(AttributeError):
        attr.name = "b"  # type: ignore[misc]


# -- storage classification ---------------------------------------------------------------------
@pytest.mark.parametrize(("type_text", "hashed", "schema_addressed"), [
    ("int32", False, False),
    ("<blob>", False, False),
    ("<attach>", False, False),
    ("<blob@>", True, False),
    ("<blob@cold>", True, False),
    ("<attach@cold>", True, False),
    ("<hash@cold>", True, False),
    ("<heading_test_wrapped@cold>", True, False),  # stored through <hash@> by its chain
    ("<heading_test_wrapped>", False, False),
    ("<object@cold>", False, True),
    ("<npy@>", False, True),
    ("<heading_test_folder@cold>", False, True),
    ("<filepath@cold>", False, False),
    ("<not_a_registered_codec@cold>", False, False),
])
def test_hash_and_schema_objects(type_text: str, hashed: bool, schema_addressed: bool) -> None:
    attr = _attr(type=type_text)
    assert (attr.is_hash_object, attr.is_schema_object) == (hashed, schema_addressed)


def test_codec_instances_classify_without_a_store() -> None:
    assert _attr(codec=get_codec("hash")).is_hash_object
    assert _attr(codec=get_codec("npy")).is_schema_object and not _attr(codec=get_codec("npy")).is_hash_object
    assert _attr(codec=get_codec("heading_test_folder")).is_schema_object


def test_heading_lists_its_stored_objects(schema) -> None:
    @schema
    class Stored(dj.Manual):
        definition = """
        sid : int32
        ---
        inline : <blob>
        hashed : <blob@>
        folder : <heading_test_folder@>
        arr : <npy@>
        """

    heading = Stored().heading
    assert heading.hash_objects == ["hashed"]
    assert heading.schema_objects == ["folder", "arr"]


def test_gc_keeps_objects_of_custom_codecs(schema, tmp_path) -> None:
    with stores(main=store_settings("file", tmp_path)):
        @schema
        class Custom(dj.Manual):
            definition = """
            cid : int32
            ---
            wrapped : <heading_test_wrapped@>
            folder : <heading_test_folder@>
            """

        source = tmp_path / "data.bin"
        source.write_bytes(b"content")
        Custom.insert([{"cid": i, "wrapped": np.arange(i + 3), "folder": source} for i in range(3)])
        collector = dj.gc.GarbageCollector(schema)
        assert len(collector.hash_references()) == 3 and len(collector.schema_references()) == 3
        report = collector.collect()
        assert report["hash_paths_orphaned"] == 0 and report["schema_paths_orphaned"] == 0
        (Custom & {"cid": 0}).delete_quick()
        report = collector.collect(dry_run=False)
        assert report["hash_paths_deleted"] == 1 and report["schema_paths_deleted"] >= 1
        assert [int(r["wrapped"][-1]) for r in Custom.to_dicts(order_by="cid")] == [3, 4]


# -- connections ------------------------------------------------------------------------------
def test_connection_config_is_its_configuration(connection) -> None:
    from datajoint_sa.settings import Config
    from datajoint_sa.settings import config as global_config

    assert connection.config is global_config  # dj.config is a proxy of it
    own = Config()
    own["safemode"] = True
    other = dj.Connection(connection.url, config_override=own)
    try:
        assert other.config is own and other.config["safemode"] is True
        with pytest.raises(AttributeError):
            other.config = global_config  # type: ignore[misc]  # fixed at connection
    finally:
        other.close()


def test_operands_on_different_connections_raise(schema, connection) -> None:
    @schema
    class Left(dj.Manual):
        definition = """
        lid : int32
        ---
        v : int32
        """

    Left.insert([{"lid": i, "v": i} for i in range(3)])
    other = dj.Connection(connection.url)  # the same server, another connection
    try:
        alien = dj.FreeTable(other, f"{schema.database}.{Left.table_name}")
        assert len(alien) == 3
        for operation in (lambda: Left * alien, lambda: Left & alien, lambda: Left - alien,
                          lambda: Left & [alien], lambda: Left & dj.Not(alien), lambda: Left + alien,
                          lambda: Left.aggr(alien, n="count(*)"), lambda: Left.extend(alien)):
            with pytest.raises(DataJointError, match="different connections"):
                operation()
        @schema
        class Right(dj.Manual):
            definition = """
            -> Left
            ---
            w : int32
            """

        Right.insert([{"lid": i, "w": 10 * i} for i in range(2)])
        assert len(Left * Right) == 2 and len(Left & Right) == 2 and len(Left - Right) == 1
        assert assert_join_compatibility(Left(), Right()) == ["lid"]
        with pytest.raises(DataJointError, match="different connections"):
            assert_join_compatibility(Left(), alien)
        assert len(dj.U("lid") & Left) == 3  # dj.U has no connection: it goes with any
    finally:
        other.close()
