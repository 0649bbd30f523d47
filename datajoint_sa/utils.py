"""Helpers user code and plugins import from ``datajoint.utils``: class-name conventions, ``user_choice``.

``from_camel_case`` and ``to_camel_case`` map table class names to table names and back
exactly as the declarations do (see :mod:`datajoint_sa.naming`), so a plugin that
computes a table name from a class name finds the table datajoint_sa made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import DataJointError
from .naming import CAMEL_CASE, to_snake_case

__all__ = ["is_camel_case", "from_camel_case", "to_camel_case", "user_choice"]

_WORD_START = re.compile(r"(?:^|_)+([a-zA-Z0-9])")


def is_camel_case(name: str) -> bool:
    """Whether ``name`` is a valid table class name: an ASCII capital, then ASCII letters and digits."""
    return isinstance(name, str) and CAMEL_CASE.fullmatch(name) is not None


def from_camel_case(name: str) -> str:
    """``AllGroups`` -> ``all_groups``, the table name of a class (without the tier prefix).

    Underscores are dropped with a UserWarning ("contains underscores"); a name that is
    still not CamelCase raises DataJointError (the rule table names are made by).
    """
    if not isinstance(name, str):
        raise DataJointError(f"A table class name must be a string, not {type(name).__name__}.")
    return to_snake_case(name)


def to_camel_case(name: str) -> str:
    """``all_groups`` -> ``AllGroups``: each word (split at underscores) starts with a capital.

    Letters after the first of each word keep their case (``This_is_Mixed`` -> ``ThisIsMixed``).
    """
    return _WORD_START.sub(lambda match: match.group(1).upper(), name)


def user_choice(question: str, choices: Sequence[str] = ("yes", "no"), default: str | None = None) -> str:
    """Ask until one of ``choices`` is answered (an empty answer takes ``default``, shown capitalized).

    End of input (no terminal) answers ``default``, or the last choice.  Every safemode
    question of datajoint_sa comes here, so patching ``datajoint_sa.utils.input`` answers them.
    """
    shown = ", ".join(c.title() if c == default else c for c in choices)
    while True:
        try:
            answer = input(f"{question} [{shown}]: ").strip().lower()
        except EOFError:
            return default if default is not None else choices[-1]
        answer = answer or (default or "")
        if answer in choices:
            return answer
