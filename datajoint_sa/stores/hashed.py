"""Hash-addressed content: written once per schema and store, found again by its digest.

Identical content in one schema is stored once (deduplication): a write first checks
whether the path of its digest exists.  Nothing here deletes content that rows still
refer to; :mod:`datajoint_sa.stores.gc` removes what no row refers to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DataJointError
from .backend import backend_for
from .paths import content_hash, hash_path
from .spec import store_spec

__all__ = ["put_hash", "get_hash"]


def put_hash(data: bytes | bytearray | memoryview, schema: str, store: str | None = None, *,
             config: Any = None) -> dict[str, Any]:
    """Store ``data`` (unless already there) and return the row's metadata {hash, path, schema, store, size}."""
    spec = store_spec(store, config=config)
    digest = content_hash(data)
    path = hash_path(digest, schema, hash_prefix=spec["hash_prefix"], subfolding=spec.get("subfolding"))
    backend = backend_for(store, config=config)
    if not backend.exists(path):
        backend.put_buffer(data, path)
    return {"hash": digest, "path": path, "schema": schema, "store": store, "size": len(data)}


def get_hash(metadata: Mapping[str, Any], *, config: Any = None) -> bytes:
    """The content a row's metadata points at, checked against its digest."""
    backend = backend_for(metadata.get("store"), config=config)
    data = backend.get_buffer(metadata["path"])
    if content_hash(data) != metadata["hash"]:
        raise DataJointError(f"Stored object {metadata['path']} does not match its hash {metadata['hash']}: "
                             "the file was changed or corrupted.")
    return data
