"""``<object@>``: schema-addressed files and folders (DataJoint 2.3's ``builtin_codecs.object``)."""

from __future__ import annotations

from ..codecs.schema_addressed import ObjectCodec, SchemaCodec

__all__ = ["ObjectCodec", "SchemaCodec"]
