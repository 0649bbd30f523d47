"""``order_by`` arguments: ``"KEY"``, ``"attr DESC"``, SQL expressions, or lists of these."""

from __future__ import annotations

from collections.abc import Sequence

from ..heading import Heading

__all__ = ["parse_order_by", "order_parts"]


def parse_order_by(order_by: str | Sequence[str] | None, heading: Heading) -> list[tuple[str, bool]]:
    """``"KEY"``, ``"attr DESC"`` or a list of these -> [(attribute, descending)]."""
    result: list[tuple[str, bool]] = []
    for part, descending in order_parts(order_by):
        if part.upper() == "KEY" and part not in heading:  # an attribute may be named `key`
            result.extend((name, descending) for name in heading.primary_key)
        else:
            heading[part]  # raises UnknownAttributeError naming what is available
            result.append((part, descending))
    return result


def order_parts(order_by: str | Sequence[str] | None) -> list[tuple[str, bool]]:
    """Split order_by items at top-level commas into (expression, descending)."""
    if order_by is None:
        return []
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    parts: list[tuple[str, bool]] = []
    for item in items:
        for part in _split_commas(item):
            words = part.rsplit(None, 1)
            if len(words) == 2 and words[1].upper() in ("ASC", "DESC"):
                parts.append((words[0].strip(), words[1].upper() == "DESC"))
            elif part:
                parts.append((part, False))
    return parts


def _split_commas(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]
