"""dj.Instance, thread-safe mode, the console (dj.cli), the shared log handler, and connection life cycle."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

import datajoint_sa as dj
from datajoint_sa import instance
from datajoint_sa.errors import LostConnectionError, ThreadSafetyError


def instance_for(connection: dj.Connection, **settings) -> dj.Instance:
    """An Instance reaching the same database as ``connection`` through host/user/password."""
    url = connection.url
    if connection.dialect_name == "sqlite":
        return dj.Instance(url.database, backend="sqlite", **settings)
    return dj.Instance(f"{url.host}:{url.port}", url.username, url.password or "", backend=connection.dialect_name,
                       **settings)


def test_instance_has_its_own_config_and_connection(connection, backend):
    inst = instance_for(connection, safemode=False, display__limit=3)
    try:
        assert inst.config is not dj.config._target and inst.connection.config is inst.config
        assert inst.config["safemode"] is False and inst.config["display.limit"] == 3
        assert dj.config["display.limit"] != 3 or dj.config.is_set("display.limit")
        assert inst.config["database.backend"] == backend
        assert inst.connection.dialect_name == backend
        assert inst.connection.query("SELECT 1").fetchone()[0] == 1
        assert "Instance(" in repr(inst)
    finally:
        inst.connection.close()


def test_instance_schema_and_free_table(connection, backend):
    inst = instance_for(connection)
    from conftest import unique_schema_name

    schema = inst.Schema(unique_schema_name())
    try:
        assert schema.connection is inst.connection

        @schema
        class Note(dj.Manual):
            definition = """
            note_id : int32
            ---
            text : varchar(20)
            """

        Note.insert1((1, "hello"))
        table = inst.FreeTable(f"{schema.database}.note")
        assert table.to_dicts() == [{"note_id": 1, "text": "hello"}]
    finally:
        schema.drop(prompt=False)
        inst.connection.close()


def test_instance_port_follows_backend(monkeypatch):
    seen = {}

    class Recorder:
        def __init__(self, *args, **kwargs):
            seen["args"], seen["kwargs"] = args, kwargs

    monkeypatch.setattr(instance, "Connection", Recorder)
    monkeypatch.setenv("DJ_BACKEND", "mysql")
    monkeypatch.setenv("DJ_PORT", "3306")
    inst = dj.Instance("db.lab", "root", "pw", backend="postgresql")
    assert seen["args"] == ("db.lab", "root", "pw", 5432, None)
    assert seen["kwargs"]["backend"] == "postgresql" and inst.config["database.backend"] == "postgresql"
    dj.Instance("db.lab", "root", "pw")
    assert seen["args"][3] == 3306 and seen["kwargs"]["backend"] == "mysql"


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_thread_safe_mode_refuses_global_state(monkeypatch, value):
    monkeypatch.setenv("DJ_THREAD_SAFE", value)
    assert instance.thread_safe_mode()
    for use in (lambda: dj.config.database, lambda: dj.config["safemode"], lambda: dj.conn(),
                lambda: setattr(dj.config, "safemode", False), lambda: dj.Schema("djtest_thread_safe"),
                lambda: dj.FreeTable("djtest_thread_safe.t")):
        with pytest.raises(ThreadSafetyError, match="dj.Instance"):
            use()
    assert "thread-safe" in repr(dj.config)
    assert issubclass(ThreadSafetyError, dj.DataJointError) and dj.ThreadSafetyError is ThreadSafetyError


def test_thread_safe_mode_allows_instances_and_templates(monkeypatch, tmp_path, connection):
    monkeypatch.setenv("DJ_THREAD_SAFE", "true")
    path = dj.config.save_template(tmp_path / "datajoint.json", create_secrets_dir=False)
    assert path.exists()
    inst = instance_for(connection)
    try:
        assert inst.connection.query("SELECT 1").fetchone()[0] == 1
    finally:
        inst.connection.close()
    monkeypatch.setenv("DJ_THREAD_SAFE", "false")
    assert not instance.thread_safe_mode() and isinstance(dj.config["safemode"], bool)


def test_cli_version_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        dj.cli(args=["-V"])
    assert done.value.code == 0 and capsys.readouterr().out == f"{dj.__name__} {dj.__version__}\n"
    with pytest.raises(SystemExit) as done:
        dj.cli(args=["--help"])
    assert done.value.code == 0 and "--schemas" in capsys.readouterr().out
    import datajoint_sa.cli  # noqa: F401  (importing the module leaves dj.cli callable)

    with pytest.raises(SystemExit):
        dj.cli(args=["-V"])


def _console(args, lines, cwd):
    process = subprocess.run([sys.executable, "-m", "datajoint_sa.cli", *args], input="".join(lines),
                             capture_output=True, text=True, cwd=cwd, timeout=120)
    return process.stdout


def test_cli_sets_credentials_and_loads_schemas(connection, schema, backend, tmp_path):
    @schema
    class Pair(dj.Lookup):
        definition = """
        i : int32
        ---
        j : int32
        """
        contents = [(0, 2), (1, 3)]

    url = connection.url
    if backend == "sqlite":
        (tmp_path / "datajoint.json").write_text(f'{{"database": {{"backend": "sqlite", "name": "{url.database}"}}}}')
        args = []
    else:
        (tmp_path / "datajoint.json").write_text(f'{{"database": {{"backend": "{backend}"}}}}')
        args = ["-u", url.username, "-p", url.password or "", "--host", f"{url.host}:{url.port}"]
    out = _console([*args, "-s", f"{schema.database}:lab"], [
        "dj.config['database.user']\n", "lab.schema\n", "sorted(r['j'] for r in lab.Pair.to_dicts())\n"],
        tmp_path)
    assert f"Schema `{schema.database}`" in out and "[2, 3]" in out
    if backend != "sqlite":
        assert repr(url.username) in out
    out = _console(["-u", "alice", "--host", "nowhere:1"], ["dj.config\n"], tmp_path)
    assert "host='nowhere:1'" in out and "user='alice'" in out and "password=" in out


def test_datajoint_logger_shares_the_handler(capsys):
    own, pipeline = logging.getLogger("datajoint_sa"), logging.getLogger("datajoint")
    shared = [h for h in own.handlers if getattr(h, "datajoint_sa", False)]
    assert len(shared) == 1 and shared[0] in pipeline.handlers
    assert pipeline.level == own.level == logging.getLevelName(dj.config["loglevel"])
    record = logging.LogRecord("datajoint", logging.WARNING, __file__, 1, "careful %s", ("now",), None)
    formatter = shared[0].formatter
    assert formatter.format(record).endswith("[WARNING]: careful now")
    try:
        raise ValueError("diagnosable")
    except ValueError:
        record = logging.LogRecord("datajoint", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert "ValueError: diagnosable" in formatter.format(record) and "Traceback" in formatter.format(record)
    with dj.config.override(loglevel="DEBUG"):
        assert pipeline.level == logging.DEBUG


def test_reconnect_after_close(connection):
    conn = dj.Connection(connection.url)
    conn.close()
    assert not conn.is_connected
    assert conn.query("SELECT 1", reconnect=True).fetchone()[0] == 1
    assert conn.is_connected
    conn.close()
    with pytest.raises(LostConnectionError, match="reconnecting is off"):
        conn.query("SELECT 1", reconnect=False)
    with dj.config.override(database__reconnect=False), pytest.raises(LostConnectionError):
        conn.query("SELECT 1")
    conn.connect()
    assert conn.query("SELECT 1").fetchone()[0] == 1
    conn.close()


def test_close_inside_a_transaction_cannot_reconnect(connection):
    conn = dj.Connection(connection.url)
    with pytest.raises(LostConnectionError, match="during a transaction"), conn.transaction:
        conn.close()
        conn.query("SELECT 1", reconnect=True)
    assert conn.query("SELECT 1").fetchone()[0] == 1  # outside the transaction it reconnects
    conn.close()


def test_conn_info_reports_tls_input(connection, backend):
    if backend == "sqlite":
        pytest.skip("TLS is a server connection's setting")
    url = connection.url
    conn = dj.Connection(f"{url.host}:{url.port}", url.username, url.password or "", use_tls=False, backend=backend)
    try:
        assert conn.conn_info["ssl_input"] is False and "ssl" not in conn.conn_info
        assert conn.query("SELECT 1").fetchone()[0] == 1
    finally:
        conn.close()


def test_instance_config_governs_its_schemas(connection, monkeypatch):
    """safemode and create_tables come from the connection's config: the Instance's, not dj.config."""
    from conftest import unique_schema_name

    inst = instance_for(connection, safemode=False)
    schema = inst.Schema(unique_schema_name())
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail(f"asked: {question}"))
    try:
        with dj.config.override(safemode=True):
            schema.drop()
        assert not schema.exists
    finally:
        inst.connection.close()
