"""Schema steps for shoppers: visitors and their people, storefront events, profiles, the refresh queue.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, id_key, key


def _partial_unique(name: str, table: str, columns: list[str], where: str) -> None:
    """A unique index over the rows ``where`` holds; both engines take the same predicate."""
    op.create_index(name, table, columns, unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def storefront_identity() -> None:
    """People, the visitor ids the loader keeps for them, and the cart tokens those visitors used.

    A person is the unit identity stitching works on: every visitor id (one per
    browser) points at one person, and a person carries at most one email and one
    platform customer id (the partial unique indexes). Merging two people
    re-points visitors; nothing else refers to a person, so a merge is two statements.
    """
    op.create_table(
        "people",
        key("shop"),
        key("person_id"),
        col("email", TEXT),
        col("customer_id", TEXT),
        col("created_at", BIGINT, nullable=False),
        col("updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "person_id"),
    )
    _partial_unique("people_email", "people", ["shop", "email"], "email IS NOT NULL")
    _partial_unique("people_customer", "people", ["shop", "customer_id"], "customer_id IS NOT NULL")
    op.create_table(
        "visitors",
        key("shop"),
        key("visitor_id"),
        col("person_id", TEXT, nullable=False),
        col("first_seen", BIGINT, nullable=False),
        col("last_seen", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "visitor_id"),
    )
    op.create_index("visitors_person", "visitors", ["shop", "person_id"])
    op.create_table(
        "visitor_carts",
        key("shop"),
        key("cart_token"),
        key("visitor_id"),
        col("seen_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "cart_token", "visitor_id"),
    )
    op.create_index("visitor_carts_visitor", "visitor_carts", ["shop", "visitor_id"])


def storefront_events() -> None:
    """Storefront events as the loader batches them; ``data`` is a small JSON object."""
    op.create_table(
        "storefront_events",
        id_key(),
        key("shop"),
        col("visitor_id", TEXT, nullable=False),
        col("session_id", TEXT, nullable=False),
        col("type", TEXT, nullable=False),
        col("occurred_at", BIGINT, nullable=False),
        col("received_at", BIGINT, nullable=False),
        col("path", TEXT, nullable=False),
        col("data", TEXT, nullable=False, default="{}"),
    )
    op.create_index("storefront_events_visitor", "storefront_events", ["shop", "visitor_id", "occurred_at"])
    op.create_index("storefront_events_type", "storefront_events", ["shop", "type", "occurred_at"])


def _counter(name: str) -> sa.Column:
    return col(name, BIGINT, nullable=False, default=0)


def profiles() -> None:
    """One profile per person (a derived cache of their events and orders), and each shop's RFM cut points.

    A profile row dies with its person (``ON DELETE CASCADE``): an identity
    merge deletes the losing person, and its profile must not linger as a
    second, stale copy of the same shopper. Money is decimal text, ``revenue``,
    ``devices``, ``affinities`` and ``segments`` are JSON text. The expression
    indexes let a person's orders and customer record be found by email whatever its case.
    """
    op.create_table(
        "profiles",
        key("shop"),
        key("person_id"),
        col("customer_id", TEXT),
        col("email", TEXT),
        col("first_seen", BIGINT),
        col("last_seen", BIGINT),
        *(_counter(name) for name in ("visits", "page_views", "product_views", "collection_views", "searches",
                                      "add_to_carts", "orders")),
        col("revenue", TEXT, nullable=False, default="{}"),
        col("currency", TEXT),
        col("monetary", TEXT, nullable=False, default="0"),
        col("aov", TEXT),
        col("first_order_at", BIGINT),
        col("last_order_at", BIGINT),
        col("devices", TEXT, nullable=False, default="[]"),
        col("country", TEXT),
        col("city", TEXT),
        col("affinities", TEXT, nullable=False, default="{}"),
        col("affinity_at", BIGINT),
        *(_counter(name) for name in ("offers_seen", "offers_opened", "offers_submitted", "subscribed")),
        col("r_score", BIGINT),
        col("f_score", BIGINT),
        col("m_score", BIGINT),
        col("lifecycle", TEXT, nullable=False),
        col("segments", TEXT, nullable=False, default="[]"),
        col("scored_at", BIGINT, nullable=False),
        col("updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "person_id"),
        sa.ForeignKeyConstraint(["shop", "person_id"], ["people.shop", "people.person_id"], ondelete="CASCADE"),
    )
    op.create_index("profiles_buyers", "profiles", ["shop", "orders"])
    op.create_table(
        "segment_cuts",
        sa.Column("shop", TEXT(), primary_key=True),
        col("mode", TEXT, nullable=False),
        col("buyers", BIGINT, nullable=False),
        col("recency", TEXT, nullable=False),
        col("frequency", TEXT, nullable=False),
        col("monetary", TEXT, nullable=False),
        col("computed_at", BIGINT, nullable=False),
    )
    op.create_index("orders_email_lower", "orders", ["shop", sa.text("lower(email)")])
    op.create_index("customers_email_lower", "customers", ["shop", sa.text("lower(email)")])


def profile_queue() -> None:
    """Profile refreshes waiting for a worker: derived data kept off the webhook path.

    Keyed so that many updates of one order or customer queue one refresh. (0034 moves them into ``jobs``.)
    """
    op.create_table(
        "profile_queue",
        key("shop"),
        key("kind"),
        key("ref"),
        col("queued_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "kind", "ref"),
    )
