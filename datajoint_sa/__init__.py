"""datajoint_sa: DataJoint pipelines on SQLAlchemy Core.

``import datajoint_sa as dj`` gives the DataJoint 2.x API: schemas, table tiers,
query operators, populate, diagrams, on SQLite, PostgreSQL and MySQL/MariaDB.
"""

import importlib
import logging as _logging  # the name `logging` is this package's submodule
from typing import Any

from . import deploy, errors, gc
from .blob import MatCell, MatStruct
from .codecs import Codec, NpyRef, SchemaCodec, get_codec, list_codecs
from .diagram import Diagram
from .engine.connection import Connection
from .errors import DataJointError, DuplicateError, IntegrityError, ThreadSafetyError
from .expression.condition import AndList, Not, Top
from .expression.query import QueryExpression
from .expression.universal import U
from .instance import ConfigProxy, Instance, conn
from .populate.autopopulate import AutoPopulate
from .populate.jobs import JobTable as Job
from .schema import Schema, list_schemas
from .settings import config as _global_config
from .spark import SparkAdapter
from .storage_adapter import StorageAdapter, get_storage_adapter
from .stores import ObjectRef
from .table import FreeTable, Table
from .user_tables import Computed, Imported, Lookup, Manual, Part
from .validate import ValidationResult
from .virtual import VirtualModule, virtual_schema

__version__ = "0.1.0"

#: The global settings; refused (ThreadSafetyError) when DJ_THREAD_SAFE is on.
config = ConfigProxy(_global_config)

#: The library's logger ("datajoint_sa"); its level follows dj.config["loglevel"].
logger = _logging.getLogger("datajoint_sa")

# DataJoint 2.x also names the tiers by what a table holds.
Entry, Ingest, Compute = Manual, Imported, Computed


def __getattr__(name: str) -> Any:
    # dj.migrate loads alembic, so it is imported on first use rather than with the package
    if name == "migrate":
        return importlib.import_module(".migrate", __name__)
    # dj.cli(args) starts the console; the module itself is callable, so `python -m datajoint_sa.cli` and
    # an `import datajoint_sa.cli` (which makes the module the attribute) both keep dj.cli working
    if name == "cli":
        return importlib.import_module(".cli", __name__)
    raise AttributeError(f"module 'datajoint_sa' has no attribute {name!r}")

__all__ = [
    "__version__",
    "config",
    "conn",
    "Connection",
    "Instance",
    "ThreadSafetyError",
    "cli",
    "Schema",
    "VirtualModule",
    "virtual_schema",
    "list_schemas",
    "Table",
    "FreeTable",
    "Manual",
    "Lookup",
    "Imported",
    "Computed",
    "Part",
    "Entry",
    "Ingest",
    "Compute",
    "AutoPopulate",
    "Job",
    "logger",
    "migrate",
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
    "SparkAdapter",
    "deploy",
    "StorageAdapter",
    "get_storage_adapter",
]
