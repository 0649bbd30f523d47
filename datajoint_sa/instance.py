"""The global connection (``dj.conn()``), isolated ``dj.Instance`` objects, and thread-safe mode.

Two ways to reach a database:

- the global pattern: one ``dj.config`` and one connection per process, shared by
  every schema that is given no connection (interactive work, scripts);
- ``dj.Instance(host, user, password, ...)``: its own ``Config`` and ``Connection``,
  with ``inst.Schema(...)`` and ``inst.FreeTable(...)`` bound to them (web servers,
  several tenants or credentials in one process).

With ``DJ_THREAD_SAFE=true`` (read at each use; set it before the process starts)
the global pattern is switched off: ``dj.config``, ``dj.conn()``, and ``dj.Schema``
or ``dj.FreeTable`` without a connection raise ``ThreadSafetyError``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from .engine.address import DEFAULT_PORTS
from .engine.connection import Connection, url_from_config
from .errors import ThreadSafetyError
from .settings import TRUE_WORDS, Config
from .settings import config as global_config

__all__ = ["conn", "Instance", "ConfigProxy", "thread_safe_mode", "check_thread_safe"]

_lock = threading.Lock()
_default: Connection | None = None


def thread_safe_mode() -> bool:
    """True when ``DJ_THREAD_SAFE`` is ``true``, ``1`` or ``yes``: global state is then refused."""
    return os.environ.get("DJ_THREAD_SAFE", "").strip().lower() in TRUE_WORDS


def check_thread_safe() -> None:
    """Raise ThreadSafetyError when thread-safe mode is on (called before any use of global state)."""
    if thread_safe_mode():
        raise ThreadSafetyError("Global DataJoint state (dj.config, dj.conn) is disabled in thread-safe mode "
                                "(DJ_THREAD_SAFE); create a dj.Instance(host, user, password) and use its "
                                "config, Schema and FreeTable.")


def conn(host: str | None = None, user: str | None = None, password: str | None = None, *,
         url: str | None = None, reset: bool = False, use_tls: bool | dict | None = None) -> Connection:
    """The shared connection that schemas use unless given another.

    The first call connects (arguments override the configuration); later calls
    return the same connection, whatever their arguments, until ``reset=True``
    replaces it (e.g. after changing ``dj.config``).
    """
    global _default
    check_thread_safe()
    with _lock:
        if _default is not None and not reset:
            return _default
        if _default is not None:
            _default.close()
        if url is not None:
            _default = Connection(url, use_tls=use_tls)
        elif host is None and user is None and password is None:
            _default = Connection(url_from_config(global_config), use_tls=use_tls)
        else:
            _default = Connection(host, user, password, use_tls=use_tls)
        return _default


class Instance:
    """A configuration and a connection of its own, independent of ``dj.config`` and ``dj.conn()``.

    ``Instance(host, user, password, port=None, use_tls=None, backend=None, **settings)``
    starts from the environment and ``datajoint.json`` like ``dj.config``, then applies
    ``backend`` and the keyword settings (``safemode=False``, ``database__reconnect=False``:
    double underscores for nested keys) to ``inst.config`` only, and connects.
    ``backend`` defaults to the configuration's, else ``"mysql"``; ``port`` to the
    configuration's port when the backend is the configured one, else the backend's
    standard port.
    """

    def __init__(self, host: str, user: str | None = None, password: str | None = None, port: int | None = None,
                 use_tls: bool | dict | None = None, backend: str | None = None, **settings: Any) -> None:
        self.config = Config()
        configured = self.config["database.backend"]
        self.config["database.backend"] = backend or configured or "mysql"
        backend = self.config["database.backend"]
        if backend != configured and "database__port" not in settings:
            self.config["database.port"] = None  # the configured port belongs to the other backend
        for name, value in settings.items():
            self.config[name.replace("__", ".")] = value
        if port is None:
            port = self.config["database.port"] or DEFAULT_PORTS.get(backend)
        self.connection = Connection(host, user, password, port, use_tls, backend=backend,
                                     config_override=self.config)

    def Schema(self, schema_name: str, *, context: Mapping[str, Any] | None = None, create_schema: bool = True,
               create_tables: bool | None = None, add_objects: Mapping[str, Any] | None = None) -> Any:
        """A ``dj.Schema`` on this instance's connection (same arguments)."""
        from .schemas import Schema

        return Schema(schema_name, context=context, connection=self.connection, create_schema=create_schema,
                      create_tables=create_tables, add_objects=add_objects)

    def FreeTable(self, full_table_name: str) -> Any:
        """A ``dj.FreeTable`` for ``"schema.table"`` on this instance's connection."""
        from .table import FreeTable

        return FreeTable(self.connection, full_table_name)

    def __repr__(self) -> str:
        return f"Instance({self.connection!r})"


class ConfigProxy:
    """``dj.config``: the global :class:`Config`, refused in thread-safe mode.

    Every read and write goes to ``datajoint_sa.settings.config`` (the same object the
    library reads); ``save_template`` works in any mode, as it touches no settings.
    """

    def __init__(self, target: Config) -> None:
        object.__setattr__(self, "_target", target)

    def _config(self) -> Config:
        check_thread_safe()
        return self._target

    def __getattr__(self, name: str) -> Any:
        return getattr(self._config(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._config(), name, value)

    def __getitem__(self, key: str) -> Any:
        return self._config()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._config()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._config()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._config()

    def __iter__(self) -> Iterator[str]:
        return iter(self._config())

    save_template = staticmethod(Config.save_template)

    def __repr__(self) -> str:
        if thread_safe_mode():
            return "ConfigProxy (thread-safe mode: use dj.Instance(...).config)"
        return repr(self._target)

