"""Staged insert: write an ``<object@>`` attribute's content straight into its store, then insert the row.

``with table.staged_insert1 as staged:`` gives a :class:`StagedInsert`.  Set the primary
key in ``staged.rec`` first (the object's path is built from it), write through
``staged.open(field, ext)`` (one file) or ``staged.store(field, ext)`` (an fsspec
mapping, e.g. for Zarr), set the other attributes in ``staged.rec``.  On a clean exit
the metadata of each written object (size, item count, ...) is computed and the row
inserted; on an exception, or if the insert fails, the written objects are removed
and no row is inserted.
"""

from __future__ import annotations

import datetime
import json
from typing import IO, Any

from .errors import DataJointError

__all__ = ["StagedInsert"]


class StagedInsert:
    """One row being assembled while its objects are written to their stores (see the module)."""

    def __init__(self, table: Any) -> None:
        self._table = table
        self._rec: dict[str, Any] = {}
        self._staged: dict[str, dict[str, Any]] = {}  # field -> path, ext, store, backend, is_dir

    @property
    def rec(self) -> dict[str, Any]:
        """The row's attribute values; the primary key must be set before anything is written."""
        return self._rec

    @property
    def fs(self) -> Any:
        """The fsspec filesystem of the store of the table's first ``<object@>`` attribute (else the default store)."""
        fields = self._object_fields()
        return self._backend(self._table.heading[fields[0]].type.store if fields else None).fs

    def store(self, field: str, ext: str = "") -> Any:
        """An fsspec mapping rooted at the object's path: a folder-like object (Zarr and the like)."""
        staged = self._stage(field, ext, is_dir=True)
        return staged["backend"].fs.get_mapper(staged["backend"].full_path(staged["path"]), create=True)

    def open(self, field: str, ext: str = "", mode: str = "wb") -> IO[Any]:
        """A file handle writing the object of ``field`` (a single file)."""
        staged = self._stage(field, ext, is_dir=False)
        return staged["backend"].open(staged["path"], mode)

    # -- internals -----------------------------------------------------------------------------
    def _object_fields(self) -> list[str]:
        heading = self._table.heading
        return [n for n in heading.names if heading[n].type.kind == "codec" and heading[n].type.codec == "object"]

    @staticmethod
    def _backend(store: str | None) -> Any:
        from .stores.backend import backend_for

        return backend_for(store or None)

    def _stage(self, field: str, ext: str, *, is_dir: bool) -> dict[str, Any]:
        table = self._table
        if field not in self._object_fields():
            raise DataJointError(f"Staged writes go to <object@> attributes; {field!r} of {table.class_name} is not one "
                                 f"(object attributes: {', '.join(self._object_fields()) or 'none'}).")
        missing = [k for k in table.primary_key if k not in self._rec]
        if missing:
            raise DataJointError(f"Primary key attribute(s) {', '.join(missing)} must be set in staged.rec before "
                                 f"writing {field!r}: the object's path is built from the key.")
        if field in self._staged:
            return self._staged[field]
        from .codecs.schema_addressed import SchemaCodec

        store = table.heading[field].type.store or None
        key = {k: self._rec[k] for k in table.primary_key}
        path, _ = SchemaCodec._build_path(table.database, table.table_name, field, key, ext=ext or None,
                                          store_name=store)
        self._staged[field] = {"path": path, "ext": ext or None, "store": store, "backend": self._backend(store),
                               "is_dir": is_dir}
        return self._staged[field]

    def _metadata(self, staged: dict[str, Any]) -> dict[str, Any]:
        """What ``<object@>`` stores for a written object: the shape ObjectCodec.encode gives."""
        backend, path = staged["backend"], staged["path"]
        if staged["is_dir"]:
            files = backend.walk_files(path)
            prefix = path.rstrip("/") + "/"
            listed = [{"path": name[len(prefix):] if name.startswith(prefix) else name, "size": size}
                      for name, size in sorted(files.items())]
            size, count = sum(files.values()), len(files)
            manifest = {"files": listed, "total_size": size, "item_count": count,
                        "created": datetime.datetime.now(datetime.timezone.utc).isoformat()}
            backend.put_buffer(json.dumps(manifest, indent=2).encode(), f"{path}.manifest.json")
        else:
            if not backend.exists(path):
                raise DataJointError(f"Nothing was written to the staged object {path!r}.")
            size, count = backend.size(path), None
        return {"path": path, "store": staged["store"], "size": size, "ext": staged["ext"], "is_dir": staged["is_dir"],
                "item_count": count, "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    def _cleanup(self) -> None:
        for staged in self._staged.values():
            backend, path = staged["backend"], staged["path"]
            for target in (path, f"{path}.manifest.json"):
                try:
                    if backend.exists(target):
                        backend.fs.rm(backend.full_path(target), recursive=True)
                except (OSError, DataJointError):  # best effort: leftovers are garbage-collected later
                    pass

    def __enter__(self) -> StagedInsert:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        if kind is not None:
            self._cleanup()
            return
        try:
            for field, staged in self._staged.items():
                self._rec[field] = self._metadata(staged)
            self._table.insert1(self._rec)
        except BaseException:
            self._cleanup()
            raise
