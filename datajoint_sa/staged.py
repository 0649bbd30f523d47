"""Staged insert: write a row's ``<object@>`` content straight into the store, then insert the row.

Large results (Zarr arrays, HDF5 files) need not be written locally first::

    with Recording.staged_insert1 as staged:
        staged.rec["recording_id"] = 1          # the primary key first: it is part of the path
        z = zarr.open(staged.store("traces", ".zarr"), mode="w", shape=(1000, 64))
        z[:] = data
        staged.rec["notes"] = "..."
    # on leaving the block the metadata is computed and the row inserted;
    # if the block raises, the staged objects are removed and nothing is inserted.
"""

from __future__ import annotations

import datetime
from types import TracebackType
from typing import IO, Any

from .errors import DataJointError
from .stores.backend import StoreBackend, backend_for
from .stores.paths import object_path
from .stores.spec import store_spec

__all__ = ["StagedInsert"]


class StagedInsert:
    """One row being built: ``rec`` holds its values, ``open``/``store`` write its objects in place."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.rec: dict[str, Any] = {}
        self._staged: dict[str, tuple[str, str | None, str | None]] = {}  # field -> (path, ext, store)

    # -- where objects go ------------------------------------------------------------------
    def _store_of(self, field: str) -> str | None:
        heading = self.table.heading
        if field not in heading.names:
            raise DataJointError(f"Attribute {field!r} not found in {self.table.class_name}; "
                                 f"available: {', '.join(heading.names)}.")
        kind = heading[field].type
        if kind.kind != "codec" or kind.codec != "object":
            raise DataJointError(f"Attribute {field!r} of {self.table.class_name} is not an <object@> attribute: "
                                 "only <object@> attributes can be staged.")
        return kind.store or None

    def _backend(self, store: str | None) -> StoreBackend:
        return backend_for(store, config=self.table._codec_context().get("config"))

    def _path(self, field: str, ext: str | None) -> tuple[str, str | None]:
        """(store-relative path, store) of the object of ``field``; the same path on every call."""
        if field in self._staged:
            path, _, store = self._staged[field]
            return path, store
        store = self._store_of(field)
        missing = [k for k in self.table.primary_key if k not in self.rec]
        if missing:
            raise DataJointError(f"Primary key attribute(s) {', '.join(missing)} must be set in staged.rec "
                                 f"before staging {field!r}: the object's path contains the key.")
        spec = store_spec(store)
        key = {k: self.rec[k] for k in self.table.primary_key}
        context = self.table._codec_context()
        ext = (ext if ext.startswith(".") else f".{ext}") if ext else None
        path = object_path(context["schema"], context["table"], field, key, ext,
                           schema_prefix=spec["schema_prefix"], partition_pattern=spec.get("partition_pattern"),
                           token_length=spec.get("token_length") or 8)
        self._staged[field] = (path, ext, store)
        return path, store

    # -- writing ---------------------------------------------------------------------------
    def open(self, field: str, ext: str = "", mode: str = "wb") -> IO[Any]:
        """A file object writing the single-file object of ``field`` (``ext`` e.g. ``'.dat'``)."""
        path, store = self._path(field, ext)
        return self._backend(store).open(path, mode)

    def store(self, field: str, ext: str = "") -> Any:
        """An ``fsspec.FSMap`` over the folder object of ``field`` (for ``zarr.open(...)``)."""
        import fsspec

        path, store = self._path(field, ext)
        backend = self._backend(store)
        return fsspec.FSMap(backend.full_path(path), backend.fs, check=False, create=True)

    @property
    def fs(self) -> Any:
        """The fsspec filesystem of the store of the table's first ``<object@>`` attribute."""
        for name in self.table.heading.names:
            kind = self.table.heading[name].type
            if kind.kind == "codec" and kind.codec == "object":
                return self._backend(kind.store or None).fs
        raise DataJointError(f"{self.table.class_name} has no <object@> attribute to stage.")

    # -- completion ------------------------------------------------------------------------
    def _metadata(self, field: str) -> dict[str, Any]:
        path, ext, store = self._staged[field]
        backend = self._backend(store)
        if backend.isdir(path):
            files = backend.walk_files(path)
            size, count, is_dir = sum(files.values()), len(files), True
        else:
            size, count, is_dir = backend.size(path), None, False
        return {"path": path, "store": store, "size": size, "ext": ext, "is_dir": is_dir, "item_count": count,
                "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    def _discard(self) -> None:
        for path, _, store in self._staged.values():
            backend = self._backend(store)
            try:
                if backend.isdir(path):
                    backend.fs.rm(backend.full_path(path), recursive=True)
                else:
                    backend.remove(path)
            except FileNotFoundError:
                pass

    def __enter__(self) -> StagedInsert:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            row = {**self.rec, **{field: self._metadata(field) for field in self._staged}}
            self.table.insert1(row)
        except BaseException:
            self._discard()
            raise
