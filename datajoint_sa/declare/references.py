"""Foreign-key references: the name after ``->`` -> the declared table it names.

A reference is a dotted name looked up in a context of names (``Subject``,
``module.Subject``, ``Session.Trial``).  Two words are special: ``master`` is the
master of the part table being declared and ``self`` the class being declared
(``-> self.source`` names whatever the class's ``source`` attribute holds, so a
subclass can point the same definition at another parent).  A table class counts as
declared when it carries the :class:`DeclaredTable` its schema built for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import DataJointError
from .build import DeclaredTable, Parent

__all__ = ["parent_of", "resolve_reference"]


def parent_of(target: Any) -> Parent | None:
    """The :class:`Parent` of a declared table class (or instance); None for anything else."""
    declared = getattr(target, "_declared", None)
    schema = getattr(target, "_schema", None)
    if not isinstance(declared, DeclaredTable) or getattr(schema, "database", None) is None:
        return None
    return Parent(full_name=f"{schema.database}.{target.table_name}", heading=declared.heading,
                  sql_table=declared.table)


def resolve_reference(ref: str, context: Mapping[str, Any], *, master: Any = None, owner: Any = None) -> Parent:
    """The table ``ref`` names: its first word in ``context`` (or ``master``/``self``), the rest attributes.

    Raise DataJointError when a name is unknown or names something that is not a declared table.
    """
    head, *rest = ref.split(".")
    if head == "master" and master is not None:
        target: Any = master
    elif head == "self" and owner is not None:
        target = owner
    elif head in context:
        target = context[head]
    else:
        raise DataJointError(f"Foreign key reference {ref} could not be resolved")
    for name in rest:
        target = getattr(target, name, None)
    parent = parent_of(target) if isinstance(target, type) else None
    if parent is None:
        raise DataJointError(f"Foreign key reference {ref} does not name a declared table")
    return parent
