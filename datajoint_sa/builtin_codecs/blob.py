"""``<blob>``: any Python value serialized with :func:`datajoint_sa.blob.pack`."""

from __future__ import annotations

from ..codecs.blob import BlobCodec

__all__ = ["BlobCodec"]
