"""One store's files through fsspec: local file system, S3-compatible, GCS, Azure.

Paths given to a :class:`StoreBackend` are relative to the store (``_hash/lab/abc...``);
the backend prefixes the bucket and ``location`` exactly as DataJoint 2.x does, so both
read and write the same keys.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile
from datetime import datetime, timezone
from typing import Any

from ..errors import DataJointError, MissingExternalFile
from ..storage_adapter import StorageAdapter, get_storage_adapter

__all__ = ["StoreBackend", "backend_for"]


class StoreBackend:
    """File operations on one configured store (``spec`` as :func:`store_spec` returns it).

    The store's protocol is served by its :class:`~datajoint_sa.storage_adapter.StorageAdapter`
    (filesystem, paths, URLs), so plugin protocols work wherever built-in ones do.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.protocol = spec.get("protocol", "file")
        self._fs: Any = None
        self._validate_spec()
        if self.protocol == "file" and not pathlib.Path(spec["location"]).is_dir():
            raise DataJointError(f"The location of a file store is not a directory: {spec['location']}")

    @property
    def adapter(self) -> StorageAdapter:
        """The adapter of this store's protocol; DataJointError when none is installed."""
        adapter = get_storage_adapter(self.protocol)
        if adapter is None:
            raise DataJointError(f"Unsupported storage protocol {self.protocol!r}: install a plugin that "
                                 f"provides it (entry-point group 'datajoint.storage').")
        return adapter

    def _validate_spec(self) -> None:
        self.adapter.validate_spec(self.spec)

    # -- the file system ------------------------------------------------------------
    @property
    def fs(self) -> Any:
        if self._fs is None:
            self._fs = self._create_filesystem()
        return self._fs

    def _create_filesystem(self) -> Any:
        return self.adapter.create_filesystem(self.spec)

    def full_path(self, path: str | os.PathLike[str]) -> str:
        """The path as the file system names it: location (and bucket) prefixed, forward slashes."""
        return self.adapter.full_path(self.spec, str(path).replace(os.sep, "/"))

    _full_path = full_path  # the name DataJoint 2.3 code calls

    def get_url(self, path: str) -> str:
        """A URL naming the object at store-relative ``path`` (``file:///...``, ``s3://bucket/...``)."""
        return self.adapter.get_url(self.spec, self.full_path(path))

    url = get_url

    # -- bytes ---------------------------------------------------------------------
    def put_buffer(self, data: bytes | bytearray | memoryview, path: str) -> None:
        """Write ``data`` at ``path``; a local file appears whole or not at all (written aside, then renamed)."""
        full = self.full_path(path)
        if self.protocol != "file":
            self.fs.pipe_file(full, bytes(data) if not isinstance(data, bytes) else data)
            return
        target = pathlib.Path(full)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            pathlib.Path(temporary).unlink(missing_ok=True)
            raise

    def get_buffer(self, path: str) -> bytes:
        full = self.full_path(path)
        try:
            if self.protocol == "file":
                return pathlib.Path(full).read_bytes()
            return self.fs.cat_file(full)
        except FileNotFoundError:
            raise MissingExternalFile(f"Missing stored object {full}") from None

    # -- files and folders -----------------------------------------------------------
    def exists(self, path: str) -> bool:
        return self.fs.exists(self.full_path(path))

    def isdir(self, path: str) -> bool:
        return self.fs.isdir(self.full_path(path))

    def size(self, path: str) -> int:
        return self.fs.size(self.full_path(path))

    def remove(self, path: str) -> None:
        try:
            self.fs.rm(self.full_path(path))
        except FileNotFoundError:
            pass

    def open(self, path: str, mode: str = "rb") -> Any:
        full = self.full_path(path)
        if self.protocol == "file" and "w" in mode:
            pathlib.Path(full).parent.mkdir(parents=True, exist_ok=True)
        return self.fs.open(full, mode)

    def get_file(self, path: str, local: str | os.PathLike[str]) -> None:
        pathlib.Path(local).parent.mkdir(parents=True, exist_ok=True)
        self.fs.get(self.full_path(path), str(local), recursive=self.isdir(path))

    def put_folder(self, local: str | os.PathLike[str], path: str) -> dict[str, Any]:
        """Copy a local folder to ``path`` and write its ``{path}.manifest.json`` sidecar."""
        source = pathlib.Path(local)
        if not source.is_dir():
            raise DataJointError(f"Not a directory: {source}")
        files = [{"path": f.relative_to(source).as_posix(), "size": f.stat().st_size}
                 for f in sorted(source.rglob("*")) if f.is_file()]
        full = self.full_path(path)
        if self.protocol == "file":
            shutil.copytree(source, full, dirs_exist_ok=True)
        else:
            self.fs.put(str(source), full, recursive=True)
        manifest = {"files": files, "total_size": sum(f["size"] for f in files), "item_count": len(files),
                    "created": datetime.now(timezone.utc).isoformat()}
        self.put_buffer(json.dumps(manifest, indent=2).encode(), f"{path}.manifest.json")
        return manifest

    def walk_files(self, path: str) -> dict[str, int]:
        """Every file under ``path`` as {store-relative path: size}; empty when ``path`` does not exist."""
        root = self.full_path("").rstrip("/")
        try:
            found = self.fs.find(self.full_path(path), detail=True)
        except FileNotFoundError:
            return {}
        return {name[len(root):].lstrip("/"): int(info.get("size") or 0)
                for name, info in found.items() if info.get("type", "file") == "file"}


_CACHE: dict[str, StoreBackend] = {}


def backend_for(name: str | None = None, *, config: Any = None, filepath: bool = False) -> StoreBackend:
    """The backend of store ``name`` (None or '' for the default store), reused while its spec is unchanged."""
    from .spec import store_spec

    spec = store_spec(name, config=config, filepath=filepath)
    signature = json.dumps(spec, sort_keys=True, default=str)
    backend = _CACHE.get(signature)
    if backend is None:
        backend = _CACHE[signature] = StoreBackend(spec)
    return backend
