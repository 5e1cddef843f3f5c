"""Discount-code rules shared by the storefront checkout and the Admin API.

A code is redeemable when its discount has started, has not ended, the code is
under the usage limit and — for once-per-customer discounts — the discount was
not used by this buyer before. The usage limit counts per code, as the
platform documents for the price rule behind every code discount ("the
maximum number of times the price rule can be used, per discount code"), so
``usageLimit: 1`` makes each code of a bulk pool single-use. The messages are
what the checkout shows the shopper.
"""

from __future__ import annotations

from decimal import Decimal

from .state import Checkout, Discount, LineItem, RedeemCode, Store


class DiscountRejected(Exception):
    """The code cannot be applied; ``str(exc)`` is the shopper-facing reason."""


def status(discount: Discount, now: float) -> str:
    """``DiscountStatus``: SCHEDULED, ACTIVE or EXPIRED."""
    if now < discount.starts_at:
        return "SCHEDULED"
    if discount.ends_at is not None and now >= discount.ends_at:
        return "EXPIRED"
    return "ACTIVE"


def redeemable(store: Store, code: str, email: str | None, now: float) -> tuple[Discount, RedeemCode]:
    found = store.discount_by_code(code) if code.strip() else None
    if found is None:
        raise DiscountRejected("Enter a valid discount code")
    discount, redeem = found
    state = status(discount, now)
    if state == "SCHEDULED":
        raise DiscountRejected("This discount code isn't active yet")
    if state == "EXPIRED":
        raise DiscountRejected("This discount code has expired")
    if discount.usage_limit is not None and redeem.usage_count >= discount.usage_limit:
        raise DiscountRejected("This discount code has reached its usage limit")
    if discount.applies_once_per_customer and email and email.strip().lower() in discount.used_by:
        raise DiscountRejected("This discount code has already been used")
    return discount, redeem


def items_subtotal(items: list[LineItem]) -> Decimal:
    """What line items cost before any discount: each price times its quantity."""
    return sum((Decimal(item.price) * item.quantity for item in items), Decimal(0))


def discount_amount(discount: Discount, items: list[LineItem], subtotal: Decimal) -> Decimal:
    """What the code takes off ``subtotal``; never more than the subtotal."""
    if discount.percentage is not None:
        off = subtotal * Decimal(str(discount.percentage))
    elif discount.applies_on_each_item:
        off = Decimal(discount.amount or "0") * sum(li.quantity for li in items)
    else:
        off = Decimal(discount.amount or "0")
    return min(off, subtotal).quantize(Decimal("0.01"))


def kind(discount: Discount) -> str:
    """The ``type`` the platform's order and checkout payloads give a code."""
    return "percentage" if discount.percentage is not None else "fixed_amount"


def checkout_totals(store: Store, checkout: Checkout) -> tuple[Decimal, Decimal, str | None]:
    """The checkout's subtotal, what its code takes off it (the amounts its page shows and its webhooks
    carry), and the code's ``kind`` (None without a known code)."""
    subtotal = items_subtotal(checkout.line_items)
    found = store.discount_by_code(checkout.discount_code) if checkout.discount_code else None
    if not found:
        return subtotal, Decimal(0), None
    return subtotal, discount_amount(found[0], checkout.line_items, subtotal), kind(found[0])


def record_use(discount: Discount, redeem: RedeemCode, email: str | None) -> None:
    redeem.usage_count += 1
    if email:
        discount.used_by.add(email.strip().lower())
