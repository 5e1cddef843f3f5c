"""The flows whose trigger is a state rather than a webhook: browse abandonment and win-back.

A periodic step of the job runner looks, each minute, for every installed shop:

- sessions that viewed products, added nothing to a cart and have been quiet
  for ``SESSION_END_MS`` (the loader starts a new session after 30 minutes
  idle), whose browser belongs to someone with an address: their browse
  email is planned two hours (the merchant's delay) after the session ended;
- people the segments now call at risk or lapsed: their win-back email
  (off by default; the merchant turns it on).

Both read only what is not planned yet, and planning is idempotent, so two
workers running the step at once plan each trigger once.
"""

from __future__ import annotations

import logging

from plugin.clock import HOUR_MS
from plugin.store import Store

from .flows import plan
from .settings import EMAILS

log = logging.getLogger("storelift.emails")

SESSION_END_MS = 30 * 60_000
LOOK_BACK_MS = 6 * HOUR_MS


def plan_due(store: Store, shop: str, now: int) -> int:
    """Plan browse and win-back emails whose trigger happened; returns how many triggers were planned."""
    flows = EMAILS.read(store, shop)[0]["flows"]
    planned = 0
    if flows["browse"]["enabled"]:
        for session in store.emails.browsed_sessions(shop, since=now - LOOK_BACK_MS, ended_before=now - SESSION_END_MS):
            planned += bool(plan(store, shop, "browse", trigger_key=session["session_id"],
                                 trigger_at=session["ended_at"], email=session["email"],
                                 person_id=session["person_id"], now=now))
    if flows["winback"]["enabled"]:
        for person in store.emails.lapsing(shop):
            planned += bool(plan(store, shop, "winback", trigger_key=f"{person['person_id']}:{person['last_order_at']}",
                                 trigger_at=now, email=person["email"], person_id=person["person_id"], now=now))
    return planned


def _step(services, now: int) -> None:
    for shop in services.store.shops.installed():
        plan_due(services.store, shop.shop, now)


def register_jobs(jobs) -> None:
    jobs.register_periodic("emails.triggers", _step)
