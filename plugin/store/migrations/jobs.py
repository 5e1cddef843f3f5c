"""Schema steps of the job runner (plugin/jobs): background work as leased rows.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, id_key, key

LIVE = "status IN ('pending', 'processing')"


def jobs() -> None:
    """Background work as rows (plugin/jobs): claimed with a lease, retried with backoff, dead-lettered.

    The lease columns are the inbox's (store/leases.py claims both). One live
    row per (shop, kind, dedupe_key) (a partial unique index): enqueueing work
    already pending is a no-op, and enqueueing it while it runs sets ``rerun``,
    so it runs exactly once more afterwards. Dead rows stay for ``storelift
    jobs list`` and replay. The profile refreshes queued so far move in as jobs.
    """
    op.create_table(
        "jobs",
        id_key(),
        col("kind", TEXT, nullable=False),
        key("shop"),
        col("dedupe_key", TEXT, nullable=False),
        col("payload", TEXT, nullable=False),
        col("status", TEXT, nullable=False),
        col("next_attempt_at", BIGINT, nullable=False),
        col("lease_until", BIGINT),
        col("locked_by", TEXT),
        col("attempts", BIGINT, nullable=False, default=0),
        col("rerun", BIGINT, nullable=False, default=0),
        col("last_error", TEXT),
        col("created_at", BIGINT, nullable=False),
        col("finished_at", BIGINT),
    )
    op.create_index("jobs_live", "jobs", ["shop", "kind", "dedupe_key"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.create_index("jobs_due", "jobs", ["status", "next_attempt_at"])
    bind = op.get_bind()
    queued = bind.execute(sa.text("SELECT shop, kind, ref, queued_at FROM profile_queue")).mappings().all()
    if queued:
        bind.execute(
            sa.text("INSERT INTO jobs (kind, shop, dedupe_key, payload, status, next_attempt_at, created_at)"
                    " VALUES ('profiles.refresh', :shop, :dedupe_key, :payload, 'pending', :queued_at, :queued_at)"),
            [{"shop": row["shop"], "dedupe_key": f"{row['kind']}:{row['ref']}",
              "payload": json.dumps({"kind": row["kind"], "ref": row["ref"]}), "queued_at": row["queued_at"]}
             for row in queued],
        )
    op.drop_table("profile_queue")
