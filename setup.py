"""Build configuration beyond pyproject.toml: packages and the optional compiled SQLite reader.

``migrations/`` (the alembic revisions of datajoint_sa's own bookkeeping tables) sits at the
top of the repository and is installed as the package ``datajoint_sa.bookkeeping_migrations``,
so that installed releases can upgrade existing databases too.

The extension links the system SQLite library; where it cannot be built (no compiler, no
sqlite3.h), the install goes on without it and fetches use the pure-Python paths.
"""

from setuptools import Extension, find_packages, setup

MIGRATIONS = "datajoint_sa.bookkeeping_migrations"

setup(
    packages=[*find_packages(include=["datajoint_sa", "datajoint_sa.*"]), MIGRATIONS, f"{MIGRATIONS}.versions"],
    package_dir={MIGRATIONS: "migrations"},
    ext_modules=[
        Extension(
            "datajoint_sa.fetch._sqlite_columns",
            sources=["datajoint_sa/fetch/_sqlite_columns.c"],
            libraries=["sqlite3"],
            optional=True,
        )
    ]
)
