"""``datajoint_sa.jobs``: the jobs tables under the module path DataJoint 2.x code imports them from.

The implementation lives in :mod:`datajoint_sa.populate.jobs`; this module names its public parts.
"""

from .populate.jobs import (
    ERROR_MESSAGE_LENGTH,
    TRUNCATION_APPENDIX,
    JobTable,
    existing_jobs_tables,
    job_version,
    jobs_table_for,
    server_time,
)

#: DataJoint 2.x calls the jobs table class ``Job``.
Job = JobTable

__all__ = ["ERROR_MESSAGE_LENGTH", "TRUNCATION_APPENDIX", "Job", "JobTable", "existing_jobs_tables", "job_version",
           "jobs_table_for", "server_time"]
