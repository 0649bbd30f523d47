"""Schema-addressed codecs: objects stored under paths that mirror schema, table and key.

``SchemaCodec`` is the base for such codecs (``<object@>``, ``<npy@>`` and user codecs);
each write gets a fresh path (``{field}_{token}``), so nothing is deduplicated and a
replaced row leaves its old object for garbage collection.
"""

from __future__ import annotations

import datetime
import pathlib
import warnings
from typing import Any

from ..errors import DataJointError
from ..stores.backend import StoreBackend, backend_for
from ..stores.objectref import ObjectRef
from ..stores.paths import object_path
from ..stores.spec import store_spec
from .base import Codec

_LEGACY_CONTEXT_KEYS = ("_schema", "_table", "_field")


class SchemaCodec(Codec, register=False):
    """Base of codecs whose objects live at ``{schema_prefix}/{schema}/{table}/{key}/{field}_{token}``."""

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError(f"<{self.name}> requires @ (it keeps its content in a store): "
                                 f"write <{self.name}@> or <{self.name}@store>.")
        return "json"

    @staticmethod
    def _extract_context(key: dict | None, context: dict | None = None) -> tuple[str, str, str, dict]:
        """(schema, table, field, primary key) of the value being encoded.

        ``context`` wins; without it the pre-2.3.4 underscore keys of ``key`` (``_schema``,
        ``_table``, ``_field``) are read, with a DeprecationWarning, as DataJoint 2.3 does.
        """
        key, context = dict(key or {}), context or {}
        if not context and any(name in key for name in _LEGACY_CONTEXT_KEYS):
            warnings.warn(
                "Reading the schema, table and field from the underscore keys of `key` is deprecated: "
                "declare a `context` argument in encode/decode (datajoint-python#1550).",
                DeprecationWarning, stacklevel=2)
        schema = context.get("schema", key.get("_schema", "unknown"))
        table = context.get("table", key.get("_table", "unknown"))
        field = context.get("field", key.get("_field", "data"))
        return schema, table, field, {k: v for k, v in key.items() if not k.startswith("_")}

    @staticmethod
    def _build_path(schema: str, table: str, field: str, primary_key: dict, ext: str | None = None,
                    store_name: str | None = None, config: Any = None) -> tuple[str, str]:
        """(path, token) of a new object; the store's ``partition_pattern`` and ``token_length`` apply."""
        spec = store_spec(store_name, config=config)
        path = object_path(schema, table, field, primary_key, ext, schema_prefix=spec["schema_prefix"],
                           partition_pattern=spec.get("partition_pattern"), token_length=spec.get("token_length") or 8)
        token = path.rsplit("/", 1)[-1][len(field) + 1:]
        return path, token.split(".", 1)[0]

    @staticmethod
    def _get_backend(store_name: str | None = None, config: Any = None) -> StoreBackend:
        return backend_for(store_name, config=config)


def _content(value: Any) -> tuple[bytes | None, str | None, pathlib.Path | None]:
    """(bytes, extension, folder) of an <object> value: bytes, (ext, data) or a file/folder path."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), None, None
    if isinstance(value, tuple) and len(value) == 2:
        ext, data = value
        return (data.read() if hasattr(data, "read") else bytes(data)), ext, None
    if isinstance(value, (str, pathlib.PurePath)):
        source = pathlib.Path(value)
        if not source.exists():
            raise DataJointError(f"<object> source not found: {source}")
        if source.is_dir():
            return None, None, source
        return source.read_bytes(), source.suffix or None, None
    raise TypeError(f"<object> takes bytes, (extension, bytes) or a file or folder path; got {type(value).__name__}")


class ObjectCodec(SchemaCodec):
    """``<object@store>``: a file or folder (Zarr, HDF5 ...) in the store; fetch gives an ObjectRef."""

    name = "object"

    def validate(self, value: Any) -> None:
        if isinstance(value, (bytes, bytearray, memoryview, str, pathlib.PurePath)):
            return
        if (isinstance(value, tuple) and len(value) == 2) or (isinstance(value, dict) and "path" in value):
            return
        raise TypeError(f"<object> takes bytes, (extension, bytes) or a file or folder path; got {type(value).__name__}")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        if isinstance(value, dict) and "path" in value:
            return value  # metadata of an object already written (staged insert)
        schema, table, field, primary_key = self._extract_context(key, context)
        config = self._codec_config(key, context)
        content, ext, folder = _content(value)
        path, _ = self._build_path(schema, table, field, primary_key, ext=ext, store_name=store_name, config=config)
        backend = self._get_backend(store_name, config=config)
        if folder is not None:
            manifest = backend.put_folder(folder, path)
            size, count = manifest["total_size"], manifest["item_count"]
        else:
            assert content is not None
            backend.put_buffer(content, path)
            size, count = len(content), None
        return {"path": path, "store": store_name, "size": size, "ext": ext, "is_dir": folder is not None,
                "item_count": count, "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> ObjectRef:
        return ObjectRef.from_json(stored, config=self._codec_config(key, context))
