"""Test sessions: one per backend, lint, and compatibility with the reference DataJoint.

    nox -s sqlite                 # the test suite on SQLite (no server needed)
    nox -s postgresql mysql       # the suite on the servers (see DJ_TEST_*_URL below)
    nox -s lint
    nox -s compat                 # datajoint 2.3.5 and datajoint_sa on the same databases (servers needed)
    nox -s refsuite               # datajoint 2.3.5's own test suite against datajoint_sa (servers needed)
    nox -s sqlite -- -k insert    # arguments after -- go to pytest

Sessions reuse their virtualenvs, so a second run only re-checks the installs;
``nox -R`` skips the installs altogether.  Server URLs come from
DJ_TEST_POSTGRESQL_URL and DJ_TEST_MYSQL_URL (defaults in tests/conftest.py);
with CI=true an unreachable server fails the run instead of skipping its tests.
"""

from __future__ import annotations

import os
import pathlib
import re

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


REFSUITE = pathlib.Path(__file__).parent.parent / "shared" / "refsuite"
REFSUITE_FLOOR = pathlib.Path(__file__).parent / "tests" / "conformance" / "refsuite_floor.txt"
PUBLIC_FIGURE = re.compile(r"^public API: (\d+) passed, (\d+) failed", re.MULTILINE)


def refsuite_floors() -> dict[str, int]:
    """Backend -> the least number of the reference suite's public-API tests that must pass."""
    lines = (line.split("#")[0].split() for line in REFSUITE_FLOOR.read_text().splitlines())
    return {fields[0]: int(fields[1]) for fields in lines if fields}


@nox.session(reuse_venv=True)
def refsuite(session: nox.Session) -> None:
    """The test suite of datajoint 2.3.5 run against datajoint_sa (../shared/refsuite), on each server.

    The runner fetches the reference and its tests on first use (about a minute).

    Fails when a backend's public-API figure falls below its floor in
    tests/conformance/refsuite_floor.txt.  ``nox -s refsuite -- mysql`` runs one backend.
    """
    if not (REFSUITE / "run").exists():
        session.error(f"{REFSUITE} not found: the refsuite runner must sit in ../shared beside the checkout")
    session.install("-e", ".[all]")
    floors = refsuite_floors()
    backends = session.posargs or list(floors)
    python = os.path.join(session.bin, "python")
    shortfalls = []
    for backend in backends:
        output = session.run(str(REFSUITE / "run"), "--python", python, "--backend", backend,
                             external=True, silent=True, success_codes=[0, 1])
        print(output[-6000:] if output else "")
        figures = PUBLIC_FIGURE.findall(output or "")
        if not figures:
            shortfalls.append(f"{backend}: the runner printed no public-API figure")
            continue
        passed, failed = map(int, figures[-1])
        session.log(f"refsuite {backend}: public API {passed} passed, {failed} failed (floor {floors[backend]})")
        if passed < floors[backend]:
            shortfalls.append(f"{backend}: {passed} passed, below the floor of {floors[backend]}")
    if shortfalls:
        session.error("; ".join(shortfalls))
