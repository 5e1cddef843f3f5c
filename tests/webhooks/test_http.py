"""Webhooks over real HTTP against the production server (waitress) on loopback."""

from __future__ import annotations

import json

import pytest
import requests

from plugin.app import create_app
from tests.support.jobs import runner

from tests.support import reads
from tests.support.app import base_overrides, SHOP
from tests.support.servers import ServerThread
from tests.support.signing import webhook_headers as headers
from tests.support.shops import install


@pytest.fixture
def server(tmp_path):
    app = create_app(base_overrides(tmp_path))
    store = app.extensions["storelift"].store
    install(store, SHOP)
    running = ServerThread(app)
    yield running, store
    running.close()
    store.close()


def post(server, body, hdrs):
    return requests.post(f"{server.url}/webhooks", data=body, headers=hdrs, timeout=10)


def inbox(store):
    return store.database.query("SELECT * FROM webhook_inbox")


def order(updated_at: str, total: str, status="paid") -> bytes:
    return json.dumps({"id": 450789469, "email": "bob@example.com", "currency": "USD", "total_price": total,
                       "financial_status": status, "updated_at": updated_at, "created_at": "2026-11-20T09:00:00Z",
                       "line_items": [{"id": 1, "product_id": 632910392, "variant_id": 39072856, "quantity": 1,
                                       "price": total}]}).encode()


BODY = order("2026-11-20T10:00:00Z", "10.00")


@pytest.mark.parametrize("case, status", [
    ("flipped byte", 401), ("wrong secret", 401), ("no signature", 401), ("signature not base64", 401),
    ("re-serialized", 401), ("oversized", 413), ("oversized chunked", 413), ("wrong content type", 415),
])
def test_bad_deliveries_get_the_right_status_and_store_nothing(server, case, status):
    running, store = server
    body, hdrs = BODY, headers(BODY)
    if case == "flipped byte":
        body = BODY.replace(b"10.00", b"10.01")
    elif case == "wrong secret":
        hdrs = headers(BODY, "a-different-secret-0123456789abcdef012345")
    elif case == "no signature":
        hdrs = headers(BODY, **{"X-Shopify-Hmac-Sha256": None})
    elif case == "signature not base64":
        hdrs = headers(BODY, **{"X-Shopify-Hmac-Sha256": "%%%"})
    elif case == "re-serialized":
        body = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    elif case.startswith("oversized"):
        body = b'{"pad":"' + b"y" * (1024 * 1024) + b'"}'
        hdrs = headers(body)
        if case == "oversized chunked":
            chunks = [body[i:i + 65536] for i in range(0, len(body), 65536)]
            response = requests.post(f"{running.url}/webhooks", data=iter(chunks), headers=hdrs, timeout=10)
            assert response.status_code == status
            assert inbox(store) == []
            return
    elif case == "wrong content type":
        hdrs = headers(BODY, **{"Content-Type": "application/x-www-form-urlencoded"})
    response = post(running, body, hdrs)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert inbox(store) == []


def test_a_chunked_delivery_within_the_cap_is_accepted(server):
    running, store = server
    response = requests.post(f"{running.url}/webhooks", data=iter([BODY[:100], BODY[100:]]), headers=headers(BODY),
                             timeout=10)
    assert response.status_code == 200
    assert len(inbox(store)) == 1


def test_the_same_delivery_five_times_is_processed_once(server):
    running, store = server
    for attempt in range(5):
        assert post(running, BODY, headers(BODY, **{"X-Shopify-Webhook-Id": f"retry-{attempt}"})).status_code == 200
    assert runner(store).run_until_idle() == 1
    assert reads.order(store, SHOP, "450789469")["total_price"] == "10.00"


def test_deliveries_sent_newest_first_end_with_the_newest_state(server):
    running, store = server
    versions = [order(f"2026-11-20T1{n}:00:00Z", f"{10 + n}.00", "paid" if n < 3 else "refunded") for n in range(4)]
    for n, body in reversed(list(enumerate(versions))):  # newest first
        hdrs = headers(body, **{"X-Shopify-Topic": "orders/updated", "X-Shopify-Event-Id": f"ev-{n}"})
        assert post(running, body, hdrs).status_code == 200
        runner(store).run_until_idle()  # each applied as it arrives
    saved = reads.order(store, SHOP, "450789469")
    assert (saved["total_price"], saved["financial_status"]) == ("13.00", "refunded")
