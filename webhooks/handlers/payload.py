"""Reading platform payload fields into the store's types.

Ids become decimal strings (they exceed 2^53, and a float would already have
lost digits, so one is refused), money stays the platform's decimal string,
times become integer epoch milliseconds, and emails are trimmed and
lowercased so every table matches them the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from plugin.store import Delivery
from plugin.store.commerce import Line

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def platform_id(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"platform id must be an integer or a string, got {value!r}")
    return str(value).strip()


def money(value) -> str | None:
    """A decimal string as sent; integers are accepted, floats refused (they are not exact)."""
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"money must be a decimal string, got {value!r}")
    return str(value)


def epoch_ms(value: str | None) -> int | None:
    """ISO-8601 with offset (``2008-01-10T11:00:00-05:00``) to epoch ms; no offset means UTC."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - EPOCH) // timedelta(milliseconds=1)


def source_time(payload: dict, delivery: Delivery) -> int:
    """The staleness clock: the resource's ``updated_at``, else when the platform fired the
    event (retries keep it), else when we received it."""
    return epoch_ms(payload.get("updated_at")) or delivery.triggered_at or delivery.received_at


def sequence(delivery: Delivery) -> int:
    """The tie-breaker for equal ``updated_at`` values, which the platform gives in whole
    seconds: when the platform fired the event (retries keep it, so a re-delivery of
    the same event changes nothing)."""
    return delivery.triggered_at or 0


def email(value: str | None) -> str | None:
    normalized = (value or "").strip().lower()
    return normalized or None


def tags(value) -> tuple[str, ...]:
    """Tags arrive as one comma-separated string (older payloads) or a list."""
    items = value.split(",") if isinstance(value, str) else (value or [])
    return tuple(t.strip() for t in items if t and t.strip())


def customer_of(payload: dict) -> tuple[str | None, str | None]:
    """The customer id and email of an order or checkout (guests have no customer object)."""
    customer = payload.get("customer") or {}
    return platform_id(customer.get("id")), email(payload.get("email") or customer.get("email"))


def lines(items: list[dict] | None) -> tuple[Line, ...]:
    return tuple(
        Line(
            quantity=int(item.get("quantity") or 0),
            product_id=platform_id(item.get("product_id")),
            variant_id=platform_id(item.get("variant_id")),
            price=money(item.get("price")),
            line_price=money(item.get("line_price")),
            line_id=platform_id(item.get("id")),
            sku=item.get("sku") or None,
            title=item.get("title"),
            variant_title=item.get("variant_title"),
            vendor=item.get("vendor"),
        )
        for item in items or []
    )
