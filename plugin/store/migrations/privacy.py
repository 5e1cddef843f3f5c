"""Schema steps for the privacy requests the platform sends (data requests and redactions) and what was done about them.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, id_key, key


def privacy() -> None:
    """The log of privacy requests and the exports merchants download.

    ``request_key`` (the platform's data-request id, else the customer id or
    email hash) makes a replayed request land on the same row.
    """
    op.create_table(
        "privacy_requests",
        id_key(),
        key("shop"),
        col("kind", TEXT, nullable=False),
        col("request_key", TEXT, nullable=False),
        col("customer_id", TEXT),
        col("email", TEXT),
        col("email_sha256", TEXT),
        col("order_ids", TEXT, nullable=False, default="[]"),
        col("requested_at", BIGINT, nullable=False),
        col("export", TEXT),
        col("completed_at", BIGINT),
        sa.UniqueConstraint("shop", "kind", "request_key"),
    )
    op.create_index("privacy_requests_customer", "privacy_requests", ["shop", "customer_id"])
