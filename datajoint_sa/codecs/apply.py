"""Codec chains applied to column values: what insert, update, fetch and declaration call.

Each function takes the parsed attribute type and works out the chain once, so the per-row
work is just the codec calls.  Encoders run outermost first (``<blob@>``: blob, then
hash); decoders innermost first.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DataJointError
from ..types import AttributeType, parse_type
from .base import Codec, resolve_dtype

__all__ = ["codec_chain", "storage_type", "encoder_for", "decoder_for", "validator_for", "accepts_kwarg"]


def _spec(attr: AttributeType) -> str:
    return f"<{attr.codec}>" if attr.store is None else f"<{attr.codec}@{attr.store}>"


def codec_chain(attr: AttributeType) -> tuple[str, list[Codec], str | None]:
    """(core type stored, codecs outermost first, store) of a codec attribute type."""
    try:
        return resolve_dtype(_spec(attr))
    except DataJointError:
        raise
    except Exception as err:  # a user codec's get_dtype failing
        raise DataJointError(f"Codec type {attr.text}: {err}") from err


def storage_type(attr: AttributeType) -> AttributeType:
    """The core type a codec attribute's column has, following the codec chain."""
    final, _, _ = codec_chain(attr)
    stored = parse_type(final)
    if stored.kind == "codec":  # pragma: no cover - resolve_dtype follows every codec
        raise DataJointError(f"Codec type {attr.text} does not resolve to a core type.")
    return stored


@functools.cache
def accepts_kwarg(function: Callable[..., Any], name: str) -> bool:
    """Whether ``function`` takes a keyword argument ``name`` (by name or ``**kwargs``).

    Cached per function: codecs written before ``context`` existed are called without it,
    and inspecting a signature costs more than a small encode, so it is done once.
    """
    parameters = inspect.signature(function).parameters
    return name in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _legacy_key(key: Mapping[str, Any] | None, context: Mapping[str, Any]) -> dict[str, Any]:
    """The key as codecs written for DataJoint < 2.3.4 read it: context under underscore names."""
    legacy = {f"_{name}": value for name, value in context.items()}
    return {**legacy, **(key or {})}


def encoder_for(attr: AttributeType, context: Mapping[str, Any] | None = None) -> Callable[..., Any] | None:
    """``encode(value, key=None)`` for a codec attribute (None for other types).

    ``context`` (``schema``, ``table``, ``field``, ``config``) is handed to the codecs that
    declare it, ``key`` (the row's primary key) to every codec, as DataJoint 2.x does.
    """
    if attr.kind != "codec":
        return None
    _, chain, store = codec_chain(attr)
    context = dict(context or {})
    calls = []
    for codec in chain:
        options: dict[str, Any] = {}
        function = type(codec).encode
        if accepts_kwarg(function, "store_name"):
            # <x@> means the default store: recorded as None, which datajoint 2.3.5 also reads
            # (it cannot resolve the store name '' that it passes itself)
            options["store_name"] = store or None
        if accepts_kwarg(function, "context"):
            options["context"] = context
        calls.append((codec.encode, options))
    validate = chain[0].validate

    def encode(value: Any, key: Mapping[str, Any] | None = None) -> Any:
        validate(value)
        full_key = _legacy_key(key, context)
        try:
            for function, options in calls:
                value = function(value, key=full_key, **options)
        except OSError as err:  # a missing source file or an unreachable store
            raise DataJointError(f"Codec type {attr.text} could not store the value: {err}") from err
        return value

    return encode


def validator_for(attr: AttributeType) -> Callable[[Any], None] | None:
    """The outermost codec's ``validate`` (checks a value without encoding or uploading it)."""
    if attr.kind != "codec":
        return None
    return codec_chain(attr)[1][0].validate


def decoder_for(attr: AttributeType, context: Mapping[str, Any] | None = None) -> Callable[[Any], Any] | None:
    """``decode(stored)`` for a codec attribute (None for other types)."""
    if attr.kind != "codec":
        return None
    final, chain, _ = codec_chain(attr)
    context = {"config": None, **(context or {})}
    key = {"_config": context["config"]}
    calls = []
    for codec in reversed(chain):
        function = type(codec).decode
        options = {"context": context} if accepts_kwarg(function, "context") else {}
        calls.append((codec.decode, options))
    parse_json = final.lower() == "json"

    def decode(stored: Any) -> Any:
        if parse_json and isinstance(stored, (str, bytes)):
            stored = json.loads(stored)
        for function, options in calls:
            stored = function(stored, key=key, **options)
        return stored

    return decode
