"""The codec registry: ``<name>`` attribute types and the storage type each one uses.

A codec turns Python values into something a column can hold and back.  The
registry here knows each codec's storage type, which is all declaration needs;
serialization itself lives with each codec.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import DataJointError
from .types import AttributeType, parse_type

__all__ = ["Codec", "register_codec", "get_codec", "list_codecs", "storage_type"]


@dataclass(frozen=True)
class Codec:
    """A named codec: ``storage`` is the type it writes (a core type or another ``<codec>``)."""

    name: str
    storage: str
    needs_store: bool = False
    encode: Callable[[Any], Any] | None = None
    decode: Callable[[Any], Any] | None = None


_REGISTRY: dict[str, Codec] = {}


def register_codec(codec: Codec) -> Codec:
    if codec.name in _REGISTRY and _REGISTRY[codec.name] != codec:
        raise DataJointError(f"A codec named <{codec.name}> is already registered.")
    _REGISTRY[codec.name] = codec
    return codec


def get_codec(name: str) -> Codec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise DataJointError(f"Unknown codec <{name}>; registered: {', '.join(sorted(_REGISTRY))}.") from None


def list_codecs() -> list[str]:
    return sorted(_REGISTRY)


def storage_type(attr: AttributeType) -> AttributeType:
    """The core type a codec attribute is stored as, following codec chains."""
    seen = set()
    while attr.kind == "codec":
        codec = get_codec(attr.codec or "")
        if codec.needs_store and attr.store is None and "@" not in attr.text:
            raise DataJointError(f"Codec <{codec.name}> needs a store: write <{codec.name}@store_name>.")
        if attr.store is not None and not codec.needs_store and codec.name in ("blob", "attach"):
            # <blob@store> and <attach@store> keep their values in an object store: a JSON reference
            return parse_type("json")
        if codec.name in seen:
            raise DataJointError(f"Codec <{codec.name}> refers to itself through its storage type.")
        seen.add(codec.name)
        attr = parse_type(codec.storage)
    return attr


def _blob_encode(value: Any) -> bytes:
    from .blob import pack

    return pack(value)


def _blob_decode(data: Any) -> Any:
    from .blob import unpack

    return unpack(bytes(data))


for _codec in (
    Codec("blob", "bytes", encode=_blob_encode, decode=_blob_decode),
    Codec("attach", "bytes"),
    Codec("hash", "json", needs_store=True),
    Codec("filepath", "json", needs_store=True),
    Codec("object", "json", needs_store=True),
    Codec("npy", "json", needs_store=True),
):
    register_codec(_codec)


def decoder_for(attr: AttributeType) -> Callable[[Any], Any] | None:
    """The function that turns a stored value of ``attr`` back into a Python value, if any."""
    if attr.kind != "codec":
        return None
    return get_codec(attr.codec or "").decode


def encoder_for(attr: AttributeType) -> Callable[[Any], Any] | None:
    """The function that turns a Python value into what the column of ``attr`` stores, if any."""
    if attr.kind != "codec":
        return None
    codec = get_codec(attr.codec or "")
    if codec.encode is not None:
        return codec.encode

    def refuse(value: Any) -> Any:
        raise DataJointError(f"Codec <{codec.name}> cannot encode values here.")

    return refuse
