"""Admin GraphQL mutations: webhook subscriptions, discounts, customers.

Invalid input answers with ``userErrors`` (field path + message, and a
``code`` where the platform's payload has one) and a null resource, exactly
like the platform, never with a top-level error. Each successful change goes
through commerce.py or the store so the matching webhooks fire.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from . import commerce
from .clock import parse_iso
from .graphql_app_views import bulk_creation_view, discount_view, subscription_view
from .graphql_context import ApiContext
from .graphql_customer_order_views import customer_view
from .ids import parse_gid
from .installs import has_scope
from .state import Address, BulkCreation, Discount, RedeemCode, Subscription

TOPIC_SCOPES = {"orders": "read_orders", "carts": "read_orders", "checkouts": "read_orders",
                "products": "read_products", "collections": "read_products", "customers": "read_customers"}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE_TAKEN = "Code must be unique. Please try a different code."
MAX_BULK_CODES = 250


def _user_error(field: list[str] | None, message: str, code: str | None = None) -> dict:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


def topic_name(enum: str) -> str:
    """``ORDERS_CREATE`` → ``orders/create``; the first underscore separates resource and event."""
    lower = enum.lower()
    if lower.startswith("bulk_operations_"):  # the one resource name with an underscore
        return "bulk_operations/" + lower[len("bulk_operations_"):]
    resource, _, event = lower.partition("_")
    return f"{resource}/{event}"


# --- webhook subscriptions -------------------------------------------------------------------
def _callback(data: dict) -> str | None:
    return data.get("callbackUrl") or data.get("uri")


def _valid_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def webhook_subscription_create(ctx: ApiContext, topic: str, webhookSubscription: dict) -> dict:
    store, name = ctx.store, topic_name(topic)
    url = _callback(webhookSubscription)
    errors = []
    scope = TOPIC_SCOPES.get(name.split("/")[0])
    if scope and not has_scope(ctx.token.scopes, scope):
        errors.append(_user_error(["topic"], "Invalid topic"))
    if not url:
        errors.append(_user_error(["webhookSubscription", "callbackUrl"], "Address can't be blank"))
    elif not _valid_url(url):
        errors.append(_user_error(["webhookSubscription", "callbackUrl"], "Address is invalid"))
    if webhookSubscription.get("format", "JSON") != "JSON":
        errors.append(_user_error(["webhookSubscription", "format"], "Format is not supported by devstore (JSON only)"))
    with store.lock:
        if url and any(s.app == ctx.app.handle and s.topic == name and s.callback_url == url
                       for s in store.subscriptions.values()):
            errors.append(_user_error(["webhookSubscription", "callbackUrl"],
                                      "Address for this topic has already been taken"))
        if errors:
            return {"webhookSubscription": None, "userErrors": errors}
        now = store.clock.now()
        sub = Subscription(id=store.ids.next("WebhookSubscription"), app=ctx.app.handle, topic=name,
                           callback_url=url, format="JSON",
                           include_fields=list(webhookSubscription.get("includeFields") or []),
                           api_version=ctx.version, created_at=now, updated_at=now)
        store.subscriptions[sub.id] = sub
        return {"webhookSubscription": subscription_view(ctx, sub), "userErrors": []}


def _own_subscription(ctx: ApiContext, ident: str) -> Subscription | None:
    sub = ctx.store.subscriptions.get(parse_gid(ident, "WebhookSubscription") or 0)
    return sub if sub is not None and sub.app == ctx.app.handle else None


def webhook_subscription_update(ctx: ApiContext, id: str, webhookSubscription: dict) -> dict:
    with ctx.store.lock:
        sub = _own_subscription(ctx, id)
        if sub is None:
            return {"webhookSubscription": None,
                    "userErrors": [_user_error(["id"], "Webhook subscription does not exist")]}
        url = _callback(webhookSubscription)
        if url is not None and not _valid_url(url):
            return {"webhookSubscription": None,
                    "userErrors": [_user_error(["webhookSubscription", "callbackUrl"], "Address is invalid")]}
        if url:
            sub.callback_url = url
        if webhookSubscription.get("includeFields") is not None:
            sub.include_fields = list(webhookSubscription["includeFields"])
        sub.updated_at = ctx.store.clock.now()
        return {"webhookSubscription": subscription_view(ctx, sub), "userErrors": []}


def webhook_subscription_delete(ctx: ApiContext, id: str) -> dict:
    with ctx.store.lock:
        sub = _own_subscription(ctx, id)
        if sub is None:
            return {"deletedWebhookSubscriptionId": None,
                    "userErrors": [_user_error(["id"], "Webhook subscription does not exist")]}
        del ctx.store.subscriptions[sub.id]
        return {"deletedWebhookSubscriptionId": id, "userErrors": []}


# --- discounts ---------------------------------------------------------------------------------
def _time(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return parse_iso(str(value))


def discount_code_basic_create(ctx: ApiContext, basicCodeDiscount: dict) -> dict:
    ctx.require("write_discounts", "discountCodeBasicCreate")
    data, store = basicCodeDiscount, ctx.store
    base = ["basicCodeDiscount"]
    errors = []
    title, code = (data.get("title") or "").strip(), (data.get("code") or "").strip()
    if not title:
        errors.append(_user_error(base + ["title"], "Title can't be blank", "BLANK"))
    if not code:
        errors.append(_user_error(base + ["code"], "Code can't be blank", "BLANK"))
    elif len(code) > 255:
        errors.append(_user_error(base + ["code"], "Code is too long (maximum is 255 characters)", "TOO_LONG"))
    try:
        starts, ends = _time(data.get("startsAt")), _time(data.get("endsAt"))
    except ValueError:
        starts = ends = None
        errors.append(_user_error(base + ["startsAt"], "Starts at is invalid", "INVALID"))
    if starts is None and not errors:
        errors.append(_user_error(base + ["startsAt"], "Starts at can't be blank", "BLANK"))
    if starts is not None and ends is not None and ends <= starts:
        errors.append(_user_error(base + ["endsAt"], "Ends at needs to be after starts_at", "INVALID"))
    value = ((data.get("customerGets") or {}).get("value")) or {}
    percentage, amount = value.get("percentage"), value.get("discountAmount")
    if percentage is None and not amount:
        errors.append(_user_error(base + ["customerGets", "value"], "Value can't be blank", "BLANK"))
    if percentage is not None and not 0 < float(percentage) <= 1:
        errors.append(_user_error(base + ["customerGets", "value", "percentage"],
                                  "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE"))
    if amount and float(amount.get("amount") or 0) <= 0:
        errors.append(_user_error(base + ["customerGets", "value", "discountAmount", "amount"],
                                  "Value must be greater than 0", "GREATER_THAN"))
    limit = data.get("usageLimit")
    if limit is not None and limit < 1:
        errors.append(_user_error(base + ["usageLimit"], "Usage limit must be greater than 0", "GREATER_THAN"))
    with store.lock:
        if code and store.discount_by_code(code) is not None:
            errors.append(_user_error(base + ["code"], CODE_TAKEN, "TAKEN"))
        if errors:
            return {"codeDiscountNode": None, "userErrors": errors}
        now = store.clock.now()
        discount = Discount(
            id=store.ids.next("DiscountCodeNode"), title=title, starts_at=starts, ends_at=ends,
            percentage=float(percentage) if percentage is not None else None,
            amount=str(amount["amount"]) if amount else None,
            applies_on_each_item=bool(amount and amount.get("appliesOnEachItem")),
            applies_once_per_customer=bool(data.get("appliesOncePerCustomer")), usage_limit=limit,
            codes=[RedeemCode(id=store.ids.next("DiscountRedeemCode"), code=code)], created_at=now,
            updated_at=now)
        store.discounts[discount.id] = discount
        return {"codeDiscountNode": discount_view(ctx, discount), "userErrors": []}


def discount_redeem_code_bulk_add(ctx: ApiContext, discountId: str, codes: list[dict]) -> dict:
    """Adds codes to a discount; devstore imports at once, so the creation is ``done`` on return."""
    ctx.require("write_discounts", "discountRedeemCodeBulkAdd")
    store = ctx.store
    with store.lock:
        discount = store.discounts.get(parse_gid(discountId, "DiscountCodeNode") or 0)
        if discount is None:
            return {"bulkCreation": None,
                    "userErrors": [_user_error(["discountId"], "Code discount does not exist.", "INVALID")]}
        if len(codes) > MAX_BULK_CODES:
            return {"bulkCreation": None, "userErrors": [_user_error(
                ["codes"], f"Codes cannot exceed {MAX_BULK_CODES} items", "TOO_LONG")]}
        entries, seen = [], set()
        for item in codes:
            code = (item.get("code") or "").strip()
            errors = []
            if not code:
                errors.append(_user_error(["code"], "Code can't be blank", "BLANK"))
            elif code.lower() in seen or store.discount_by_code(code) is not None:
                errors.append(_user_error(["code"], CODE_TAKEN, "TAKEN"))
            redeem_id = None
            if not errors:
                redeem = RedeemCode(id=store.ids.next("DiscountRedeemCode"), code=code)
                discount.codes.append(redeem)
                redeem_id = redeem.id
                seen.add(code.lower())
            entries.append({"code": code, "errors": errors, "redeem_code_id": redeem_id})
        discount.updated_at = store.clock.now()
        bulk = BulkCreation(id=store.ids.next("DiscountRedeemCodeBulkCreation"), discount_id=discount.id,
                            codes=entries, created_at=store.clock.now())
        store.bulk_creations[bulk.id] = bulk
        return {"bulkCreation": bulk_creation_view(ctx, bulk), "userErrors": []}


# --- customers ---------------------------------------------------------------------------------
def _consent(data: dict | None) -> tuple[str, str | None, float | None] | None:
    if not data:
        return None
    return data["marketingState"], data.get("marketingOptInLevel"), _time(data.get("consentUpdatedAt"))


def _address(ctx: ApiContext, data: dict) -> Address:
    return Address(id=0, first_name=data.get("firstName") or "", last_name=data.get("lastName") or "",
                   address1=data.get("address1") or "", city=data.get("city") or "",
                   province=data.get("province") or "", province_code=data.get("provinceCode") or "",
                   country=data.get("country") or "", country_code=data.get("countryCode") or "",
                   zip=data.get("zip") or "", phone=data.get("phone"))


def _customer_input_errors(ctx: ApiContext, data: dict, current_id: int | None) -> list[dict]:
    email = (data.get("email") or "").strip()
    errors = []
    if current_id is None and not (email or data.get("phone") or data.get("firstName") or data.get("lastName")):
        errors.append(_user_error(None, "A name, phone number, or email address must be present"))
    if email and not EMAIL_RE.match(email):
        errors.append(_user_error(["email"], "Email is invalid"))
    elif email:
        other = ctx.store.customer_by_email(email)
        if other is not None and other.id != current_id:
            errors.append(_user_error(["email"], "Email has already been taken"))
    return errors


def customer_create(ctx: ApiContext, input: dict) -> dict:
    ctx.require("write_customers", "customerCreate")
    with ctx.store.lock:
        errors = _customer_input_errors(ctx, input, None)
        if errors:
            return {"customer": None, "userErrors": errors}
        consent = _consent(input.get("emailMarketingConsent"))
        addresses = input.get("addresses") or []
        customer = commerce.create_customer(
            ctx.store, email=(input.get("email") or "").strip(), first_name=input.get("firstName") or "",
            last_name=input.get("lastName") or "", phone=input.get("phone"), tags=input.get("tags"),
            note=input.get("note"), marketing_state=consent[0] if consent else "NOT_SUBSCRIBED",
            opt_in_level=consent[1] if consent else None,
            consent_updated_at=(consent[2] or ctx.store.clock.now()) if consent else None,
            address=_address(ctx, addresses[0]) if addresses else None)
        return {"customer": customer_view(ctx, customer), "userErrors": []}


def customer_update(ctx: ApiContext, input: dict) -> dict:
    ctx.require("write_customers", "customerUpdate")
    with ctx.store.lock:
        customer = ctx.store.customers.get(parse_gid(input.get("id"), "Customer") or 0)
        if customer is None:
            return {"customer": None, "userErrors": [_user_error(["id"], "Customer does not exist")]}
        errors = _customer_input_errors(ctx, input, customer.id)
        if errors:
            return {"customer": None, "userErrors": errors}
        names = {"email": "email", "firstName": "first_name", "lastName": "last_name", "phone": "phone",
                 "note": "note"}
        changes: dict[str, Any] = {attr: input[key] for key, attr in names.items() if key in input}
        if "tags" in input:
            changes["tags"] = sorted(set(input["tags"] or []))
        consent = _consent(input.get("emailMarketingConsent"))
        if consent:
            changes.update(marketing_state=consent[0], opt_in_level=consent[1],
                           consent_updated_at=consent[2] or ctx.store.clock.now())
        commerce.update_customer(ctx.store, customer, **changes)
        return {"customer": customer_view(ctx, customer), "userErrors": []}


def customer_email_marketing_consent_update(ctx: ApiContext, input: dict) -> dict:
    ctx.require("write_customers", "customerEmailMarketingConsentUpdate")
    with ctx.store.lock:
        customer = ctx.store.customers.get(parse_gid(input.get("customerId"), "Customer") or 0)
        if customer is None:
            return {"customer": None, "userErrors": [
                _user_error(["input", "customerId"], "Customer not found", "INVALID")]}
        if not customer.email:
            return {"customer": None, "userErrors": [
                _user_error(["input", "customerId"], "Customer must have an email address", "INVALID")]}
        state, level, when = _consent(input["emailMarketingConsent"])  # type: ignore[misc]
        if state not in ("SUBSCRIBED", "UNSUBSCRIBED", "NOT_SUBSCRIBED", "PENDING"):
            return {"customer": None, "userErrors": [_user_error(
                ["input", "emailMarketingConsent", "marketingState"], "Marketing state is not valid", "INCLUSION")]}
        commerce.set_marketing_consent(ctx.store, customer, state, level, when)
        return {"customer": customer_view(ctx, customer), "userErrors": []}


def mutation_root(ctx: ApiContext) -> dict:
    def bind(fn):
        return lambda **args: fn(ctx, **args)

    return {
        "webhookSubscriptionCreate": bind(webhook_subscription_create),
        "webhookSubscriptionUpdate": bind(webhook_subscription_update),
        "webhookSubscriptionDelete": bind(webhook_subscription_delete),
        "discountCodeBasicCreate": bind(discount_code_basic_create),
        "discountRedeemCodeBulkAdd": bind(discount_redeem_code_bulk_add),
        "customerCreate": bind(customer_create),
        "customerUpdate": bind(customer_update),
        "customerEmailMarketingConsentUpdate": bind(customer_email_marketing_consent_update),
    }
