"""Object storage as DataJoint 2.3 exposes it (``datajoint.storage``): backends, URLs, object paths.

The machinery lives in :mod:`datajoint_sa.stores`; this module gives it the public names
user code and plugins import::

    from datajoint_sa.storage import StorageBackend, build_object_path, is_url, parse_url

    backend = get_store_backend("main")
    backend.get_url("_hash/lab/abcd...")   # 'file:///data/dj/_hash/lab/abcd...'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

import fsspec  # noqa: F401 - part of the module's namespace, as in DataJoint 2.3 (``storage.fsspec``)

from .errors import DataJointError
from .stores.backend import StoreBackend, backend_for
from .stores.paths import new_token, object_path, path_value

__all__ = [
    "StorageBackend", "get_store_backend", "URL_PROTOCOLS", "is_url", "normalize_to_url", "parse_url",
    "build_object_path", "generate_token", "encode_pk_value",
]

#: A store's file operations (an alias: DataJoint 2.3's name for :class:`StoreBackend`).
StorageBackend = StoreBackend

#: URL scheme prefixes recognised as remote or file URLs (lowercase, with ``://``).
URL_PROTOCOLS: tuple[str, ...] = ("file://", "s3://", "gs://", "gcs://", "az://", "abfs://", "http://", "https://")

# URL scheme -> fsspec protocol name.
_SCHEME_PROTOCOL = {"file": "file", "s3": "s3", "gs": "gcs", "gcs": "gcs", "az": "abfs", "abfs": "abfs",
                    "http": "http", "https": "https"}


def get_store_backend(store_name: str | None = None, config: Any = None) -> StoreBackend:
    """The backend of store ``store_name`` (None: the default store) under ``config`` (None: dj.config)."""
    return backend_for(store_name, config=config)


def is_url(path: str) -> bool:
    """Whether ``path`` starts with one of :data:`URL_PROTOCOLS` (case-insensitive)."""
    return str(path).lower().startswith(URL_PROTOCOLS)


def _path_to_file_url(path: PurePath) -> str:
    """A ``file://`` URL for an absolute path, with forward slashes on every OS (``C:\\a`` -> ``file:///C:/a``)."""
    posix = path.as_posix()
    return f"file://{posix if posix.startswith('/') else '/' + posix}"


def normalize_to_url(path: str) -> str:
    """``path`` as a URL: URLs unchanged, local paths (relative ones made absolute) as ``file://`` URLs."""
    if is_url(path):
        return str(path)
    return _path_to_file_url(Path(path).absolute())


def parse_url(url: str) -> tuple[str, str]:
    """(protocol, path) of a URL: ``s3://b/k`` -> ``('s3', 'b/k')``, ``gs://`` -> ``'gcs'``, ``file:///a`` -> ``'/a'``."""
    scheme, sep, rest = str(url).partition("://")
    protocol = _SCHEME_PROTOCOL.get(scheme.lower()) if sep else None
    if protocol is None:
        raise DataJointError(f"Unsupported URL protocol in {url!r}; expected one of {', '.join(URL_PROTOCOLS)}")
    return protocol, rest


def generate_token(length: int = 8) -> str:
    """A random URL-safe token (``length`` clamped to 4..16) that makes an object path unique."""
    return new_token(length)


def encode_pk_value(value: Any) -> str:
    """A primary key value as a path segment: numbers as text, dates in ISO form, unsafe text %-quoted."""
    return path_value(value)


def build_object_path(schema: str, table: str, field: str, primary_key: Mapping[str, Any], ext: str | None,
                      partition_pattern: str | None = None, token_length: int = 8,
                      schema_prefix: str = "_schema") -> tuple[str, str]:
    """(store-relative path, token) for a new schema-addressed object of ``field`` in the row ``primary_key``.

    Layout: ``{schema_prefix}/[{partition attrs}/]{schema}/{table}/{pk=value}/.../{field}_{token}{ext}``;
    an empty ``schema_prefix`` gives the layout without a section.
    """
    token = new_token(token_length)
    path = object_path(schema, table, field, primary_key, ext, schema_prefix=schema_prefix,
                       partition_pattern=partition_pattern, token_length=token_length, token=token)
    return path, token
