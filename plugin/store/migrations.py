"""Versioned schema changes, applied in order and never edited once released.

Portable SQL on purpose (PostgreSQL 15 runs it too): BIGINT epoch-ms times,
TEXT for JSON and for platform ids that exceed 2^53 in JavaScript, decimal
strings for money, and every tenant-owned table keyed by ``shop`` first.
"""

from __future__ import annotations

import json

from sqlite_utils import Migrations

migrations = Migrations("storelift")


@migrations(name="0001_shops")
def _shops(db) -> None:
    db.execute(
        """
        CREATE TABLE shops (
            shop TEXT PRIMARY KEY,
            access_token TEXT,
            token_expires_at BIGINT,
            refresh_token TEXT,
            refresh_expires_at BIGINT,
            scopes TEXT NOT NULL DEFAULT '',
            api_version TEXT NOT NULL,
            installed_at BIGINT,
            uninstalled_at BIGINT,
            updated_at BIGINT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE oauth_states (
            state TEXT PRIMARY KEY,
            shop TEXT NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX oauth_states_expiry ON oauth_states (expires_at)")


@migrations(name="0002_webhook_inbox")
def _webhook_inbox(db) -> None:
    db.execute(
        """
        CREATE TABLE webhook_inbox (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            topic TEXT NOT NULL,
            dedupe_key TEXT NOT NULL,
            webhook_id TEXT,
            event_id TEXT,
            api_version TEXT,
            triggered_at BIGINT,
            received_at BIGINT NOT NULL,
            body BLOB NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at BIGINT NOT NULL,
            lease_until BIGINT,
            locked_by TEXT,
            last_error TEXT,
            finished_at BIGINT,
            UNIQUE (shop, topic, dedupe_key)
        )
        """
    )
    db.execute("CREATE INDEX webhook_inbox_due ON webhook_inbox (status, next_attempt_at)")


@migrations(name="0003_commerce")
def _commerce(db) -> None:
    """Orders, carts, checkouts, customers and the catalog as webhooks describe them.

    ``source_updated_at`` is the staleness clock of each upsert (the payload's
    ``updated_at``, else the delivery's trigger time). The three line tables
    share one shape and are replaced as a set under their parent.
    """
    db.execute(
        """
        CREATE TABLE orders (
            shop TEXT NOT NULL,
            order_id TEXT NOT NULL,
            name TEXT,
            email TEXT,
            customer_id TEXT,
            currency TEXT,
            total_price TEXT,
            subtotal_price TEXT,
            total_discounts TEXT,
            discount_codes TEXT NOT NULL DEFAULT '[]',
            cart_token TEXT,
            checkout_token TEXT,
            checkout_id TEXT,
            landing_site TEXT,
            referring_site TEXT,
            source_name TEXT,
            financial_status TEXT,
            cancelled_at BIGINT,
            created_at BIGINT,
            updated_at BIGINT,
            source_updated_at BIGINT NOT NULL,
            origin TEXT NOT NULL,
            PRIMARY KEY (shop, order_id)
        )
        """
    )
    db.execute("CREATE INDEX orders_customer ON orders (shop, customer_id)")
    db.execute("CREATE INDEX orders_email ON orders (shop, email)")
    db.execute("CREATE INDEX orders_cart ON orders (shop, cart_token)")
    db.execute("CREATE INDEX orders_created ON orders (shop, created_at)")
    db.execute(
        """
        CREATE TABLE carts (
            shop TEXT NOT NULL,
            cart_token TEXT NOT NULL,
            created_at BIGINT,
            updated_at BIGINT,
            source_updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, cart_token)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE checkouts (
            shop TEXT NOT NULL,
            checkout_token TEXT NOT NULL,
            checkout_id TEXT,
            cart_token TEXT,
            email TEXT,
            customer_id TEXT,
            currency TEXT,
            total_price TEXT,
            abandoned_checkout_url TEXT,
            completed_at BIGINT,
            created_at BIGINT,
            updated_at BIGINT,
            source_updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, checkout_token)
        )
        """
    )
    db.execute("CREATE INDEX checkouts_customer ON checkouts (shop, customer_id)")
    db.execute("CREATE INDEX checkouts_email ON checkouts (shop, email)")
    db.execute("CREATE INDEX checkouts_cart ON checkouts (shop, cart_token)")
    db.execute("CREATE INDEX checkouts_open ON checkouts (shop, completed_at, updated_at)")
    for table, parent in (("order_lines", "order_id"), ("cart_lines", "cart_token"),
                          ("checkout_lines", "checkout_token")):
        db.execute(
            f"""
            CREATE TABLE {table} (
                shop TEXT NOT NULL,
                {parent} TEXT NOT NULL,
                position INTEGER NOT NULL,
                line_id TEXT,
                product_id TEXT,
                variant_id TEXT,
                sku TEXT,
                title TEXT,
                variant_title TEXT,
                vendor TEXT,
                quantity INTEGER NOT NULL,
                price TEXT,
                line_price TEXT,
                PRIMARY KEY (shop, {parent}, position)
            )
            """
        )
        db.execute(f"CREATE INDEX {table}_product ON {table} (shop, product_id)")
    db.execute(
        """
        CREATE TABLE customers (
            shop TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            email TEXT,
            first_name TEXT,
            last_name TEXT,
            marketing_state TEXT,
            marketing_opt_in_level TEXT,
            marketing_consent_at BIGINT,
            orders_count INTEGER,
            total_spent TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            city TEXT,
            country TEXT,
            country_code TEXT,
            created_at BIGINT,
            updated_at BIGINT,
            source_updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, customer_id)
        )
        """
    )
    db.execute("CREATE INDEX customers_email ON customers (shop, email)")
    db.execute(
        """
        CREATE TABLE products (
            shop TEXT NOT NULL,
            product_id TEXT NOT NULL,
            title TEXT,
            handle TEXT,
            vendor TEXT,
            product_type TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            status TEXT,
            published_at BIGINT,
            image_src TEXT,
            url TEXT,
            created_at BIGINT,
            updated_at BIGINT,
            deleted_at BIGINT,
            source_updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, product_id)
        )
        """
    )
    db.execute("CREATE INDEX products_handle ON products (shop, handle)")
    db.execute(
        """
        CREATE TABLE product_variants (
            shop TEXT NOT NULL,
            variant_id TEXT NOT NULL,
            product_id TEXT NOT NULL,
            position INTEGER,
            title TEXT,
            sku TEXT,
            price TEXT,
            compare_at_price TEXT,
            inventory_quantity INTEGER,
            PRIMARY KEY (shop, variant_id)
        )
        """
    )
    db.execute("CREATE INDEX product_variants_product ON product_variants (shop, product_id)")


@migrations(name="0004_privacy")
def _privacy(db) -> None:
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


@migrations(name="0005_sync_runs")
def _sync_runs(db) -> None:
    db.execute(
        """
        CREATE TABLE sync_runs (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            started_at BIGINT NOT NULL,
            finished_at BIGINT,
            products INTEGER,
            orders INTEGER,
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX sync_runs_shop ON sync_runs (shop, started_at)")


@migrations(name="0006_source_sequence")
def _source_sequence(db) -> None:
    """The platform's ``updated_at`` has whole seconds; the trigger time breaks ties."""
    for table in ("orders", "carts", "checkouts", "customers", "products"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN source_sequence BIGINT NOT NULL DEFAULT 0")


@migrations(name="0010_storefront_identity")
def _storefront_identity(db) -> None:
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


@migrations(name="0011_storefront_events")
def _storefront_events(db) -> None:
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


@migrations(name="0012_email_capture")
def _email_capture(db) -> None:
    """Widget settings per shop, discount campaigns and their code pool, and subscribers.

    ``capture_codes.state`` is free → assigned (or retired when its campaign is
    replaced). A subscriber row is the consent record (time, text shown, page,
    visitor) and the queue of its sync to the store as a customer.
    """
    db.execute(
        """
        CREATE TABLE capture_settings (
            shop TEXT PRIMARY KEY,
            settings TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE capture_campaigns (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            discount_key TEXT NOT NULL,
            discount_id TEXT,
            title TEXT NOT NULL,
            starts_at BIGINT NOT NULL,
            ends_at BIGINT,
            created_at BIGINT NOT NULL,
            retired_at BIGINT
        )
        """
    )
    db.execute("CREATE INDEX capture_campaigns_shop ON capture_campaigns (shop, retired_at)")
    db.execute(
        """
        CREATE TABLE capture_codes (
            shop TEXT NOT NULL,
            code TEXT NOT NULL,
            campaign_id INTEGER NOT NULL,
            state TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            assigned_at BIGINT,
            PRIMARY KEY (shop, code)
        )
        """
    )
    db.execute("CREATE INDEX capture_codes_free ON capture_codes (shop, campaign_id, state)")
    db.execute(
        """
        CREATE TABLE subscribers (
            shop TEXT NOT NULL,
            email TEXT NOT NULL,
            code TEXT,
            campaign_id INTEGER,
            code_ends_at BIGINT,
            visitor_id TEXT,
            consent_at BIGINT NOT NULL,
            consent_text TEXT NOT NULL,
            consent_page TEXT NOT NULL,
            settings_version INTEGER NOT NULL,
            customer_id TEXT,
            sync_state TEXT NOT NULL,
            sync_attempts INTEGER NOT NULL DEFAULT 0,
            sync_next_at BIGINT NOT NULL,
            sync_error TEXT,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (shop, email)
        )
        """
    )
    db.execute("CREATE INDEX subscribers_sync ON subscribers (sync_state, sync_next_at)")
    db.execute("CREATE INDEX subscribers_pending_code ON subscribers (shop, code)")
    db.execute("CREATE INDEX subscribers_created ON subscribers (shop, created_at)")


@migrations(name="0020_profiles")
def _profiles(db) -> None:
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


@migrations(name="0021_profile_queue")
def _profile_queue(db) -> None:
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


@migrations(name="0030_recommendations")
def _recommendations(db) -> None:
    """What the recommendation blocks need beyond the commerce tables.

    ``rec_changes`` is the change feed serving processes tail to keep their
    in-memory models current: one row per new state (``version``) of an order
    or product written by a webhook handler (any process), read with a
    per-process ``id`` cursor. The same state delivered twice adds nothing.
    ``rec_state`` holds each shop's model generation: bumping it (``storelift
    rebuild``, a bulk import, a redaction) makes every process rebuild.
    ``rec_impressions`` and ``rec_clicks`` are what shoppers saw and clicked,
    each tied to the block that showed it (``rec_id``), so orders can be
    attributed to blocks.
    """
    db.execute(
        """
        CREATE TABLE rec_changes (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            kind TEXT NOT NULL,
            ref TEXT NOT NULL,
            version TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            UNIQUE (shop, kind, ref, version)
        )
        """
    )
    db.execute("CREATE INDEX rec_changes_shop ON rec_changes (shop, id)")
    db.execute("CREATE INDEX rec_changes_age ON rec_changes (shop, created_at)")
    db.execute(
        """
        CREATE TABLE rec_state (
            shop TEXT PRIMARY KEY,
            generation BIGINT NOT NULL,
            pruned_through BIGINT NOT NULL DEFAULT 0,
            updated_at BIGINT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE rec_impressions (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            rec_id TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            strategy TEXT NOT NULL,
            items TEXT NOT NULL,
            seen_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX rec_impressions_rec ON rec_impressions (shop, rec_id)")
    db.execute("CREATE INDEX rec_impressions_time ON rec_impressions (shop, seen_at)")
    db.execute("CREATE INDEX rec_impressions_visitor ON rec_impressions (shop, visitor_id)")
    db.execute(
        """
        CREATE TABLE rec_clicks (
            id INTEGER PRIMARY KEY,
            shop TEXT NOT NULL,
            rec_id TEXT NOT NULL,
            visitor_id TEXT NOT NULL,
            strategy TEXT NOT NULL,
            product_id TEXT NOT NULL,
            position INTEGER,
            clicked_at BIGINT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX rec_clicks_product ON rec_clicks (shop, product_id, clicked_at)")
    db.execute("CREATE INDEX rec_clicks_rec ON rec_clicks (shop, rec_id)")
    db.execute("CREATE INDEX rec_clicks_visitor ON rec_clicks (shop, visitor_id)")


@migrations(name="0031_rec_settings")
def _rec_settings(db) -> None:
    """The merchant's recommendation-block settings: one validated JSON object per shop.

    ``version`` counts saves (serving processes cache the converted settings
    per version); ``updated_at`` tells a re-created row (after a shop/redact
    and a reinstall) from the one it replaced, whose version may have been the same.
    Nothing personal: pins, boosts and exclusions name products, categories,
    vendors and tags. ``shop/redact`` empties it like every table with a ``shop`` column.
    """
    db.execute(
        """
        CREATE TABLE rec_settings (
            shop TEXT PRIMARY KEY,
            settings TEXT NOT NULL,
            version BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        )
        """
    )


@migrations(name="0032_sync_progress")
def _sync_progress(db) -> None:
    """How many products and orders a running sync will pull, for the admin's progress line.

    ``products`` and ``orders`` (0005) count what has been written so far while the run is going.
    """
    db.execute("ALTER TABLE sync_runs ADD COLUMN products_total BIGINT")
    db.execute("ALTER TABLE sync_runs ADD COLUMN orders_total BIGINT")


@migrations(name="0033_capture_redemptions")
def _capture_redemptions(db) -> None:
    """When a pool code was used at checkout (from the orders carrying it), so it is never shown again."""
    db.execute("ALTER TABLE capture_codes ADD COLUMN redeemed_at BIGINT")
    db.execute("ALTER TABLE capture_codes ADD COLUMN redeemed_order_id TEXT")


@migrations(name="0034_jobs")
def _jobs(db) -> None:
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


@migrations(name="0035_shop_settings")
def _shop_settings(db) -> None:
    """Every feature's per-shop settings in one table: a validated JSON object per (shop, feature).

    Replaces ``capture_settings`` (0012) and ``rec_settings`` (0031), whose rows
    move over with their versions (a subscriber's ``settings_version`` still
    names the capture settings it saw). ``version`` counts saves; ``updated_at``
    tells a row re-created after a shop/redact from the one it replaced, whose
    version may have been the same (``plugin.settings`` caches by both). Nothing
    personal: ``shop/redact`` empties it like every table with a ``shop`` column.
    """
    db.execute(
        """
        CREATE TABLE shop_settings (
            shop TEXT NOT NULL,
            feature TEXT NOT NULL,
            settings TEXT NOT NULL,
            version BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (shop, feature)
        )
        """
    )
    for feature, table in (("capture", "capture_settings"), ("recommendations", "rec_settings")):
        db.execute(
            f"INSERT INTO shop_settings (shop, feature, settings, version, updated_at)"
            f" SELECT shop, '{feature}', settings, version, updated_at FROM {table}"
        )
        db.execute(f"DROP TABLE {table}")
