"""Test sessions: one per backend, lint, and compatibility with the reference DataJoint.

    nox -s sqlite                 # the test suite on SQLite (no server needed)
    nox -s postgresql mysql       # the suite on the servers (see DJ_TEST_*_URL below)
    nox -s lint
    nox -s compat                 # datajoint 2.3.5 and datajoint_sa on the same databases
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


@nox.session(reuse_venv=True)
def compat(session: nox.Session) -> None:
    """tests/compat: datajoint_sa against databases written by the reference datajoint 2.3.5."""
    session.install("-e", ".[test]", REFERENCE, "psycopg2-binary")
    session.run("pytest", "tests/compat", *session.posargs, env=test_env("postgresql,mysql"))
