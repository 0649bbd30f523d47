"""Class names <-> table names, as DataJoint 2.x lays them out in the database.

A class ``SessionTrial`` becomes ``session_trial`` (``ABTest``: ``a_b_test``); the tier adds a prefix
(Lookup ``#``, Imported ``_``, Computed ``__``) and a Part table is named
``<master table>__<part>``.
"""

from __future__ import annotations

import re
import warnings

from .errors import DataJointError

__all__ = ["to_snake_case", "to_camel_case", "TIER_PREFIXES", "table_name_for", "tier_of_table_name"]

TIER_PREFIXES = {"Manual": "", "Lookup": "#", "Imported": "_", "Computed": "__"}

CAMEL_CASE = re.compile(r"[A-Z][A-Za-z0-9]*")  # ASCII capital, then ASCII letters and digits
_HIDDEN_PREFIX = "~"


def to_snake_case(class_name: str) -> str:
    """``SessionTrial`` -> ``session_trial``; the class name must be CamelCase.

    As in DataJoint 2.x, every capital after the first starts a word (``ABTest`` ->
    ``a_b_test``), and underscores are dropped with a warning (``Session_Trial`` ->
    ``session_trial``), so both libraries give a class the same table.
    """
    if "_" in class_name:
        warnings.warn(f"Table class name {class_name!r} contains underscores, which are left out of its table name; "
                      "prefer CamelCase.", UserWarning, stacklevel=2)
        class_name = class_name.replace("_", "")
    if not CAMEL_CASE.fullmatch(class_name):
        raise DataJointError(f"Table class name {class_name!r} must be CamelCase: a capital letter, then letters and digits.")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()


def to_camel_case(table_name: str) -> str:
    """``session_trial`` -> ``SessionTrial`` (tier prefixes removed)."""
    return "".join(part.capitalize() for part in table_name.lstrip("#_~").split("_") if part)


def table_name_for(class_name: str, tier: str, master_table: str | None = None) -> str:
    """The database table name of a class of the given tier."""
    snake = to_snake_case(class_name)
    if tier == "Part":
        if master_table is None:
            raise DataJointError(f"Part table {class_name} must be nested in a master table class.")
        return f"{master_table}__{snake}"
    return TIER_PREFIXES[tier] + snake


def tier_of_table_name(table_name: str) -> str | None:
    """Infer the tier from a table name; None for hidden bookkeeping tables."""
    if table_name.startswith(_HIDDEN_PREFIX):
        return None
    stem = table_name.lstrip("#_")
    if "__" in stem:
        return "Part"
    if table_name.startswith("__"):
        return "Computed"
    if table_name.startswith("_"):
        return "Imported"
    if table_name.startswith("#"):
        return "Lookup"
    return "Manual"
