"""Schema steps for triggered emails: each planned or finished send, the addresses never to mail, DKIM keys.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, id_key, key


def email_sends() -> None:
    """One row per flow step for one person: planned (``scheduled``) until due, then what became of it.

    ``(shop, flow, trigger_key, step)`` is unique, so a trigger seen twice (a webhook
    re-sent, a checkout updated) plans each step once. ``sending`` is written and
    committed before the message goes to SMTP: a worker that dies after that leaves
    the row to be closed as ``unknown``, never sent again (at most once per step).
    """
    op.create_table(
        "email_sends",
        id_key(),
        key("shop"),
        col("flow", TEXT, nullable=False),
        col("step", BIGINT, nullable=False),
        col("trigger_key", TEXT, nullable=False),
        col("trigger_at", BIGINT, nullable=False),
        col("person_id", TEXT),
        col("email", TEXT, nullable=False),
        col("due_at", BIGINT, nullable=False),
        col("status", TEXT, nullable=False),
        col("reason", TEXT),
        col("attempts", BIGINT, nullable=False, default=0),
        col("code", TEXT),
        col("message_id", TEXT),
        col("created_at", BIGINT, nullable=False),
        col("updated_at", BIGINT, nullable=False),
        col("sent_at", BIGINT),
        sa.UniqueConstraint("shop", "flow", "trigger_key", "step"),
    )
    op.create_index("email_sends_recipient", "email_sends", ["shop", "email", "sent_at"])
    op.create_index("email_sends_person", "email_sends", ["shop", "person_id"])
    op.create_index("email_sends_due", "email_sends", ["shop", "status", "due_at"])
    op.create_table(
        "email_suppressions",
        key("shop"),
        key("email"),
        col("reason", TEXT, nullable=False),
        col("created_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "email"),
    )
    # A shop's DKIM signing key: a secret, so a table of its own rather than the settings the admin page reads.
    op.create_table(
        "email_dkim_keys",
        sa.Column("shop", TEXT(), primary_key=True),
        col("domain", TEXT, nullable=False),
        col("selector", TEXT, nullable=False),
        col("private_pem", TEXT, nullable=False),
        col("public_b64", TEXT, nullable=False),
        col("created_at", BIGINT, nullable=False),
    )
