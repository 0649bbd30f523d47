"""datajoint_sa: DataJoint pipelines on SQLAlchemy Core.

``import datajoint_sa as dj`` gives the DataJoint 2.x API: schemas, table tiers,
query operators, populate, diagrams, on SQLite, PostgreSQL and MySQL/MariaDB.
"""

import importlib
import logging as _logging  # the name `logging` is this package's submodule
from typing import Any

from . import deploy, errors, gc, utils
from .blob import MatCell, MatStruct
from .codecs import Codec, NpyRef, SchemaCodec, get_codec, list_codecs
from .engine.connection import Connection
from .errors import DataJointError, DuplicateError, IntegrityError, ThreadSafetyError
from .expression.condition import AndList, Not, Top
from .expression.query import QueryExpression
from .expression.universal import U
from .instance import ConfigProxy, Instance, conn
from .populate.autopopulate import AutoPopulate
from .populate.jobs import JobTable as Job
from .schemas import Schema, list_schemas
from .settings import config as _global_config
from .spark import SparkAdapter
from .storage_adapter import StorageAdapter, get_storage_adapter
from .stores import ObjectRef
from .table import FreeTable, Table
from .user_tables import Computed, Imported, Lookup, Manual, Part
from .validate import ValidationResult
from .virtual import VirtualModule, create_virtual_module, virtual_schema

__version__ = "0.1.0"

#: The global settings; refused (ThreadSafetyError) when DJ_THREAD_SAFE is on.
config = ConfigProxy(_global_config)

#: The library's logger ("datajoint_sa"); its level follows dj.config["loglevel"].
logger = _logging.getLogger("datajoint_sa")

# DataJoint 2.x also names the tiers by what a table holds.
Entry, Ingest, Compute = Manual, Imported, Computed

#: ``dj.schema("lab")``, the lowercase spelling of DataJoint's documents: the Schema class itself
#: (the module defining it is ``datajoint_sa.schemas``, so no submodule shadows this name).
schema = Schema


#: Names loaded on first use, as (module, attribute; None for the module itself): they pull in
#: heavy packages (alembic for migrate; networkx and graphviz for the diagram; argparse's REPL for cli)
#: that ``import datajoint_sa`` should not pay for.
_LAZY: dict[str, tuple[str, str | None]] = {
    "migrate": (".migrate", None),
    "Diagram": (".diagram", "Diagram"),
    "diagram": (".diagram", None),
    "cli": (".cli", None),  # the module is callable: dj.cli(args) starts the console
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'datajoint_sa' has no attribute {name!r}")
    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name, __name__)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # later lookups skip this function
    return value

__all__ = [
    "__version__",
    "config",
    "conn",
    "Connection",
    "Instance",
    "ThreadSafetyError",
    "cli",
    "Schema",
    "schema",
    "VirtualModule",
    "virtual_schema",
    "create_virtual_module",
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
    "utils",
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
