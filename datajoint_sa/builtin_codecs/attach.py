"""``<attach>``: a file kept with its name."""

from __future__ import annotations

from ..codecs.attach import AttachCodec

__all__ = ["AttachCodec"]
