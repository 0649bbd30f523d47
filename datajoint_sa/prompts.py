"""Questions to the user before destructive operations (safemode)."""

from __future__ import annotations

from .utils import user_choice

__all__ = ["user_choice", "confirm"]


def confirm(question: str) -> bool:
    """True only when the user answers yes (the default is no)."""
    return user_choice(question, default="no") == "yes"
