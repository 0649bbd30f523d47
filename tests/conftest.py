"""Backend fixtures: every test that takes ``connection`` or ``schema`` runs on each backend.

Backends come from DJ_TEST_BACKENDS (comma-separated; default: all three).  Server
URLs come from DJ_TEST_POSTGRESQL_URL and DJ_TEST_MYSQL_URL.  An unreachable
server skips its tests with the reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import itertools
import os
import uuid

import pytest
import sqlalchemy as sa

import datajoint_sa as dj

SERVER_URLS = {
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = [b.strip() for b in os.environ.get("DJ_TEST_BACKENDS", "sqlite,postgresql,mysql").split(",") if b.strip()]
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_connections: dict[str, dj.Connection] = {}
_counter = itertools.count()


def backend_url(backend: str, tmp_dir: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir}/test.db"
    return SERVER_URLS[backend]


def open_connection(backend: str, tmp_dir: str) -> dj.Connection:
    if backend not in _connections:
        url = sa.engine.make_url(backend_url(backend, tmp_dir))
        try:
            connection = dj.Connection(url)  # a server is reached at once
            with connection.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except (sa.exc.DBAPIError, dj.DataJointError, ModuleNotFoundError) as err:
            reason = f"{backend} server not reachable at {url.render_as_string(hide_password=True)}: {str(err).splitlines()[0]}"
            if ON_CI:
                pytest.fail(reason + " (CI=true requires every backend)")
            pytest.skip(reason)
        _connections[backend] = connection
    return _connections[backend]


@pytest.fixture(scope="session")
def _sqlite_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def connection(backend: str, _sqlite_dir: str) -> dj.Connection:
    return open_connection(backend, _sqlite_dir)


def unique_schema_name(prefix: str = "djtest") -> str:
    return f"{prefix}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def schema(connection: dj.Connection):
    """A fresh, empty schema on the backend under test, dropped afterwards."""
    created = dj.Schema(unique_schema_name(), connection=connection)
    yield created
    created.drop(prompt=False)


@pytest.fixture
def make_schema(connection: dj.Connection):
    """Factory for extra schemas (cross-schema tests); all are dropped afterwards, newest first."""
    made: list[dj.Schema] = []

    def make(prefix: str = "djtest") -> dj.Schema:
        made.append(dj.Schema(unique_schema_name(prefix), connection=connection))
        return made[-1]

    yield make
    for created in reversed(made):
        created.drop(prompt=False)


@pytest.fixture(autouse=True)
def _no_safemode():
    with dj.config.override(safemode=False):
        yield
