"""alembic env.py for datajoint_sa's own bookkeeping tables of one schema.

Run through datajoint_sa.migrate.bookkeeping (``upgrade_bookkeeping(connection, schema)``),
which supplies the connection and schema in memory; there is no alembic.ini.
The revisions are kept in the schema's ``~datajoint_sa_version`` table.
"""

from alembic import context

from datajoint_sa.migrate.environment import run_migrations

run_migrations(context)
