"""Restriction arguments under DataJoint's module name ``datajoint.condition``.

The implementation lives in :mod:`datajoint_sa.expression.condition`; this module is the
import path user code and plugins written for DataJoint use (``from datajoint.condition
import Top, AndList, Not``).
"""

from .expression.condition import AndList, Not, Top, to_clause

__all__ = ["AndList", "Not", "Top", "to_clause"]
