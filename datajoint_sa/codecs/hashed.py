"""``<hash@store>``: bytes kept in a store under their MD5 digest, stored once per schema.

The column holds ``{hash, path, schema, store, size}``; ``<blob@>`` and ``<attach@>``
chain into this codec.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataJointError
from ..hash_registry import get_hash, put_hash
from .base import Codec


class HashCodec(Codec):
    name = "hash"

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<hash> requires @ (it keeps its content in a store): write <hash@> or <hash@store>.")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError(f"<hash> takes bytes; got {type(value).__name__}")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        schema = (context or {}).get("schema") or (key or {}).get("_schema") or "unknown"
        return put_hash(value, schema, store_name, config=self._codec_config(key, context))

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> bytes:
        return get_hash(stored, config=self._codec_config(key, context))
