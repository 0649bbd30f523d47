"""Running again what the server rolled back to break a deadlock.

InnoDB locks the rows that a statement's subqueries read, and PostgreSQL aborts one
of two transactions that wait on each other; when several workers share one jobs
queue, such conflicts are expected and the loser changed nothing.  Only work that is
safe to repeat and runs in a transaction of its own may be retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import TransactionConflictError

__all__ = ["CONFLICT_ATTEMPTS", "retry_on_conflict"]

logger = logging.getLogger("datajoint_sa")

T = TypeVar("T")

#: Tries of work that the database rolls back to break a deadlock, before the conflict is raised.
CONFLICT_ATTEMPTS = 5


def retry_on_conflict(action: Callable[[], T], what: str = "a statement", *what_args: object) -> T:
    """``action()``, run again after a short random pause while it loses deadlocks, up to CONFLICT_ATTEMPTS times.

    ``what % what_args`` names the work in the log; formatted only when a retry is logged.
    """
    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        try:
            return action()
        except TransactionConflictError:
            if attempt == CONFLICT_ATTEMPTS:
                raise
            logger.debug(f"{what} lost a deadlock (try %d of %d); running it again", *what_args, attempt,
                         CONFLICT_ATTEMPTS)
            time.sleep(random.uniform(0.005, 0.02) * attempt)
    raise AssertionError("unreachable")
