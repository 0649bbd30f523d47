"""Extrinsic provenance of Entry tables (provenance.capture), the ingesting context and the settings."""

from __future__ import annotations

import datetime
import json
import re
import uuid

import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa import provenance
from datajoint_sa.errors import DataJointError
from datajoint_sa.settings import Config, ProvenanceSettings


def _prov_values(table):
    sql = table.sql_table
    with table.connection.session(write=False) as conn:
        rows = conn.execute(sa.select(sa.column("_prov")).select_from(sql)).fetchall()
    return [json.loads(v) if isinstance(v, (str, bytes)) else v for (v,) in rows]


def _columns(table):
    with table.connection.session(write=False) as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns(table.sql_table.name, schema=table.sql_table.schema)}


@pytest.fixture
def captured(make_schema):
    with dj.config.override(provenance__capture=True, provenance__source={"system": "PyRat"}):
        schema = make_schema()

        @schema
        class Subject(dj.Manual):
            definition = """
            subject_id : int16
            ---
            species : varchar(32)
            """

        @schema
        class Param(dj.Lookup):
            definition = """
            param_id : int16
            """
            contents = [{"param_id": 1}]

        @schema
        class File(dj.Manual):
            definition = """
            file_id : int16
            """

        @schema
        class Ingest(dj.Imported):
            definition = """
            -> File
            """

            def make(self, key):
                Subject.insert1({"subject_id": 100 + key["file_id"], "species": "fanned out"})
                self.insert1(key)

        yield Subject, Param, File, Ingest


def test_only_entry_tables_get_the_column(captured):
    subject, param, file, ingest = captured
    assert "_prov" in _columns(subject()) and "_prov" in _columns(file())
    assert "_prov" not in _columns(param()) and "_prov" not in _columns(ingest())


def test_insert_records_source_agent_and_the_ingesting_make(captured):
    subject, _, file, ingest = captured
    subject.insert1({"subject_id": 1, "species": "mouse"})
    (record,) = _prov_values(subject())
    assert record["source"] == {"system": "PyRat"} and "time" in record and "context" not in record
    file.insert1({"file_id": 7})
    ingest.populate()
    fanned = [r for r in _prov_values(subject()) if "context" in r]
    assert len(fanned) == 1 and fanned[0]["context"]["key"] == {"file_id": 7}
    assert "_ingest" in fanned[0]["context"]["table"]
    with pytest.raises(DataJointError):
        subject.insert1({"subject_id": 2, "species": "rat", "_prov": {"forged": True}})


def test_insert_from_a_query_carries_provenance(captured):
    subject, param, _, _ = captured
    subject.insert1({"subject_id": 40, "species": "mouse"})
    (original,) = _prov_values(subject & {"subject_id": 40})
    schema = subject._schema

    @schema
    class SubjectCopy(dj.Manual):
        definition = subject.definition

    SubjectCopy.insert(subject & {"subject_id": 40})
    assert _prov_values(SubjectCopy()) == [original]  # the copy keeps its origin, not this insert's

    @schema
    class ParamUse(dj.Manual):
        definition = """
        -> Param
        ---
        note : varchar(16)
        """

    ParamUse.insert(param.proj(note="'from a query'"))  # Lookup rows record none: this insert's record
    (fresh,) = _prov_values(ParamUse())
    assert fresh["source"] == {"system": "PyRat"} and fresh != original


def test_capture_off_declares_no_column(make_schema):
    schema = make_schema()

    @schema
    class Plain(dj.Manual):
        definition = """
        plain_id : int16
        """

    assert "_prov" not in _columns(Plain())
    with dj.config.override(provenance__capture=True):
        Plain.insert1({"plain_id": 1})  # no column: nothing recorded, nothing refused
    assert len(Plain()) == 1


def test_payload_and_ingesting_context():
    cfg = Config(load_environment=False)
    cfg["provenance.source"] = {"when": datetime.date(2026, 1, 1)}

    class Fake:
        conn_info = {"user": "alice", "host": "db"}

    with provenance.ingesting("`lab`.`_ingest`", {"who": uuid.UUID(int=1), "raw": b"\x01"}, version="abc"):
        payload = provenance.build_payload(Fake(), cfg)
        with provenance.ingesting("`lab`.`_inner`", {}):
            assert provenance.build_payload(Fake(), cfg)["context"]["table"] == "`lab`.`_inner`"
    rendered = json.loads(provenance.serialize(payload))
    assert rendered["agent"] == {"user": "alice", "host": "db"}
    assert rendered["source"] == {"when": "2026-01-01"}
    assert rendered["context"] == {"table": "`lab`.`_ingest`", "key": {"who": str(uuid.UUID(int=1)), "raw": "01"},
                                   "version": "abc"}
    assert "context" not in provenance.build_payload(Fake(), cfg)

    class Nobody:
        conn_info = {}

    assert provenance.build_payload(Nobody(), Config(load_environment=False)) is None


def test_settings(monkeypatch):
    assert Config(load_environment=False)["provenance.capture"] is False
    monkeypatch.setenv("DJ_PROVENANCE_CAPTURE", "true")
    monkeypatch.setenv("DJ_PROVENANCE_SOURCE", '{"system": "X"}')
    settings = ProvenanceSettings()
    assert settings.capture is True and settings.source == {"system": "X"}
    assert Config()["provenance.source"] == {"system": "X"}
    cyclic: dict = {}
    cyclic["self"] = cyclic
    with pytest.raises(DataJointError, match="JSON-serializable"):
        ProvenanceSettings(source=cyclic)
    with pytest.raises(DataJointError, match="not valid JSON"):
        Config(load_environment=False)["provenance.source"] = "not json"


def test_tier_regexps_tell_entry_tables():
    def entry(name):
        return re.fullmatch(dj.Manual.tier_regexp, name) is not None

    assert entry("subject") and entry("session_note")
    assert not any(entry(n) for n in ("#param", "_ingest", "__analysis", "subject__detail", "~~analysis", "~lineage"))
    assert re.fullmatch(dj.Part.tier_regexp, "__analysis__unit")
    assert re.fullmatch(dj.Lookup.tier_regexp, "#param") and re.fullmatch(dj.Computed.tier_regexp, "__analysis")


def test_override_takes_a_section_and_jobs_module_path():
    with dj.config.override(jobs={"keep_completed": True, "add_job_metadata": True}):
        assert dj.config["jobs.keep_completed"] is True and dj.config["jobs.add_job_metadata"] is True
    assert dj.config["jobs.add_job_metadata"] is False
    from datajoint_sa.jobs import ERROR_MESSAGE_LENGTH, TRUNCATION_APPENDIX, Job

    assert ERROR_MESSAGE_LENGTH == 2047 and TRUNCATION_APPENDIX == "...truncated" and Job is dj.Job


def test_add_prov_column_retrofits_an_entry_table(make_schema):
    schema = make_schema()

    @schema
    class Legacy(dj.Manual):
        definition = """
        legacy_id : int16
        """

    @schema
    class Param(dj.Lookup):
        definition = """
        param_id : int16
        """

    Legacy.insert1({"legacy_id": 1})
    preview = provenance.add_prov_column(Legacy, dry_run=True)
    assert preview["columns_added"] == 0 and preview["details"][0]["status"] == "pending" and preview["ddl"]
    assert "_prov" not in _columns(Legacy())
    assert provenance.add_prov_column(schema, dry_run=False)["columns_added"] == 1
    assert provenance.add_prov_column(Legacy, dry_run=False)["details"][0]["status"] == "already_migrated"
    with dj.config.override(provenance__capture=True):
        Legacy.insert1({"legacy_id": 2})
    old, new = sorted(_prov_values(Legacy()), key=lambda v: v is not None)
    assert old is None and new is not None and "agent" in new
    with pytest.raises(DataJointError, match="Manual"):
        provenance.add_prov_column(Param)
