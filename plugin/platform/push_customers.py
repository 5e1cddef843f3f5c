"""Subscribers become customers in the store, with email marketing consent (layer L2).

The subscriber row is the queue: ``sync_state`` pending → done, or failed after
``MAX_ATTEMPTS``. A platform outage only delays the sync (exponential backoff
per subscriber); the shopper already has their code. A sign-up queues a
``customers.sync`` job, and the runner's periodic step queues one for every
shop whose retries came due, so retries happen without storefront traffic. A customer who
already exists gets their consent updated instead of a duplicate.
"""

from __future__ import annotations

import logging

from ..clock import HOUR_MS, backoff_ms, iso_ms, now_ms
from ..config import Config
from ..store import Store
from .client import PlatformClient
from .errors import PlatformAuthError, PlatformError, UserErrors
from .tokens import ShopNotInstalled, client_for_shop

log = logging.getLogger("storelift.customer_sync")

MAX_ATTEMPTS = 8
FIRST_RETRY_MS = 60_000
MAX_RETRY_MS = 6 * HOUR_MS

CREATE = """
mutation StoreliftCreateCustomer($input: CustomerInput!) {
  customerCreate(input: $input) { customer { id } userErrors { field message } }
}
"""
FIND = """
query StoreliftFindCustomer($email: String!) {
  customerByIdentifier(identifier: {emailAddress: $email}) { id }
}
"""
CONSENT = """
mutation StoreliftConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
  customerEmailMarketingConsentUpdate(input: $input) { customer { id } userErrors { field message code } }
}
"""


def _consent(subscriber: dict) -> dict:
    return {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN",
            "consentUpdatedAt": iso_ms(subscriber["consent_at"])}


def _numeric_id(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


def sync_one(client: PlatformClient, subscriber: dict) -> str:
    """Create the customer with consent, or give an existing one consent; returns the customer id."""
    try:
        payload = client.mutate(CREATE, {"input": {"email": subscriber["email"], "tags": ["storelift"],
                                                   "emailMarketingConsent": _consent(subscriber)}}, "customerCreate")
        return _numeric_id(payload["customer"]["id"])
    except UserErrors as exc:
        if not any("taken" in str(e.get("message", "")).lower() for e in exc.errors):
            raise
    found = client.graphql(FIND, {"email": subscriber["email"]}).get("customerByIdentifier")
    if not found:
        raise PlatformError("customer reported taken but not found")
    client.mutate(CONSENT, {"input": {"customerId": found["id"], "emailMarketingConsent": _consent(subscriber)}},
                  "customerEmailMarketingConsentUpdate")
    return _numeric_id(found["id"])


def sync_due(config: Config, store: Store, shop: str, now: int | None = None) -> int:
    """Sync every due subscriber of the shop, batch after batch; returns how many are now done."""
    fixed_now = now
    done = 0
    while True:
        due = store.capture.due_syncs(shop, fixed_now or now_ms())
        if not due:
            return done
        try:
            client = client_for_shop(config, store, shop)
        except ShopNotInstalled:
            for sub in due:
                store.capture.sync_failed(shop, sub["email"], "shop not installed", None)
            return done
        for sub in due:
            try:
                customer_id = sync_one(client, sub)
            except (UserErrors, PlatformAuthError) as exc:  # refused input or revoked token: retrying cannot help
                store.capture.sync_failed(shop, sub["email"], str(exc), None)
            except PlatformError as exc:
                attempts = sub["sync_attempts"] + 1
                next_at = (fixed_now or now_ms()) + backoff_ms(attempts, FIRST_RETRY_MS, MAX_RETRY_MS) if attempts < MAX_ATTEMPTS else None
                store.capture.sync_failed(shop, sub["email"], str(exc), next_at)
                log.info("shop %s: customer sync retry %d: %s", shop, attempts, exc)
            else:
                store.capture.sync_done(shop, sub["email"], customer_id)
                done += 1


SYNC_KIND = "customers.sync"


def queue_sync(store: Store, shop: str) -> None:
    """Ask the job runner to sync the shop's due subscribers (one queued sync per shop)."""
    store.jobs.enqueue(shop, SYNC_KIND)


def _sync_job(services, job) -> None:
    sync_due(services.config, services.store, job.shop)


def _queue_due_syncs(services, now: int) -> None:
    """Periodic: a sync for every shop with a subscriber whose retry time has come."""
    for shop in services.store.capture.shops_with_due_syncs(now):
        queue_sync(services.store, shop)


def register_jobs(jobs) -> None:
    jobs.register(SYNC_KIND, _sync_job)
    jobs.register_periodic("customers.due_syncs", _queue_due_syncs)
