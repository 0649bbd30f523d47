"""Test sessions: one per backend, lint, and compatibility with the reference DataJoint.

    nox -s sqlite                 # the test suite on SQLite (no server needed)
    nox -s postgresql mysql       # the suite on the servers (see DJ_TEST_*_URL below)
    nox -s lint
    nox -s compat                 # datajoint 2.3.5 and datajoint_sa on the same databases (servers needed)
    nox -s sqlite -- -k insert    # arguments after -- go to pytest

Sessions reuse their virtualenvs, so a second run only re-checks the installs;
``nox -R`` skips the installs altogether.  Server URLs come from
DJ_TEST_POSTGRESQL_URL and DJ_TEST_MYSQL_URL (defaults in tests/conftest.py);
with CI=true an unreachable server fails the run instead of skipping its tests.
"""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["lint", "sqlite", "postgresql", "mysql"]
nox.options.reuse_venv = "yes"

PASSED_THROUGH = ("CI", "DJ_TEST_POSTGRESQL_URL", "DJ_TEST_MYSQL_URL")
REFERENCE = "datajoint==2.3.5"


def test_env(backends: str) -> dict[str, str]:
    """The environment of a pytest run: the chosen backends plus the pass-through variables."""
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env["DJ_TEST_BACKENDS"] = backends
    return env


def run_suite(session: nox.Session, backend: str) -> None:
    session.install("-e", ".[test]")
    # tests/compat needs the reference datajoint installed; the compat session runs it.
    session.run("pytest", "--ignore=tests/compat", *session.posargs, env=test_env(backend))


@nox.session(reuse_venv=True)
def sqlite(session: nox.Session) -> None:
    """The test suite on SQLite."""
    run_suite(session, "sqlite")


@nox.session(reuse_venv=True)
def postgresql(session: nox.Session) -> None:
    """The test suite on PostgreSQL."""
    run_suite(session, "postgresql")


@nox.session(reuse_venv=True)
def mysql(session: nox.Session) -> None:
    """The test suite on MySQL/MariaDB."""
    run_suite(session, "mysql")


@nox.session(reuse_venv=True)
def lint(session: nox.Session) -> None:
    """ruff on the package and the tests."""
    session.install("ruff>=0.4")
    session.run("ruff", "check", "datajoint_sa", "tests", *session.posargs)


# Tests outside tests/compat that compare with the reference in a subprocess (DJ_REFERENCE_PYTHON).
REFERENCE_SUBPROCESS_TESTS = [
    f"tests/test_blob.py::{name}"
    for name in ("test_bytes_equal_reference", "test_reference_bytes_decode_in_ours", "test_our_bytes_decode_in_reference")
]


@nox.session(reuse_venv=True)
def compat(session: nox.Session) -> None:
    """tests/compat and the blob byte-compatibility tests, against the reference datajoint 2.3.5.

    The reference is installed beside datajoint_sa in this session's venv, so the
    tests import both; the blob tests run the reference in a subprocess, with this
    venv's interpreter, and fail (rather than skip) if it cannot be found.
    """
    session.install("-e", ".[test]", REFERENCE, "psycopg2-binary")
    env = test_env("postgresql,mysql")
    env["DJ_REFERENCE_PYTHON"] = os.path.join(session.bin, "python")
    env["DJ_REQUIRE_REFERENCE"] = "1"
    session.run("pytest", "tests/compat", *REFERENCE_SUBPROCESS_TESTS, *session.posargs, env=env)
