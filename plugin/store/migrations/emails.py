"""Schema steps for triggered emails: sends, the addresses never to mail, open-time slots, clicks, DKIM keys.

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
    # Browse abandonment looks for sessions that ended lately: storefront events by time.
    op.create_index("storefront_events_time", "storefront_events", ["shop", "occurred_at"])
    op.create_table(
        "email_suppressions",
        key("shop"),
        key("email"),
        col("reason", TEXT, nullable=False),
        col("created_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "email"),
    )
    # What each recommendation slot of a sent email shows: chosen at its first open, kept 24 h. Slots and
    # clicks go with their send (ON DELETE CASCADE), so erasing a person's sends erases them too.
    op.create_table(
        "email_slots",
        key("shop"),
        col("send_id", BIGINT, nullable=False),
        col("slot", BIGINT, nullable=False),
        col("product_id", TEXT, nullable=False),
        col("chosen_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "send_id", "slot"),
        sa.ForeignKeyConstraint(["send_id"], ["email_sends.id"], ondelete="CASCADE"),
    )
    # Each click on a link in an email: what it led to, for the report and attribution.
    op.create_table(
        "email_clicks",
        id_key(),
        key("shop"),
        col("send_id", BIGINT, nullable=False),
        col("slot", BIGINT),
        col("product_id", TEXT),
        col("clicked_at", BIGINT, nullable=False),
        sa.ForeignKeyConstraint(["send_id"], ["email_sends.id"], ondelete="CASCADE"),
    )
    op.create_index("email_clicks_send", "email_clicks", ["shop", "send_id"])
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
