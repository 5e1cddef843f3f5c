"""GraphQL views of what an app creates for itself: webhook subscriptions, discounts and bulk code imports.

These are the records an app makes through the mutations
(graphql_mutations.py), which answer with the same views; none of them
points into the catalog or into customers and orders.
"""

from __future__ import annotations

from typing import Any

from .clock import iso_utc
from .discounts import status as discount_status
from .graphql_context import ApiContext, count, filtered, money_v2
from .graphql_schema import connection
from .ids import gid
from .state import BulkCreation, Discount, Subscription


def topic_enum(topic: str) -> str:
    return topic.replace("/", "_").upper()


def subscription_view(ctx: ApiContext, sub: Subscription) -> dict:
    return {
        "__typename": "WebhookSubscription", "id": gid("WebhookSubscription", sub.id),
        "legacyResourceId": str(sub.id), "topic": topic_enum(sub.topic), "format": sub.format,
        "includeFields": list(sub.include_fields), "metafieldNamespaces": [], "filter": None,
        "callbackUrl": sub.callback_url, "uri": sub.callback_url,
        "endpoint": {"__typename": "WebhookHttpEndpoint", "callbackUrl": sub.callback_url},
        "apiVersion": {"handle": sub.api_version, "displayName": sub.api_version, "supported": True},
        "createdAt": iso_utc(sub.created_at), "updatedAt": iso_utc(sub.updated_at),
    }


def redeem_code_view(code) -> dict:
    return {"id": gid("DiscountRedeemCode", code.id), "code": code.code, "asyncUsageCount": code.usage_count}


def discount_view(ctx: ApiContext, discount: Discount) -> dict:
    if discount.percentage is not None:
        value: dict[str, Any] = {"__typename": "DiscountPercentage", "percentage": discount.percentage}
    else:
        value = {"__typename": "DiscountAmount", "amount": money_v2(ctx, discount.amount or "0"),
                 "appliesOnEachItem": discount.applies_on_each_item}
    off = f"{round(discount.percentage * 100, 2):g}% off" if discount.percentage is not None else \
        f"${discount.amount} off"
    basic = {
        "__typename": "DiscountCodeBasic", "title": discount.title,
        "status": discount_status(discount, ctx.store.clock.now()), "summary": f"{off} entire order",
        "startsAt": iso_utc(discount.starts_at), "endsAt": iso_utc(discount.ends_at),
        "createdAt": iso_utc(discount.created_at), "updatedAt": iso_utc(discount.updated_at),
        "usageLimit": discount.usage_limit, "appliesOncePerCustomer": discount.applies_once_per_customer,
        "asyncUsageCount": discount.usage_count, "codesCount": count(len(discount.codes)),
        "codes": lambda query=None, **a: connection(
            filtered(discount.codes, query, {"code": lambda c: c.code}, lambda c: c.code),
            view=redeem_code_view, **a),
        "customerGets": {"value": value, "items": {"__typename": "AllDiscountItems", "allItems": True},
                         "appliesOnOneTimePurchase": True},
        "customerSelection": {"__typename": "DiscountCustomerAll", "allCustomers": True},
        "combinesWith": {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": False},
    }
    return {"__typename": "DiscountCodeNode", "id": gid("DiscountCodeNode", discount.id), "codeDiscount": basic}


def bulk_creation_view(ctx: ApiContext, bulk: BulkCreation) -> dict:
    failed = sum(1 for c in bulk.codes if c["errors"])
    discount = ctx.store.discounts.get(bulk.discount_id)
    redeem = {c.id: c for c in discount.codes} if discount else {}

    def code_view(entry: dict) -> dict:
        found = redeem.get(entry["redeem_code_id"])
        return {"code": entry["code"], "errors": entry["errors"],
                "discountRedeemCode": redeem_code_view(found) if found else None}

    return {
        "__typename": "DiscountRedeemCodeBulkCreation", "id": gid("DiscountRedeemCodeBulkCreation", bulk.id),
        "done": True, "codesCount": len(bulk.codes), "importedCount": len(bulk.codes) - failed,
        "failedCount": failed, "createdAt": iso_utc(bulk.created_at),
        "discountCode": discount_view(ctx, discount) if discount else None,
        "codes": lambda **a: connection(list(enumerate(bulk.codes)), view=lambda pair: code_view(pair[1]),
                                        record_id=lambda pair: pair[0], sort_value=lambda pair: pair[0], **a),
    }

