"""``<npy@store>``: a NumPy array as a standard ``.npy`` file, fetched as a lazy :class:`NpyRef`."""

from __future__ import annotations

import hashlib
import io
import math
import pathlib
import tempfile
from typing import Any

import numpy as np

from ..errors import DataJointError
from ..stores.backend import StoreBackend, backend_for
from .schema_addressed import SchemaCodec

__all__ = ["NpyCodec", "NpyRef"]


def _local_path(backend: Any, path: str) -> str:
    """The local file of ``path`` in a ``file`` store (DataJoint 2.3 backends name it ``_full_path``)."""
    full_path = getattr(backend, "full_path", None) or getattr(backend, "_full_path", None)
    if full_path is None:
        raise DataJointError(f"Store backend {type(backend).__name__} cannot give a local path for {path!r}.")
    return str(full_path(path))


class NpyRef:
    """A stored array: shape and dtype without I/O; the data is read on first use and kept."""

    __slots__ = ("_meta", "_backend", "_config", "_cached")

    def __init__(self, metadata: dict, backend: StoreBackend | None = None, config: Any = None) -> None:
        self._meta, self._backend, self._config, self._cached = metadata, backend, config, None

    @property
    def backend(self) -> StoreBackend:
        if self._backend is None:
            self._backend = backend_for(self.store, config=self._config)
        return self._backend

    shape = property(lambda self: tuple(self._meta["shape"]), doc="Array shape (no I/O).")
    dtype = property(lambda self: np.dtype(self._meta["dtype"]), doc="Array dtype (no I/O).")
    ndim = property(lambda self: len(self._meta["shape"]))
    size = property(lambda self: math.prod(self._meta["shape"]))
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    path = property(lambda self: self._meta["path"])
    store = property(lambda self: self._meta.get("store"))
    is_loaded = property(lambda self: self._cached is not None)

    def load(self, mmap_mode: str | None = None) -> np.ndarray:
        """The array (downloaded once); ``mmap_mode`` maps the file instead (remote files are cached locally)."""
        if mmap_mode is None:
            if self._cached is None:
                self._cached = np.load(io.BytesIO(self.backend.get_buffer(self.path)), allow_pickle=False)
            return self._cached
        backend = self.backend
        if backend.protocol == "file":
            return np.load(_local_path(backend, self.path), mmap_mode=mmap_mode, allow_pickle=False)
        cache = pathlib.Path(tempfile.gettempdir()) / "datajoint_mmap"
        cache.mkdir(exist_ok=True)
        local = cache / f"{hashlib.md5(self.path.encode()).hexdigest()[:12]}.npy"
        if not local.exists():
            if hasattr(backend, "get_file"):
                backend.get_file(self.path, local)
            else:  # a backend written to DataJoint 2.3's interface: get_buffer only
                local.write_bytes(backend.get_buffer(self.path))
        return np.load(local, mmap_mode=mmap_mode, allow_pickle=False)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.load()
        return array if dtype is None else array.astype(dtype)

    def __getitem__(self, index: Any) -> Any:
        return self.load()[index]

    def __len__(self) -> int:
        if not self._meta["shape"]:
            raise TypeError("len() of a 0-dimensional array (shape ())")
        return self._meta["shape"][0]

    def __repr__(self) -> str:
        return f"NpyRef(shape={self.shape}, dtype={self.dtype}, {'loaded' if self.is_loaded else 'not loaded'})"


class NpyCodec(SchemaCodec):
    name = "npy"

    def validate(self, value: Any) -> None:
        if not isinstance(value, np.ndarray):
            raise DataJointError(f"<npy> requires numpy.ndarray; got {type(value).__name__}.")
        if value.dtype == object:
            raise DataJointError("<npy> cannot store arrays of object dtype (.npy files hold them only pickled).")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        schema, table, field, primary_key = self._extract_context(key, context)
        config = self._codec_config(key, context)
        path, _ = self._build_path(schema, table, field, primary_key, ext=".npy", store_name=store_name, config=config)
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        self._get_backend(store_name, config=config).put_buffer(buffer.getbuffer(), path)
        return {"path": path, "store": store_name, "dtype": str(value.dtype), "shape": list(value.shape)}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> NpyRef:
        return NpyRef(stored, config=self._codec_config(key, context))
