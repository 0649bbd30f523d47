"""Sessions of the subjects of element_colony.subject.

Needs ``Subject`` and ``Experimenter`` from the linking module.  ``activate()``
activates the subject module first (it is upstream), then this one.
"""

from __future__ import annotations

import importlib
import types

import datajoint_sa as dj

from . import subject

schema = dj.Schema()


def activate(session_schema: str, subject_schema: str | None = None, *, create_schema: bool = True,
             create_tables: bool = True, linking_module: types.ModuleType | str | None = None) -> None:
    """Declare the session tables in ``session_schema``, after the subject tables in ``subject_schema``.

    Without ``subject_schema`` the subject module must have been activated already.
    """
    if isinstance(linking_module, str):
        linking_module = importlib.import_module(linking_module)
    if subject_schema is not None:
        subject.activate(subject_schema, create_schema=create_schema, create_tables=create_tables,
                         linking_module=linking_module)
    if not subject.schema.is_activated():
        raise dj.DataJointError("Activate element_colony.subject first, or pass subject_schema.")
    schema.activate(session_schema, create_schema=create_schema, create_tables=create_tables,
                    linking_module=linking_module)


@schema
class Session(dj.Manual):
    definition = """
    -> Subject
    session_datetime : datetime
    ---
    -> Experimenter
    notes = "" : varchar(255)
    """

    class Epoch(dj.Part):
        definition = """
        -> master
        epoch : int16
        ---
        seconds : float64
        """


@schema
class SessionSummary(dj.Computed):
    definition = """
    -> Session
    ---
    n_epochs : int32
    total_seconds : float64
    """

    def make(self, key: dict) -> None:
        seconds = (Session.Epoch & key).to_arrays("seconds")
        self.insert1(dict(key, n_epochs=len(seconds), total_seconds=float(seconds.sum())))
