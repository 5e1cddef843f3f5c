"""A subscriber's welcome code after sign-up: who may see it, whether it is spent, and late or second codes.

A code is shown again only to the visitor who earned it, which the server can
prove in two ways: the browser that signed up (its visitor id is on the
subscriber row), or the logged-in customer the app proxy signs into the
request, when that customer is the subscriber. Identity stitching is not proof:
anyone can type someone else's email into ``storelift.identify`` or the form
and be stitched to that person. Any other browser gets the answer a new
subscriber gets while their code is on its way (no code, no "welcome back"), so
the form cannot be used to learn who subscribed; the owner of the address gets
the code by email once Storelift sends email (not yet built).

A code is spent when an order used it (``record_redemptions``, from the orders
webhooks) or when its discount ended (``code_ends_at``, the campaign's end). A
spent code is never shown again: the subscriber hears why, or gets a second
code when the merchant allows it (``discount.second_code``, off by default).
"""

from __future__ import annotations

from dataclasses import dataclass

from plugin.clock import now_ms
from plugin.store import Store

REDEEMED, EXPIRED = "redeemed", "expired"


@dataclass(frozen=True)
class Returning:
    code: str | None
    ends_at: int | None
    spent: str | None = None  # REDEEMED or EXPIRED: the code is gone and no new one was given


def earned_by(store: Store, shop: str, subscriber: dict, *, visitor_id: str | None, customer_id: str | None) -> bool:
    """True when the request comes from the browser that signed up, or from the subscriber logged in."""
    if visitor_id and visitor_id == subscriber["visitor_id"]:
        return True
    if not customer_id:
        return False
    if customer_id == subscriber["customer_id"]:
        return True
    return store.identities.customer_email(shop, customer_id) == subscriber["email"]


def spent(store: Store, shop: str, subscriber: dict, now: int) -> str | None:
    """Why the subscriber's code can no longer be used (REDEEMED, EXPIRED), or None while it can."""
    if store.capture.redeemed_at(shop, subscriber["code"]) is not None:
        return REDEEMED
    ends_at = subscriber["code_ends_at"]
    if ends_at is not None and ends_at <= now:
        return EXPIRED
    return None


def for_returning(store: Store, shop: str, subscriber: dict, settings: dict, *, visitor_id: str | None,
                  customer_id: str | None, now: int) -> Returning:
    """What a second sign-up with an already-subscribed email gets (call inside ``database.write()``)."""
    if not earned_by(store, shop, subscriber, visitor_id=visitor_id, customer_id=customer_id):
        return Returning(code=None, ends_at=None)  # what a new subscriber gets while the pool refills
    email = subscriber["email"]
    if subscriber["code"] is None:
        code = late_code(store, shop, email, now)
        return Returning(code=code, ends_at=store.capture.subscriber(shop, email)["code_ends_at"])
    why = spent(store, shop, subscriber, now)
    if why is None:
        return Returning(code=subscriber["code"], ends_at=subscriber["code_ends_at"])
    if not settings["discount"]["second_code"]:
        return Returning(code=None, ends_at=None, spent=why)
    campaign = store.capture.current_campaign(shop)
    live = campaign is not None and (campaign["ends_at"] is None or campaign["ends_at"] > now)
    code = store.capture.take_code(shop, campaign["id"], now) if live else None
    if code is None:  # no pool or only an ended campaign's: asked again after the refill, they get one
        return Returning(code=None, ends_at=None)
    store.capture.replace_code(shop, email, subscriber["code"], code, campaign["id"], campaign["ends_at"])
    return Returning(code=code, ends_at=campaign["ends_at"])


def late_code(store: Store, shop: str, email: str, now: int) -> str | None:
    """A subscriber who came while the pool was dry gets a code as soon as one is there."""
    campaign = store.capture.current_campaign(shop)
    if campaign is None:
        return None
    code = store.capture.take_code(shop, campaign["id"], now)
    if code:
        store.capture.give_code(shop, email, code, campaign["id"], campaign["ends_at"])
    return code


def hand_out_waiting(store: Store, shop: str) -> int:
    """Give codes to subscribers who signed up while the pool was dry; returns how many got one."""
    given = 0
    for email in store.capture.waiting_for_code(shop):
        with store.database.write():
            if late_code(store, shop, email, now_ms()) is None:
                break
        given += 1
    return given


def record_redemptions(store: Store, shop: str, codes, order_id: str, at: int) -> int:
    """Mark the pool codes an order used as redeemed; other codes (the merchant's own) are ignored.

    The platform treats codes case-insensitively and pool codes are upper case.
    A cancelled order keeps its codes spent, as the platform keeps their usage.
    """
    wanted = sorted({c.strip().upper() for c in codes if isinstance(c, str) and c.strip()})
    return store.capture.mark_redeemed(shop, wanted, order_id, at)
