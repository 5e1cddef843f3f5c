"""Schema steps of the job runner (plugin/jobs): background work as leased rows."""

from __future__ import annotations

import json


def jobs(db) -> None:
    """Background work as rows (plugin/jobs): claimed with a lease, retried with backoff, dead-lettered.

    The lease columns are the inbox's (store/leases.py claims both). One live
    row per (shop, kind, dedupe_key): enqueueing work already pending is a
    no-op, and enqueueing it while it runs sets ``rerun``, so it runs exactly
    once more afterwards. Dead rows stay for ``storelift jobs list`` and
    replay. The profile refreshes queued so far move in as jobs.
    """
    db.execute(
        """
        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            shop TEXT NOT NULL,
            dedupe_key TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            lease_until BIGINT,
            locked_by TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            rerun INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            finished_at BIGINT
        )
        """
    )
    db.execute(
        "CREATE UNIQUE INDEX jobs_live ON jobs (shop, kind, dedupe_key) WHERE status IN ('pending', 'processing')"
    )
    db.execute("CREATE INDEX jobs_due ON jobs (status, next_attempt_at)")
    for row in db.query("SELECT shop, kind, ref, queued_at FROM profile_queue"):
        db.execute(
            """INSERT INTO jobs (kind, shop, dedupe_key, payload, status, next_attempt_at, created_at)
               VALUES ('profiles.refresh', ?, ?, ?, 'pending', ?, ?)""",
            [row["shop"], f"{row['kind']}:{row['ref']}", json.dumps({"kind": row["kind"], "ref": row["ref"]}),
             row["queued_at"], row["queued_at"]],
        )
    db.execute("DROP TABLE profile_queue")
