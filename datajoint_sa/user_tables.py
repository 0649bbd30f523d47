"""The table tiers users subclass: Manual, Lookup, Imported, Computed and Part.

Table classes behave like instances of themselves: ``Session & key``,
``Session.insert(rows)`` and ``Session.heading`` work on the class, as in DataJoint.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from .naming import TIER_PREFIXES, tier_of_table_name
from .populate import AutoPopulate
from .table import Table

__all__ = ["TableMeta", "UserTable", "Manual", "Lookup", "Imported", "Computed", "Part", "tier_class"]

# Names that stay class-level even though they are defined on the table classes.
_CLASS_LEVEL = {"definition", "contents", "tier", "tier_regexp", "table_name", "master"}


#: The table name of a class, without its tier prefix: snake_case words.
TABLE_NAME_BODY = r"[a-z][a-z0-9]*(_[a-z][a-z0-9]*)*"


def _tier_regexp(tier: str) -> str:
    """The regular expression that the whole table name of a class of ``tier`` matches (``re.fullmatch``)."""
    return f"(?P<{tier.lower()}>{re.escape(TIER_PREFIXES[tier])}{TABLE_NAME_BODY})"


class TableMeta(type):
    """Lets a table class stand for an instance of itself in queries and method calls."""

    def __getattribute__(cls, name: str) -> Any:
        if name.startswith("_") or name in _CLASS_LEVEL:
            return type.__getattribute__(cls, name)
        value = type.__getattribute__(cls, name)
        if inspect.isclass(value) or not (inspect.isfunction(value) or isinstance(value, property)):
            return value
        if type.__getattribute__(cls, "_declared") is None and type.__getattribute__(cls, "__module__") == __name__:
            return value  # the tier classes themselves: plain class semantics, for help() and subclassing
        return getattr(cls(), name)  # undeclared user classes raise TableNotConfigured here

    def __and__(cls, restriction: Any) -> Any:
        return cls() & restriction

    def __sub__(cls, restriction: Any) -> Any:
        return cls() - restriction

    def __mul__(cls, other: Any) -> Any:
        return cls() * other

    def __rmul__(cls, other: Any) -> Any:
        return other * cls()

    def __add__(cls, other: Any) -> Any:
        return cls() + other

    def __neg__(cls) -> Any:
        return -cls()

    def __xor__(cls, other: Any) -> Any:
        return cls() ^ other

    def __matmul__(cls, other: Any) -> Any:
        return cls() @ other

    def __iter__(cls) -> Any:
        return iter(cls())


class UserTable(Table, metaclass=TableMeta):
    """Base of the user tiers: a class with a ``definition`` string."""

    definition: str = ""

    @classmethod
    def _platform_attribute_lines(cls) -> tuple[Any, ...]:
        """Hidden attribute lines the library adds to the definition at declaration: ``_prov`` of Entry tables."""
        from .provenance import prov_lines

        return prov_lines(cls)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._declared = None  # each subclass is declared on its own


class Manual(UserTable):
    """Data entered by hand or by external tools."""

    tier = "Manual"
    tier_regexp = _tier_regexp("Manual")
    _prefix = TIER_PREFIXES["Manual"]  # the table-name prefix of the tier (DataJoint 2.x's attribute)


class Lookup(UserTable):
    """Small reference tables whose ``contents`` are inserted at declaration."""

    tier = "Lookup"
    tier_regexp = _tier_regexp("Lookup")
    _prefix = TIER_PREFIXES["Lookup"]  # the table-name prefix of the tier (DataJoint 2.x's attribute)
    contents: Any = ()


class Imported(AutoPopulate, UserTable):
    """Data brought in from outside by ``make()``, one key at a time (see populate)."""

    tier = "Imported"
    tier_regexp = _tier_regexp("Imported")
    _prefix = TIER_PREFIXES["Imported"]  # the table-name prefix of the tier (DataJoint 2.x's attribute)


class Computed(AutoPopulate, UserTable):
    """Data computed from other tables by ``make()``, one key at a time (see populate)."""

    tier = "Computed"
    tier_regexp = _tier_regexp("Computed")
    _prefix = TIER_PREFIXES["Computed"]  # the table-name prefix of the tier (DataJoint 2.x's attribute)


class Part(UserTable):
    """Detail rows that belong to one row of a master table, declared as a class nested in the master."""

    tier = "Part"
    tier_regexp = (r"(?P<master>" + "|".join(_tier_regexp(t) for t in TIER_PREFIXES) + r")__(?P<part>"
                   + TABLE_NAME_BODY + ")")
    master: Any = None  # the master table class, set when the master is declared


def tier_class(full_table_name: str) -> type[UserTable] | None:
    """The tier class of a table, from its name's prefix (``"`lab`.`#param`"`` -> Lookup); None if hidden."""
    table = full_table_name.replace("`", "").replace('"', "").rpartition(".")[2]
    tier = tier_of_table_name(table)
    return {"Manual": Manual, "Lookup": Lookup, "Imported": Imported, "Computed": Computed, "Part": Part}.get(tier or "")


_get_tier = tier_class  # DataJoint 2.x's name
