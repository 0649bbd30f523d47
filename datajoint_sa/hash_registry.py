"""Hash-addressed content (``datajoint.hash_registry``): written once per schema and store, found by its digest.

Identical content in one schema is stored once: a write first checks whether the path
of its digest exists.  The path is recorded in the row's metadata and read from there,
so content stays readable after a store's ``hash_prefix`` changes.  Nothing here deletes
content that rows refer to; :mod:`datajoint_sa.gc` removes what no row refers to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import DataJointError
from .storage import get_store_backend
from .stores.paths import content_hash, hash_path
from .stores.spec import store_spec

__all__ = ["compute_hash", "build_hash_path", "put_hash", "get_hash", "delete_path", "get_store_backend"]


def compute_hash(data: bytes | bytearray | memoryview) -> str:
    """The 26-character lowercase base32 MD5 digest that names ``data`` in a store."""
    return content_hash(data)


def build_hash_path(content_hash: str, schema_name: str, subfolding: Sequence[int] | None = None,
                    hash_prefix: str = "_hash") -> str:
    """``{hash_prefix}/{schema}/[{fold}/...]{hash}``; DataJointError for a malformed digest."""
    return hash_path(content_hash, schema_name, hash_prefix=hash_prefix, subfolding=subfolding)


def put_hash(data: bytes | bytearray | memoryview, schema_name: str, store_name: str | None = None, *,
             config: Any = None) -> dict[str, Any]:
    """Store ``data`` unless already there; returns the row's metadata {hash, path, schema, store, size}."""
    spec = store_spec(store_name, config=config)
    digest = content_hash(data)
    path = hash_path(digest, schema_name, hash_prefix=spec["hash_prefix"], subfolding=spec.get("subfolding"))
    backend = get_store_backend(store_name, config=config)
    if not backend.exists(path):
        backend.put_buffer(data, path)
    return {"hash": digest, "path": path, "schema": schema_name, "store": store_name, "size": len(data)}


def get_hash(metadata: Mapping[str, Any], *, config: Any = None) -> bytes:
    """The content a row's metadata points at, checked against its digest."""
    backend = get_store_backend(metadata.get("store"), config=config)
    data = backend.get_buffer(metadata["path"])
    if content_hash(data) != metadata["hash"]:
        raise DataJointError(f"Hash mismatch for stored object {metadata['path']}: expected {metadata['hash']}, "
                             f"got {content_hash(data)}; the file was changed or corrupted.")
    return data


def delete_path(path: str, store_name: str | None = None, *, config: Any = None) -> bool:
    """Remove the object at store-relative ``path``; False when it was not there."""
    backend = get_store_backend(store_name, config=config)
    if not backend.exists(path):
        return False
    backend.remove(path)
    return True
