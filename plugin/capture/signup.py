"""A sign-up: the subscriber recorded and their welcome code handed out, atomically and idempotently.

The email (already normalised by ``emails``) becomes one subscriber per shop +
email; a code is taken from the pool in the same write transaction, the
consent text the shopper saw is recorded, and the visitor is stitched to the
email (``plugin.people.identity``). A second submission is
``codes.for_returning``'s: the code again only to its owner and only while it
can be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.people import identity
from plugin.store import Store

from . import texts
from .codes import for_returning
from .settings import CAPTURE


class CaptureOff(Exception):
    """The shop has switched email capture off."""


@dataclass(frozen=True)
class Subscription:
    email: str
    code: str | None  # None while the pool is refilling (asked again, they get it), when spent, or not the owner
    ends_at: int | None
    created: bool
    spent: str | None = None  # codes.REDEEMED / EXPIRED: told to the code's owner only


def subscribe(store: Store, shop: str, *, email: str, visitor_id: str | None, page: str,
              customer_id: str | None = None, now: int | None = None) -> Subscription:
    """Record the subscriber and hand out their code, atomically and idempotently.

    ``email`` must already be normalised; ``customer_id`` is the app proxy's
    logged-in customer. Runs in one write transaction: a new row plus one code
    moved from the pool, or for an existing subscriber what
    ``codes.for_returning`` decides (judged before this visitor is
    stitched to the email, which happens in the same transaction).
    """
    now = now or now_ms()
    settings, version = CAPTURE.read(store, shop)
    if not settings["enabled"]:
        raise CaptureOff(shop)
    for _ in range(2):  # a concurrent first submission of the same email wins; the second pass finds it
        try:
            return _subscribe_once(store, shop, settings, version, email=email, visitor_id=visitor_id, page=page,
                                   customer_id=customer_id, now=now)
        except _Raced:
            continue
    raise RuntimeError(f"{shop}: a subscriber row appeared and vanished twice during one signup")


class _Raced(Exception):
    """Another transaction inserted this subscriber between our read and our insert; ours rolls back."""


def _subscribe_once(store: Store, shop: str, settings: dict, version: int, *, email: str, visitor_id: str | None,
                    page: str, customer_id: str | None, now: int) -> Subscription:
    with store.database.write():
        existing = store.capture.subscriber(shop, email)
        if existing is None:
            campaign = store.capture.current_campaign(shop)
            code = store.capture.take_code(shop, campaign["id"], now) if campaign else None
            ends_at = campaign["ends_at"] if code else None
            if not store.capture.add_subscriber(
                shop, email=email, code=code, campaign_id=campaign["id"] if code else None,
                code_ends_at=ends_at, visitor_id=visitor_id,
                consent_text=texts.render(settings["texts"]["consent"], settings), consent_page=page,
                settings_version=version, now=now,
            ):
                raise _Raced(email)  # rolls back: the code taken above goes back to the pool
            result = Subscription(email=email, code=code, ends_at=ends_at, created=True)
            flows.on_signup(store, shop, email, None, now)  # the welcome email, planned with the sign-up
        else:
            returning = for_returning(store, shop, existing, settings, visitor_id=visitor_id,
                                      customer_id=customer_id, now=now)
            result = Subscription(email=email, code=returning.code, ends_at=returning.ends_at, created=False,
                                  spent=returning.spent)
        if visitor_id:
            identity.observe(store, shop, visitor_id, now, email=email)
    return result


def apply_path(code: str, redirect: str = "/") -> str:
    """The platform's shareable discount link: visiting it applies the code to the cart."""
    return f"/discount/{quote(code, safe='')}?redirect={quote(redirect, safe='/')}"
