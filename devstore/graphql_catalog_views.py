"""GraphQL views of the catalog: products, their variants and images, and collections.

Each ``*_view`` turns one record into a dict keyed by GraphQL field name;
fields with arguments or that cross into another resource are callables so
nothing is computed unless asked. The catalog's views only point at each
other, so they live apart from customers and orders (which point into the
catalog, never the other way). The search fields and sort keys of
``products(query:, sortKey:)`` sit here beside the view they filter.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .clock import iso_utc
from .graphql_context import ApiContext, count, money_v2
from .graphql_schema import connection
from .ids import gid, parse_gid
from .payloads import image_src
from .state import Collection, Image, Product, Variant


def _strip_html(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def _truncated(text: str, at: int | None) -> str:
    return text if not at or len(text) <= at else text[: max(at - 3, 0)] + "..."


def image_view(ctx: ApiContext, image: Image) -> dict:
    src = image_src(ctx.store, image)
    return {"__typename": "Image", "id": gid("ProductImage", image.id), "url": lambda transform=None: src,
            "altText": image.alt, "width": image.width, "height": image.height}


def variant_view(ctx: ApiContext, variant: Variant) -> dict:
    product = ctx.store.products.get(variant.product_id)
    return {
        "__typename": "ProductVariant", "id": gid("ProductVariant", variant.id), "legacyResourceId": str(variant.id),
        "title": variant.title, "displayName": f"{product.title if product else ''} - {variant.title}",
        "sku": variant.sku, "barcode": None, "price": variant.price, "compareAtPrice": variant.compare_at_price,
        "inventoryQuantity": variant.inventory_quantity,
        "availableForSale": bool(product and product.visible and variant.available), "position": variant.position,
        "selectedOptions": [{"name": (product.option_names[0] if product else "Title"), "value": v}
                            for v in variant.options],
        "image": lambda: image_view(ctx, product.images[0]) if product and product.images else None,
        "product": lambda: product_view(ctx, product) if product else None,
        "createdAt": iso_utc(variant.created_at), "updatedAt": iso_utc(variant.updated_at),
    }


def product_view(ctx: ApiContext, product: Product) -> dict:
    prices = [Decimal(v.price) for v in product.variants] or [Decimal(0)]
    url = f"{ctx.settings.public_url}/products/{product.handle}"
    return {
        "__typename": "Product", "id": gid("Product", product.id), "legacyResourceId": str(product.id),
        "title": product.title, "handle": product.handle, "vendor": product.vendor,
        "productType": product.product_type, "tags": list(product.tags), "status": product.status.upper(),
        "description": lambda truncateAt=None: _truncated(_strip_html(product.body_html), truncateAt),
        "descriptionHtml": product.body_html, "onlineStoreUrl": url if product.visible else None,
        "onlineStorePreviewUrl": url, "createdAt": iso_utc(product.created_at),
        "updatedAt": iso_utc(product.updated_at), "publishedAt": iso_utc(product.published_at),
        "totalInventory": product.total_inventory, "tracksInventory": True,
        "hasOnlyDefaultVariant": len(product.variants) == 1 and product.variants[0].title == "Default Title",
        "featuredImage": image_view(ctx, product.images[0]) if product.images else None,
        "images": lambda **a: connection(product.images, view=lambda i: image_view(ctx, i), **a),
        "options": lambda first=None: [{"id": gid("ProductOption", product.id + 7), "name": product.option_names[0],
                                        "position": 1, "values": [v.options[0] for v in product.variants]}][:first],
        "priceRangeV2": {"minVariantPrice": money_v2(ctx, min(prices)), "maxVariantPrice": money_v2(ctx, max(prices))},
        "variants": lambda **a: connection(product.variants, view=lambda v: variant_view(ctx, v),
                                           sort_value=lambda v: v.position, **a),
        "variantsCount": count(len(product.variants)),
        "collections": lambda query=None, **a: connection(
            [c for c in ctx.store.collections.values() if product.id in c.product_ids],
            view=lambda c: collection_view(ctx, c), **a),
    }


def collection_view(ctx: ApiContext, collection: Collection) -> dict:
    members = [ctx.store.products[i] for i in collection.product_ids if i in ctx.store.products]
    return {
        "__typename": "Collection", "id": gid("Collection", collection.id),
        "legacyResourceId": str(collection.id), "title": collection.title, "handle": collection.handle,
        "description": lambda truncateAt=None: _truncated(_strip_html(collection.body_html), truncateAt),
        "descriptionHtml": collection.body_html, "updatedAt": iso_utc(collection.updated_at),
        "image": None, "productsCount": count(len(members)),
        "products": lambda **a: connection(members, view=lambda p: product_view(ctx, p), **a),
        "hasProduct": lambda id: parse_gid(id, "Product") in collection.product_ids,
    }


PRODUCT_FIELDS = {
    "id": lambda p: p.id, "title": lambda p: p.title, "handle": lambda p: p.handle, "vendor": lambda p: p.vendor,
    "product_type": lambda p: p.product_type, "tag": lambda p: p.tags, "status": lambda p: p.status,
    "created_at": lambda p: p.created_at, "updated_at": lambda p: p.updated_at,
    "published_at": lambda p: p.published_at, "sku": lambda p: [v.sku for v in p.variants],
    "inventory_total": lambda p: p.total_inventory,
}
PRODUCT_SORT = {"ID": lambda p: p.id, "TITLE": lambda p: p.title.lower(), "CREATED_AT": lambda p: p.created_at,
                "UPDATED_AT": lambda p: p.updated_at, "PRODUCT_TYPE": lambda p: p.product_type,
                "VENDOR": lambda p: p.vendor, "INVENTORY_TOTAL": lambda p: p.total_inventory,
                "PUBLISHED_AT": lambda p: p.published_at or 0.0, "RELEVANCE": lambda p: p.id}


def product_text(p: Product) -> str:
    return f"{p.title} {p.handle} {p.vendor} {p.product_type} {' '.join(p.tags)}"

