"""``<blob>``: any supported Python or NumPy value in DataJoint's blob format.

In the table (``bytes``) as ``<blob>``; in a store as ``<blob@>`` / ``<blob@store>``,
where the serialized bytes go through ``<hash>`` (deduplicated by content).
"""

from __future__ import annotations

from typing import Any

from .base import Codec


class BlobCodec(Codec):
    name = "blob"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> bytes:
        from .. import blob

        return blob.pack(value, compress=True)

    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        from .. import blob

        return blob.unpack(stored, squeeze=False)
