"""What the scale run must have left behind, read in SQL and from each web process, plus its seed.

Kept apart from the run itself so each check says, in one place, which promise it
holds Storelift to: an acknowledged delivery applied exactly once and its
resource at its newest acknowledged state; a discount code given to one person
at most; and every serving process's recommendation model counting every order
it was sent through the change feed.
"""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from plugin.capture.settings import CAPTURE, discount_key
from plugin.clock import now_ms
from plugin.store.commerce import Product, Variant
from tests.support.app import SECRET, SHOP
from tests.support.shops import install
from tests.support.signing import BROWSER_UA, signed

from .traffic import HOT, only_product, partner


def seed(store, orders: int, codes: int) -> None:
    """The installed shop, the catalog every order will name, and a pool of ``codes`` codes.

    The pool is filled through the store, as a refill from the platform would
    leave it (there is no platform here); it is smaller than the sign-ups, so it
    runs dry under concurrent sign-ups, where a double hand-out would show.
    """
    install(store, SHOP)
    products = [(p, "hot") for p in HOT] + [(only_product(n), "solo") for n in range(orders)] + [
        (partner(n), "partner") for n in range(orders)]
    for start in range(0, len(products), 500):
        with store.database.write():
            for product_id, kind in products[start:start + 500]:
                store.commerce.upsert_product(SHOP, Product(
                    product_id=product_id, source_updated_at=1, title=f"{kind} {product_id}", handle=product_id,
                    vendor=kind, product_type=kind, status="active", published_at=1, url=f"/products/{product_id}",
                    created_at=1, variants=(Variant(variant_id=str(int(product_id) * 10), price="10.00",
                                                    inventory_quantity=100),)))
    settings, _ = CAPTURE.save(store, SHOP, {})
    campaign = store.capture.add_campaign(SHOP, discount_key=discount_key(settings), discount_id="gid://scale/1",
                                          title="scale", starts_at=now_ms(), ends_at=now_ms() + 30 * 86_400_000)
    store.capture.add_codes(SHOP, campaign, [f"SCALE-{n:05d}" for n in range(codes)])


def knows_order(port: int, n: int) -> bool:
    """Whether the web process on ``port`` has counted order ``n``: its "bought together" names the partner.

    Asked of one process directly (not through the balancer), with a limit below
    the number of best sellers, so a model that never saw the order answers from
    the cold-start rungs and cannot name the partner by chance.
    """
    path = signed("/proxy/recommendations", SHOP, SECRET, {
        "block": "frequently_bought_together", "product_id": only_product(n), "limit": "6"})
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Accept": "application/json", "User-Agent": BROWSER_UA})
    with urllib.request.urlopen(request, timeout=30) as answer:
        items = json.loads(answer.read())["items"]
    return partner(n) in [item["product_id"] for item in items]


def orders_unknown_to(port: int, orders: int) -> list[int]:
    """The orders the web process on ``port`` has not counted, once it has read the whole feed.

    A process answers from its published model while one request's thread applies the feed rows
    that came since its last request: reads never wait for an apply. So one request goes alone
    first, and its thread applies every row that came since the storefront traffic stopped. Probes
    sent in parallel at once would be answered from the model before that apply, and the first
    order that arrived late (order 5, in this plan) would show as never counted.
    """
    knows_order(port, 0)
    with ThreadPoolExecutor(4) as pool:
        known = list(pool.map(lambda n: knows_order(port, n), range(orders)))
    return [n for n, seen in enumerate(known) if not seen]


def inbox_problems(store, acked) -> list[str]:
    """Every acknowledged delivery is one inbox row, and done; none is left pending, processing or dead."""
    rows = store.database.query("SELECT dedupe_key, status, attempts FROM webhook_inbox WHERE shop = :shop",
                                {"shop": SHOP})
    by_key: dict[str, list[dict]] = {}
    for row in rows:
        by_key.setdefault(row["dedupe_key"], []).append(row)
    problems = []
    for delivery in acked:
        found = by_key.get("e-" + delivery.webhook_id, [])
        if len(found) != 1 or found[0]["status"] != "done":
            problems.append(f"{delivery.webhook_id}: {[(r['status'], r['attempts']) for r in found]}")
    return problems


def newest_state_problems(store, acked) -> list[str]:
    """Each resource holds its newest acknowledged state (reordering and duplicates changed nothing),
    and no resource exists that no acknowledged delivery named."""
    tables = {"order": ("orders", "order_id"), "customer": ("customers", "customer_id"), "cart": ("carts", "cart_token")}
    problems = []
    for kind, (table, key) in tables.items():
        newest: dict[str, int] = {}
        for delivery in acked:
            if delivery.kind == kind:
                newest[delivery.ref] = max(newest.get(delivery.ref, 0), delivery.updated_ms)
        stored = {row["ref"]: row["at"] for row in store.database.query(
            f"SELECT {key} AS ref, source_updated_at AS at FROM {table} WHERE shop = :shop", {"shop": SHOP})}
        if set(stored) != set(newest):
            problems.append(f"{table}: {len(stored)} rows for {len(newest)} acknowledged ids"
                            f" (extra {sorted(set(stored) - set(newest))[:5]}, missing {sorted(set(newest) - set(stored))[:5]})")
        problems += [f"{table} {ref}: holds {stored[ref]}, newest acknowledged {at}"
                     for ref, at in newest.items() if ref in stored and stored[ref] != at]
    return problems


def feed_problems(store, acked) -> list[str]:
    """The change feed holds each order state once, and only states that were acknowledged (so no
    handler ran twice over the same state into the feed, and none ran on a state never sent)."""
    sent = {(d.ref, d.updated_ms) for d in acked if d.kind == "order"}
    rows = store.database.query("SELECT ref, version FROM rec_changes WHERE shop = :shop AND kind = 'order'",
                                {"shop": SHOP})
    problems, seen = [], set()
    for row in rows:
        at = int(row["version"].split(":")[0])
        if (row["ref"], row["version"]) in seen:
            problems.append(f"feed: {row['ref']} {row['version']} twice")
        seen.add((row["ref"], row["version"]))
        if (row["ref"], at) not in sent:
            problems.append(f"feed: {row['ref']} at {at} was never acknowledged")
    fed = {row["ref"] for row in rows}
    problems += [f"feed: order {ref} never fed" for ref in {ref for ref, _ in sent} - fed]
    return problems


def code_problems(store, answered: list[tuple[str, str]]) -> list[str]:
    """No code went to two people: not in the answers, not in ``subscribers``, not in ``capture_codes``."""
    problems = []
    owner: dict[str, str] = {}
    for email, code in answered:
        if owner.setdefault(code, email) != email:
            problems.append(f"answered {code} to {owner[code]} and {email}")
    subscribers = store.database.query(
        "SELECT email, code FROM subscribers WHERE shop = :shop AND code IS NOT NULL", {"shop": SHOP})
    by_code: dict[str, list[str]] = {}
    for row in subscribers:
        by_code.setdefault(row["code"], []).append(row["email"])
    problems += [f"{code} held by {emails}" for code, emails in by_code.items() if len(emails) > 1]
    problems += [f"answered {code} to {email}, stored for {by_code.get(code)}" for code, email in owner.items()
                 if by_code.get(code) != [email]]
    handed = store.database.query(
        "SELECT code FROM capture_codes WHERE shop = :shop AND state = 'assigned'", {"shop": SHOP})
    if sorted(r["code"] for r in handed) != sorted(by_code):
        problems.append(f"{len(handed)} codes out of the pool, {len(by_code)} held by subscribers")
    return problems
