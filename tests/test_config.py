"""Configuration: keys, environment variables, datajoint.json, override, and the URL they select."""

from __future__ import annotations

import json
import logging
import os
import pathlib

import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa.engine.connection import Connection, url_from_config
from datajoint_sa.errors import DataJointError
from datajoint_sa.settings import Config


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No DJ_* variables, and an empty working directory."""
    for name in list(os.environ):
        if name.startswith("DJ_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_defaults(clean_env):
    cfg = Config()
    assert cfg["safemode"] is True
    assert cfg["loglevel"] == "INFO"
    assert cfg["display.limit"] == 12 and cfg["display.width"] == 14
    assert cfg["database.url"] is None and cfg["database.host"] is None
    assert cfg.display.limit == 12
    assert cfg.config_path is None


def test_nothing_configured_uses_sqlite_in_working_directory(clean_env):
    url = url_from_config(Config())
    assert url.get_backend_name() == "sqlite"
    assert pathlib.Path(url.database) == clean_env / "datajoint.db"


def test_first_connection_logs_sqlite_path(clean_env, caplog):
    logger = logging.getLogger("datajoint_sa")
    logger.addHandler(caplog.handler)  # the library logger does not propagate to the root
    try:
        with caplog.at_level(logging.INFO, logger="datajoint_sa"):
            connection = Connection(url_from_config(Config()))
            connection.query("SELECT 1")
            connection.query("SELECT 2")
            connection.close()
    finally:
        logger.removeHandler(caplog.handler)
    messages = [r.getMessage() for r in caplog.records if "connected" in r.getMessage()]
    assert len(messages) == 1
    assert str(clean_env / "datajoint.db") in messages[0]
    assert (clean_env / "datajoint.db").exists()


def test_environment_variables(clean_env, monkeypatch):
    monkeypatch.setenv("DJ_HOST", "db.example.org")
    monkeypatch.setenv("DJ_USER", "alice")
    monkeypatch.setenv("DJ_PASS", "secret")
    monkeypatch.setenv("DJ_PORT", "6543")
    monkeypatch.setenv("DJ_BACKEND", "postgresql")
    cfg = Config()
    assert (cfg["database.host"], cfg["database.user"], cfg["database.password"]) == ("db.example.org", "alice", "secret")
    assert cfg["database.port"] == 6543 and cfg["database.backend"] == "postgresql"
    url = url_from_config(cfg)
    assert url.get_backend_name() == "postgresql"
    assert (url.host, url.port, url.username, url.password) == ("db.example.org", 6543, "alice", "secret")
    assert "secret" not in repr(cfg)


def test_mysql_from_host_only(clean_env, monkeypatch):
    monkeypatch.setenv("DJ_HOST", "127.0.0.1:3307")
    monkeypatch.setenv("DJ_USER", "root")
    url = url_from_config(Config())
    assert url.get_backend_name() == "mysql"
    assert (url.host, url.port, url.username) == ("127.0.0.1", 3307, "root")


def test_database_url_wins(clean_env, monkeypatch):
    monkeypatch.setenv("DJ_HOST", "ignored")
    monkeypatch.setenv("DJ_DATABASE_URL", "postgresql+psycopg://bob@dbhost:5555/lab")
    url = url_from_config(Config())
    assert url.render_as_string(hide_password=False) == "postgresql+psycopg://bob@dbhost:5555/lab"
    cfg = Config(load_environment=False)
    cfg["database.url"] = "sqlite:///elsewhere.db"
    assert url_from_config(cfg).database == "elsewhere.db"


def test_datajoint_json_in_working_directory(clean_env, monkeypatch):
    (clean_env / "datajoint.json").write_text(json.dumps({
        "database": {"host": "filehost", "user": "fileuser", "port": 3310},
        "safemode": False, "loglevel": "WARNING", "display": {"limit": 5, "width": 20},
    }))
    cfg = Config()
    assert cfg.config_path == clean_env / "datajoint.json"
    assert (cfg["database.host"], cfg["database.user"], cfg["database.port"]) == ("filehost", "fileuser", 3310)
    assert cfg["safemode"] is False and cfg["loglevel"] == "WARNING"
    assert (cfg["display.limit"], cfg["display.width"]) == (5, 20)
    monkeypatch.setenv("DJ_HOST", "envhost")  # environment variables override the file
    assert Config()["database.host"] == "envhost"
    assert Config(load_environment=False)["database.host"] is None


def test_bad_config_file(clean_env):
    (clean_env / "datajoint.json").write_text("{not json")
    with pytest.raises(DataJointError, match="datajoint.json"):
        Config()


def test_loglevel_applies(clean_env):
    cfg = Config(load_environment=False)
    try:
        cfg["loglevel"] = "debug"
        assert cfg["loglevel"] == "DEBUG"
        assert logging.getLogger("datajoint_sa").level == logging.DEBUG
    finally:
        dj.config._apply_loglevel()  # the shared logger follows the global config again


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("database.port", "abc"), ("loglevel", "LOUD"), ("safemode", "maybe"), ("display.limit", "many"),
        ("display.width", "wide"), ("database.backend", "oracle"), ("no.such.key", 1),
    ],
)
def test_bad_values(clean_env, key, value):
    cfg = Config(load_environment=False)
    with pytest.raises(DataJointError):
        cfg[key] = value


@pytest.mark.parametrize(("var", "value"), [("DJ_PORT", "port"), ("DJ_BACKEND", "oracle"), ("DJ_SAFEMODE", "perhaps")])
def test_bad_environment_values(clean_env, monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(DataJointError):
        Config()


def test_coercion_and_access(clean_env):
    cfg = Config(load_environment=False)
    cfg["safemode"] = "false"
    cfg["display.limit"] = "7"
    cfg.database.host = "h"
    cfg["database.backend"] = "postgres"
    assert cfg["safemode"] is False and cfg["display.limit"] == 7 and cfg["database.host"] == "h"
    assert cfg["database.backend"] == "postgresql"
    assert cfg["display"]["limit"] == 7
    assert cfg.is_set("database.host") and not cfg.is_set("database.user")


def test_override_restores(clean_env):
    cfg = Config(load_environment=False)
    with cfg.override(safemode=False, display__limit=3, database__host="tmp"):
        assert cfg["safemode"] is False and cfg["display.limit"] == 3 and cfg["database.host"] == "tmp"
    assert cfg["safemode"] is True and cfg["display.limit"] == 12 and cfg["database.host"] is None
    with pytest.raises(RuntimeError), cfg.override(display__width=40):
        raise RuntimeError("restored even so")
    assert cfg["display.width"] == 14
    with pytest.raises(DataJointError), cfg.override(loglevel="LOUD"):
        pass
    assert cfg["loglevel"] == "INFO"


def test_global_config_override():
    before = dj.config["display.limit"]
    with dj.config.override(display__limit=before + 1):
        assert dj.config["display.limit"] == before + 1
    assert dj.config["display.limit"] == before


def test_safemode_prompt_declines(schema, monkeypatch):
    """With safemode on, drop asks first; a declined prompt keeps the schema."""
    monkeypatch.setattr("builtins.input", lambda question: "no")
    with dj.config.override(safemode=True):
        schema.drop()
    assert schema.exists


def test_save_and_load(clean_env):
    cfg = Config(load_environment=False)
    cfg["database.host"] = "saved"
    cfg["database.password"] = "hidden"
    cfg["display.limit"] = 9
    cfg.save()
    saved = json.loads((clean_env / "datajoint.json").read_text())
    assert saved == {"database": {"host": "saved"}, "display": {"limit": 9}}
    assert Config()["database.host"] == "saved"


def test_url_is_valid_sqlalchemy_url(clean_env, monkeypatch):
    monkeypatch.setenv("DJ_BACKEND", "mysql")
    monkeypatch.setenv("DJ_HOST", "h")
    url = url_from_config(Config())
    assert isinstance(url, sa.engine.URL)
    assert url.drivername == "mysql+pymysql" and url.port == 3306
