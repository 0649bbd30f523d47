"""Storage adapters: what a store's ``protocol`` means (filesystem, required keys, paths, URLs).

A protocol is served by a :class:`StorageAdapter`.  The built-in ``file``, ``s3``,
``gcs`` and ``azure`` adapters are registered here; other packages add protocols through
the ``datajoint.storage`` entry-point group, loaded the first time a protocol is not
found::

    class VaultAdapter(dj.StorageAdapter):
        protocol = "vault"
        required_keys = ("protocol", "location", "endpoint")
        allowed_keys = ("endpoint", "token")

        def create_filesystem(self, spec):
            return VaultFileSystem(spec["endpoint"], token=spec.get("token"))

This module imports nothing of datajoint_sa but its errors, so every layer may use it.
"""

from __future__ import annotations

import importlib.metadata
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from .errors import DataJointError

__all__ = ["StorageAdapter", "get_storage_adapter", "register_storage_adapter", "list_storage_protocols"]

logger = logging.getLogger(__name__.split(".")[0])

ENTRY_POINT_GROUP = "datajoint.storage"

#: Keys every store may have, whatever its protocol.
_COMMON_STORE_KEYS: tuple[str, ...] = (
    "protocol", "location", "subfolding", "partition_pattern", "token_length",
    "hash_prefix", "schema_prefix", "filepath_prefix", "stage",
)

_adapter_registry: dict[str, StorageAdapter] = {}
_adapters_loaded = False


def _fsspec() -> Any:
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec is a dependency
        raise DataJointError("Object stores need fsspec: pip install fsspec") from None
    return fsspec


class StorageAdapter(ABC):
    """How one storage protocol is reached: subclass, set the class attributes, give ``create_filesystem``.

    ``required_keys`` must be present in a store's spec; a spec may hold only
    ``required_keys``, ``allowed_keys`` and the common store keys.
    """

    protocol: str = ""
    required_keys: tuple[str, ...] = ()
    allowed_keys: tuple[str, ...] = ()

    @abstractmethod
    def create_filesystem(self, spec: Mapping[str, Any]) -> Any:
        """An fsspec filesystem for a store of this protocol."""

    def validate_spec(self, spec: Mapping[str, Any]) -> None:
        """Raise DataJointError naming the missing or not-allowed keys of ``spec``."""
        missing = [k for k in self.required_keys if k not in spec]
        if missing:
            raise DataJointError(f"{self.protocol} store is missing: {', '.join(missing)}")
        allowed = set(_COMMON_STORE_KEYS) | set(self.required_keys) | set(self.allowed_keys)
        invalid = sorted(k for k in spec if k not in allowed)
        if invalid:
            raise DataJointError(f"Invalid key(s) for {self.protocol} store: {', '.join(invalid)}")

    def full_path(self, spec: Mapping[str, Any], relpath: str) -> str:
        """The path the filesystem names: ``location`` (when set) prefixed to the store-relative path."""
        location = str(spec.get("location") or "").rstrip("/")
        return f"{location}/{relpath}" if location else relpath

    def get_url(self, spec: Mapping[str, Any], path: str) -> str:
        """A URL that names the object (for display and for tools outside DataJoint)."""
        return f"{self.protocol}://{path}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} protocol={self.protocol!r}>"


class FileAdapter(StorageAdapter):
    """Local or mounted folders; ``location`` may be written with ``\\`` (Windows) or ``/``."""

    protocol = "file"
    required_keys = ("protocol", "location")

    def create_filesystem(self, spec: Mapping[str, Any]) -> Any:
        return _fsspec().filesystem("file", auto_mkdir=True)

    def full_path(self, spec: Mapping[str, Any], relpath: str) -> str:
        # fsspec names local files with forward slashes (walk/find output); so do we,
        # so that stripping the store root from listed names works on every OS.
        location = str(spec.get("location") or "").replace("\\", "/").rstrip("/")
        return f"{location}/{relpath}" if location else relpath

    def get_url(self, spec: Mapping[str, Any], path: str) -> str:
        from .storage import normalize_to_url

        return normalize_to_url(path)


class _BucketAdapter(StorageAdapter):
    """Object stores where paths start with a bucket (container)."""

    bucket_key = "bucket"
    scheme = ""

    def full_path(self, spec: Mapping[str, Any], relpath: str) -> str:
        bucket = spec.get(self.bucket_key, "")
        return "/".join(p for p in (bucket, str(spec.get("location") or "").strip("/"), relpath) if p)

    def get_url(self, spec: Mapping[str, Any], path: str) -> str:
        return f"{self.scheme}://{path}"


class S3Adapter(_BucketAdapter):
    """S3 and compatible servers (MinIO); without keys, botocore's ambient credentials are used."""

    protocol = "s3"
    scheme = "s3"
    required_keys = ("protocol", "endpoint", "bucket")
    allowed_keys = ("access_key", "secret_key", "secure", "proxy_server")

    def validate_spec(self, spec: Mapping[str, Any]) -> None:
        missing = [k for k in ("endpoint", "bucket") if not spec.get(k)]
        if missing:
            raise DataJointError(f"Missing S3 configuration (missing: {', '.join(missing)})")
        if bool(spec.get("access_key")) != bool(spec.get("secret_key")):
            raise DataJointError("Incomplete S3 credentials: give both access_key and secret_key, or neither "
                                 "(to use the ambient AWS credentials).")
        super().validate_spec(spec)

    def create_filesystem(self, spec: Mapping[str, Any]) -> Any:
        endpoint = str(spec["endpoint"])
        if not endpoint.startswith(("http://", "https://")):
            endpoint = f"{'https' if spec.get('secure', True) else 'http'}://{endpoint}"
        # An empty key would reach botocore as an explicit (invalid) credential.
        return _fsspec().filesystem("s3", key=spec.get("access_key") or None, secret=spec.get("secret_key") or None,
                                    client_kwargs={"endpoint_url": endpoint})


class GCSAdapter(_BucketAdapter):
    """Google Cloud Storage."""

    protocol = "gcs"
    scheme = "gs"
    required_keys = ("protocol", "bucket", "location")
    allowed_keys = ("token", "project")

    def create_filesystem(self, spec: Mapping[str, Any]) -> Any:
        return _fsspec().filesystem("gcs", token=spec.get("token"), project=spec.get("project"))


class AzureAdapter(_BucketAdapter):
    """Azure Blob Storage."""

    protocol = "azure"
    scheme = "az"
    bucket_key = "container"
    required_keys = ("protocol", "container", "location")
    allowed_keys = ("account_name", "account_key", "connection_string")

    def create_filesystem(self, spec: Mapping[str, Any]) -> Any:
        return _fsspec().filesystem("abfs", account_name=spec.get("account_name"),
                                    account_key=spec.get("account_key"),
                                    connection_string=spec.get("connection_string"))


_BUILT_IN = (FileAdapter, S3Adapter, GCSAdapter, AzureAdapter)


def register_storage_adapter(adapter: StorageAdapter | type[StorageAdapter]) -> StorageAdapter:
    """Register an adapter (instance or class) under its ``protocol``; returns the instance."""
    instance = adapter() if isinstance(adapter, type) else adapter
    if not isinstance(instance, StorageAdapter) or not instance.protocol:
        raise DataJointError(f"{adapter!r} is not a StorageAdapter with a protocol.")
    _adapter_registry[instance.protocol] = instance
    return instance


def _discover_adapters() -> None:
    """Register the built-in adapters and those advertised in the ``datajoint.storage`` entry points.

    An entry point that fails to load is logged and skipped: one broken plugin must not
    make every store unusable.
    """
    global _adapters_loaded
    for cls in _BUILT_IN:
        _adapter_registry.setdefault(cls.protocol, cls())
    try:
        entries = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception as err:  # pragma: no cover - a broken environment
        logger.warning(f"Could not list the {ENTRY_POINT_GROUP} entry points: {err}")
        entries = []
    for entry in entries:
        try:
            register_storage_adapter(entry.load())
        except Exception as err:
            logger.warning(f"Failed to load storage adapter '{entry.name}': {err}")
    _adapters_loaded = True


def get_storage_adapter(protocol: str) -> StorageAdapter | None:
    """The adapter of ``protocol``, or None when no installed adapter serves it."""
    adapter = _adapter_registry.get(protocol)
    if adapter is None and not _adapters_loaded:
        _discover_adapters()
        adapter = _adapter_registry.get(protocol)
    return adapter


def list_storage_protocols() -> list[str]:
    """The protocols stores may use (built-in and installed plugins)."""
    if not _adapters_loaded:
        _discover_adapters()
    return sorted(_adapter_registry)


for _cls in _BUILT_IN:
    _adapter_registry[_cls.protocol] = _cls()
