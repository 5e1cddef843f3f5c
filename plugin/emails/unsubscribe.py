"""One-click unsubscribe (RFC 8058): the address stops getting email at once, and the platform hears of it.

The token in the link names the send, and so the address; a POST to it
unsubscribes with no login or cookie, as RFC 8058 §3.2 requires, and does so
again harmlessly (idempotent). In one transaction the address joins the
do-not-mail list, every step still planned for it is skipped, and a job is
queued that withdraws the platform customer's email marketing consent
(``customerEmailMarketingConsentUpdate``), retried like any job when the
platform is away.
"""

from __future__ import annotations

import hashlib

from plugin.clock import iso_ms, now_ms
from plugin.platform.push_customers import CONSENT, FIND
from plugin.platform.tokens import ShopNotInstalled, client_for_shop
from plugin.store import Store

from .tokens import Holder

CONSENT_KIND = "emails.withdraw_consent"
REASON = "unsubscribed"

def unsubscribe(store: Store, holder: Holder, now: int | None = None) -> str | None:
    """Unsubscribe the address the token's send went to; returns its shop, or None when the send is
    unknown (erased since: nothing is left to mail)."""
    now = now or now_ms()
    send = store.emails.get(holder.shop, holder.send_id)
    if send is None:
        return None
    with store.database.write():
        if store.emails.suppress(send.shop, send.email, REASON, now):
            store.jobs.enqueue(send.shop, CONSENT_KIND, _key(send.email), {"email": send.email})
        store.emails.skip_planned(send.shop, send.email, REASON, now)
    return send.shop


def _key(email: str) -> str:
    return "consent:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def register_jobs(jobs) -> None:
    jobs.register(CONSENT_KIND, _withdraw_job)


def _withdraw_job(services, job) -> None:
    withdraw(services.config, services.store, job.shop, job.payload["email"])


def withdraw(config, store: Store, shop: str, email: str) -> bool:
    """Tell the platform this customer withdrew email marketing consent; False when there is no such customer
    (a subscriber who never became one) or the shop is gone."""
    try:
        client = client_for_shop(config, store, shop)
    except ShopNotInstalled:
        return False
    found = client.graphql(FIND, {"email": email}).get("customerByIdentifier")
    if not found:
        return False
    client.mutate(CONSENT, {"input": {"customerId": found["id"], "emailMarketingConsent": {
        "marketingState": "UNSUBSCRIBED", "consentUpdatedAt": iso_ms(now_ms())}}},
        "customerEmailMarketingConsentUpdate")
    return True
