"""validate(): check rows against a table's heading without inserting, reporting every problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .codecs import validator_for
from .errors import DataJointError
from .heading import Heading
from .types import value_coercer

__all__ = ["ValidationResult", "validate_rows"]


@dataclass
class ValidationResult:
    """Outcome of ``table.validate(rows)``: ``errors`` holds (row index, attribute or None, message)."""

    is_valid: bool
    errors: list[tuple[int, str | None, str]] = field(default_factory=list)
    rows_checked: int = 0

    def __bool__(self) -> bool:
        return self.is_valid

    def summary(self, limit: int = 10) -> str:
        if self.is_valid:
            return f"Validation passed: {self.rows_checked} rows checked"
        lines = [f"Validation failed: {len(self.errors)} error(s) in {self.rows_checked} rows"]
        for row, attribute, message in self.errors[:limit]:
            where = f" in field {attribute!r}" if attribute else ""
            lines.append(f"  Row {row}{where}: {message}")
        if len(self.errors) > limit:
            lines.append(f"  ... and {len(self.errors) - limit} more errors")
        return "\n".join(lines)

    def raise_if_invalid(self) -> None:
        if not self.is_valid:
            raise DataJointError(self.summary())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType", "NaTType")


def _check_value(heading: Heading, name: str, value: Any) -> str | None:
    attr = heading[name]
    if _missing(value):
        if not attr.nullable and attr.default is None:
            return f"NULL value not allowed for {name!r}, which is neither nullable nor defaulted"
        return None
    # codecs only validate: encoding could write to a store
    convert = validator_for(attr.type) or value_coercer(attr.type)
    if convert is None:
        return None
    try:
        convert(value)
    except (ValueError, TypeError, ArithmeticError, DataJointError) as err:
        return f"invalid value {value!r} for type {attr.type.text}: {err}"
    return None


def validate_rows(rows: Any, heading: Heading, *, ignore_extra_fields: bool = False) -> ValidationResult:
    """Check every row (same shapes as insert) and collect all problems instead of stopping at the first."""
    from .insert import _raw_rows, requires_value

    errors: list[tuple[int, str | None, str]] = []
    checked = 0
    try:
        for index, (names, values) in enumerate(_raw_rows(rows, heading)):
            checked += 1
            row = dict(zip(names, values))
            for name in names:
                if name not in heading and not ignore_extra_fields:
                    errors.append((index, name, f"Field {name!r} is not in the table heading"))
            for attr in heading.attributes.values():
                if attr.name not in row:
                    if requires_value(attr):
                        errors.append((index, attr.name, f"Required field {attr.name!r} is missing"))
                    continue
                problem = _check_value(heading, attr.name, row[attr.name])
                if problem:
                    errors.append((index, attr.name, problem))
    except DataJointError as err:  # a malformed row (e.g. a tuple of the wrong length)
        errors.append((checked, None, str(err)))
    return ValidationResult(not errors, errors, checked)
