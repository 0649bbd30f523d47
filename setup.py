"""Build configuration beyond pyproject.toml: the optional compiled SQLite column reader.

The extension links the system SQLite library; where it cannot be built (no compiler, no
sqlite3.h), the install goes on without it and fetches use the pure-Python paths.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "datajoint_sa.fetch._sqlite_columns",
            sources=["datajoint_sa/fetch/_sqlite_columns.c"],
            libraries=["sqlite3"],
            optional=True,
        )
    ]
)
