"""``<hash@>``: bytes stored once per schema under their digest."""

from __future__ import annotations

from ..codecs.hashed import HashCodec

__all__ = ["HashCodec"]
