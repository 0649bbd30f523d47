"""datajoint_sa: DataJoint pipelines on SQLAlchemy Core.

``import datajoint_sa as dj`` gives the DataJoint 2.x API: schemas, table tiers,
query operators, populate, diagrams, on SQLite, PostgreSQL and MySQL/MariaDB.
"""

from . import errors
from .blob import MatCell, MatStruct
from .codecs import Codec, NpyRef, SchemaCodec, get_codec, list_codecs
from .diagram import Diagram
from .engine.connection import Connection
from .errors import DataJointError, DuplicateError, IntegrityError
from .expression.condition import AndList, Not, Top
from .expression.query import QueryExpression
from .expression.universal import U
from .instance import conn
from .schema import Schema, list_schemas
from .settings import config
from .stores import ObjectRef, gc
from .table import FreeTable, Table
from .user_tables import Computed, Imported, Lookup, Manual, Part
from .validate import ValidationResult

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "config",
    "conn",
    "Connection",
    "Schema",
    "list_schemas",
    "Table",
    "FreeTable",
    "Manual",
    "Lookup",
    "Imported",
    "Computed",
    "Part",
    "Diagram",
    "AndList",
    "Not",
    "Top",
    "U",
    "QueryExpression",
    "errors",
    "DataJointError",
    "DuplicateError",
    "IntegrityError",
    "ValidationResult",
    "MatCell",
    "MatStruct",
    "Codec",
    "SchemaCodec",
    "list_codecs",
    "get_codec",
    "ObjectRef",
    "NpyRef",
    "gc",
]
