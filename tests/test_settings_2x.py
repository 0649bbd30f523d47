"""DataJoint 2.3's configuration: its keys, secrets directory, save_template, typed errors, Role."""

from __future__ import annotations

import json
import os
import pathlib

import pydantic
import pytest

import datajoint_sa as dj
from datajoint_sa import settings
from datajoint_sa.errors import DataJointError
from datajoint_sa.settings import SECRETS_DIRNAME, Config, InvalidSetting


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No DJ_* variables, an empty working directory that ends the config search, no system secrets."""
    for name in list(os.environ):
        if name.startswith("DJ_"):
            monkeypatch.delenv(name)
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "SYSTEM_SECRETS_DIR", tmp_path / "no-system-secrets")
    return tmp_path


def test_keys_of_datajoint_2_3(clean_env):
    cfg = Config()
    assert cfg["jobs.add_job_metadata"] is False and cfg.jobs.add_job_metadata is False
    assert cfg["provenance.capture"] is False and cfg["provenance.source"] == {}
    assert cfg["ignore_config_file"] is False and cfg["custom"] == {}
    cfg["jobs.add_job_metadata"] = "true"
    assert cfg["jobs.add_job_metadata"] is True
    cfg["custom"] = {"lab": "tolias"}  # DataJoint 0.14 pipelines keep their own settings here
    cfg["custom.rig"] = 3
    assert cfg["custom"] == {"lab": "tolias", "rig": 3} and cfg["custom.rig"] == 3


def test_jobs_environment_variables(clean_env, monkeypatch):
    monkeypatch.setenv("DJ_JOBS_ADD_JOB_METADATA", "yes")
    monkeypatch.setenv("DJ_PROVENANCE_SOURCE", '{"system": "PyRat"}')
    monkeypatch.setenv("DJ_USE_TLS", "false")
    cfg = Config()
    assert cfg["jobs.add_job_metadata"] is True
    assert cfg["provenance.source"] == {"system": "PyRat"}
    assert cfg["database.use_tls"] is False
    assert settings.ENV_VAR_MAPPING["database.backend"] == "DJ_BACKEND"


@pytest.mark.parametrize(("key", "value"), [
    ("database.port", "not_an_integer"), ("loglevel", "LOUD"), ("fetch_format", "array"),
    ("jobs.default_priority", 300), ("database.backend", "oracle"), ("provenance.source", "[1"),
])
def test_invalid_settings_are_datajoint_and_pydantic_errors(clean_env, key, value):
    cfg = Config()
    with pytest.raises(InvalidSetting) as caught:
        cfg[key] = value
    assert isinstance(caught.value, DataJointError) and isinstance(caught.value, pydantic.ValidationError)
    assert key.split(".")[-1] in str(caught.value) or "JSON" in str(caught.value)


def test_password_reads_as_secret_str(clean_env):
    cfg = Config()
    cfg.database.password = "hunter2"
    assert isinstance(cfg.database.password, pydantic.SecretStr)
    assert "hunter2" not in repr(cfg.database.password) and "hunter2" not in repr(cfg)
    assert cfg["database.password"] == "hunter2" and type(cfg["database.password"]) is str
    cfg.database.password = pydantic.SecretStr("other")  # a SecretStr may be assigned back
    assert cfg["database.password"] == "other"


def test_repr_names_settings_like_datajoint(clean_env):
    cfg = Config()
    cfg["database.host"] = "db.lab"
    shown = repr(cfg)
    assert "host='db.lab'" in shown and "user=" in shown and "password=" in shown


def test_load_missing_file_and_environment_precedence(clean_env, monkeypatch):
    with pytest.raises(FileNotFoundError):
        Config().load(clean_env / "absent.json")
    path = clean_env / "other.json"
    path.write_text(json.dumps({"database": {"host": "file_host", "user": "file_user"}}))
    monkeypatch.setenv("DJ_HOST", "env_host")
    cfg = Config()
    cfg.load(path)
    assert cfg["database.host"] == "env_host" and cfg["database.user"] == "file_user"


def test_config_search_stops_at_hg(clean_env, tmp_path):
    (tmp_path / "datajoint.json").write_text("{}")
    project = tmp_path / "project"
    (project / ".hg").mkdir(parents=True)
    assert settings.find_config_file(project) is None  # the repository root ends the search
    assert settings.find_config_file(tmp_path) == tmp_path / "datajoint.json"


def test_secrets_fill_what_file_and_environment_leave_unset(clean_env, monkeypatch):
    (clean_env / "datajoint.json").write_text(json.dumps({
        "database": {"host": "db.lab", "user": "from_file"},
        "stores": {"main": {"protocol": "s3", "access_key": "file_key"}}}))
    secrets = clean_env / SECRETS_DIRNAME
    secrets.mkdir()
    (secrets / "database.user").write_text("secret_user\n")
    (secrets / "database.password").write_text("secret_pw\n")
    (secrets / "stores.main.access_key").write_text("secret_key")
    (secrets / "stores.main.secret_key").write_text("secret_secret")
    (secrets / "stores.uc.token").write_text("bearer")
    cfg = Config()
    assert cfg.secrets_dir == secrets and settings.find_secrets_dir(cfg.config_path) == secrets
    assert cfg["database.user"] == "from_file" and cfg["database.password"] == "secret_pw"
    assert cfg["stores"]["main"] == {"protocol": "s3", "access_key": "file_key", "secret_key": "secret_secret"}
    assert cfg["stores"]["uc"] == {"token": "bearer"}
    assert settings.read_secret_file(secrets, "database.password") == "secret_pw"
    assert settings.read_secret_file(None, "database.password") is None
    cfg.save(clean_env / "saved.json")  # secrets never reach a saved file
    saved = (clean_env / "saved.json").read_text()
    assert "secret" not in saved and "bearer" not in saved and "file_key" in saved
    monkeypatch.setenv("DJ_IGNORE_CONFIG_FILE", "true")
    ignored = Config()
    assert ignored["database.host"] is None and ignored["database.password"] is None


def test_dj_stores_replaces_file_stores(clean_env, monkeypatch):
    (clean_env / "datajoint.json").write_text(json.dumps({"stores": {"main": {"protocol": "s3"}}}))
    monkeypatch.setenv("DJ_STORES", '{"main": {"protocol": "file", "location": "/env"}}')
    assert Config()["stores"] == {"main": {"protocol": "file", "location": "/env"}}
    monkeypatch.setenv("DJ_STORES", "{not json")
    with pytest.raises(ValueError, match="DJ_STORES.*invalid JSON"):
        Config()
    monkeypatch.setenv("DJ_STORES", "[1, 2]")
    with pytest.raises(DataJointError, match="DJ_STORES must be a JSON object"):
        Config()


def test_create_config_warns_without_a_file(clean_env):
    with pytest.warns(UserWarning, match="No datajoint.json"):
        settings.create_config()


def test_get_store_spec(clean_env):
    cfg = Config()
    with pytest.raises(DataJointError, match="stores.default is not configured"):
        cfg.get_store_spec()
    cfg["stores"] = {"default": "main", "main": {"protocol": "file", "location": "/data"},
                     "bad": {"protocol": "file", "location": "/d", "hash_prefix": "a", "schema_prefix": "a/b"}}
    spec = cfg.get_store_spec()
    assert spec["location"] == "/data" and spec["hash_prefix"] == "_hash" and spec["token_length"] == 8
    with pytest.raises(DataJointError, match="overlap.*mutually exclusive"):
        cfg.get_store_spec("bad")


def test_save_template(clean_env):
    minimal = dj.config.save_template(clean_env / "datajoint.json", create_secrets_dir=True)
    assert minimal == (clean_env / "datajoint.json").absolute()
    content = json.loads(minimal.read_text())
    assert content["database"]["host"] == "localhost" and content["database"]["port"] == 3306
    assert "user" not in content["database"] and "password" not in content["database"]
    secrets = clean_env / SECRETS_DIRNAME
    assert (secrets / "database.user").exists() and "*" in (secrets / ".gitignore").read_text()
    assert Config()["database.host"] == "localhost"  # the template is a valid configuration
    with pytest.raises(FileExistsError, match="already exists"):
        dj.config.save_template(clean_env / "datajoint.json")
    (secrets / "database.password").write_text("kept")
    full = json.loads(Config.save_template(clean_env / "full.json", minimal=False).read_text())
    assert (secrets / "database.password").read_text() == "kept"
    assert {"database", "connection", "display", "jobs", "stores", "loglevel", "safemode"} <= set(full)
    assert full["stores"]["default"] == "main" and full["jobs"]["add_job_metadata"] is False
    Config().load(clean_env / "full.json")  # every key of the full template is known


def test_delete_restores_default(clean_env):
    cfg = Config()
    cfg["display.limit"] = 3
    del cfg["display.limit"]
    assert cfg["display.limit"] == 12 and not cfg.is_set("display.limit")
    assert cfg.get("no.such.key", "fallback") == "fallback"
    with pytest.raises(KeyError):
        cfg["no.such.key"]


def test_query_cache_is_a_path(clean_env):
    cfg = Config()
    cfg["query_cache"] = "/tmp/cache"
    assert cfg.query_cache == pathlib.Path("/tmp/cache")


def test_roles_and_prefixes():
    assert settings.role_to_prefix[settings.Role.computed] == "__" == dj.Computed._prefix
    assert settings.prefix_to_role["#"] is settings.Role.lookup
    assert dj.Entry is dj.Manual and dj.Entry._prefix == ""
    from datajoint_sa.user_tables import tier_class

    assert tier_class("`lab`.`#param`") is dj.Lookup and tier_class("`lab`.`s__detail`") is dj.Part
    assert tier_class("`lab`.`~lineage`") is None


#: Every setting of datajoint 2.3.5's Config (its pydantic fields, flattened).
KEYS_2_3_5 = """
database.host database.user database.password database.backend database.port database.name database.reconnect
database.use_tls database.database_prefix database.create_tables connection.charset display.limit display.width
display.show_tuple_count display.diagram_direction display.diagram_theme jobs.auto_refresh jobs.keep_completed
jobs.stale_timeout jobs.default_priority jobs.version_method jobs.allow_new_pk_fields_in_computed_tables
jobs.add_job_metadata provenance.capture provenance.source stores loglevel safemode ignore_config_file
query_cache download_path
""".split()


def test_every_key_of_datajoint_2_3_5(clean_env):
    cfg = Config()
    missing = [key for key in KEYS_2_3_5 if key not in cfg]
    assert not missing
    for key in KEYS_2_3_5:  # readable both ways
        section, _, name = key.rpartition(".")
        via_attribute = getattr(getattr(cfg, section), name) if section else getattr(cfg, name)
        assert via_attribute == cfg[key] or key in settings.SECRET_KEYS
