"""Planning a flow's steps when its trigger happens: one row and one due job per step, in one transaction.

Triggers: a capture sign-up (welcome), a checkout with an email that is not
completed (checkout), a cart whose owner's address is known (cart). The
trigger's key (the checkout or cart token, the subscriber's address) makes
planning idempotent: a webhook re-sent or a checkout updated plans nothing
new. A step's row and its job commit together, so a crash never leaves a
step planned with nothing to send it, and the job runner makes each step
durable across restarts (its due time is the job's).
"""

from __future__ import annotations

from plugin.store import Store

from .settings import EMAILS

MINUTE_MS = 60_000
STEP_KIND = "emails.step"
# What starts each flow, in the merchant's words (the Emails page shows it). A flow not named here
# has no trigger yet: its settings are kept, and nothing plans it.
STARTED_BY = {
    "welcome": "a sign-up in the email capture widget",
    "cart": "a cart with items whose owner's email address is known",
    "checkout": "a checkout with an email address that is not completed",
    "browse": "a visit that viewed products and left without a cart, by someone whose email address is known",
    "winback": "a buyer the segments now call at risk or lapsed",
}


def step_job_key(send_id: int, due_at: int) -> str:
    """One job per send and due time: a step postponed to later gets a job of its own for then."""
    return f"send:{send_id}:{due_at}"


def plan(store: Store, shop: str, flow: str, *, trigger_key: str, trigger_at: int, email: str,
         person_id: str | None, now: int) -> list[int]:
    """Plan every step of ``flow`` for this trigger (none when the flow is off); returns the new sends' ids."""
    settings = EMAILS.read(store, shop)[0]["flows"][flow]
    if not settings["enabled"] or not email:
        return []
    planned = []
    with store.database.write():
        for step, delay in enumerate(settings["delays_minutes"], 1):
            due_at = trigger_at + delay * MINUTE_MS
            send_id = store.emails.plan(shop, flow=flow, step=step, trigger_key=trigger_key, trigger_at=trigger_at,
                                        person_id=person_id, email=email.strip().lower(), due_at=due_at, now=now)
            if send_id is not None:
                store.jobs.enqueue(shop, STEP_KIND, step_job_key(send_id, due_at), {"send_id": send_id},
                                   due_at=due_at)
                planned.append(send_id)
    return planned


def on_checkout(store: Store, shop: str, checkout_token: str, now: int) -> list[int]:
    """A checkout stored from a webhook: abandoned-checkout steps if it has an email and is not completed."""
    checkout = store.emails.checkout(shop, checkout_token)
    if checkout is None or not checkout["email"] or checkout["completed_at"] is not None:
        return []
    trigger_at = checkout["created_at"] or now
    return plan(store, shop, "checkout", trigger_key=checkout_token, trigger_at=trigger_at,
                email=checkout["email"], person_id=None, now=now)


def on_cart(store: Store, shop: str, cart_token: str, now: int) -> list[int]:
    """A cart stored from a webhook: abandoned-cart steps if it has items and its owner's address is known."""
    email = store.emails.cart_owner_email(shop, cart_token)
    if not email or not store.emails.lines(shop, "cart_lines", "cart_token", cart_token):
        return []
    return plan(store, shop, "cart", trigger_key=cart_token, trigger_at=now, email=email, person_id=None, now=now)


def on_signup(store: Store, shop: str, email: str, person_id: str | None, now: int) -> list[int]:
    """A capture sign-up: the welcome email, at once, carrying the code the widget showed."""
    return plan(store, shop, "welcome", trigger_key=email.strip().lower(), trigger_at=now, email=email,
                person_id=person_id, now=now)
