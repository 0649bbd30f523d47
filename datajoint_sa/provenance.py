"""Extrinsic provenance: where a row of an Entry (Manual) table came from.

Rows of Computed and Imported tables need no record of their origin: their
foreign keys are their lineage.  Rows of Manual tables enter from outside (a
person, an instrument, another system), so, with ``provenance.capture`` on,
their tables carry a hidden JSON attribute ``_prov`` that the library fills on
every insert; no caller writes it.  The record names the connection's agent
(user, host, database), the time, the code version, the configured external
``provenance.source`` and, for rows inserted inside a ``make()``, the ingesting
table and key (see :func:`ingesting`).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from .errors import DataJointError

__all__ = ["PROV_ATTRIBUTE", "ProvenanceSettings", "add_prov_column", "build_payload", "ingesting", "prov_lines",
           "reset_ingesting", "serialize", "set_ingesting", "with_provenance"]

#: The hidden attribute of Entry tables that holds the record.
PROV_ATTRIBUTE = "_prov"

_ingesting: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("datajoint_sa_ingesting",
                                                                                    default=None)


def _jsonable(value: Any) -> Any:
    """A key value as JSON can hold it: dates in ISO form, bytes in hex, anything else unknown as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return str(value)


def set_ingesting(table_name: str, key: Mapping[str, Any] | None, version: str | None = None) -> contextvars.Token:
    """Mark the ``make()`` of ``table_name`` for ``key`` as running; returns the token for :func:`reset_ingesting`."""
    context: dict[str, Any] = {"table": table_name, "key": {name: _jsonable(v) for name, v in (key or {}).items()}}
    if version:
        context["version"] = version
    return _ingesting.set(context)


def reset_ingesting(token: contextvars.Token | None) -> None:
    """Restore the ingesting context from before :func:`set_ingesting` returned ``token``."""
    if token is not None:
        _ingesting.reset(token)


@contextlib.contextmanager
def ingesting(table_name: str, key: Mapping[str, Any] | None, version: str | None = None) -> Iterator[None]:
    """Within the block, rows inserted into Entry tables record that ``table_name``'s make of ``key`` wrote them."""
    token = set_ingesting(table_name, key, version)
    try:
        yield
    finally:
        reset_ingesting(token)


def current_ingesting() -> dict[str, Any] | None:
    """The ingesting context now in effect (table, key, version), or None outside a make()."""
    return _ingesting.get()


def build_payload(connection: Any, settings: Any = None) -> dict[str, Any] | None:
    """The provenance record for rows inserted now on ``connection``; None when it would hold only the time.

    ``settings`` is the Config to read ``provenance.source`` and ``jobs.version_method``
    from: the connection's own (``connection._config``) or the global one by default.
    """
    if settings is None:
        settings = getattr(connection, "_config", None)
    if settings is None:
        from .settings import config as settings
    payload: dict[str, Any] = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    agent = _agent(connection)
    if agent:
        payload["agent"] = agent
    from .populate.jobs import job_version

    try:
        version = job_version(settings)
    except Exception:  # noqa: BLE001 - a version that cannot be read must not stop an insert
        version = ""
    if version:
        payload["version"] = version
    source = settings["provenance.source"]
    if source:
        payload["source"] = source
    context = _ingesting.get()
    if context:
        payload["context"] = context
    return payload if len(payload) > 1 else None


def _agent(connection: Any) -> dict[str, Any]:
    """User, host and database of the connection (``conn_info`` where it has one, else its engine's URL)."""
    info = getattr(connection, "conn_info", None)
    if not info:
        url = getattr(getattr(connection, "engine", None), "url", None)
        info = {} if url is None else {"user": url.username, "host": url.host, "database_name": url.database}
    return {name: info[name] for name in ("user", "host", "database_name") if info.get(name) is not None}


def prov_lines(cls: type, *, enabled: bool | None = None) -> tuple[Any, ...]:
    """The hidden ``_prov`` attribute line of an Entry (Manual) table, when ``provenance.capture`` is on.

    A class whose table has the column already keeps it when built again (alter).
    """
    from .settings import config

    if getattr(cls, "tier", None) != "Manual":
        return ()
    declared = cls.__dict__.get("_declared")
    kept = declared is not None and PROV_ATTRIBUTE in declared.table.c  # built again (alter): keep the column
    if not (kept or (config["provenance.capture"] if enabled is None else enabled)):
        return ()
    from .declare.grammar import AttributeLine
    from .types import parse_type

    text = f"{PROV_ATTRIBUTE} = null : json # extrinsic provenance for a row that entered from outside"
    return (AttributeLine(name=PROV_ATTRIBUTE, type=parse_type("json"), default="null", nullable=True,
                          comment="extrinsic provenance for a row that entered from outside", in_key=False,
                          line_no=0, text=text),)


def with_provenance(batches: Iterable[Any], table: Any) -> Iterable[Any]:
    """The insert batches of ``table`` with its ``_prov`` column filled, when it has one and capture is on.

    One record per insert call: every row of the call shares its origin.  A caller
    naming ``_prov`` is refused: the library alone writes it.
    """
    from .insert import Batch
    from .settings import config

    if not config["provenance.capture"] or PROV_ATTRIBUTE not in table.sql_table.c:
        return batches
    payload = build_payload(table.connection)
    value = None if payload is None else json.loads(serialize(payload) or "null")  # JSON-safe values only

    def extend(batch: Any) -> Any:
        if PROV_ATTRIBUTE in batch.names:
            raise DataJointError(f"{PROV_ATTRIBUTE} is written by DataJoint itself (the provenance of each row); "
                                 "leave it out of inserted rows.")
        return Batch((*batch.names, PROV_ATTRIBUTE), [*batch.columns, [value] * len(batch)], None)

    return map(extend, batches)


def with_provenance_select(table: Any, state: Any, names: list[str], select: sa.Select) -> tuple[list[str], sa.Select]:
    """INSERT ... SELECT into ``table``: its ``_prov`` column too, when it has one and capture is on.

    A row copied from a table that records provenance keeps its origin (the source
    row's record); rows from anywhere else get this insert's record, as inserted rows do.
    """
    from .settings import config

    target = table.sql_table.c.get(PROV_ATTRIBUTE)
    if target is None or not config["provenance.capture"] or PROV_ATTRIBUTE in names:
        return names, select
    source = getattr(state, "source", None)
    copied = isinstance(source, sa.Table) and PROV_ATTRIBUTE in source.c and state.group_by is None and not state.distinct
    if copied:
        value: Any = source.c[PROV_ATTRIBUTE]
    else:
        payload = build_payload(table.connection)
        value = sa.literal(None if payload is None else json.loads(serialize(payload) or "null"), type_=target.type)
    return [*names, PROV_ATTRIBUTE], select.add_columns(value.label(PROV_ATTRIBUTE))


def add_prov_column(target: Any, dry_run: bool = True) -> dict[str, Any]:
    """Add the hidden ``_prov`` column to Entry (Manual) tables declared while ``provenance.capture`` was off.

    ``target`` is a Manual table (class or instance) or a Schema (its Manual tables).
    Rows already there keep NULL; rows inserted afterwards carry a record.  With
    ``dry_run`` (the default) nothing changes: each table's ``ddl`` is reported.
    See :func:`datajoint_sa.hidden_columns.add_hidden_columns` for the result.
    """
    from .hidden_columns import add_hidden_columns
    from .schemas import Schema
    from .settings import config

    if isinstance(target, Schema):
        target._require_active()
        classes = [cls for cls in target._classes.values() if cls.tier == "Manual" and cls._declared is not None]
    else:
        cls = target if isinstance(target, type) else type(target)
        if getattr(cls, "tier", None) != "Manual" or getattr(cls, "_declared", None) is None:
            raise DataJointError(f"add_prov_column() takes a declared Manual table or a Schema; got {cls.__name__}: "
                                 "the rows of other tiers get their provenance from their foreign keys.")
        classes = [cls]

    def build(cls: type) -> sa.Table:
        with config.override(provenance__capture=True):
            return cls._schema.build(cls, sa.MetaData()).table

    return add_hidden_columns(classes, (PROV_ATTRIBUTE,), build, dry_run)


def serialize(payload: Mapping[str, Any] | None) -> str | None:
    """The record as JSON text; values JSON lacks (dates, paths in a configured source) become text."""
    return None if payload is None else json.dumps(payload, default=str)


class ProvenanceSettings:
    """The ``provenance`` settings on their own: ``capture`` and ``source``, from arguments or the environment.

    Unset arguments come from ``DJ_PROVENANCE_CAPTURE`` and ``DJ_PROVENANCE_SOURCE``
    (JSON), then the defaults (off, no source).  Values are checked as the
    configuration checks them: a source JSON cannot hold raises ``InvalidSetting``
    where it is set, not inside a later insert.
    """

    def __init__(self, capture: bool | str | None = None, source: Any = None) -> None:
        from .settings import Config

        checked = Config(load_environment=False)
        if capture is None:
            capture = os.environ.get("DJ_PROVENANCE_CAPTURE")
        if source is None:
            source = os.environ.get("DJ_PROVENANCE_SOURCE")
        if capture is not None:
            checked["provenance.capture"] = capture
        if source is not None:
            checked["provenance.source"] = source
        self.capture: bool = checked["provenance.capture"]
        self.source: dict[str, Any] = checked["provenance.source"]

    def __repr__(self) -> str:
        return f"ProvenanceSettings(capture={self.capture!r}, source={self.source!r})"
