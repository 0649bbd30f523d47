"""Query expressions: the user-facing operators, restriction arguments, semantic matching, dj.U.

``datajoint_sa.expression.QueryExpression`` and ``.U`` are importable from here, as from
DataJoint's ``datajoint.expression``; they load on first use, so that importing a
submodule (``.condition``) does not pull in the whole algebra.
"""

import importlib
from typing import Any

_EXPORTS = {"QueryExpression": ".query", "U": ".universal", "AndList": ".condition", "Not": ".condition",
            "Top": ".condition"}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
