"""0034_jobs: background jobs (profile_queue moves in).

The step is ``jobs.jobs`` in plugin/store/migrations/jobs.py; this file places it in Alembic's chain.
"""

from plugin.store.migrations import jobs
from plugin.store.migrations import forward_only as downgrade  # noqa: F401 (released steps never go back)

revision = "0034_jobs"
down_revision = "0033_capture_redemptions"


def upgrade() -> None:
    jobs.jobs()
