"""Lazy handles to stored objects (``datajoint.objectref``): see :mod:`datajoint_sa.stores.objectref`."""

from __future__ import annotations

from .stores.objectref import ObjectRef

__all__ = ["ObjectRef"]
