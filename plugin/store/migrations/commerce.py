"""Schema steps for orders, carts, checkouts, customers and the catalog, as the platform describes them.

Each function is the body of one released revision (``versions/``, named in
``HISTORY_NAMES``): never edited once released.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from .columns import BIGINT, TEXT, col, key


def _index(name: str, table: str, *columns: str) -> None:
    op.create_index(name, table, list(columns))


def _lines(table: str, parent: str) -> None:
    """The three line tables share one shape and are replaced as a set under their parent."""
    op.create_table(
        table,
        key("shop"),
        key(parent),
        col("position", BIGINT, nullable=False),
        col("line_id", TEXT),
        col("product_id", TEXT),
        col("variant_id", TEXT),
        col("sku", TEXT),
        col("title", TEXT),
        col("variant_title", TEXT),
        col("vendor", TEXT),
        col("quantity", BIGINT, nullable=False),
        col("price", TEXT),
        col("line_price", TEXT),
        sa.PrimaryKeyConstraint("shop", parent, "position"),
    )
    _index(f"{table}_product", table, "shop", "product_id")


def commerce() -> None:
    """Orders, carts, checkouts, customers and the catalog as webhooks describe them.

    ``source_updated_at`` is the staleness clock of each upsert (the payload's
    ``updated_at``, else the delivery's trigger time). Money is decimal text.
    """
    op.create_table(
        "orders",
        key("shop"),
        key("order_id"),
        col("name", TEXT),
        col("email", TEXT),
        col("customer_id", TEXT),
        col("currency", TEXT),
        col("total_price", TEXT),
        col("subtotal_price", TEXT),
        col("total_discounts", TEXT),
        col("discount_codes", TEXT, nullable=False, default="[]"),
        col("cart_token", TEXT),
        col("checkout_token", TEXT),
        col("checkout_id", TEXT),
        col("landing_site", TEXT),
        col("referring_site", TEXT),
        col("source_name", TEXT),
        col("financial_status", TEXT),
        col("cancelled_at", BIGINT),
        col("created_at", BIGINT),
        col("updated_at", BIGINT),
        col("source_updated_at", BIGINT, nullable=False),
        col("origin", TEXT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "order_id"),
    )
    _index("orders_customer", "orders", "shop", "customer_id")
    _index("orders_email", "orders", "shop", "email")
    _index("orders_cart", "orders", "shop", "cart_token")
    _index("orders_created", "orders", "shop", "created_at")
    op.create_table(
        "carts",
        key("shop"),
        key("cart_token"),
        col("created_at", BIGINT),
        col("updated_at", BIGINT),
        col("source_updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "cart_token"),
    )
    op.create_table(
        "checkouts",
        key("shop"),
        key("checkout_token"),
        col("checkout_id", TEXT),
        col("cart_token", TEXT),
        col("email", TEXT),
        col("customer_id", TEXT),
        col("currency", TEXT),
        col("total_price", TEXT),
        col("abandoned_checkout_url", TEXT),
        col("completed_at", BIGINT),
        col("created_at", BIGINT),
        col("updated_at", BIGINT),
        col("source_updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "checkout_token"),
    )
    _index("checkouts_customer", "checkouts", "shop", "customer_id")
    _index("checkouts_email", "checkouts", "shop", "email")
    _index("checkouts_cart", "checkouts", "shop", "cart_token")
    _index("checkouts_open", "checkouts", "shop", "completed_at", "updated_at")
    _lines("order_lines", "order_id")
    _lines("cart_lines", "cart_token")
    _lines("checkout_lines", "checkout_token")
    op.create_table(
        "customers",
        key("shop"),
        key("customer_id"),
        col("email", TEXT),
        col("first_name", TEXT),
        col("last_name", TEXT),
        col("marketing_state", TEXT),
        col("marketing_opt_in_level", TEXT),
        col("marketing_consent_at", BIGINT),
        col("orders_count", BIGINT),
        col("total_spent", TEXT),
        col("tags", TEXT, nullable=False, default="[]"),
        col("city", TEXT),
        col("country", TEXT),
        col("country_code", TEXT),
        col("created_at", BIGINT),
        col("updated_at", BIGINT),
        col("source_updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "customer_id"),
    )
    _index("customers_email", "customers", "shop", "email")
    op.create_table(
        "products",
        key("shop"),
        key("product_id"),
        col("title", TEXT),
        col("handle", TEXT),
        col("vendor", TEXT),
        col("product_type", TEXT),
        col("tags", TEXT, nullable=False, default="[]"),
        col("status", TEXT),
        col("published_at", BIGINT),
        col("image_src", TEXT),
        col("url", TEXT),
        col("created_at", BIGINT),
        col("updated_at", BIGINT),
        col("deleted_at", BIGINT),
        col("source_updated_at", BIGINT, nullable=False),
        sa.PrimaryKeyConstraint("shop", "product_id"),
    )
    _index("products_handle", "products", "shop", "handle")
    op.create_table(
        "product_variants",
        key("shop"),
        key("variant_id"),
        col("product_id", TEXT, nullable=False),
        col("position", BIGINT),
        col("title", TEXT),
        col("sku", TEXT),
        col("price", TEXT),
        col("compare_at_price", TEXT),
        col("inventory_quantity", BIGINT),
        sa.PrimaryKeyConstraint("shop", "variant_id"),
    )
    _index("product_variants_product", "product_variants", "shop", "product_id")


def source_sequence() -> None:
    """The platform's ``updated_at`` has whole seconds; the trigger time breaks ties."""
    for table in ("orders", "carts", "checkouts", "customers", "products"):
        op.add_column(table, col("source_sequence", BIGINT, nullable=False, default=0))
