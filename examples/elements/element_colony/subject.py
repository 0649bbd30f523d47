"""Subjects of the colony.  Needs ``Lab`` from the linking module."""

from __future__ import annotations

import importlib
import types

import datajoint_sa as dj

schema = dj.Schema()


def activate(schema_name: str, *, create_schema: bool = True, create_tables: bool = True,
             linking_module: types.ModuleType | str | None = None) -> None:
    """Declare the subject tables in ``schema_name``; foreign keys to ``Lab`` resolve in ``linking_module``."""
    if isinstance(linking_module, str):
        linking_module = importlib.import_module(linking_module)
    if linking_module is None or not hasattr(linking_module, "Lab"):
        raise dj.DataJointError("element_colony.subject needs a linking module that defines Lab.")
    schema.activate(schema_name, create_schema=create_schema, create_tables=create_tables,
                    linking_module=linking_module)


@schema
class Subject(dj.Manual):
    definition = """
    # an animal in the colony
    subject : varchar(16)
    ---
    -> Lab
    sex = "U" : enum('M', 'F', 'U')
    birth_date = null : date
    """


@schema
class Weighing(dj.Manual):
    definition = """
    -> Subject
    weigh_date : date
    ---
    grams : float32
    """
