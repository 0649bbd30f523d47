"""The default connection: ``dj.conn()``."""

from __future__ import annotations

import threading

from .engine.connection import Connection, url_from_config
from .settings import config

__all__ = ["conn"]

_lock = threading.Lock()
_default: Connection | None = None


def conn(host: str | None = None, user: str | None = None, password: str | None = None, *,
         url: str | None = None, reset: bool = False) -> Connection:
    """The shared connection that schemas use unless given another.

    Arguments override the configuration for this call; ``reset=True`` replaces an
    existing connection (e.g. after changing ``dj.config``).
    """
    global _default
    with _lock:
        if _default is not None and not reset and not any((host, user, password, url)):
            return _default
        if _default is not None:
            _default.close()
        overrides = {k: v for k, v in {"database.host": host, "database.user": user,
                                        "database.password": password, "database.url": url}.items() if v is not None}
        with config.override(**{k.replace(".", "__"): v for k, v in overrides.items()}):
            _default = Connection(url_from_config(config))
        return _default
