"""Lazy handles to stored objects: fetching a row gives an :class:`ObjectRef`, not the bytes.

Nothing is read from the store until a method that needs the content (``read``,
``open``, ``download``, ``listdir`` ...) is called.
"""

from __future__ import annotations

import datetime
import json
import pathlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from ..errors import DataJointError
from .backend import StoreBackend, backend_for

__all__ = ["ObjectRef"]


@dataclass
class ObjectRef:
    """A file or folder in a store, described by the metadata its row holds."""

    path: str
    size: int | None = None
    hash: str | None = None
    ext: str | None = None
    is_dir: bool = False
    timestamp: datetime.datetime | None = None
    store: str | None = None
    url: str | None = None
    mime_type: str | None = None
    item_count: int | None = None
    _config: Any = field(default=None, repr=False, compare=False)
    _filepath: bool = field(default=False, repr=False, compare=False)  # an unnamed store means filepath_default
    _backend: StoreBackend | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str, backend: StoreBackend | None = None,
                  config: Any = None, filepath: bool = False) -> ObjectRef:
        meta = json.loads(data) if isinstance(data, str) else dict(data)
        stamp = meta.get("timestamp")
        if isinstance(stamp, str):
            stamp = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        return cls(path=meta["path"], size=meta.get("size"), hash=meta.get("hash"), ext=meta.get("ext"),
                   is_dir=bool(meta.get("is_dir", False)), timestamp=stamp, store=meta.get("store"),
                   url=meta.get("url"), mime_type=meta.get("mime_type"), item_count=meta.get("item_count"),
                   _config=config, _filepath=filepath, _backend=backend)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "size": self.size, "hash": self.hash, "ext": self.ext,
                                "is_dir": self.is_dir,
                                "timestamp": self.timestamp.isoformat() if self.timestamp else None}
        data.update({k: getattr(self, k) for k in ("url", "store", "mime_type") if getattr(self, k)})
        if self.item_count is not None:
            data["item_count"] = self.item_count
        return data

    # -- the store ---------------------------------------------------------------------
    @property
    def backend(self) -> StoreBackend:
        if self._backend is None:
            self._backend = backend_for(self.store, config=self._config, filepath=self._filepath)
        return self._backend

    @property
    def fs(self) -> Any:
        return self.backend.fs

    @property
    def fsmap(self) -> Any:
        """A mapping over the object's keys, for ``zarr.open(ref.fsmap)``."""
        import fsspec

        return fsspec.FSMap(self.backend.full_path(self.path), self.backend.fs)

    @property
    def full_path(self) -> str:
        """The object's URL (``file:///...``, ``s3://bucket/...``)."""
        return self.backend.url(self.path)

    def _inside(self, subpath: str | None) -> str:
        if not subpath:
            return self.path
        if not self.is_dir:
            raise DataJointError(f"{self.path} is a file: a subpath applies to folder objects only.")
        return f"{self.path}/{subpath}"

    # -- content -------------------------------------------------------------------------
    def read(self) -> bytes:
        if self.is_dir:
            raise DataJointError(f"Cannot read {self.path}: it is a folder; use listdir(), walk() or open(subpath).")
        return self.backend.get_buffer(self.path)

    def open(self, subpath: str | None = None, mode: str = "rb") -> IO[Any]:
        return self.backend.open(self._inside(subpath), mode)

    def exists(self, subpath: str | None = None) -> bool:
        return self.backend.exists(self._inside(subpath))

    def listdir(self, subpath: str = "") -> list[str]:
        if not self.is_dir:
            raise DataJointError(f"Cannot listdir {self.path}: it is a file; use read() or open().")
        entries = self.backend.fs.ls(self.backend.full_path(self._inside(subpath)), detail=False)
        return [e.rstrip("/").split("/")[-1] for e in entries]

    def walk(self) -> Iterator[tuple[str, list[str], list[str]]]:
        if not self.is_dir:
            raise DataJointError(f"Cannot walk {self.path}: it is a file; use read() or open().")
        top = self.backend.full_path(self.path)
        for root, dirs, files in self.backend.fs.walk(top):
            yield root[len(top):].lstrip("/"), dirs, files

    def download(self, destination: str | pathlib.Path, subpath: str | None = None) -> pathlib.Path:
        """Copy the object (or a file inside a folder object) to a local path; returns that path."""
        target = pathlib.Path(destination)
        remote = self._inside(subpath)
        if self.is_dir and not subpath:
            target.mkdir(parents=True, exist_ok=True)
            self.backend.fs.get(self.backend.full_path(remote) + "/", str(target), recursive=True)
            return target
        if target.is_dir():
            target = target / remote.rsplit("/", 1)[-1]
        self.backend.get_file(remote, target)
        return target

    def verify(self) -> bool:
        """Whether the stored object matches its metadata (size, hash, folder manifest); raises if not."""
        if self.is_dir:
            return self._verify_folder()
        if not self.backend.exists(self.path):
            raise DataJointError(f"Stored object {self.path} does not exist.")
        if self.size is not None and self.backend.size(self.path) != self.size:
            raise DataJointError(f"Stored object {self.path} has size {self.backend.size(self.path)}, expected {self.size}.")
        return True

    def _verify_folder(self) -> bool:
        manifest_path = f"{self.path}.manifest.json"
        if not self.backend.exists(manifest_path):
            return True
        problems = []
        for entry in json.loads(self.backend.get_buffer(manifest_path)).get("files", []):
            path = f"{self.path}/{entry['path']}"
            if not self.backend.exists(path):
                problems.append(f"missing {entry['path']}")
            elif self.backend.size(path) != entry["size"]:
                problems.append(f"size of {entry['path']} differs")
        if problems:
            raise DataJointError(f"Folder object {self.path} does not match its manifest: {'; '.join(problems)}.")
        return True

    def __repr__(self) -> str:
        return f"ObjectRef({'folder' if self.is_dir else 'file'}: {self.path}, size={self.size})"

    def __str__(self) -> str:
        return self.path
