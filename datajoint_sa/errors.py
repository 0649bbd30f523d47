"""The DataJoint exception tree.

::

    DataJointError
    ├── LostConnectionError
    ├── MissingTableError
    ├── MissingExternalFile         an object a row refers to is gone from its store
    ├── DeclarationError            a definition string could not be parsed or resolved
    └── QueryError                  the database refused a statement
        ├── QuerySyntaxError
        ├── AccessError
        ├── DuplicateError          a unique or primary key would repeat
        ├── IntegrityError          a foreign key would dangle
        ├── UnknownAttributeError   a name not in the heading (also a KeyError)
        └── MissingAttributeError   a required value was not provided

Every driver error is wrapped into this tree with ``raise ... from err``, so the
original exception and statement stay available as ``__cause__``.
"""

from __future__ import annotations

__all__ = [
    "DataJointError",
    "LostConnectionError",
    "MissingTableError",
    "MissingExternalFile",
    "DeclarationError",
    "QueryError",
    "QuerySyntaxError",
    "AccessError",
    "DuplicateError",
    "IntegrityError",
    "UnknownAttributeError",
    "MissingAttributeError",
]


class DataJointError(Exception):
    """Base class of every error raised by datajoint_sa."""

    def suggest(self, *hints: str) -> DataJointError:
        """Return a copy of this error with hints appended to its arguments."""
        return self.__class__(*self.args, *hints)


class LostConnectionError(DataJointError):
    """The connection to the database server was lost."""


class MissingTableError(DataJointError):
    """A table was used before it was declared in the database."""


class MissingExternalFile(DataJointError):
    """An object that a row refers to is missing from its store."""


class DeclarationError(DataJointError):
    """A table definition is malformed, refers to something unknown, or uses an unsupported type."""


class QueryError(DataJointError):
    """The database refused a statement."""


class QuerySyntaxError(QueryError):
    """The statement is not valid SQL for this database."""


class AccessError(QueryError):
    """The database user lacks a privilege needed for the statement."""


class DuplicateError(QueryError):
    """A row would repeat a primary-key or unique value."""


class IntegrityError(QueryError):
    """A foreign-key constraint would be violated."""


class UnknownAttributeError(QueryError, KeyError):
    """An attribute name is not in the heading."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class MissingAttributeError(QueryError):
    """A required attribute value was not provided."""
