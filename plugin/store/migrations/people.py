"""Schema steps for shoppers: visitors and their people, storefront events, profiles, the refresh queue.

Each function is one released step of ``HISTORY`` (in ``__init__``): never edited once released.
"""

from __future__ import annotations


def storefront_identity(db) -> None:
    """People, the visitor ids the loader keeps for them, and the cart tokens those visitors used.

    A person is the unit identity stitching works on: every visitor id (one per
    browser) points at one person, and a person carries at most one email and one
    platform customer id. Merging two people re-points visitors; nothing else
    refers to a person, so a merge is two statements.
    """
    db.execute(
        """
        CREATE TABLE people (
            shop TEXT NOT NULL,
            person_id TEXT NOT NULL,
            email TEXT,
            customer_id TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, person_id)
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX people_email ON people (shop, email) WHERE email IS NOT NULL")
    db.execute("CREATE UNIQUE INDEX people_customer ON people (shop, customer_id) WHERE customer_id IS NOT NULL")
    db.execute(
        """
        CREATE TABLE visitors (
            shop TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            person_id TEXT NOT NULL,
            first_seen BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            PRIMARY KEY (shop, visitor_id)
        )
        """
    )
    db.execute("CREATE INDEX visitors_person ON visitors (shop, person_id)")
    db.execute(
        """
        CREATE TABLE visitor_carts (
            shop TEXT NOT NULL,
            cart_token TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            seen_at BIGINT NOT NULL,
            PRIMARY KEY (shop, cart_token, visitor_id)
        )
        """
    )
    db.execute("CREATE INDEX visitor_carts_visitor ON visitor_carts (shop, visitor_id)")


def storefront_events(db) -> None:
    """Storefront events as the loader batches them; ``data`` is a small JSON object."""
    db.execute(
        """
        CREATE TABLE storefront_events (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            session_id TEXT NOT NULL,
            type TEXT NOT NULL,
            occurred_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            path TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute("CREATE INDEX storefront_events_visitor ON storefront_events (shop, visitor_id, occurred_at)")
    db.execute("CREATE INDEX storefront_events_type ON storefront_events (shop, type, occurred_at)")


def profiles(db) -> None:
    """One profile per person (a derived cache of their events and orders), and each shop's RFM cut points.

    A profile row dies with its person (``ON DELETE CASCADE``): an identity
    merge deletes the losing person, and its profile must not linger as a
    second, stale copy of the same shopper. Money is decimal text, ``revenue``,
    ``devices``, ``affinities`` and ``segments`` are JSON text. The expression
    indexes let a person's orders and customer record be found by email whatever its case.
    """
    db.execute(
        """
        CREATE TABLE profiles (
            shop TEXT NOT NULL,
            person_id TEXT NOT NULL,
            customer_id TEXT,
            email TEXT,
            first_seen BIGINT,
            last_seen BIGINT,
            visits INTEGER NOT NULL DEFAULT 0,
            page_views INTEGER NOT NULL DEFAULT 0,
            product_views INTEGER NOT NULL DEFAULT 0,
            collection_views INTEGER NOT NULL DEFAULT 0,
            searches INTEGER NOT NULL DEFAULT 0,
            add_to_carts INTEGER NOT NULL DEFAULT 0,
            orders INTEGER NOT NULL DEFAULT 0,
            revenue TEXT NOT NULL DEFAULT '{}',
            currency TEXT,
            monetary TEXT NOT NULL DEFAULT '0',
            aov TEXT,
            first_order_at BIGINT,
            last_order_at BIGINT,
            devices TEXT NOT NULL DEFAULT '[]',
            country TEXT,
            city TEXT,
            affinities TEXT NOT NULL DEFAULT '{}',
            affinity_at BIGINT,
            offers_seen INTEGER NOT NULL DEFAULT 0,
            offers_opened INTEGER NOT NULL DEFAULT 0,
            offers_submitted INTEGER NOT NULL DEFAULT 0,
            subscribed INTEGER NOT NULL DEFAULT 0,
            r_score INTEGER,
            f_score INTEGER,
            m_score INTEGER,
            lifecycle TEXT NOT NULL,
            segments TEXT NOT NULL DEFAULT '[]',
            scored_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, person_id),
            FOREIGN KEY (shop, person_id) REFERENCES people (shop, person_id) ON DELETE CASCADE
        )
        """
    )
    db.execute("CREATE INDEX profiles_buyers ON profiles (shop, orders)")
    db.execute(
        """
        CREATE TABLE segment_cuts (
            shop TEXT PRIMARY KEY,
            mode TEXT NOT NULL,
            buyers INTEGER NOT NULL,
            recency TEXT NOT NULL,
            frequency TEXT NOT NULL,
            monetary TEXT NOT NULL,
            computed_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX orders_email_lower ON orders (shop, lower(email))")
    db.execute("CREATE INDEX customers_email_lower ON customers (shop, lower(email))")


def profile_queue(db) -> None:
    """Profile refreshes waiting for a worker: derived data kept off the webhook path.

    Keyed so that many updates of one order or customer queue one refresh.
    """
    db.execute(
        """
        CREATE TABLE profile_queue (
            shop TEXT NOT NULL,
            kind TEXT NOT NULL,
            ref TEXT NOT NULL,
            queued_at BIGINT NOT NULL,
            PRIMARY KEY (shop, kind, ref)
        )
        """
    )
