"""``<attach>``: a file kept with its name; fetch writes it to ``dj.config['download_path']``.

Stored as ``filename + b"\\0" + contents``, in the table (``<attach>``) or hash-addressed
in a store (``<attach@>``), as DataJoint 2.x stores it.
"""

from __future__ import annotations

import pathlib
from typing import Any

from .base import Codec


class AttachCodec(Codec):
    name = "attach"

    def get_dtype(self, is_store: bool) -> str:
        return "<hash>" if is_store else "bytes"

    def validate(self, value: Any) -> None:
        if not isinstance(value, (str, pathlib.PurePath)):
            raise TypeError(f"<attach> takes the path of a file; got {type(value).__name__}")

    def encode(self, value: Any, *, key: dict | None = None, context: dict | None = None,
               store_name: str | None = None) -> bytes:
        path = pathlib.Path(value)
        if not path.exists():
            raise FileNotFoundError(f"Attachment file not found: {path}")
        if path.is_dir():
            raise IsADirectoryError(f"<attach> takes a file, not a directory: {path}")
        return path.name.encode() + b"\0" + path.read_bytes()

    def decode(self, stored: Any, *, key: dict | None = None, context: dict | None = None) -> str:
        """Write the file into the download folder (a name taken by other content gets ``_1``, ``_2`` ...)."""
        stored = bytes(stored)
        split = stored.index(b"\0")
        name, contents = stored[:split].decode(), stored[split + 1:]
        config = self._codec_config(key, context)
        if config is None:
            from ..settings import config
        folder = pathlib.Path(config.get("download_path") or ".")
        folder.mkdir(parents=True, exist_ok=True)
        target, counter = folder / name, 0
        while target.exists() and target.read_bytes() != contents:
            counter += 1
            target = folder / f"{pathlib.Path(name).stem}_{counter}{pathlib.Path(name).suffix}"
        if not target.exists():
            target.write_bytes(contents)
        return str(target)
