"""The Codec base class, the registry of codecs by name, and codec chains.

A codec is a class with a ``name``: defining the subclass registers it (``<name>`` then
works in definitions).  ``get_dtype(is_store)`` says what the codec's output is stored
as: a core type (``bytes``, ``json``) or another codec (``<blob>``, ``<hash>``), so codecs
chain -- ``<blob@>`` is blob -> hash -> json.  Packages may also offer codecs through the
``datajoint.codecs`` entry-point group, loaded on first use of an unknown name.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from ..errors import DataJointError

__all__ = ["Codec", "get_codec", "list_codecs", "is_codec_registered", "unregister_codec",
           "parse_type_spec", "resolve_dtype", "lookup_codec"]

logger = logging.getLogger(__name__.split(".")[0])

_REGISTRY: dict[str, Codec] = {}
_entry_points_loaded = False


class Codec(ABC):
    """Base class of codecs; a subclass with a ``name`` registers itself.

    Pass ``register=False`` in the class statement for an abstract intermediate class.
    ``encode`` receives ``key`` (the row's primary key values), ``context`` (``schema``,
    ``table``, ``field``, ``config``) and ``store_name`` when it declares them.
    """

    name: ClassVar[str | None] = None

    def __init_subclass__(cls, *, register: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not register or cls.name is None:
            return
        if not isinstance(cls.name, str) or not cls.name:
            raise DataJointError(f"A codec name must be a non-empty string; got {cls.name!r}.")
        existing = _REGISTRY.get(cls.name)
        if existing is not None and type(existing).__qualname__ != cls.__qualname__:
            raise DataJointError(f"Codec <{cls.name}> is already registered by "
                                 f"{type(existing).__module__}.{type(existing).__qualname__}.")
        _REGISTRY[cls.name] = cls()  # a redefined class (module reloaded) replaces its old self

    @abstractmethod
    def get_dtype(self, is_store: bool) -> str:
        """The type the encoded value is stored as; ``is_store`` when written ``<name@...>``."""

    @abstractmethod
    def encode(self, value: Any, *, key: dict | None = None, store_name: str | None = None) -> Any:
        """The value to store for ``value``."""

    @abstractmethod
    def decode(self, stored: Any, *, key: dict | None = None) -> Any:
        """The Python value for what was stored."""

    def validate(self, value: Any) -> None:  # noqa: B027 - a hook; accepting everything is the default
        """Raise TypeError or ValueError for values this codec cannot encode (called before encode)."""

    @staticmethod
    def _codec_config(key: dict | None = None, context: dict | None = None) -> Any:
        """The configuration the call carries (``context['config']``), or None for dj.config."""
        if context and context.get("config") is not None:
            return context["config"]
        return (key or {}).get("_config")

    def referenced_paths(self, stored: Any) -> list[tuple[str, str | None]]:
        """(path, store) of the stored objects a stored value refers to; used by garbage collection."""
        value = stored
        if isinstance(value, (str, bytes)):
            try:
                value = json.loads(value)
            except ValueError:
                return []
        if isinstance(value, dict) and "path" in value:
            return [(value["path"], value.get("store"))]
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(name={self.name!r})>"


def parse_type_spec(spec: str) -> tuple[str, str | None]:
    """``'<blob@cold>'`` -> ``('blob', 'cold')``; ``'<blob@>'`` -> ``('blob', '')``; no ``@``: store None."""
    spec = spec.strip().strip("<>").strip()
    if "@" in spec:
        name, store = spec.split("@", 1)
        return name.strip(), store.strip()
    return spec, None


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for group in ("datajoint.codecs", "datajoint.types"):
        for point in entry_points(group=group):
            if point.name in _REGISTRY:
                continue
            try:
                found = point.load()
            except Exception as err:  # a broken plugin must not break unrelated codecs
                logger.warning(f"Could not load codec {point.name!r} from {point.value}: {err}")
                continue
            if point.name not in _REGISTRY and isinstance(found, type) and issubclass(found, Codec):
                _REGISTRY[point.name] = found()


def get_codec(name: str) -> Codec:
    """The registered codec called ``name`` (brackets and ``@store`` are ignored)."""
    name, _ = parse_type_spec(name)
    if name not in _REGISTRY:
        _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise DataJointError(f"Unknown codec <{name}>: define a dj.Codec subclass with name = {name!r}; "
                             f"registered: {', '.join(sorted(_REGISTRY))}.") from None


def is_codec_registered(name: str) -> bool:
    name, _ = parse_type_spec(name)
    if name not in _REGISTRY:
        _load_entry_points()
    return name in _REGISTRY


def list_codecs() -> list[str]:
    _load_entry_points()
    return sorted(_REGISTRY)


def unregister_codec(name: str) -> None:
    name, _ = parse_type_spec(name)
    if name not in _REGISTRY:
        raise DataJointError(f"Codec <{name}> is not registered.")
    del _REGISTRY[name]


def lookup_codec(spec: str) -> tuple[Codec, str | None]:
    """(codec, store) of a ``<name@store>`` spec."""
    name, store = parse_type_spec(spec)
    return get_codec(name), store


def resolve_dtype(dtype: str, seen: set[str] | None = None,
                  store_name: str | None = None) -> tuple[str, list[Codec], str | None]:
    """Follow a codec chain: (final core type, codecs outermost first, store).

    A store named at an outer level carries inward (``<graph@cold>`` whose dtype is
    ``<blob>`` stores the blob in ``cold``); a chain that returns to a codec raises.
    """
    seen = set() if seen is None else seen
    if dtype.startswith("<") and dtype.endswith(">"):
        name, store = parse_type_spec(dtype)
        store = store if store is not None else store_name
        if name in seen:
            raise DataJointError(f"Circular codec reference: <{name}> refers back to itself through its storage types.")
        seen.add(name)
        codec = get_codec(name)
        final, chain, store = resolve_dtype(codec.get_dtype(store is not None), seen, store)
        return final, [codec, *chain], store
    if "@" in dtype:
        base, store = dtype.split("@", 1)
        return base, [], store or store_name
    return dtype, [], store_name
