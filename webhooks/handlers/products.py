"""products/create, products/update, products/delete: the catalog recommendations draw from.

A delete keeps the row, marked, so old orders still resolve to a title;
deleted products are never offered, and no later (necessarily stale) update
brings one back.
"""

from __future__ import annotations

from plugin.recommendations.serving import api as recommendations
from plugin.store import Delivery, Store
from plugin.store.commerce import Product, Variant

from .payload import epoch_ms, money, platform_id, sequence, source_time, tags


def _variant(item: dict) -> Variant:
    quantity = item.get("inventory_quantity")
    return Variant(
        variant_id=platform_id(item["id"]),
        position=item.get("position"),
        title=item.get("title"),
        sku=item.get("sku") or None,
        price=money(item.get("price")),
        compare_at_price=money(item.get("compare_at_price")),
        inventory_quantity=None if quantity is None else int(quantity),
    )


def _first_image(payload: dict) -> str | None:
    images = payload.get("images") or []
    if images:
        return min(images, key=lambda image: image.get("position") or 0).get("src")
    return (payload.get("image") or {}).get("src")


def handle(store: Store, delivery: Delivery, payload: dict) -> None:
    handle_ = payload.get("handle")
    product_id = platform_id(payload["id"])
    applied = store.commerce.upsert_product(
        delivery.shop,
        Product(
            product_id=product_id,
            source_updated_at=source_time(payload, delivery),
            source_sequence=sequence(delivery),
            title=payload.get("title"),
            handle=handle_,
            vendor=payload.get("vendor"),
            product_type=payload.get("product_type"),
            tags=tags(payload.get("tags")),
            status=payload.get("status"),
            published_at=epoch_ms(payload.get("published_at")),
            image_src=_first_image(payload),
            url=f"/products/{handle_}" if handle_ else None,
            created_at=epoch_ms(payload.get("created_at")),
            updated_at=epoch_ms(payload.get("updated_at")),
            variants=tuple(_variant(v) for v in payload.get("variants") or []),
        ),
    )
    if applied:  # stock, status and price reach the recommendation blocks
        recommendations.on_product(store, delivery.shop, product_id)


def handle_delete(store: Store, delivery: Delivery, payload: dict) -> None:
    """The payload is only ``{"id": …}``: the delivery's trigger time dates the delete."""
    product_id = platform_id(payload["id"])
    if store.commerce.delete_product(delivery.shop, product_id, source_time(payload, delivery)):
        recommendations.on_product(store, delivery.shop, product_id)
