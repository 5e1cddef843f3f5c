"""One durable job runner for every kind of background work (see ``runner`` and ``kinds``).

A request or a webhook handler only enqueues (``store.jobs.enqueue``: one
cheap, deduplicated insert); a runner does the work, off every request's
time. Features register their kinds on ``services.jobs``.
"""

from .kinds import INBOX_KIND, JobKinds, Reject, Skip
from .runner import InProcessWorker, Runner, backoff_ms, run_process

__all__ = ["INBOX_KIND", "JobKinds", "Reject", "Skip", "InProcessWorker", "Runner", "backoff_ms", "run_process"]
