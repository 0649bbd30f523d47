"""alembic env.py for a DataJoint schema: see datajoint_sa.migrate.environment."""

from alembic import context

from datajoint_sa.migrate.environment import run_migrations

run_migrations(context)
