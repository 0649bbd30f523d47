"""``python -m datajoint_sa``: the migration command line (see datajoint_sa.migrate.cli)."""

import sys

from .migrate.cli import main

sys.exit(main())
