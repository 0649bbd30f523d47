"""Schema evolution: ``table.alter()``, ``describe()`` and migrations with alembic.

``alter()`` applies the difference between a class definition and its table for
secondary attributes, foreign keys, indexes and the table comment.  Everything
else, primary keys included, goes through alembic migrations
(``python -m datajoint_sa``), which compare the schema's declared tables
(``schema.metadata``) with the database.
"""

from .alter import alter, plan
from .diff import AlterPlan, Change

__all__ = ["alter", "plan", "AlterPlan", "Change"]
