"""``<npy@>``: a NumPy array as a ``.npy`` file, fetched lazily as an :class:`NpyRef`."""

from __future__ import annotations

from ..codecs.npy import NpyCodec, NpyRef

__all__ = ["NpyCodec", "NpyRef"]
