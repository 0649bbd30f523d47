"""Questions to the user before destructive operations (safemode)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["user_choice", "confirm"]


def user_choice(question: str, choices: Sequence[str] = ("yes", "no"), default: str | None = None) -> str:
    """Ask until one of ``choices`` is answered (an empty answer takes ``default``, shown capitalized).

    End of input (no terminal) answers ``default``, or the last choice.
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


def confirm(question: str) -> bool:
    """True only when the user answers yes (the default is no)."""
    return user_choice(question, default="no") == "yes"
