"""The DataJoint console: ``python -m datajoint_sa.cli`` or ``dj.cli(args)``.

A Python prompt with ``dj`` imported, the connection settings taken from the
command line, and schemas loaded as virtual modules::

    python -m datajoint_sa.cli --host db.lab.org:3306 -u alice -p secret -s lab_subject:subject
    >>> subject.Subject.to_dicts()

(``python -m datajoint_sa``, without ``.cli``, is the migration tool.)
"""

from __future__ import annotations

import argparse
import code
import sys
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["cli", "parser"]


def parser() -> argparse.ArgumentParser:
    """The console's command-line options."""
    import datajoint_sa as dj

    found = argparse.ArgumentParser(
        prog="dj", description="DataJoint interactive console: a Python prompt with DataJoint imported.",
        epilog="Example: dj --host localhost:3306 -u root -s my_lab:lab")
    found.add_argument("-V", "--version", action="version", version=f"{dj.__name__} {dj.__version__}")
    found.add_argument("-u", "--user", help="database user (default: from the configuration)")
    found.add_argument("-p", "--password", help="database password (default: from the configuration)")
    found.add_argument("--host", help="database host, host:port (default: from the configuration)")
    found.add_argument("-s", "--schemas", nargs="+", metavar="DB:ALIAS", default=[],
                       help="load schema DB as a virtual module named ALIAS")
    return found


def cli(args: Sequence[str] | None = None) -> None:
    """Run the console with ``args`` (default: ``sys.argv[1:]``); ends with SystemExit when its input ends."""
    import datajoint_sa as dj

    options = parser()
    given = options.parse_args(args)
    for key, value in (("database.user", given.user), ("database.password", given.password),
                       ("database.host", given.host)):
        if value:
            dj.config[key] = value
    modules: dict[str, Any] = {}
    for item in given.schemas:
        schema_name, colon, alias = item.partition(":")
        if not colon or not schema_name or not alias:
            options.error(f"Invalid schema {item!r}; write schema_name:alias.")
        modules[alias] = dj.VirtualModule(alias, schema_name)
    banner = [f"DataJoint console ({dj.__name__} {dj.__version__}); type dj. and Tab to explore."]
    banner += [f"  {alias} -> schema {module.schema.database}" for alias, module in modules.items()]
    code.interact("\n".join(banner), local={"dj": dj, **modules}, exitmsg="")
    raise SystemExit(0)


class _CallableModule(types.ModuleType):
    """This module, callable as :func:`cli`: ``dj.cli(args)`` works once ``datajoint_sa.cli`` is imported."""

    def __call__(self, args: Sequence[str] | None = None) -> None:
        cli(args)


sys.modules[__name__].__class__ = _CallableModule

if __name__ == "__main__":
    cli()
