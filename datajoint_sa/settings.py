"""Configuration: ``dj.config``.

Values come from four layers, later ones winning: built-in defaults, a
``datajoint.json`` file (searched from the working directory upwards), ``DJ_*``
environment variables, and assignments made in code.  Keys are dotted
(``config["database.host"]``) and also readable as attributes
(``config.database.host``).

The database is chosen by ``database.url`` (any SQLAlchemy URL, also
``DJ_DATABASE_URL``); otherwise by ``database.backend`` with host, port, user and
password; and with nothing configured, by an SQLite file in the working directory.

Credentials can also sit in a secrets directory, one file per key
(``.secrets/database.password``, ``.secrets/stores.main.secret_key``) next to
``datajoint.json`` or in ``/run/secrets/datajoint``; they fill only what the file
and the environment leave unset.  ``DJ_IGNORE_CONFIG_FILE=true`` skips both the file
and the secrets.  ``config.database.password`` reads as a ``SecretStr`` (masked
when printed); ``config["database.password"]`` gives the plain string.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import pathlib
import warnings
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any

from pydantic import SecretStr
from pydantic_core import ValidationError

from .errors import DataJointError
from .errors import KeyError as DataJointKeyError
from .logging import LOGGER_NAMES, configure_loggers
from .provenance import ProvenanceSettings  # noqa: F401 - the provenance section on its own, as DataJoint 2.x names it
from .stores.spec import store_spec  # imported with the config, so both raise the same error classes

__all__ = [
    "Config", "config", "create_config", "InvalidSetting", "CONFIG_FILENAME", "DEFAULT_SQLITE_FILENAME",
    "SECRETS_DIRNAME", "SYSTEM_SECRETS_DIR", "ENV_VAR_MAPPING", "find_config_file", "find_secrets_dir",
    "read_secret_file", "Role", "role_to_prefix", "prefix_to_role",
]

logger = logging.getLogger("datajoint_sa")

CONFIG_FILENAME = "datajoint.json"
DEFAULT_SQLITE_FILENAME = "datajoint.db"
SECRETS_DIRNAME = ".secrets"
SYSTEM_SECRETS_DIR = pathlib.Path("/run/secrets/datajoint")

#: What puts rows in a table, and the table-name prefix each tier gets.
Role = Enum("Role", "manual lookup imported computed job")
role_to_prefix: dict[Role, str] = {Role.manual: "", Role.lookup: "#", Role.imported: "_",
                                   Role.computed: "__", Role.job: "~"}
prefix_to_role: dict[str, Role] = {prefix: role for role, prefix in role_to_prefix.items()}

#: Keys whose value is a free-form mapping, set whole or one entry at a time (``stores.main``).
#: ``custom`` is where DataJoint 0.14 let pipelines keep their own settings.
MAPPING_KEYS = ("stores", "custom", "provenance.source")
#: Keys read as ``SecretStr`` through attribute access.
SECRET_KEYS = ("database.password",)

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
    "ignore_config_file": False,
    "custom": {},
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
    "database.use_tls": "DJ_USE_TLS",
    "database.reconnect": "DJ_RECONNECT",
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
    "jobs.allow_new_pk_fields_in_computed_tables": "DJ_JOBS_ALLOW_NEW_PK_FIELDS_IN_COMPUTED_TABLES",
    "jobs.add_job_metadata": "DJ_JOBS_ADD_JOB_METADATA",
    "provenance.capture": "DJ_PROVENANCE_CAPTURE",
    "provenance.source": "DJ_PROVENANCE_SOURCE",
    "query_cache": "DJ_QUERY_CACHE",
    "download_path": "DJ_DOWNLOAD_PATH",
    "ignore_config_file": "DJ_IGNORE_CONFIG_FILE",
}
#: DataJoint 2.x's name for the table above.
ENV_VAR_MAPPING = ENV_VARS

BACKENDS = ("sqlite", "postgresql", "mysql")
LOGLEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


class InvalidSetting(DataJointError, ValidationError):
    """A configuration value of the wrong type or out of range, or a key the configuration lacks.

    Also a pydantic ``ValidationError`` (so a ``ValueError``): what DataJoint 2.x raises here.
    """

    message: str = ""

    @classmethod
    def of(cls, key: str, value: Any, message: str) -> InvalidSetting:
        error = cls.from_exception_data(
            "Config", [{"type": "value_error", "loc": tuple(key.split(".")), "input": value,
                        "ctx": {"error": ValueError(message)}}])
        error.message = message
        return error

    def __str__(self) -> str:
        return self.message


class MissingConfigFile(DataJointError, FileNotFoundError):
    """``config.load(path)`` was given a file that does not exist."""


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered not in TRUE_WORDS + FALSE_WORDS:
            raise InvalidSetting.of(key, value, f"Config key {key!r} expects true or false, got {value!r}.")
        return lowered in TRUE_WORDS
    if not isinstance(value, (bool, int)):
        raise InvalidSetting.of(key, value, f"Config key {key!r} expects true or false, got {value!r}.")
    return bool(value)


def _integer(low: int | None = None, high: int | None = None):
    def coerce(key: str, value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InvalidSetting.of(key, value, f"Config key {key!r} expects an integer, got {value!r}.") from None
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"from {low}" + (f" to {high}" if high is not None else "")
            raise InvalidSetting.of(key, value, f"Config key {key!r} expects an integer {bounds}, got {value!r}.")
        return number
    return coerce


def _choice(choices: tuple[str, ...], *, case: Any = str.lower, aliases: Mapping[str, str] | None = None):
    def coerce(key: str, value: Any) -> str:
        text = case(str(value))
        text = (aliases or {}).get(text, text)
        if text not in choices:
            raise InvalidSetting.of(key, value, f"{key} must be one of {', '.join(choices)}; got {value!r}.")
        return text
    return coerce


def _seconds(key: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidSetting.of(key, value, f"Config key {key!r} expects a number of seconds, got {value!r}.") from None


def _version_method(key: str, value: Any) -> str:
    if value not in ("git", "none"):
        raise InvalidSetting.of(key, value, f"jobs.version_method must be 'git', 'none' or None; got {value!r}.")
    return value


def _path(key: str, value: Any) -> pathlib.Path:
    return value if isinstance(value, pathlib.Path) else pathlib.Path(value)


def _tls(key: str, value: Any) -> bool | dict:
    return dict(value) if isinstance(value, Mapping) else _boolean(key, value)


def _mapping(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, str) and key == "provenance.source":  # DJ_PROVENANCE_SOURCE holds JSON
        try:
            value = json.loads(value)
        except ValueError as err:
            raise InvalidSetting.of(key, value, f"{key} is not valid JSON: {err}") from None
    if not isinstance(value, Mapping):
        raise InvalidSetting.of(key, value, f"Config key {key!r} expects a mapping, got {type(value).__name__}.")
    if key == "provenance.source":  # recorded on every row entering an Entry table, so it must serialize
        try:
            json.dumps(value, default=str)
        except (TypeError, ValueError) as err:
            raise InvalidSetting.of(key, value, f"provenance.source must be JSON-serializable: {err}") from None
    return dict(value)


#: How each key's value is checked and converted; keys with a bool default are booleans.
COERCERS: dict[str, Any] = {
    "database.port": _integer(1, 65535),
    "database.backend": _choice(BACKENDS, aliases={"postgres": "postgresql", "mariadb": "mysql"}),
    "database.use_tls": _tls,
    "display.limit": _integer(0),
    "display.width": _integer(1),
    "loglevel": _choice(LOGLEVELS, case=str.upper),
    "jobs.stale_timeout": _integer(0),
    "jobs.default_priority": _integer(0, 255),
    "jobs.orphan_timeout": _seconds,
    "jobs.version_method": _version_method,
    "query_cache": _path,
    "stores": _mapping,
    "custom": _mapping,
    "provenance.source": _mapping,
}


def _coerce(key: str, value: Any) -> Any:
    """Bring a value from a file, environment variable or code to the type its key expects."""
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return {} if key in MAPPING_KEYS else None
    if key in COERCERS:
        return COERCERS[key](key, value)
    if isinstance(DEFAULTS.get(key), bool):
        return _boolean(key, value)
    return value


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts from a JSON file -> dotted keys (mapping-valued keys such as ``stores`` stay one value)."""
    flat: dict[str, Any] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and key not in MAPPING_KEYS:
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = value
    return flat


def _mapping_entry(key: str) -> tuple[str, str] | None:
    """``"stores.main"`` -> ``("stores", "main")``: an entry of a mapping-valued key."""
    for mapping_key in MAPPING_KEYS:
        if key.startswith(mapping_key + "."):
            return mapping_key, key[len(mapping_key) + 1:]
    return None


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys -> nested dicts, as datajoint.json writes them."""
    tree: dict[str, Any] = {}
    for key, value in flat.items():
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return tree


def _env_set(key: str) -> bool:
    var = ENV_VARS.get(key)
    return bool(var and os.environ.get(var))


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
        fields = ", ".join(f"{k[len(start):]}={_shown(k, v)!r}" for k, v in self._config.items() if k.startswith(start))
        return f"{self._prefix}({fields})"


def _shown(key: str, value: Any) -> Any:
    return SecretStr(value) if key in SECRET_KEYS and value is not None else value


class Config:
    """DataJoint settings, as a mapping of dotted keys with attribute access."""

    def __init__(self, *, load_environment: bool = True) -> None:
        self._values: dict[str, Any] = copy.deepcopy(DEFAULTS)
        self._explicit: set[str] = set()
        self._from_secrets: set[str] = set()
        self.config_path: pathlib.Path | None = None
        self.secrets_dir: pathlib.Path | None = None
        if load_environment:
            ignore = os.environ.get("DJ_IGNORE_CONFIG_FILE", "").strip().lower() in TRUE_WORDS
            if not ignore:
                self._load_file()
            self._load_env()
            if not ignore:
                secrets = find_secrets_dir(self.config_path)
                if secrets is not None:
                    self.load_secrets(secrets)
        self._apply_loglevel()

    # -- loading -----------------------------------------------------------
    def _load_file(self) -> None:
        path = find_config_file()
        if path is not None:
            self.load(path)

    def _load_env(self) -> None:
        for key, var in ENV_VARS.items():
            if var in os.environ:
                self._set(key, os.environ[var])
        if os.environ.get("DJ_STORES"):  # replaces the file's stores; secrets may still fill them in
            try:
                stores = json.loads(os.environ["DJ_STORES"])
            except ValueError as err:
                raise InvalidSetting.of("stores", os.environ["DJ_STORES"], f"DJ_STORES contains invalid JSON: {err}") from None
            if not isinstance(stores, dict):
                raise InvalidSetting.of("stores", stores, f"DJ_STORES must be a JSON object, got {type(stores).__name__}.")
            self._set("stores", stores)

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read settings from a JSON file (nested objects or dotted keys).

        A key whose environment variable is set keeps the environment's value; the
        entries of ``stores`` and ``custom`` are merged into those already configured.
        """
        path = pathlib.Path(path)
        if not path.is_file():
            raise MissingConfigFile(f"Config file not found: {path}")
        try:
            tree = json.loads(path.read_text())
        except (OSError, ValueError) as err:
            raise DataJointError(f"Cannot read config file {path}: {err}") from None
        for key, value in _flatten(tree).items():
            if _env_set(key):
                continue
            if key in MAPPING_KEYS and isinstance(value, Mapping):
                value = {**self._values[key], **value}
            if key in DEFAULTS or _mapping_entry(key):
                self._set(key, value)
            else:
                logger.warning("Ignoring unknown config key %r in %s", key, path)
        self.config_path = path

    def load_secrets(self, folder: str | os.PathLike[str]) -> None:
        """Fill unset settings from a secrets directory: one file per key, named by the key.

        ``database.user``, ``database.password`` (and other known keys) and
        ``stores.<name>.<attribute>``; a value set by the file or the environment is kept.
        """
        folder = pathlib.Path(folder)
        self.secrets_dir = folder
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if path.name.startswith(".") or not path.is_file():
                continue
            key, value = path.name, path.read_text().strip()
            parts = key.split(".")
            if len(parts) == 3 and parts[0] == "stores":
                store = dict(self._values["stores"].get(parts[1]) or {})
                if parts[2] not in store:
                    store[parts[2]] = value
                    self._values["stores"] = {**self._values["stores"], parts[1]: store}
                    self._from_secrets.add(key)
            elif key in DEFAULTS and self._values[key] is None:
                self._set(key, value)
                self._from_secrets.add(key)

    def save(self, path: str | os.PathLike[str] = CONFIG_FILENAME) -> None:
        """Write the explicitly set values to a JSON file (passwords and secrets left out)."""
        kept = sorted(self._explicit - {"database.password"} - self._from_secrets)
        flat = {key: self._values[key] for key in kept}
        if "stores" in flat:
            flat["stores"] = {name: ({a: v for a, v in spec.items() if f"stores.{name}.{a}" not in self._from_secrets}
                                     if isinstance(spec, Mapping) else spec) for name, spec in flat["stores"].items()}
        pathlib.Path(path).write_text(json.dumps(_nest(flat), indent=2, default=str) + "\n")

    @staticmethod
    def save_template(path: str | os.PathLike[str] = CONFIG_FILENAME, minimal: bool = True,
                      create_secrets_dir: bool = True) -> pathlib.Path:
        """Write a starting ``datajoint.json`` (and a ``.secrets/`` folder for credentials); returns its path.

        ``minimal=False`` lists every setting with its default and an example store.
        Credentials are never written to the file: they go in ``.secrets/`` (ignored by
        git) or the ``DJ_USER``/``DJ_PASS`` environment variables.  Refuses to
        overwrite an existing file.
        """
        path = pathlib.Path(path)
        if path.exists():
            raise FileExistsError(f"File already exists: {path}; remove it or choose another path.")
        path.write_text(json.dumps(_template(minimal), indent=2, default=str) + "\n")
        if create_secrets_dir:
            secrets = path.parent / SECRETS_DIRNAME
            secrets.mkdir(exist_ok=True)
            for name, placeholder in (("database.user", "your_username"), ("database.password", "your_password")):
                if not (secrets / name).exists():
                    (secrets / name).write_text(placeholder)
            if not (secrets / ".gitignore").exists():
                (secrets / ".gitignore").write_text("# Never commit secrets\n*\n!.gitignore\n")
        logger.info("Created configuration template %s", path.absolute())
        return path.absolute()

    def get_store_spec(self, store: str | None = None, *, use_filepath_default: bool = False) -> dict[str, Any]:
        """The checked configuration of a store (None: ``stores.default``, or ``stores.filepath_default``)."""
        return store_spec(store, config=self, filepath=use_filepath_default)

    # -- mapping interface ---------------------------------------------------
    def _set(self, key: str, value: Any) -> None:
        entry = _mapping_entry(key)
        if entry is not None:
            key, value = entry[0], {**self._values[entry[0]], entry[1]: value}
        elif key not in DEFAULTS:
            known = ", ".join(sorted(DEFAULTS))
            raise InvalidSetting.of(key, value, f"Unknown config key {key!r}; known keys: {known}.")
        self._values[key] = _coerce(key, value)
        self._explicit.add(key)
        self._from_secrets.discard(key)
        if key == "loglevel":
            self._apply_loglevel()

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        entry = _mapping_entry(key)
        if entry is not None and entry[1] in self._values[entry[0]]:
            return self._values[entry[0]][entry[1]]
        prefix = key + "."
        section = {k[len(prefix):]: v for k, v in self._values.items() if k.startswith(prefix)}
        if section:
            return section
        raise DataJointKeyError(f"Unknown config key {key!r}.")

    def __setitem__(self, key: str, value: Any) -> None:
        self._set(key, value)

    def __delitem__(self, key: str) -> None:
        """Return a setting to its default."""
        if key not in DEFAULTS:
            raise DataJointKeyError(f"Unknown config key {key!r}.")
        self._values[key] = copy.deepcopy(DEFAULTS[key])
        self._explicit.discard(key)
        self._from_secrets.discard(key)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except DataJointKeyError:
            return default

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter(self._values.items())

    def update(self, values: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        for key, value in {**(values or {}), **kwargs}.items():
            self._set(key, value)

    def is_set(self, key: str) -> bool:
        """True when a file, an environment variable, a secret or code gave this key a value."""
        return key in self._explicit

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        key = name.replace("__", ".")
        if key in self._values:
            return _shown(key, self._values[key])
        if any(k.startswith(key + ".") for k in self._values):
            return _Section(self, key)
        raise AttributeError(f"config has no key {key!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in ("config_path", "secrets_dir"):
            object.__setattr__(self, name, value)
        else:
            self._set(name.replace("__", "."), value)

    def __repr__(self) -> str:
        sections = sorted({k.split(".", 1)[0] for k in self._values if "." in k})
        parts = [repr(_Section(self, name)) for name in sections]
        parts += [f"{k}={v!r}" for k, v in self._values.items() if "." not in k]
        return f"Config({', '.join(parts)})"

    # -- temporary changes ------------------------------------------------------
    @contextlib.contextmanager
    def override(self, **changes: Any) -> Iterator[Config]:
        """Change settings inside a ``with`` block and restore them after.

        Nested keys are written with double underscores: ``database__host="db"``, or a
        section as a mapping: ``jobs={"keep_completed": True}``.
        """
        saved = copy.deepcopy(self._values), set(self._explicit), set(self._from_secrets)
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
            self._values, self._explicit, self._from_secrets = saved
            self._apply_loglevel()

    def _apply_loglevel(self) -> None:
        for name in LOGGER_NAMES:
            logging.getLogger(name).setLevel(self._values["loglevel"])


def _template(minimal: bool) -> dict[str, Any]:
    """The contents of :meth:`Config.save_template`: server settings, or every setting with its default."""
    if minimal:
        return {"database": {"backend": "mysql", "host": "localhost", "port": 3306}}
    flat = {k: v for k, v in DEFAULTS.items() if k not in ("database.user", "database.password", "database.url")}
    flat.update({"database.backend": "mysql", "database.host": "localhost", "database.port": 3306})
    flat["stores"] = {
        "default": "main", "filepath_default": "raw_data",
        "main": {"protocol": "file", "location": "/data/my-project/main", "partition_pattern": None,
                 "token_length": 8, "subfolding": None},
        "raw_data": {"protocol": "file", "location": "/data/my-project/raw"},
    }
    return _nest(flat)


def find_config_file(start: pathlib.Path | None = None) -> pathlib.Path | None:
    """The nearest datajoint.json from ``start`` upwards, stopping at a repository root (.git, .hg)."""
    folder = (start or pathlib.Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_FILENAME
        if path.is_file():
            return path
        if (candidate / ".git").exists() or (candidate / ".hg").exists():
            break
    return None


def find_secrets_dir(config_path: pathlib.Path | None = None) -> pathlib.Path | None:
    """The secrets directory: ``.secrets/`` beside ``config_path``, else ``/run/secrets/datajoint``."""
    if config_path is not None and (pathlib.Path(config_path).parent / SECRETS_DIRNAME).is_dir():
        return pathlib.Path(config_path).parent / SECRETS_DIRNAME
    return SYSTEM_SECRETS_DIR if SYSTEM_SECRETS_DIR.is_dir() else None


def read_secret_file(secrets_dir: pathlib.Path | None, name: str) -> str | None:
    """The value kept in file ``name`` of ``secrets_dir`` (whitespace stripped), or None."""
    if secrets_dir is None or not (pathlib.Path(secrets_dir) / name).is_file():
        return None
    return (pathlib.Path(secrets_dir) / name).read_text().strip()


def create_config() -> Config:
    """A fresh configuration from the environment, ``datajoint.json`` and the secrets directory.

    Warns when no ``datajoint.json`` is found (and ``DJ_IGNORE_CONFIG_FILE`` is not
    set), pointing at :meth:`Config.save_template`.  The global ``dj.config`` is made
    the same way, quietly: with nothing configured it uses an SQLite file by design.
    """
    created = Config()
    if created.config_path is None and not created["ignore_config_file"]:
        warnings.warn(f"No {CONFIG_FILENAME} found; using defaults and environment variables. "
                      "dj.config.save_template() writes a template.", UserWarning, stacklevel=2)
    return created


configure_loggers()
config = Config()
_create_config = create_config  # the name DataJoint 2.x gives this factory
