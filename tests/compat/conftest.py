"""Fixtures for the compatibility tests: the reference datajoint 2.3.5 and datajoint_sa side by side.

Both libraries are imported in the same interpreter (``import datajoint`` is the
reference, ``import datajoint_sa`` is ours); the nox session ``compat`` installs
the reference from PyPI.  For each server backend, the pipeline of
``pipeline.py`` is declared once by each library, each in its own pair of schemas.
Without the reference they skip, unless DJ_REQUIRE_REFERENCE is set (the compat
session sets it), and without a server they skip unless CI=true: in either case
they then fail, so that CI cannot pass by skipping them.
"""

from __future__ import annotations

import os
import types
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

import datajoint_sa

from . import pipeline

REFERENCE_VERSION = "2.3.5"
SERVER_URLS = {
    "postgresql": os.environ.get("DJ_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
    "mysql": os.environ.get("DJ_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = [b.strip() for b in os.environ.get("DJ_TEST_BACKENDS", "postgresql,mysql").split(",")
            if b.strip() in SERVER_URLS]
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REQUIRE_REFERENCE = bool(os.environ.get("DJ_REQUIRE_REFERENCE"))


def _unavailable(reason: str, required: bool) -> None:
    if required:
        pytest.fail(reason + " (the compatibility tests must run here)")
    pytest.skip(reason)


def _import_reference() -> types.ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No datajoint.json found": the tests configure it in code
        try:
            import datajoint
        except ImportError as err:
            _unavailable(f"the reference datajoint {REFERENCE_VERSION} is not installed ({err}); run `nox -s compat`",
                         REQUIRE_REFERENCE)
    if datajoint.__version__ != REFERENCE_VERSION:
        _unavailable(f"the reference must be datajoint {REFERENCE_VERSION}, found {datajoint.__version__}",
                     REQUIRE_REFERENCE)
    return datajoint


@pytest.fixture(scope="session")
def ref() -> types.ModuleType:
    """The reference ``datajoint`` module."""
    return _import_reference()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def sa_connection(backend: str) -> datajoint_sa.Connection:
    connection = datajoint_sa.Connection(SERVER_URLS[backend])
    try:
        with connection.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as err:
        _unavailable(f"{backend} server not reachable: {str(err).splitlines()[0]}", ON_CI or REQUIRE_REFERENCE)
    return connection


@pytest.fixture(scope="session")
def ref_instance(ref: types.ModuleType, backend: str, sa_connection: datajoint_sa.Connection) -> Any:
    """A reference ``dj.Instance`` on the same server as ``sa_connection``."""
    url = sa_connection.url
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        instance = ref.Instance(url.host, url.username or "", url.password or "", port=url.port,
                                backend=backend, use_tls=False)
    instance.config.safemode = False
    return instance


class Declared(types.SimpleNamespace):
    """The pipeline declared by both libraries on one backend."""

    backend: str
    ref_module: types.ModuleType  # the reference ``datajoint``
    ref: types.SimpleNamespace  # the reference's classes
    ours: types.SimpleNamespace  # datajoint_sa's classes
    names: dict[str, dict[str, str]]  # "ref"/"ours" -> {"upstream": schema, "main": schema}
    placeholders: dict[str, dict[str, str]]  # "ref"/"ours" -> {schema name: placeholder}


def _schema_names(side: str) -> dict[str, str]:
    tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    return {"upstream": f"djcompat_{side}_up_{tag}", "main": f"djcompat_{side}_main_{tag}"}


def _drop(connection: datajoint_sa.Connection, names: dict[str, str]) -> None:
    for name in (names["main"], names["upstream"]):  # children first: main refers to upstream
        datajoint_sa.Schema(name, connection=connection, create_schema=True).drop(prompt=False)


@pytest.fixture(scope="session")
def declared(backend: str, ref_instance: Any, ref: types.ModuleType,
             sa_connection: datajoint_sa.Connection) -> Iterator[Declared]:
    names = {"ref": _schema_names("ref"), "ours": _schema_names("sa")}
    try:
        ref_classes = pipeline.declare(ref, ref_instance.Schema(names["ref"]["upstream"]),
                                       ref_instance.Schema(names["ref"]["main"]), backend)
        our_classes = pipeline.declare(
            datajoint_sa, datajoint_sa.Schema(names["ours"]["upstream"], connection=sa_connection),
            datajoint_sa.Schema(names["ours"]["main"], connection=sa_connection), backend)
        yield Declared(
            backend=backend, ref_module=ref, ref=ref_classes, ours=our_classes, names=names,
            placeholders={side: {n["upstream"]: "<upstream>", n["main"]: "<main>"} for side, n in names.items()},
        )
    finally:
        with datajoint_sa.config.override(safemode=False):
            _drop(sa_connection, names["ours"])
            _drop(sa_connection, names["ref"])
