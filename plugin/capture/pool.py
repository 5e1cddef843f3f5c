"""The code pool: unique single-use discount codes, made on the platform ahead of demand.

One campaign = one platform discount (``discountCodeBasicCreate``) built from
the merchant's discount settings; its codes are added in batches
(``discountRedeemCodeBulkAdd``) into Storelift's pool, where
``signup.subscribe`` takes them one at a time inside a write
transaction. ``refill`` runs as a job (``queue_refill``, kind ``capture.refill``)
whenever the pool drops under ``LOW_WATER``, so a shopper never waits on the platform.

A discount ends ``expires_days`` after it starts; a campaign is replaced by a
fresh one when less than half of that is left, so every code handed out is
valid for at least half the configured time (the success message shows the
exact date). Changing the discount settings starts a new campaign at once;
codes already given out stay valid.

Each code is meant for one person: the discount is once per customer, and the
codes are random (50 bits), so they cannot be guessed from one another.
"""

from __future__ import annotations

import logging
import secrets
import time

from plugin.clock import DAY_MS, iso_date_ms, iso_ms, now_ms
from plugin.config import Config
from plugin.platform.client import PlatformClient
from plugin.platform.errors import PlatformError, UserErrors
from plugin.platform.tokens import ShopNotInstalled, client_for_shop
from plugin.store import Store

from .codes import hand_out_waiting
from .settings import CAPTURE, discount_key

log = logging.getLogger("storelift.discounts")

LOW_WATER = 50  # refill when fewer free codes than this are left
TARGET = 150  # ... up to this many
BATCH = 100  # codes per discountRedeemCodeBulkAdd (the platform takes at most 250)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes get typed from screenshots
_CODE_CHARS = 10
BULK_POLLS = 20
BULK_POLL_WAIT = 0.5

CREATE_DISCOUNT = """
mutation StoreliftCreateDiscount($discount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $discount) {
    codeDiscountNode { id }
    userErrors { field message code }
  }
}
"""
BULK_ADD = """
mutation StoreliftAddCodes($id: ID!, $codes: [DiscountRedeemCodeInput!]!) {
  discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) {
    bulkCreation { id done codesCount importedCount failedCount }
    userErrors { field message code }
  }
}
"""
BULK_STATUS = """
query StoreliftBulkCodes($id: ID!, $first: Int!, $after: String) {
  discountRedeemCodeBulkCreation(id: $id) {
    done
    codes(first: $first, after: $after) {
      nodes { code errors { message } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def new_code(prefix: str) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
    return f"{prefix}-{body}" if prefix else body


def discount_input(settings: dict, code: str, starts_at: int, ends_at: int) -> dict:
    """The platform's ``DiscountCodeBasicInput`` for a campaign (percentage is a fraction, platform.md §3.4)."""
    d = settings["discount"]
    if d["kind"] == "percentage":
        value = {"percentage": float(d["value"]) / 100}
        label = f"{d['value']}%"
    else:
        value = {"discountAmount": {"amount": d["value"], "appliesOnEachItem": False}}
        label = d["value"]
    return {
        "title": f"Storelift email signup {label} off ({iso_date_ms(starts_at)})",
        "code": code,
        "startsAt": iso_ms(starts_at),
        "endsAt": iso_ms(ends_at),
        "customerSelection": {"all": True},
        "customerGets": {"value": value, "items": {"all": True}},
        "appliesOncePerCustomer": True,
        # Per code (the platform's price-rule semantics): every code in the pool is single-use.
        "usageLimit": 1,
        "combinesWith": {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": True},
    }


def needs_new_campaign(campaign: dict | None, settings: dict, now: int) -> bool:
    if campaign is None or campaign["discount_key"] != discount_key(settings):
        return True
    life = campaign["ends_at"] - campaign["starts_at"] if campaign["ends_at"] else None
    return bool(life and campaign["ends_at"] - now < life / 2)


def start_campaign(client: PlatformClient, store: Store, shop: str, settings: dict, now: int) -> dict:
    """Create the platform discount (its own first code goes into the pool too) and record it."""
    ends_at = now + settings["discount"]["expires_days"] * DAY_MS
    for _ in range(3):  # a random code clashing with an existing one is refused as TAKEN: draw again
        code = new_code(settings["discount"]["prefix"])
        try:
            payload = client.mutate(CREATE_DISCOUNT, {"discount": discount_input(settings, code, now, ends_at)},
                                    "discountCodeBasicCreate")
        except UserErrors as exc:
            if any(e.get("code") == "TAKEN" for e in exc.errors):
                continue
            raise
        discount_id = payload["codeDiscountNode"]["id"]
        campaign_id = store.capture.add_campaign(
            shop, discount_key=discount_key(settings), discount_id=discount_id,
            title=discount_input(settings, code, now, ends_at)["title"], starts_at=now, ends_at=ends_at)
        store.capture.add_codes(shop, campaign_id, [code])
        log.info("shop %s: new capture campaign %s (%s)", shop, campaign_id, discount_id)
        return store.capture.campaign(shop, campaign_id)
    raise PlatformError("could not find a free discount code after 3 tries")


def add_batch(client: PlatformClient, discount_id: str, codes: list[str], *,
              sleep=time.sleep) -> list[str]:
    """Add ``codes`` to the discount; returns the ones the platform accepted.

    The platform imports bulk codes asynchronously: poll the bulk creation until
    it is ``done``, then read each code's errors (a duplicate comes back as an
    error on that code only).
    """
    payload = client.mutate(BULK_ADD, {"id": discount_id, "codes": [{"code": c} for c in codes]},
                            "discountRedeemCodeBulkAdd")
    bulk = payload.get("bulkCreation") or {}
    bulk_id = bulk.get("id")
    if not bulk_id:
        return []
    accepted: list[str] = []
    for attempt in range(BULK_POLLS):
        after = None
        pages = []
        done = False
        while True:
            data = client.graphql(BULK_STATUS, {"id": bulk_id, "first": 250, "after": after})
            node = data.get("discountRedeemCodeBulkCreation") or {}
            done = bool(node.get("done"))
            if not done:
                break
            connection = node.get("codes") or {}
            pages.extend(connection.get("nodes") or [])
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
        if done:
            accepted = [n["code"] for n in pages if not n.get("errors")]
            break
        sleep(BULK_POLL_WAIT)
    wanted = set(codes)
    return [c for c in accepted if c in wanted]


def refill(config: Config, store: Store, shop: str, *, target: int = TARGET, now: int | None = None) -> int:
    """Make sure the shop's current campaign exists and has ``target`` free codes; returns codes added.

    Safe to run concurrently with subscriptions (they only ever take free codes)
    and idempotent (it re-reads the pool). Subscribers who came while the pool
    was dry get their codes at the end.
    """
    settings, _ = CAPTURE.read(store, shop)
    if not settings["enabled"]:
        return 0
    now = now or now_ms()
    client = client_for_shop(config, store, shop)
    campaign = store.capture.current_campaign(shop)
    if needs_new_campaign(campaign, settings, now):
        campaign = start_campaign(client, store, shop, settings, now)
    added = 0
    free = store.capture.free_codes(shop, campaign["id"])
    while free < target:
        batch = [new_code(settings["discount"]["prefix"]) for _ in range(min(BATCH, target - free))]
        accepted = add_batch(client, campaign["discount_id"], batch)
        if not accepted:
            log.warning("shop %s: the platform accepted none of %d codes", shop, len(batch))
            break
        store.capture.add_codes(shop, campaign["id"], accepted)
        added += len(accepted)
        free += len(accepted)
    hand_out_waiting(store, shop)
    return added


def pool_low(store: Store, shop: str, settings: dict, now: int) -> bool:
    campaign = store.capture.current_campaign(shop)
    if needs_new_campaign(campaign, settings, now):
        return True
    return store.capture.free_codes(shop, campaign["id"]) < LOW_WATER


REFILL_KIND = "capture.refill"


def queue_refill(store: Store, shop: str) -> None:
    """Ask the job runner for a refill (deduplicated: one queued refill per shop, one more if
    asked while one runs, since it may have counted the pool before the last code went)."""
    store.jobs.enqueue(shop, REFILL_KIND)


def _refill_job(services, job) -> None:
    """A refill; a platform error is retried with the runner's backoff, an uninstalled shop is done."""
    try:
        refill(services.config, services.store, job.shop)
    except ShopNotInstalled as exc:
        log.warning("shop %s: code pool refill skipped: %s", job.shop, exc)


def register_jobs(jobs) -> None:
    jobs.register(REFILL_KIND, _refill_job)
