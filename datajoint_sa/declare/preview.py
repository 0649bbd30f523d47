"""The programmatic view of declaration: the DDL parts of a definition, for one backend, without a database.

``prepare_declare`` is what ``@schema`` computes for a table short of creating it:
the user's lines parsed (a user may not declare ``_``-names), the platform's
hidden attributes of the table's tier added (``_prov`` on Manual tables with
``provenance.capture``, the job metadata on Computed/Imported tables with
``jobs.add_job_metadata``), the table built, and its parts compiled by an
adapter (:mod:`datajoint_sa.adapters`).  ``compile_attribute`` does the same for
one attribute line.  Tools use them to inspect or diff declarations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa

from ..errors import DataJointError
from ..naming import tier_of_table_name
from .build import attribute_column, build_table
from .grammar import AttributeLine, attribute_line, parse_definition
from .references import resolve_reference

__all__ = ["PreparedDeclaration", "prepare_declare", "compile_attribute", "platform_attribute_lines"]

#: Names for the schema and table when a definition is compiled without them (index names use them).
_PREVIEW_SCHEMA, _PREVIEW_TABLE = "schema", "table"


class PreparedDeclaration(NamedTuple):
    """The parts of a table's declaration, as compiled for one backend."""

    table_comment: str
    primary_key: list[str]
    attribute_sql: list[str]  # one column clause per attribute, primary key first
    foreign_key_sql: list[str]  # FOREIGN KEY ... REFERENCES ... clauses
    index_sql: list[str]  # CREATE [UNIQUE] INDEX statements
    external_stores: list[str]  # stores named by codec attributes (<blob@store>)
    fk_attribute_map: dict[str, tuple[str, str]]  # attribute -> (parent table, parent attribute)
    column_comments: dict[str, str]  # attribute -> stored column comment (':type:' tag included)


def _adapter(adapter: Any) -> Any:
    from ..adapters import get_adapter  # adapters build on this package's neighbours; resolved at call time

    return get_adapter("mysql" if adapter is None else adapter)


def _setting(config: Any, key: str) -> bool:
    """``key`` (dotted) of ``config``: datajoint_sa's Config, a mapping or any object with attribute sections."""
    if config is None:
        from ..settings import config as global_config

        config = global_config
    value = config
    try:
        for part in key.split("."):
            value = getattr(value, part)
    except AttributeError:
        try:
            value = config[key]
        except (KeyError, TypeError):
            raise DataJointError(f"The configuration given to prepare_declare has no {key!r}.") from None
    return bool(value)


def platform_attribute_lines(table_name: str | None, config: Any = None) -> tuple[AttributeLine, ...]:
    """The hidden attributes the library declares on table ``table_name``, by the tier its name carries.

    Manual tables get ``_prov`` when ``provenance.capture`` is on; Computed and
    Imported tables the job metadata when ``jobs.add_job_metadata`` is on; Lookup,
    Part and bookkeeping (``~``) tables none.  ``config`` defaults to ``dj.config``.
    No table name (as alter() compares definitions) means none.
    """
    if table_name is None:
        return ()
    tier = tier_of_table_name(table_name)
    if tier in ("Computed", "Imported"):
        from ..populate.metadata import job_metadata_lines
        from ..user_tables import Computed, Imported

        cls = Computed if tier == "Computed" else Imported
        return job_metadata_lines(cls, enabled=_setting(config, "jobs.add_job_metadata"))
    if tier == "Manual":
        from ..provenance import prov_lines
        from ..user_tables import Manual

        return prov_lines(Manual, enabled=_setting(config, "provenance.capture"))
    return ()


def _store(line: AttributeLine) -> str | None:
    return line.type.store or None


def prepare_declare(definition: str, context: Mapping[str, Any] | None, adapter: Any = None, *,
                    table_name: str | None = None, config: Any = None,
                    schema: str = _PREVIEW_SCHEMA) -> PreparedDeclaration:
    """The declaration of ``definition`` in parts, compiled by ``adapter`` (default MySQL); no database is used.

    Foreign keys resolve in ``context`` (names -> declared table classes).  Given
    ``table_name`` (which carries the tier: ``#lookup``, ``_imported``, ``__computed``,
    ``master__part``), the tier's hidden attributes are added as secondary
    attributes after the user's, following ``config`` (default ``dj.config``).
    A user line declaring a ``_``-name raises DeclarationError.
    """
    rules_adapter = _adapter(adapter)
    parsed = parse_definition(definition)
    platform = platform_attribute_lines(table_name, config)
    if platform:
        parsed = dataclasses.replace(parsed, lines=(*parsed.lines, *platform))
    declared = build_table(parsed, schema=schema, table=table_name or _PREVIEW_TABLE, metadata=sa.MetaData(),
                           rules=rules_adapter.rules, resolve=lambda ref: resolve_reference(ref, context or {}))
    table = declared.table
    lines = {line.name: line for line in parsed.attributes}
    foreign_keys = sorted(table.foreign_key_constraints, key=lambda fk: [c.name for c in fk.columns])
    fk_map = {child: (parent, parent_attr) for parent, pairs, _in_key in declared.parents for child, parent_attr in pairs}
    return PreparedDeclaration(
        table_comment=parsed.comment,
        primary_key=[column.name for column in table.primary_key.columns],
        attribute_sql=[rules_adapter.column_sql(column) for column in table.columns],
        foreign_key_sql=[rules_adapter.constraint_sql(table, fk) for fk in foreign_keys],
        index_sql=[rules_adapter.index_sql(index) for index in sorted(table.indexes, key=lambda i: i.name or "")],
        external_stores=[store for line in lines.values() if (store := _store(line))],
        fk_attribute_map=fk_map,
        column_comments={column.name: column.comment for column in table.columns if column.comment},
    )


def compile_attribute(line: str, in_key: bool, foreign_key_sql: Sequence[str] = (), context: Any = None,
                      adapter: Any = None) -> tuple[str, str, str | None, str | None]:
    """One attribute line -> (name, column SQL, store or None, stored comment or None), compiled by ``adapter``.

    The grammar only: the library's own ``_``-names compile too.  ``foreign_key_sql``
    and ``context`` stand for the declaration's foreign keys and names, on which no
    attribute type of datajoint_sa depends (codecs are registered globally); they
    are accepted so that a declaration loop can pass them to every line alike.
    """
    parsed = attribute_line(line, in_key)
    rules_adapter = _adapter(adapter)
    column, _attribute = attribute_column(parsed, rules_adapter.rules)
    return parsed.name, rules_adapter.column_sql(column), _store(parsed), column.comment
