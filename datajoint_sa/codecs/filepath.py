"""``<filepath@store>``: a reference to a file already in a store; nothing is copied.

The path must lie outside the store's managed sections (``hash_prefix``,
``schema_prefix``) and inside ``filepath_prefix`` when one is set.
"""

from __future__ import annotations

import datetime
import pathlib
from typing import Any

from ..errors import DataJointError
from ..stores.backend import backend_for
from ..stores.objectref import ObjectRef
from ..stores.spec import store_spec
from .base import Codec


def _check_section(path: str, spec: dict) -> None:
    relative = path.lstrip("/")
    for option in ("hash_prefix", "schema_prefix"):
        prefix = spec.get(option)
        if prefix and relative.startswith(prefix.strip("/") + "/"):
            raise ValueError(f"<filepath@> cannot refer into {prefix!r} ({option}), which DataJoint manages; got {path}")
    required = spec.get("filepath_prefix")
    if required and not relative.startswith(required.strip("/") + "/"):
        raise ValueError(f"<filepath@> paths must start with {required!r} (filepath_prefix); got {path}")


class FilepathCodec(Codec):
    name = "filepath"

    def get_dtype(self, is_store: bool) -> str:
        if not is_store:
            raise DataJointError("<filepath> refers to files in a store: write <filepath@> or <filepath@store>.")
        return "json"

    def validate(self, value: Any) -> None:
        if not isinstance(value, (str, pathlib.PurePath)):
            raise TypeError(f"<filepath> takes a path inside the store; got {type(value).__name__}")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> dict:
        config = self._codec_config(key, context)
        path = pathlib.PurePath(value).as_posix() if isinstance(value, pathlib.PurePath) else str(value)
        _check_section(path, store_spec(store_name, config=config, filepath=True))
        backend = backend_for(store_name, config=config, filepath=True)
        if not backend.exists(path):
            raise FileNotFoundError(f"File not found in store {store_name or 'filepath_default'!r}: {path}")
        is_dir = backend.isdir(path)
        return {"path": path, "store": store_name, "size": None if is_dir else backend.size(path), "is_dir": is_dir,
                "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat()}

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> ObjectRef:
        return ObjectRef.from_json(stored, config=self._codec_config(key, context), filepath=True)
