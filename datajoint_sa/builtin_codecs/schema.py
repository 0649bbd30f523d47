"""The base of schema-addressed codecs (objects at ``{schema}/{table}/{key}/{field}_{token}``)."""

from __future__ import annotations

from ..codecs.schema_addressed import SchemaCodec

__all__ = ["SchemaCodec"]
