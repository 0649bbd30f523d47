"""Codecs: ``<name>`` attribute types that turn Python values into storable ones and back.

The API is DataJoint 2.x's: subclass :class:`Codec` with a ``name`` and it is registered;
``get_dtype`` names what it stores (a core type or another codec, so codecs chain).
Built in: ``<blob>``, ``<attach>`` (in the table or, with ``@store``, hash-addressed in
a store), ``<hash@>``, ``<object@>``, ``<npy@>`` and ``<filepath@>``.
"""

from __future__ import annotations

from .apply import accepts_kwarg, codec_chain, decoder_for, encoder_for, storage_type, validator_for
from .attach import AttachCodec
from .base import (
    _REGISTRY,
    Codec,
    get_codec,
    is_codec_registered,
    list_codecs,
    lookup_codec,
    parse_type_spec,
    resolve_dtype,
    unregister_codec,
)
from .blob import BlobCodec
from .filepath import FilepathCodec
from .hashed import HashCodec
from .npy import NpyCodec, NpyRef
from .schema_addressed import ObjectCodec, SchemaCodec

# The names DataJoint 2.3 gives the registry (name -> codec instance) and the cached
# signature check; plugins and the reference's tests import them from here.
_codec_registry = _REGISTRY
_accepts_kwarg = accepts_kwarg

__all__ = [
    "Codec", "SchemaCodec", "get_codec", "list_codecs", "is_codec_registered", "unregister_codec",
    "lookup_codec", "parse_type_spec", "resolve_dtype",
    "codec_chain", "accepts_kwarg", "storage_type", "encoder_for", "decoder_for", "validator_for",
    "BlobCodec", "AttachCodec", "HashCodec", "ObjectCodec", "NpyCodec", "NpyRef", "FilepathCodec",
]
