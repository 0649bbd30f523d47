"""Two-way use: a pipeline made and filled by one library is used by the other.

For each direction, the *maker* (the reference datajoint 2.3.5 or datajoint_sa)
declares a small pipeline in two schemas and fills it (inserts, populate).  The
*user* (the other library) opens it twice: as virtual modules, and through the same
class definitions declared on the existing schemas.  Both views must give the
maker's rows for every table and query; then the user inserts, populates and
deletes (cascading across schemas), and the maker must see exactly the result.
"""

from __future__ import annotations

import datetime
import decimal
import os
import types
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import datajoint_sa


def declare(dj: Any, upstream: Any, main: Any) -> types.SimpleNamespace:
    """The pipeline, written once for both libraries; returns its classes."""
    context: dict[str, Any] = {}

    class Animal(dj.Manual):
        definition = """
        # an animal of the colony
        animal_id : int32
        ---
        species = "mouse" : varchar(32)
        born = null : date
        """

    class Strain(dj.Lookup):
        definition = """
        strain : enum('wt', 'ko')   # genotype
        """
        contents = [{"strain": "wt"}, {"strain": "ko"}]

    for cls in (Animal, Strain):
        context[cls.__name__] = upstream(cls, context=context)
    context["colony"] = types.SimpleNamespace(Animal=Animal, Strain=Strain)

    class Lab(dj.Lookup):
        definition = """
        lab : varchar(16)
        ---
        lab_name : varchar(64)   # full name
        """
        contents = [{"lab": "alpha", "lab_name": "Alpha Lab"}, {"lab": "beta", "lab_name": "Beta Lab"}]

    class Subject(dj.Manual):
        definition = """
        -> colony.Animal
        subject : int16
        ---
        -> Lab
        -> [nullable] colony.Strain
        sex = "U" : enum('M', 'F', 'U')
        """

    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int16
        ---
        -> [nullable] Lab.proj(backup_lab='lab')
        weight : decimal(5,2)
        params = null : json
        """

    class Recording(dj.Imported):
        definition = """
        -> Session
        ---
        duration : float64   # seconds
        """

        class Channel(dj.Part):
            definition = """
            -> master
            channel : int16
            ---
            samples : <blob>
            """

        def make(self, key: dict) -> None:
            n = int(key["session"]) + 1
            self.insert1(dict(key, duration=1.5 * n))
            self.Channel.insert([dict(key, channel=c, samples=np.arange(c + 2, dtype=float)) for c in range(n)])

    class Summary(dj.Computed):
        definition = """
        -> Recording
        ---
        total : float64
        n_channels : int32
        """

        def make(self, key: dict) -> None:
            rows = (Recording.Channel & key).to_dicts()
            self.insert1(dict(key, total=float(sum(np.sum(r["samples"]) for r in rows)), n_channels=len(rows)))

    for cls in (Lab, Subject, Session, Recording, Summary):
        context[cls.__name__] = main(cls, context=context)
    return types.SimpleNamespace(Animal=Animal, Strain=Strain, Lab=Lab, Subject=Subject, Session=Session,
                                 Recording=Recording, Summary=Summary)


def fill(classes: types.SimpleNamespace) -> None:
    classes.Animal.insert1({"animal_id": 1, "born": "2024-01-05"})
    classes.Animal.insert1({"animal_id": 2, "species": "rat"})
    classes.Subject.insert([
        {"animal_id": 1, "subject": 1, "lab": "alpha", "strain": "wt", "sex": "F"},
        {"animal_id": 1, "subject": 2, "lab": "beta", "strain": None, "sex": "U"},
        {"animal_id": 2, "subject": 1, "lab": "alpha", "strain": "ko", "sex": "M"},
    ])
    classes.Session.insert([
        {"animal_id": 1, "subject": 1, "session": 0, "backup_lab": "beta", "weight": "20.5", "params": {"a": 1}},
        {"animal_id": 1, "subject": 1, "session": 1, "backup_lab": None, "weight": 21, "params": None},
        {"animal_id": 2, "subject": 1, "session": 2, "backup_lab": None, "weight": "300.25", "params": {"b": [1, 2]}},
    ])
    classes.Recording.populate()
    classes.Summary.populate()


def plain(value: Any) -> Any:
    """A fetched value in a form both libraries' results compare in."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (datetime.date, uuid.UUID)):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):
        return value.item()
    return value


def rows(query: Any) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in r.items()} for r in query.to_dicts(order_by="KEY")]


def snapshot(c: Any) -> dict[str, Any]:
    """Every table and a few queries of the pipeline, as plain rows."""
    return {
        "Animal": rows(c.Animal), "Strain": rows(c.Strain), "Lab": rows(c.Lab), "Subject": rows(c.Subject),
        "Session": rows(c.Session), "Recording": rows(c.Recording), "Channel": rows(c.Recording.Channel),
        "Summary": rows(c.Summary),
        "join": rows((c.Subject * c.Session & "weight > 20.6").proj("lab", "sex", kg="weight / 1000")),
        "restrict": rows(c.Subject & {"strain": "wt"}),
        "antijoin": rows(c.Subject - c.Session),
        "aggr": rows(c.Session.aggr(c.Recording.Channel, n="count(*)")),
        "renamed key": rows(c.Session * c.Lab.proj(backup_lab="lab", backup_name="lab_name")),
        "cross schema": rows((c.Animal * c.Subject).proj("species", "lab")),
    }


def virtual(dj: Any, names: dict[str, str], connection: Any) -> types.SimpleNamespace:
    """The pipeline's classes from virtual modules of the two schemas."""
    up = dj.VirtualModule("colony", names["upstream"], connection=connection)
    main = dj.VirtualModule("lab", names["main"], connection=connection)
    return types.SimpleNamespace(Animal=up.Animal, Strain=up.Strain, **{
        n: getattr(main, n) for n in ("Lab", "Subject", "Session", "Recording", "Summary")})


class Side(types.SimpleNamespace):
    dj: Any
    schema: Any  # schema name -> that library's Schema
    connection: Any


@pytest.fixture(params=["ref", "ours"])
def maker(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def sides(ref: Any, ref_instance: Any, sa_connection: datajoint_sa.Connection) -> dict[str, Side]:
    return {
        "ref": Side(dj=ref, schema=ref_instance.Schema, connection=ref_instance.connection),
        "ours": Side(dj=datajoint_sa, connection=sa_connection,
                     schema=lambda name: datajoint_sa.Schema(name, connection=sa_connection)),
    }


@pytest.fixture
def made(maker: str, sides: dict[str, Side], sa_connection: datajoint_sa.Connection) -> Iterator[Any]:
    tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    names = {"upstream": f"djtwo_{maker}_up_{tag}", "main": f"djtwo_{maker}_main_{tag}"}
    side = sides[maker]
    try:
        classes = declare(side.dj, side.schema(names["upstream"]), side.schema(names["main"]))
        fill(classes)
        yield names, classes
    finally:
        for name in (names["main"], names["upstream"]):
            datajoint_sa.Schema(name, connection=sa_connection, create_schema=True).drop(prompt=False)


def test_the_other_library_uses_the_pipeline(maker: str, made: Any, sides: dict[str, Side]) -> None:
    names, made_classes = made
    user = sides["ours" if maker == "ref" else "ref"]
    expected = snapshot(made_classes)
    assert len(expected["Channel"]) == 6 and len(expected["Summary"]) == 3  # the maker filled it

    vm = virtual(user.dj, names, user.connection)
    assert snapshot(vm) == expected
    assert issubclass(vm.Recording, user.dj.Imported) and issubclass(vm.Recording.Channel, user.dj.Part)
    classes = declare(user.dj, user.schema(names["upstream"]), user.schema(names["main"]))
    assert snapshot(classes) == expected

    # the user adds rows (through both views) and populates with its own make()
    vm.Animal.insert1({"animal_id": 3, "species": "vole"})
    classes.Subject.insert1({"animal_id": 3, "subject": 1, "lab": "beta", "strain": "ko"})
    vm.Session.insert1({"animal_id": 3, "subject": 1, "session": 3, "weight": 9.75, "params": {"c": "x"}})
    classes.Recording.populate()
    classes.Summary.populate()
    after_insert = snapshot(classes)
    assert len(after_insert["Channel"]) == 10 and len(after_insert["Summary"]) == 4
    assert snapshot(made_classes) == after_insert == snapshot(vm)

    # the user deletes: cascades from the upstream schema down to the computed parts
    (vm.Animal & {"animal_id": 1}).delete(prompt=False)
    after_delete = snapshot(made_classes)
    assert [r["animal_id"] for r in after_delete["Subject"]] == [2, 3]
    assert {r["animal_id"] for r in after_delete["Channel"]} == {2, 3}
    assert snapshot(classes) == after_delete == snapshot(vm)

    # and the maker goes on populating what the user added
    made_classes.Session.insert1({"animal_id": 2, "subject": 1, "session": 4, "weight": 1})
    made_classes.Recording.populate()
    made_classes.Summary.populate()
    assert snapshot(classes) == snapshot(made_classes)
