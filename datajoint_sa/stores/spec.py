"""Store configuration: ``dj.config['stores']`` entries checked and completed with defaults.

The keys are those of DataJoint 2.x, so one ``stores`` section serves both::

    dj.config["stores"] = {
        "default": "main",                       # the store <blob@>, <object@> ... use
        "main": {"protocol": "file", "location": "/data/dj"},
        "cloud": {"protocol": "s3", "endpoint": "localhost:9000", "bucket": "dj",
                  "location": "lab", "access_key": "...", "secret_key": "...", "secure": False},
    }

``hash_prefix`` (default ``_hash``) and ``schema_prefix`` (default ``_schema``) name the
sections that hash-addressed and schema-addressed objects are written under; they must
not overlap each other or ``filepath_prefix``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DataJointError
from ..storage_adapter import get_storage_adapter, list_storage_protocols

__all__ = ["store_spec"]

_DEFAULTS = {"subfolding": None, "partition_pattern": None, "token_length": 8,
             "hash_prefix": "_hash", "schema_prefix": "_schema", "filepath_prefix": None}


def _stores(config: Any) -> Mapping[str, Any]:
    if config is None:
        from ..settings import config
    return config["stores"] or {}


def _resolve_name(stores: Mapping[str, Any], name: str | None, filepath: bool) -> str:
    """The configured store a name means: '' or None select ``default`` (``filepath_default``)."""
    if name:
        return name
    pointer = "filepath_default" if filepath else "default"
    if pointer not in stores:
        hint = " or name the store: <filepath@store>" if filepath else ""
        raise DataJointError(f"stores.{pointer} is not configured: set dj.config['stores']['{pointer}']{hint}.")
    if not isinstance(stores[pointer], str):
        raise DataJointError(f"stores.{pointer} must be the name of a store.")
    return stores[pointer]


def store_spec(name: str | None = None, *, config: Any = None, filepath: bool = False) -> dict[str, Any]:
    """The checked configuration of store ``name`` (None or '' for the default store).

    Raises DataJointError naming the store when it is missing, its protocol unknown, a
    required key absent, a key not allowed, or its section prefixes overlap.
    """
    stores = _stores(config)
    name = _resolve_name(stores, name, filepath)
    if name not in stores or not isinstance(stores[name], Mapping):
        known = sorted(k for k, v in stores.items() if isinstance(v, Mapping))
        raise DataJointError(f"Store {name!r} is not configured in dj.config['stores']; configured: {', '.join(known) or 'none'}.")
    spec = {**_DEFAULTS, **stores[name]}
    protocol = str(spec.get("protocol", "")).lower()
    adapter = get_storage_adapter(protocol)
    if adapter is None:
        raise DataJointError(f"Unknown protocol {spec.get('protocol')!r} in dj.config['stores'][{name!r}]; "
                             f"use one of {', '.join(list_storage_protocols())}. Install a plugin "
                             "(a package with a 'datajoint.storage' entry point) for other protocols.")
    spec["protocol"] = protocol
    if protocol == "s3":
        spec.setdefault("secure", True)
    try:
        adapter.validate_spec(spec)
    except DataJointError as err:
        raise DataJointError(f"dj.config['stores'][{name!r}]: {err}") from None
    _check_prefixes(name, spec)
    return spec


def _check_prefixes(name: str, spec: Mapping[str, Any]) -> None:
    named = [(k, spec[k]) for k in ("hash_prefix", "schema_prefix", "filepath_prefix") if spec.get(k)]
    normal = [(k, str(v).strip("/") + "/") for k, v in named]
    for i, (key1, p1) in enumerate(normal):
        for key2, p2 in normal[i + 1:]:
            if p1.startswith(p2) or p2.startswith(p1):
                raise DataJointError(f"dj.config['stores'][{name!r}]: {key1} and {key2} overlap "
                                     f"({p1!r}, {p2!r}); storage section prefixes must be mutually exclusive.")
