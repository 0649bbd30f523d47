"""Where a connection goes: DataJoint's ``host``/``user``/``password`` arguments as a SQLAlchemy URL.

DataJoint names a server by host (optionally ``host:port``), user, password and
backend; SQLAlchemy by one URL.  Both spellings reach the same engine.
"""

from __future__ import annotations

import pathlib
from typing import Any

import sqlalchemy as sa

from ..errors import DataJointError
from ..settings import DEFAULT_SQLITE_FILENAME, Config

__all__ = ["DEFAULT_PORTS", "DRIVERS", "server_url", "split_host", "url_from_config"]

DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}


def split_host(host: str, port: int | str | None = None) -> tuple[str, int | None]:
    """``"db.lab.org:3307"`` -> ``("db.lab.org", 3307)``; a port in the host wins over ``port``."""
    if host.count(":") == 1:  # one colon: host:port (IPv6 addresses have several)
        host, port_text = host.split(":")
        if not port_text.isdigit():
            raise DataJointError(f"The port in host {host}:{port_text!r} is not a number.")
        return host, int(port_text)
    return host, int(port) if port not in (None, "") else None


def tls_connect_args(backend: str, use_tls: bool | dict | None) -> dict[str, Any]:
    """Driver arguments for DataJoint's ``use_tls``: True requires TLS, False refuses it, None lets the server choose."""
    if backend == "postgresql":
        if isinstance(use_tls, dict):
            return dict(use_tls)
        return {"sslmode": {True: "require", False: "disable", None: "prefer"}[use_tls]}
    if isinstance(use_tls, dict):
        return {"ssl": use_tls}
    if use_tls:  # PyMySQL starts TLS when given any ssl settings
        return {"ssl": {"check_hostname": False}}
    return {}


def server_url(backend: str, host: str, user: str | None, password: str | None,
               port: int | None = None, database: str | None = None) -> sa.engine.URL:
    """The SQLAlchemy URL of a PostgreSQL or MySQL server."""
    if backend not in DRIVERS:
        raise DataJointError(f"Unknown database backend {backend!r}; choose one of: {', '.join(DRIVERS)}, sqlite.")
    host, port = split_host(host or "localhost", port)
    if backend == "postgresql":
        database = database or "postgres"
    query = {"charset": "utf8mb4"} if backend == "mysql" else {}
    return sa.engine.URL.create(
        DRIVERS[backend], username=user, password=password, host=host,
        port=port or DEFAULT_PORTS[backend], database=database, query=query,
    )


def url_from_config(cfg: Config) -> sa.engine.URL:
    """The SQLAlchemy URL that the configuration selects."""
    if cfg["database.url"]:
        return sa.engine.make_url(cfg["database.url"])
    backend = cfg["database.backend"]
    host = cfg["database.host"]
    if backend == "sqlite" or (backend is None and host is None):
        name = cfg["database.name"] if backend == "sqlite" and cfg["database.name"] else DEFAULT_SQLITE_FILENAME
        return sa.engine.URL.create("sqlite", database=str(pathlib.Path(name).absolute()))
    return server_url(backend or "mysql", host, cfg["database.user"], cfg["database.password"],
                      cfg["database.port"], cfg["database.name"])
