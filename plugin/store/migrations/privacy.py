"""Schema steps for the privacy requests the platform sends (data requests and redactions) and what was done about them.

Each function is one released step of ``HISTORY`` (in ``__init__``): never edited once released.
"""

from __future__ import annotations


def privacy(db) -> None:
    """The log of privacy requests and the exports merchants download.

    ``request_key`` (the platform's data-request id, else the customer id or
    email hash) makes a replayed request land on the same row.
    """
    db.execute(
        """
        CREATE TABLE privacy_requests (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            kind TEXT NOT NULL,
            request_key TEXT NOT NULL,
            customer_id TEXT,
            email TEXT,
            email_sha256 TEXT,
            order_ids TEXT NOT NULL DEFAULT '[]',
            requested_at BIGINT NOT NULL,
            export TEXT,
            completed_at BIGINT,
            UNIQUE (shop, kind, request_key)
        )
        """
    )
    db.execute("CREATE INDEX privacy_requests_customer ON privacy_requests (shop, customer_id)")
