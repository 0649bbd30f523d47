"""``<filepath@store>``: a reference to a file already in a store."""

from __future__ import annotations

from ..codecs.filepath import FilepathCodec

__all__ = ["FilepathCodec"]
