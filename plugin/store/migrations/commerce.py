"""Schema steps for orders, carts, checkouts, customers and the catalog, as the platform describes them.

Each function is one released step of ``HISTORY`` (in ``__init__``): never edited once released.
"""

from __future__ import annotations


def commerce(db) -> None:
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


def source_sequence(db) -> None:
    """The platform's ``updated_at`` has whole seconds; the trigger time breaks ties."""
    for table in ("orders", "carts", "checkouts", "customers", "products"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN source_sequence BIGINT NOT NULL DEFAULT 0")
