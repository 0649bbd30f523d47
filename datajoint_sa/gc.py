"""Garbage collection: remove stored objects that no row of the given schemas refers to.

DataJoint never deletes stored objects when rows go (hash-addressed content may be
shared, and deletes must stay fast); a collector lists what a store holds for each
schema and what the schemas' rows refer to, and removes the difference::

    collector = dj.gc.GarbageCollector(schema1, schema2, store="main")
    report = collector.collect()               # dry run: what would go
    report = collector.collect(dry_run=False)  # remove it

Every managed path contains its schema's name, so a collector only ever looks at the
sections of its own schemas; other schemas and ``<filepath@>`` files are out of reach.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from .errors import DataJointError
from .hash_registry import delete_path, get_store_backend

__all__ = ["GarbageCollector"]

logger = logging.getLogger(__name__.split(".")[0])

_HASH_NAME = re.compile(r"[a-z2-7]{26}")
_MANIFEST = ".manifest.json"


def _covered(path: str, referenced: set[str]) -> bool:
    """Whether a stored file is a referenced object, lies inside one (a folder), or is one's manifest."""
    if path.endswith(_MANIFEST):
        path = path[: -len(_MANIFEST)]
    while path:
        if path in referenced:
            return True
        path = path.rpartition("/")[0]
    return False


def _tables(schema: Any) -> Iterator[Any]:
    """The schema's tables: its declared classes (their headings know codec types on every
    backend), then the rest of its tables by reflection."""
    from .table import FreeTable

    declared = {}
    for cls in schema._classes.values():
        table = cls()
        declared[table.table_name] = table
    for name in schema.list_tables():
        table = declared.pop(name, None)  # (a table with no rows is falsy: compare with None)
        yield FreeTable(schema.connection, f"{schema.database}.{name}") if table is None else table


def _stored_columns(schema: Any, hashed: bool) -> Iterator[tuple[Any, str, Any]]:
    """(table, attribute, codec) for every attribute of ``schema`` whose values are hash-addressed
    (``hashed``: :attr:`Attribute.is_hash_object`) or schema-addressed (``is_schema_object``)
    objects in a store.  The codec is the innermost of the attribute's chain: it wrote the
    stored value, so it reads the paths the value refers to.
    """
    from .codecs import codec_chain

    for table in _tables(schema):
        for attr in table.heading.attributes.values():
            if attr.type.kind != "codec" or attr.type.store is None:
                continue  # the value is in the table
            # resolved first: a codec not registered here raises, rather than its objects looking orphaned
            chain = codec_chain(attr.type)[1]
            if attr.is_hash_object if hashed else attr.is_schema_object:
                yield table, attr.name, chain[-1]


def _schema_config(schema: Any) -> Any:
    """The configuration a schema's connection uses (its own, else the global ``dj.config``)."""
    config = getattr(getattr(schema, "connection", None), "config", None)
    if hasattr(config, "get_store_spec"):
        return config
    from .settings import config as global_config

    return global_config


class GarbageCollector:
    """Collects one store (None: the default store) for a fixed set of schemas.

    The store is resolved when the collector is built, so a misconfigured store fails
    at once rather than half-way through a collection.
    """

    def __init__(self, *schemas: Any, store: str | None = None, config: Any = None) -> None:
        if not schemas:
            raise DataJointError("At least one schema must be provided to GarbageCollector.")
        if config is None:
            config = _schema_config(schemas[0])
        self.schemas, self.store, self.config = list(schemas), store, config
        self.backend = get_store_backend(store, config=config)
        spec = config.get_store_spec(store)
        self._hash_prefix = (spec.get("hash_prefix") or "").strip("/")
        self._schema_prefix = (spec.get("schema_prefix") or "").strip("/")
        self._scan_errors: list[str] = []

    # -- what rows refer to --------------------------------------------------------------
    def _store_name(self, name: str | None) -> str | None:
        """A store name as configured: None or '' mean the default store."""
        if name:
            return name
        try:
            stores = self.config["stores"] or {}
        except (KeyError, TypeError):
            return None
        default = stores.get("default") if isinstance(stores, dict) else None
        return default if isinstance(default, str) else None

    def _references(self, hashed: bool) -> set[str]:
        mine = self._store_name(self.store)
        found: set[str] = set()
        for schema in self.schemas:
            for table, name, codec in _stored_columns(schema, hashed):
                column = table.sql_table.c[name]
                with table.connection.session() as conn:
                    for (stored,) in conn.execute(table.sql_table.select().with_only_columns(column)):
                        if stored is None:
                            continue
                        for path, store in codec.referenced_paths(stored):
                            if self._store_name(store) == mine:
                                found.add(path)
        return found

    def hash_references(self, verbose: bool = False) -> set[str]:
        """Store paths of hash-addressed objects (``<hash@>``, ``<blob@>``, ``<attach@>``) rows refer to."""
        return self._references(hashed=True)

    def schema_references(self, verbose: bool = False) -> set[str]:
        """Store paths of schema-addressed objects (``<object@>``, ``<npy@>``) rows refer to."""
        return self._references(hashed=False)

    # -- what the store holds --------------------------------------------------------------
    def _walk(self, section: str, method: str, schema_name: str) -> dict[str, int]:
        """{store-relative path: size} of every file under ``section``.

        A section that does not exist is empty.  Any other failure is recorded in the scan
        errors: the listing is then partial, and deleting from it could remove live objects.
        """
        backend = self.backend
        root = backend._full_path("").rstrip("/")
        found: dict[str, int] = {}
        try:
            for folder, _dirs, files in backend.fs.walk(backend._full_path(section), detail=True):
                folder = str(folder).rstrip("/")
                relative = folder[len(root):].lstrip("/") if root else folder
                for name, info in files.items():
                    size = info.get("size") if isinstance(info, dict) else None
                    found[f"{relative}/{name}" if relative else name] = int(size or 0)
        except FileNotFoundError:
            return {}
        except Exception as err:
            self._scan_errors.append(f"{method}({schema_name}): {err}")
        return found

    def _section(self, prefix: str, schema_name: str) -> str:
        return f"{prefix}/{schema_name}" if prefix else str(schema_name)

    def list_hash_paths(self, schema_name: str) -> dict[str, int]:
        """{path: size} of one schema's hash-addressed objects in the current hash section."""
        files = self._walk(self._section(self._hash_prefix, schema_name), "list_hash_paths", schema_name)
        return {p: s for p, s in files.items() if _HASH_NAME.fullmatch(p.rpartition("/")[2])}

    def list_schema_paths(self, schema_name: str) -> dict[str, int]:
        """{path: size} of every file (folder contents and manifests too) in one schema's section."""
        return self._walk(self._section(self._schema_prefix, schema_name), "list_schema_paths", schema_name)

    # -- removal -------------------------------------------------------------------------
    def delete_schema_path(self, path: str) -> bool:
        """Remove one file, then its parent folders that became empty (never the store root).

        Returns False when the file was not there.
        """
        backend, fs = self.backend, self.backend.fs
        if not fs.exists(backend._full_path(path)):
            return False
        fs.rm(backend._full_path(path))
        parent = path.rpartition("/")[0]
        while parent:
            full = backend._full_path(parent)
            try:
                if fs.ls(full):
                    break
                fs.rmdir(full)
            except (OSError, NotImplementedError):
                break
            parent = parent.rpartition("/")[0]
        return True

    def _delete(self, paths: list[str], sizes: dict[str, int], remove: Any) -> tuple[int, int, int]:
        deleted = freed = errors = 0
        for path in paths:
            try:
                gone = remove(path)
            except Exception as err:  # one failing object must not stop the rest
                errors += 1
                logger.warning(f"Could not delete {path}: {err}")
                continue
            if gone:
                deleted += 1
                freed += sizes.get(path, 0)
        return deleted, freed, errors

    def collect(self, dry_run: bool = True, verbose: bool = False) -> dict[str, Any]:
        """Report orphaned objects and, unless ``dry_run``, delete them; returns the statistics.

        Refuses to delete (DataJointError) when listing the store failed: a partial
        listing would make live objects look orphaned.
        """
        self._scan_errors = []
        hash_refs, schema_refs = self.hash_references(), self.schema_references()
        hash_stored: dict[str, int] = {}
        schema_stored: dict[str, int] = {}
        for schema in self.schemas:
            hash_stored.update(self.list_hash_paths(schema.database))
            schema_stored.update(self.list_schema_paths(schema.database))
        live = hash_refs | schema_refs  # a hash object outside the current hash section is still live
        orphan_hash = sorted(set(hash_stored) - hash_refs)
        orphan_schema = sorted(p for p in schema_stored if not _covered(p, live))
        scan_errors = list(self._scan_errors)
        if scan_errors and not dry_run:
            raise DataJointError("Refusing to delete: the store could not be listed completely, so live objects "
                                 f"might look orphaned ({'; '.join(scan_errors)}).")
        hash_deleted = schema_deleted = freed = errors = 0
        if not dry_run:
            hash_deleted, hash_freed, hash_errors = self._delete(
                orphan_hash, hash_stored, lambda p: delete_path(p, self.store, config=self.config))
            schema_deleted, schema_freed, schema_errors = self._delete(
                orphan_schema, schema_stored, self.delete_schema_path)
            freed, errors = hash_freed + schema_freed, hash_errors + schema_errors
        if verbose:
            logger.info(f"gc: {len(orphan_hash)} hash and {len(orphan_schema)} schema objects orphaned")
        return {
            "hash_paths_referenced": len(hash_refs), "hash_paths_stored": len(hash_stored),
            "hash_paths_orphaned": len(orphan_hash),
            "hash_paths_orphaned_bytes": sum(hash_stored[p] for p in orphan_hash),
            "orphaned_hash_paths": orphan_hash,
            "schema_paths_referenced": len(schema_refs), "schema_paths_stored": len(schema_stored),
            "schema_paths_orphaned": len(orphan_schema),
            "schema_paths_orphaned_bytes": sum(schema_stored[p] for p in orphan_schema),
            "orphaned_schema_paths": orphan_schema,
            "hash_paths_deleted": hash_deleted, "schema_paths_deleted": schema_deleted,
            "deleted": hash_deleted + schema_deleted, "bytes_freed": freed, "errors": errors,
            "scan_errors": scan_errors, "dry_run": dry_run,
        }
