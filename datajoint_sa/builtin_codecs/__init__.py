"""The codecs that ship with datajoint_sa, under DataJoint 2.3's module path ``datajoint.builtin_codecs``.

The implementations live in :mod:`datajoint_sa.codecs`; this package gives each one the
module DataJoint 2.3 puts it in (``builtin_codecs.blob``, ``.hash``, ``.attach``,
``.filepath``, ``.npy``, ``.object``, ``.schema``), so code and plugins written against
those paths import unchanged.  Each name is the same class object as in ``codecs``.
"""

from __future__ import annotations

from ..codecs import (
    AttachCodec,
    BlobCodec,
    FilepathCodec,
    HashCodec,
    NpyCodec,
    NpyRef,
    ObjectCodec,
    SchemaCodec,
)
from . import attach, blob, filepath, hash, npy, object, schema  # noqa: A004 - DataJoint's module names

__all__ = ["AttachCodec", "BlobCodec", "FilepathCodec", "HashCodec", "NpyCodec", "NpyRef", "ObjectCodec",
           "SchemaCodec", "attach", "blob", "filepath", "hash", "npy", "object", "schema"]
