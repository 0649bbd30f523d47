"""The default connection: ``dj.conn()``."""

from __future__ import annotations

import threading

from .engine.connection import Connection, url_from_config
from .settings import config

__all__ = ["conn"]

_lock = threading.Lock()
_default: Connection | None = None


def conn(host: str | None = None, user: str | None = None, password: str | None = None, *,
         url: str | None = None, reset: bool = False, use_tls: bool | dict | None = None) -> Connection:
    """The shared connection that schemas use unless given another.

    The first call connects (arguments override the configuration); later calls
    return the same connection, whatever their arguments, until ``reset=True``
    replaces it (e.g. after changing ``dj.config``).
    """
    global _default
    with _lock:
        if _default is not None and not reset:
            return _default
        if _default is not None:
            _default.close()
        if url is not None:
            _default = Connection(url, use_tls=use_tls)
        elif host is None and user is None and password is None:
            _default = Connection(url_from_config(config), use_tls=use_tls)
        else:
            _default = Connection(host, user, password, use_tls=use_tls)
        return _default
