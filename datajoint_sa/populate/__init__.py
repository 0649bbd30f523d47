"""Auto-populated tables: key sources, make, populate, jobs and workers."""

from .autopopulate import AutoPopulate
from .jobs import JobTable

__all__ = ["AutoPopulate", "JobTable"]
