"""Configuration: ``dj.config``.

Values come from four layers, later ones winning: built-in defaults, a
``datajoint.json`` file (searched from the working directory upwards), ``DJ_*``
environment variables, and assignments made in code.  Keys are dotted
(``config["database.host"]``) and also readable as attributes
(``config.database.host``).

The database is chosen by ``database.url`` (any SQLAlchemy URL, also
``DJ_DATABASE_URL``); otherwise by ``database.backend`` with host, port, user and
password; and with nothing configured, by an SQLite file in the working directory.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import pathlib
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import DataJointError
from .provenance import ProvenanceSettings, check_source  # noqa: F401 - ProvenanceSettings: the provenance section on its own

__all__ = ["Config", "config", "CONFIG_FILENAME", "DEFAULT_SQLITE_FILENAME"]

logger = logging.getLogger("datajoint_sa")

CONFIG_FILENAME = "datajoint.json"
DEFAULT_SQLITE_FILENAME = "datajoint.db"

DEFAULTS: dict[str, Any] = {
    "database.url": None,
    "database.backend": None,
    "database.host": None,
    "database.port": None,
    "database.user": None,
    "database.password": None,
    "database.name": None,
    "database.reconnect": True,
    "database.use_tls": None,
    "database.create_tables": True,
    "database.database_prefix": "",
    "connection.charset": "",
    "connection.init_function": None,
    "loglevel": "INFO",
    "safemode": True,
    "display.limit": 12,
    "display.width": 14,
    "display.show_tuple_count": True,
    "display.diagram_direction": "LR",
    "display.diagram_theme": "auto",
    "stores": {},
    "download_path": ".",
    "query_cache": None,
    "jobs.auto_refresh": True,
    "jobs.keep_completed": False,
    "jobs.stale_timeout": 3600,
    "jobs.orphan_timeout": None,
    "jobs.default_priority": 5,
    "jobs.version_method": None,
    "jobs.allow_new_pk_fields_in_computed_tables": False,
    "jobs.add_job_metadata": False,
    "provenance.capture": False,
    "provenance.source": {},
}

ENV_VARS: dict[str, str] = {
    "database.url": "DJ_DATABASE_URL",
    "database.host": "DJ_HOST",
    "database.user": "DJ_USER",
    "database.password": "DJ_PASS",
    "database.port": "DJ_PORT",
    "database.backend": "DJ_BACKEND",
    "database.name": "DJ_DATABASE_NAME",
    "database.database_prefix": "DJ_DATABASE_PREFIX",
    "database.create_tables": "DJ_CREATE_TABLES",
    "loglevel": "DJ_LOG_LEVEL",
    "safemode": "DJ_SAFEMODE",
    "display.diagram_direction": "DJ_DIAGRAM_DIRECTION",
    "display.diagram_theme": "DJ_DIAGRAM_THEME",
    "jobs.auto_refresh": "DJ_JOBS_AUTO_REFRESH",
    "jobs.keep_completed": "DJ_JOBS_KEEP_COMPLETED",
    "jobs.stale_timeout": "DJ_JOBS_STALE_TIMEOUT",
    "jobs.orphan_timeout": "DJ_JOBS_ORPHAN_TIMEOUT",
    "jobs.default_priority": "DJ_JOBS_DEFAULT_PRIORITY",
    "jobs.version_method": "DJ_JOBS_VERSION_METHOD",
    "jobs.add_job_metadata": "DJ_JOBS_ADD_JOB_METADATA",
    "provenance.capture": "DJ_PROVENANCE_CAPTURE",
    "provenance.source": "DJ_PROVENANCE_SOURCE",
}

BACKENDS = ("sqlite", "postgresql", "mysql")
LOGLEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _coerce(key: str, value: Any) -> Any:
    """Bring a value from a file or environment variable to the type its key expects."""
    default = DEFAULTS.get(key)
    if value is None or key in ("stores", "provenance.source"):
        return check_source(value) if key == "provenance.source" else value
        return value
    if isinstance(default, bool) or key in ("safemode", "database.create_tables", "database.reconnect"):
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise DataJointError(f"Config key {key!r} expects true or false, got {value!r}.")
            return lowered in ("true", "1", "yes")
        return bool(value)
    if key in ("jobs.orphan_timeout", "jobs.version_method"):
        return _coerce_jobs(key, value)
    if key in ("database.port", "display.limit", "display.width", "jobs.stale_timeout", "jobs.default_priority"):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise DataJointError(f"Config key {key!r} expects an integer, got {value!r}.") from None
    if key == "database.backend":
        backend = str(value).lower()
        backend = {"postgres": "postgresql", "mariadb": "mysql"}.get(backend, backend)
        if backend not in BACKENDS:
            raise DataJointError(f"database.backend must be one of {', '.join(BACKENDS)}; got {value!r}.")
        return backend
    if key == "loglevel":
        level = str(value).upper()
        if level not in LOGLEVELS:
            raise DataJointError(f"loglevel must be one of {', '.join(LOGLEVELS)}; got {value!r}.")
        return level
    return value


def _coerce_jobs(key: str, value: Any) -> Any:
    if key == "jobs.version_method":
        if value not in ("git", "none"):
            raise DataJointError(f"jobs.version_method must be 'git', 'none' or None; got {value!r}.")
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise DataJointError(f"Config key {key!r} expects a number of seconds, got {value!r}.") from None


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts from a JSON file -> dotted keys (``stores`` stays one value)."""
    flat: dict[str, Any] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and key != "stores":
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


class _Section:
    """Attribute view of one dotted prefix of the config: ``config.database.host``."""

    def __init__(self, config: Config, prefix: str) -> None:
        object.__setattr__(self, "_config", config)
        object.__setattr__(self, "_prefix", prefix)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._config, f"{self._prefix}.{name}".replace(".", "__"))

    def __setattr__(self, name: str, value: Any) -> None:
        self._config[f"{self._prefix}.{name}"] = value

    def __repr__(self) -> str:
        start = self._prefix + "."
        return repr({k[len(start):]: v for k, v in self._config.items() if k.startswith(start)})


class Config:
    """DataJoint settings, as a mapping of dotted keys with attribute access."""

    def __init__(self, *, load_environment: bool = True) -> None:
        self._values: dict[str, Any] = copy.deepcopy(DEFAULTS)
        self._explicit: set[str] = set()
        self.config_path: pathlib.Path | None = None
        if load_environment:
            self._load_file()
            self._load_env()
        self._apply_loglevel()

    # -- loading -----------------------------------------------------------
    def _load_file(self) -> None:
        if os.environ.get("DJ_IGNORE_CONFIG_FILE", "").lower() in ("1", "true", "yes"):
            return
        path = find_config_file()
        if path is not None:
            self.load(path)

    def _load_env(self) -> None:
        for key, var in ENV_VARS.items():
            if var in os.environ:
                self._set(key, os.environ[var])
        if "DJ_STORES" in os.environ:
            try:
                self._set("stores", json.loads(os.environ["DJ_STORES"]))
            except ValueError as err:
                raise DataJointError(f"DJ_STORES is not valid JSON: {err}") from None

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read settings from a JSON file (nested objects or dotted keys)."""
        path = pathlib.Path(path)
        try:
            tree = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise DataJointError(f"Cannot read config file {path}: {err}") from None
        for key, value in _flatten(tree).items():
            if key in DEFAULTS or key.startswith("stores."):
                self._set(key, value)
            else:
                logger.warning("Ignoring unknown config key %r in %s", key, path)
        self.config_path = path

    def save(self, path: str | os.PathLike[str] = CONFIG_FILENAME) -> None:
        """Write the explicitly set values to a JSON file (passwords left out)."""
        tree: dict[str, Any] = {}
        for key in sorted(self._explicit - {"database.password"}):
            node = tree
            *parents, leaf = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = self._values[key]
        pathlib.Path(path).write_text(json.dumps(tree, indent=2) + "\n")

    # -- mapping interface ---------------------------------------------------
    def _set(self, key: str, value: Any) -> None:
        if key.startswith("stores."):
            stores = dict(self._values["stores"] or {})
            stores[key.split(".", 1)[1]] = value
            key, value = "stores", stores
        elif key not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise DataJointError(f"Unknown config key {key!r}; known keys: {known}.")
        self._values[key] = _coerce(key, value)
        self._explicit.add(key)
        if key == "loglevel":
            self._apply_loglevel()

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key.startswith("stores."):
            return (self._values["stores"] or {})[key.split(".", 1)[1]]
        prefix = key + "."
        section = {k[len(prefix):]: v for k, v in self._values.items() if k.startswith(prefix)}
        if section:
            return section
        raise DataJointError(f"Unknown config key {key!r}.")

    def __setitem__(self, key: str, value: Any) -> None:
        self._set(key, value)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._values.items())

    def update(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        for key, value in {**(values or {}), **kwargs}.items():
            self._set(key, value)

    def is_set(self, key: str) -> bool:
        """True when a file, an environment variable or code gave this key a value."""
        return key in self._explicit

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        key = name.replace("__", ".")
        if key in self._values:
            return self._values[key]
        if any(k.startswith(key + ".") for k in self._values):
            return _Section(self, key)
        raise AttributeError(f"config has no key {key!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name == "config_path":
            object.__setattr__(self, name, value)
        else:
            self._set(name.replace("__", "."), value)

    def __repr__(self) -> str:
        shown = {k: ("***" if k == "database.password" and v else v) for k, v in self._values.items()}
        return f"Config({shown!r})"

    # -- temporary changes ------------------------------------------------------
    @contextlib.contextmanager
    def override(self, **changes: Any) -> Iterator[Config]:
        """Change settings inside a ``with`` block and restore them after.

        Nested keys are written with double underscores: ``database__host="db"``, or a
        section as a mapping: ``jobs={"keep_completed": True}``.
        """
        saved_values = copy.deepcopy(self._values)
        saved_explicit = set(self._explicit)
        try:
            for name, value in changes.items():
                key = name.replace("__", ".")
                if isinstance(value, Mapping) and key not in DEFAULTS:  # a whole section: jobs={"keep_completed": True}
                    for sub, sub_value in value.items():
                        self._set(f"{key}.{sub}", sub_value)
                else:
                    self._set(key, value)
            yield self
        finally:
            self._values, self._explicit = saved_values, saved_explicit
            self._apply_loglevel()

    def _apply_loglevel(self) -> None:
        logger.setLevel(self._values["loglevel"])


def find_config_file(start: pathlib.Path | None = None) -> pathlib.Path | None:
    """The nearest datajoint.json from ``start`` upwards, stopping at a repository root."""
    folder = (start or pathlib.Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_FILENAME
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            break
    return None


if not logger.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("[%(asctime)s][%(levelname)s]: %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger.addHandler(_handler)
    logger.propagate = False

config = Config()
