"""Object stores configured in ``dj.config['stores']``: local folders and S3-compatible buckets.

:mod:`~.spec` checks a store's configuration, :mod:`~.backend` does the file operations
(fsspec), :mod:`~.paths` lays out hash- and schema-addressed objects as DataJoint 2.x
does, and :mod:`~.objectref` gives lazy
handles.
"""

from __future__ import annotations

from .backend import StoreBackend, backend_for
from .objectref import ObjectRef
from .spec import store_spec

__all__ = ["StoreBackend", "backend_for", "store_spec", "ObjectRef"]
