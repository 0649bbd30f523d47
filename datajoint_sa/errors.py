"""The DataJoint exception tree.

::

    DataJointError
    ├── LostConnectionError
    ├── MissingTableError
    ├── MissingExternalFile         an object a row refers to is gone from its store
    ├── ThreadSafetyError           global state (dj.config, dj.conn) used in thread-safe mode
    ├── KeyError                    a row names an attribute the table lacks (insert); also the
    │                               builtin KeyError, as DataJoint 2.x raises it
    ├── NotImplementedError         not done by this operation, e.g. alter() changing a primary key
                                    (also the builtin NotImplementedError, as DataJoint 2.x raises it)
    └── QueryError                  the database refused a statement
        ├── QuerySyntaxError
        ├── AccessError
        ├── TransactionConflictError  the database rolled back a statement to break a deadlock
        │                             or lock wait; running it again may succeed
        ├── DuplicateError          a unique or primary key would repeat
        ├── IntegrityError          a foreign key would dangle
        ├── UnknownAttributeError   a name not in the heading (also a KeyError)
        └── MissingAttributeError   a required value was not provided

A definition that cannot be parsed or resolved raises DataJointError itself, as in DataJoint
2.x (``DeclarationError`` is another name for it), with the line and what was wrong.

Every driver error is wrapped into this tree with ``raise ... from err``, so the
original exception and statement stay available as ``__cause__``.
"""

from __future__ import annotations

import builtins

__all__ = [
    "DataJointError",
    "LostConnectionError",
    "MissingTableError",
    "MissingExternalFile",
    "ThreadSafetyError",
    "DeclarationError",
    "KeyError",
    "NotImplementedError",
    "QueryError",
    "QuerySyntaxError",
    "AccessError",
    "DuplicateError",
    "TransactionConflictError",
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


class ThreadSafetyError(DataJointError):
    """Global state (``dj.config``, ``dj.conn()``) was used while ``DJ_THREAD_SAFE`` is on; use ``dj.Instance``."""


#: Definition errors are plain DataJointError, as DataJoint 2.x raises them (code catching
#: ``type(err) is DataJointError`` keeps working); the name remains for readability.
DeclarationError = DataJointError


class KeyError(DataJointError, builtins.KeyError):
    """A row names an attribute the table does not have (DataJoint 2.x raises the builtin KeyError here)."""

    def __str__(self) -> str:  # the builtin KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class NotImplementedError(DataJointError, builtins.NotImplementedError):
    """The operation cannot do this; the message says what can (e.g. a migration instead of alter())."""


class QueryError(DataJointError):
    """The database refused a statement."""


class QuerySyntaxError(QueryError):
    """The statement is not valid SQL for this database."""


class AccessError(QueryError):
    """The database user lacks a privilege needed for the statement."""


class TransactionConflictError(QueryError):
    """The database rolled the statement back to break a deadlock or a lock wait; a retry may succeed."""


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
