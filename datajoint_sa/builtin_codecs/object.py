"""``<object@>``: a file or folder stored under a path that mirrors schema, table and key."""

from __future__ import annotations

from ..codecs.schema_addressed import ObjectCodec

__all__ = ["ObjectCodec"]
