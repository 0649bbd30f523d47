"""Data lifecycle on every backend: cascades across schemas, previews, prompts, part integrity,
drop, foreign-key error messages, and atomicity under injected failures."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

import datajoint_sa as dj
from datajoint_sa import delete as delete_module
from datajoint_sa import drop as drop_module
from datajoint_sa.errors import DataJointError, IntegrityError


def short(name: str) -> str:
    """`s`.`t`, "s"."t" or "s.t" -> t."""
    return name.replace('"', "").replace("`", "").split(".")[-1]


@pytest.fixture
def lab(schema, make_schema):
    """Subject -> Session -> Recording (-> Scan, a master with part Scan.Channel) in a second schema."""
    acquisition = make_schema()

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        ---
        species = "mouse" : varchar(20)
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)
        """
        contents = [("r1",), ("r2",)]

    @acquisition
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> Rig
        """

    @acquisition
    class Recording(dj.Manual):
        definition = """
        -> Session
        recording : int16
        """

    @acquisition
    class Scan(dj.Manual):
        definition = """
        -> Recording
        scan : int16
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            """

    @acquisition
    class Pairing(dj.Manual):  # two renamed foreign keys to Subject
        definition = """
        -> Subject.proj(left_id='subject_id')
        -> Subject.proj(right_id='subject_id')
        """

    Subject.insert([(s, "mouse") for s in (1, 2, 3)])
    Session.insert([(s, k, "r1") for s in (1, 2, 3) for k in (1, 2)])
    Recording.insert([(s, k, r) for s in (1, 2, 3) for k in (1, 2) for r in (1, 2)])
    Scan.insert([(s, k, r, 1) for s in (1, 2, 3) for k in (1, 2) for r in (1, 2)])
    Scan.Channel.insert([(s, k, r, 1, c) for s in (1, 2, 3) for k in (1, 2) for r in (1, 2) for c in (1, 2, 3)])
    Pairing.insert([(1, 2), (2, 3), (3, 1)])
    return dict(Subject=Subject, Rig=Rig, Session=Session, Recording=Recording, Scan=Scan, Pairing=Pairing)


def counts(t):
    return {name: len(cls()) for name, cls in t.items()} | {"Channel": len(t["Scan"].Channel())}


FULL = {"Subject": 3, "Rig": 2, "Session": 6, "Recording": 12, "Scan": 12, "Pairing": 3, "Channel": 36}


def test_cascade_across_schemas_levels_parts_and_renamed_keys(lab):
    t = lab
    preview = dj.Diagram.cascade(t["Subject"] & {"subject_id": 1}).counts()
    assert {short(k): v for k, v in preview.items()} == {
        "subject": 1, "session": 2, "recording": 4, "scan": 4, "scan__channel": 12, "pairing": 2}
    assert counts(t) == FULL  # the preview deleted nothing
    assert (t["Subject"] & {"subject_id": 1}).delete(prompt=False) == 1
    assert counts(t) == {"Subject": 2, "Rig": 2, "Session": 4, "Recording": 8, "Scan": 8, "Pairing": 1, "Channel": 24}
    assert t["Pairing"].to_dicts() == [{"left_id": 2, "right_id": 3}]


def test_delete_restricted_by_query_expressions(lab):
    t = lab
    # restricted by a query over a descendant: the keys are read before the descendants go
    assert (t["Subject"] & (t["Recording"] & {"session": 2, "recording": 2, "subject_id": 3})).delete(prompt=False) == 1
    assert sorted(t["Subject"].to_dicts(), key=lambda r: r["subject_id"]) == [
        {"subject_id": 1, "species": "mouse"}, {"subject_id": 2, "species": "mouse"}]
    assert (t["Session"] & (t["Subject"] & {"subject_id": 2})).delete(prompt=False) == 2
    assert len(t["Recording"]()) == 4 and len(t["Scan"].Channel()) == 12


@pytest.mark.parametrize("limit", [1, 2])
def test_many_keys_take_the_subquery_or_chunked_path(lab, monkeypatch, limit):
    """Past the literal-key limit the root stays a subquery, or (when it reads a descendant) is chunked."""
    t = lab
    monkeypatch.setattr(delete_module, "LITERAL_KEY_PARAMETERS", limit)
    assert (t["Subject"] & "subject_id >= 2").delete(prompt=False) == 2
    assert (t["Session"] & t["Scan"].Channel).delete(prompt=False) == 2
    assert counts(t) == {"Subject": 1, "Rig": 2, "Session": 0, "Recording": 0, "Scan": 0, "Pairing": 0, "Channel": 0}


def test_part_integrity_rules(lab):
    t = lab
    channel = t["Scan"].Channel
    with pytest.raises(ValueError, match="part_integrity"):
        (channel & {"subject_id": 1}).delete(prompt=False, part_integrity="casade")
    with pytest.raises(ValueError, match="part_integrity"):
        dj.Diagram.cascade(channel, part_integrity="nope")
    with pytest.raises(DataJointError, match="before its master"):
        (channel & {"subject_id": 1, "channel": 1}).delete(prompt=False)
    assert (channel & {"subject_id": 9}).delete(prompt=False) == 0  # nothing to delete: nothing refused
    assert counts(t) == FULL
    assert (channel & {"subject_id": 1, "channel": 1}).delete(prompt=False, part_integrity="ignore") == 4
    assert len(channel()) == 32 and len(t["Scan"]()) == 12
    # "cascade": the masters of the part rows go too, with their other parts
    preview = dj.Diagram.cascade(channel & {"subject_id": 2, "channel": 3}, part_integrity="cascade").counts()
    assert {short(k): v for k, v in preview.items()} == {"scan": 4, "scan__channel": 12}
    # the count is of all rows deleted from the part table: the 4 asked for and their 8 siblings
    assert (channel & {"subject_id": 2, "channel": 3}).delete(prompt=False, part_integrity="cascade") == 12
    assert len(t["Scan"]()) == 8 and len(channel()) == 20 and len(channel & {"subject_id": 2}) == 0


def test_failure_midway_leaves_everything(lab, monkeypatch):
    t = lab
    real = delete_module.CascadePlan.delete_statements

    def failing(self):
        statements = real(self)
        node, statement = statements[-1]  # the root, deleted after all its descendants
        return [*statements[:-1], (node, statement.where(sa.text("no_such_column = 1")))]

    monkeypatch.setattr(delete_module.CascadePlan, "delete_statements", failing)
    with pytest.raises(DataJointError):
        (t["Subject"] & {"subject_id": 1}).delete(prompt=False)
    assert counts(t) == FULL


def test_prompt_shows_counts_and_commits_only_on_yes(lab, monkeypatch, capsys):
    t = lab
    answers = iter(["maybe", "no"])
    monkeypatch.setattr("builtins.input", lambda question: next(answers))
    assert (t["Session"] & {"subject_id": 1, "session": 1}).delete(prompt=True) == 0
    shown = capsys.readouterr().out
    assert "(1 tuples)" in shown and "(6 tuples)" in shown and "cancelled" in shown
    assert counts(t) == FULL
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    assert (t["Session"] & {"subject_id": 1, "session": 1}).delete(prompt=True) == 1
    assert len(t["Recording"]()) == 10
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail("asked although nothing matched"))
    assert (t["Session"] & {"subject_id": 99}).delete(prompt=True) == 0
    assert "Nothing to delete" in capsys.readouterr().out


def test_delete_inside_a_transaction(lab, connection):
    t = lab
    with pytest.raises(DataJointError, match="transaction"):
        with connection.transaction:
            (t["Subject"] & {"subject_id": 1}).delete(prompt=True)
    with connection.transaction:
        t["Subject"].insert1((7, "rat"))
        assert (t["Subject"] & {"subject_id": 3}).delete(prompt=False) == 1
    assert sorted(r["subject_id"] for r in t["Subject"].to_dicts()) == [1, 2, 7]
    with pytest.raises(RuntimeError):  # an error later in the transaction undoes the delete too
        with connection.transaction:
            (t["Subject"] & {"subject_id": 2}).delete(prompt=False)
            raise RuntimeError("later failure")
    assert len(t["Subject"] & {"subject_id": 2}) == 1


def test_failed_delete_inside_a_transaction_keeps_earlier_work(lab, connection, monkeypatch):
    t = lab
    monkeypatch.setattr(delete_module, "_orphaned_parts", lambda plan: (_ for _ in ()).throw(DataJointError("injected")))
    with connection.transaction:
        t["Subject"].insert1((8, "rat"))
        with pytest.raises(DataJointError, match="injected"):
            (t["Subject"] & {"subject_id": 1}).delete(prompt=False)
    assert len(t["Subject"] & {"subject_id": 8}) == 1 and counts(t)["Session"] == 6


def test_delete_quick_names_the_referencing_tables(lab):
    t = lab
    with pytest.raises(IntegrityError) as info:
        (t["Subject"] & {"subject_id": 1}).delete_quick()
    message = str(info.value)
    assert "session" in message and "pairing" in message and "left_id -> subject_id" in message
    assert (t["Pairing"] & {"left_id": 1}).delete_quick(get_count=True) == 1


def test_insert_and_update_errors_name_parent_and_attributes(lab):
    t = lab
    with pytest.raises(IntegrityError) as info:
        t["Session"].insert1((9, 1, "r1"))
    assert "subject" in str(info.value) and "(subject_id)" in str(info.value)
    with pytest.raises(IntegrityError) as info:
        t["Session"].update1({"subject_id": 1, "session": 1, "rig": "r9"})
    assert "rig" in str(info.value).lower() and "(rig)" in str(info.value)
    assert (t["Session"] & {"subject_id": 1, "session": 1}).fetch1("rig") == "r1"
    with pytest.raises(IntegrityError) as info:
        t["Pairing"].insert((t["Subject"] & {"subject_id": 1}).proj(left_id="subject_id", right_id="(subject_id + 10)"))
    assert "right_id" in str(info.value)
    assert len(t["Pairing"]()) == 3


def test_insert_from_query_stays_in_the_database(lab):
    t = lab
    t["Pairing"].insert(t["Subject"].proj(left_id="subject_id", right_id="subject_id"))
    assert len(t["Pairing"]()) == 6
    with pytest.raises(DataJointError, match="ignore_extra_fields"):
        t["Pairing"].insert(t["Subject"].proj(..., left_id="subject_id", right_id="subject_id"), skip_duplicates=True)
    t["Pairing"].insert(t["Subject"].proj(..., left_id="subject_id", right_id="subject_id"), skip_duplicates=True,
                        ignore_extra_fields=True)
    assert len(t["Pairing"]()) == 6


def test_master_and_parts_in_one_transaction(lab, connection):
    t = lab
    with pytest.raises(DataJointError):
        with connection.transaction:
            t["Scan"].insert1((1, 1, 1, 2))
            t["Scan"].Channel.insert([(1, 1, 1, 2, 1), (1, 1, 1, 2, "not a number")])
    assert len(t["Scan"] & {"scan": 2}) == 0 and len(t["Scan"].Channel & {"scan": 2}) == 0


def test_drop_with_dependents_prompts_and_refuses(lab, schema, monkeypatch, capsys):
    t = lab
    with pytest.raises(ValueError, match="part_integrity"):
        t["Scan"].drop(prompt=False, part_integrity="cascade")
    with pytest.raises(DataJointError, match="master"):
        t["Scan"].Channel.drop(prompt=False)
    with pytest.raises(DataJointError, match="restriction"):
        (t["Scan"] & {"scan": 1}).drop(prompt=False)
    with pytest.raises(DataJointError, match="depend"):
        t["Recording"].drop_quick()
    monkeypatch.setattr("builtins.input", lambda question: "no")
    t["Recording"].drop(prompt=True)
    assert "(12 tuples)" in capsys.readouterr().out and len(t["Scan"].Channel()) == 36
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    t["Recording"].drop(prompt=True)
    graph = t["Subject"].connection.dependencies
    left = {n[1] for n in graph.graph if n[0] == t["Session"].database and not n[1].startswith("~")}
    assert left == {"session", "pairing"}
    t["Pairing"].drop_quick()
    assert (t["Session"].database, "pairing") not in t["Subject"].connection.dependencies


def test_drop_part_alone_when_integrity_is_ignored(lab):
    t = lab
    t["Scan"].Channel.drop(prompt=False, part_integrity="ignore")
    assert len(t["Scan"]()) == 12
    assert (t["Scan"].database, "scan__channel") not in t["Scan"].connection.dependencies


def test_drop_failure_midway_drops_nothing(lab, backend, monkeypatch):
    if backend == "mysql":
        pytest.skip("MySQL commits each DROP TABLE on its own (no transactional DDL)")
    t = lab
    real = sa.Table.drop
    seen = []

    def failing(self, bind, checkfirst=False):
        seen.append(self.name)
        if len(seen) == 3:
            raise RuntimeError("injected")
        return real(self, bind, checkfirst=checkfirst)

    monkeypatch.setattr(sa.Table, "drop", failing)
    with pytest.raises(RuntimeError):
        t["Session"].drop(prompt=False)
    monkeypatch.setattr(sa.Table, "drop", real)
    assert counts(t) == FULL


def test_drop_order_is_children_first(lab, monkeypatch):
    dropped = []
    real = drop_module.drop_tables
    monkeypatch.setattr(drop_module, "drop_tables", lambda c, nodes: (dropped.extend(nodes), real(c, nodes)))
    lab["Session"].drop(prompt=False)
    names = [n[1] for n in dropped]
    assert names.index("scan__channel") < names.index("scan") < names.index("recording") < names.index("session")


def test_schema_drop_prompts(make_schema, monkeypatch):
    extra = make_schema()

    @extra
    class Thing(dj.Manual):
        definition = """
        thing : int16
        """

    monkeypatch.setattr("builtins.input", lambda question: "no")
    extra.drop(prompt=True)
    assert extra.exists
    monkeypatch.setattr("builtins.input", lambda question: "yes")
    extra.drop(prompt=True)
    assert not extra.exists


def test_parts_of_computed_masters_are_written_only_by_make(schema):
    @schema
    class Source(dj.Manual):
        definition = """
        src : int16
        """

    @schema
    class Analysis(dj.Computed):
        definition = """
        -> Source
        ---
        total : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : int16
            """

        def make(self, key):
            self.insert1({**key, "total": 3})
            self.Piece.insert([{**key, "piece": p} for p in range(3)])
            if key["src"] == 2:
                raise RuntimeError("make failed after writing master and parts")

    Source.insert([(1,), (2,)])
    with pytest.raises(IntegrityError, match="analysis"):  # no master row: refused as the database would
        Analysis.Piece.insert1({"src": 1, "piece": 0})
    Analysis.populate(suppress_errors=True)
    assert [r["src"] for r in Analysis.to_dicts()] == [1]
    assert len(Analysis.Piece()) == 3  # the failed make left neither master nor parts
    with pytest.raises(DataJointError, match="make"):
        Analysis.Piece.insert1({"src": 1, "piece": 9})
    with schema.connection.transaction, pytest.raises(DataJointError, match="make"):
        Analysis.Piece.insert([{"src": 1, "piece": 9}])
    Analysis.Piece.insert1({"src": 1, "piece": 9}, allow_direct_insert=True)
    assert len(Analysis.Piece()) == 4


def test_delete_blocked_by_an_unreadable_schema(schema, make_schema, backend, connection):
    """A user who cannot read a downstream schema gets the cascade over what they can read."""
    if backend == "sqlite":
        pytest.skip("SQLite has no users or privileges")
    downstream = make_schema()

    @schema
    class Animal(dj.Manual):
        definition = """
        animal : int16
        """

    @downstream
    class Note(dj.Manual):
        definition = """
        -> Animal
        note : int16
        """

    Animal.insert([(1,), (2,)])
    Note.insert([(1, 1)])
    user = f"djlc{schema.database[-6:]}"
    admin = connection.engine
    grant = {
        "postgresql": [f'CREATE ROLE {user} LOGIN', f'GRANT USAGE ON SCHEMA "{schema.database}" TO {user}',
                       f'GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA "{schema.database}" TO {user}'],
        "mysql": [f"CREATE USER '{user}'@'%%'", f"GRANT ALL ON `{schema.database}`.* TO '{user}'@'%%'"],
    }[backend]
    with admin.begin() as conn:
        for statement in grant:
            conn.exec_driver_sql(statement)
    url = connection.engine.url.set(username=user, password=None)
    if backend == "mysql":
        url = url.set(database=schema.database)
    limited = dj.Connection(url.render_as_string(hide_password=False))
    try:
        animals = dj.FreeTable(limited, f"{schema.database}.animal")
        assert not any(n[0] == downstream.database for n in limited.dependencies.graph)
        assert {short(k): v for k, v in dj.Diagram.cascade(animals & {"animal": 2}).counts().items()} == {"animal": 1}
        assert (animals & {"animal": 2}).delete(prompt=False) == 1
        with pytest.raises(IntegrityError, match="cannot read|not in the dependency graph"):
            (animals & "animal >= 0").delete(prompt=False)
        assert len(Animal()) == 1 and len(Note()) == 1
    finally:
        limited.close()
        drop_user = {"postgresql": [f'DROP OWNED BY {user}', f'DROP ROLE {user}'],
                     "mysql": [f"DROP USER '{user}'@'%%'"]}[backend]
        with admin.begin() as conn:
            for statement in drop_user:
                conn.exec_driver_sql(statement)


def test_insert_failing_after_the_first_chunk_inserts_nothing(lab, connection, monkeypatch):
    from datajoint_sa import insert as insert_module

    real = insert_module.InsertPlan.send
    sent = []

    def failing(self, conn, batch):
        sent.append(len(batch))
        if len(sent) == 2:
            raise RuntimeError("injected after one chunk was sent")
        return real(self, conn, batch)

    monkeypatch.setattr(insert_module.InsertPlan, "send", failing)
    rows = [(100 + i, "rat") for i in range(insert_module.CHUNK_ROWS + 5)]
    with pytest.raises(RuntimeError):
        lab["Subject"].insert(rows)
    assert len(lab["Subject"]()) == 3
    with connection.transaction:  # inside a transaction, a savepoint undoes the failed insert alone
        lab["Subject"].insert1((50, "rat"))
        sent.clear()
        with pytest.raises(RuntimeError):
            lab["Subject"].insert(rows)
    assert sorted(r["subject_id"] for r in lab["Subject"].to_dicts()) == [1, 2, 3, 50]


def test_delete_restricted_by_antijoin_and_top(lab):
    t = lab
    assert (t["Subject"] - t["Pairing"].proj(subject_id="left_id")).delete(prompt=False) == 0
    assert (t["Rig"] - t["Session"]).delete(prompt=False) == 1  # r2 is used by no session
    assert (t["Pairing"] & dj.Top(limit=1, order_by="left_id DESC")).delete_quick(get_count=True) == 1
    assert t["Pairing"].to_dicts(order_by="KEY") == [{"left_id": 1, "right_id": 2}, {"left_id": 2, "right_id": 3}]
    top = t["Subject"] & dj.Top(limit=1, order_by="subject_id DESC")
    assert {short(k): v for k, v in dj.Diagram.cascade(top).counts().items()}["subject"] == 1
    assert top.delete(prompt=False) == 1
    assert sorted(r["subject_id"] for r in t["Subject"].to_dicts()) == [1, 2]
