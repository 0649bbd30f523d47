"""Where objects live inside a store: hash-addressed and schema-addressed paths.

Hash-addressed (``<hash@>``, ``<blob@>``, ``<attach@>``)::

    {hash_prefix}/{schema}/[{fold1}/{fold2}/]{hash}

with ``hash`` the MD5 digest of the content in lowercase base32 without padding (26
characters).  Schema-addressed (``<object@>``, ``<npy@>``)::

    {schema_prefix}/[{partition attrs}/]{schema}/{table}/{pk attr=value}/.../{field}_{token}[ext]

Both layouts are those of DataJoint 2.x; the path is also recorded in each row's
metadata and always read from there.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re
import secrets
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import DataJointError

__all__ = ["content_hash", "hash_path", "object_path", "path_value", "new_token"]

_TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_HASH = re.compile(r"[a-z2-7]{26}")
_UNSAFE = set('/\\:*?"<>|')


def content_hash(data: bytes | bytearray | memoryview) -> str:
    """The 26-character lowercase base32 MD5 digest that names hash-addressed content."""
    digest = hashlib.md5(data).digest()
    return base64.b32encode(digest).decode("ascii").rstrip("=").lower()


def _section(prefix: str | None) -> list[str]:
    prefix = (prefix or "").strip("/")
    return [prefix] if prefix else []


def hash_path(digest: str, schema: str, *, hash_prefix: str, subfolding: Sequence[int] | None = None) -> str:
    """The store-relative path of content ``digest`` in ``schema``."""
    if not _HASH.fullmatch(digest):
        raise DataJointError(f"Invalid content hash {digest!r}: expected 26 lowercase base32 characters.")
    folds, rest = [], digest
    for width in subfolding or ():
        folds.append(rest[:width])
        rest = rest[width:]
    return "/".join([*_section(hash_prefix), schema, *folds, digest])


def path_value(value: Any) -> str:
    """A primary key value as a path segment: dates in ISO form, unsafe or long text quoted."""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H-%M-%S")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if len(text) > 100:
        text = text[:50] + "_" + hashlib.md5(text.encode()).hexdigest()[:8]
        return urllib.parse.quote(text, safe="")
    if _UNSAFE & set(text):
        return urllib.parse.quote(text, safe="")
    return text


def new_token(length: int = 8) -> str:
    """A random URL-safe token of ``length`` characters (clamped to 4..16) that makes an object path unique."""
    length = max(4, min(16, length))
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


def object_path(schema: str, table: str, field: str, key: Mapping[str, Any], ext: str | None, *,
                schema_prefix: str, partition_pattern: str | None = None, token_length: int = 8,
                token: str | None = None) -> str:
    """A fresh store-relative path for attribute ``field`` of the row with primary key ``key``.

    A random token makes each write its own object, so a replaced row never
    overwrites what an older reference points at.
    """
    name = f"{field}_{token or new_token(token_length)}"
    if ext:
        name += ext if ext.startswith(".") else "." + ext
    partition = re.findall(r"\{(\w+)\}", partition_pattern or "")
    leading = [f"{a}={path_value(key[a])}" for a in partition if a in key]
    rest = [f"{a}={path_value(v)}" for a, v in key.items() if a not in partition]
    return "/".join([*_section(schema_prefix), *leading, schema, table, *rest, name])
