"""A workflow that uses element_colony: the DataJoint Elements pattern.

The element's modules declare tables without knowing the database schema names
or the tables of the workflow they link to.  The workflow:

1. declares its own upstream tables (``Lab``, ``Experimenter``),
2. names the element tables the other element module needs (``Subject``),
3. activates the element: ``session.activate`` activates ``subject`` first, and
   both resolve ``-> Lab``, ``-> Subject``, ``-> Experimenter`` in this module.

Run it with no configuration (SQLite file ``datajoint.db`` in the working
directory) or with ``DJ_DATABASE_URL`` set:

    python examples/elements/workflow.py

Afterwards the schemas can be opened without any of this code, as virtual modules.
"""

import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # to import element_colony from here

from element_colony import session, subject  # noqa: E402

import datajoint_sa as dj  # noqa: E402

PREFIX = os.environ.get("ELEMENTS_DEMO_PREFIX", "elements_demo_")  # schema names: PREFIX + lab/subject/session

for name in ("session", "subject", "lab"):  # start afresh, children first
    dj.Schema(PREFIX + name).drop(prompt=False)

lab = dj.Schema(PREFIX + "lab")


@lab
class Lab(dj.Lookup):
    definition = """
    lab : varchar(16)
    ---
    lab_name : varchar(64)
    """
    contents = [{"lab": "rivera", "lab_name": "Rivera Lab"}]


@lab
class Experimenter(dj.Lookup):
    definition = """
    experimenter : varchar(32)
    """
    contents = [{"experimenter": "ana"}, {"experimenter": "ben"}]


Subject = subject.Subject  # the session module's "-> Subject" resolves here

session.activate(PREFIX + "session", PREFIX + "subject", linking_module=__name__)

subject.Subject.insert([
    {"subject": "m1", "lab": "rivera", "sex": "F", "birth_date": "2024-03-01"},
    {"subject": "m2", "lab": "rivera", "sex": "M", "birth_date": None},
])
session.Session.insert1({"subject": "m1", "session_datetime": "2024-06-01 10:00:00", "experimenter": "ana"})
session.Session.insert1({"subject": "m2", "session_datetime": "2024-06-02 11:30:00", "experimenter": "ben"})
session.Session.Epoch.insert([
    {"subject": "m1", "session_datetime": "2024-06-01 10:00:00", "epoch": e, "seconds": 60.0 * (e + 1)}
    for e in range(3)
])
session.SessionSummary.populate()
print("summaries:", session.SessionSummary.to_dicts(order_by="KEY"))
print("tables:", sorted(dj.Schema(PREFIX + "session").list_tables()))

# Elsewhere, without the element's code: the same tables as virtual modules.
colony = dj.virtual_schema(PREFIX + "subject")
sessions = dj.virtual_schema(PREFIX + "session")
print("virtual Session.Epoch rows:", len(sessions.Session.Epoch()))
print("sessions per lab:", (colony.Subject * sessions.Session).proj("lab").to_dicts(order_by="KEY"))
