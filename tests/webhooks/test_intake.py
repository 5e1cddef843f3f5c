"""POST /webhooks: verify on raw bytes, store durably, acknowledge; reject everything else unstored."""

from __future__ import annotations

import json

import pytest

from tests.support.app import OLD_SECRET, SHOP
from tests.support.signing import webhook_headers as headers

ORDER = json.dumps({"id": 820982911946154508, "email": "jon@example.com", "line_items": []}).encode()


def rows(store):
    return store.database.query("SELECT * FROM webhook_inbox")


def test_a_signed_delivery_is_stored_then_acknowledged(client, store):
    response = client.post("/webhooks", data=ORDER, headers=headers(ORDER))
    assert response.status_code == 200
    [row] = rows(store)
    assert row["status"] == "pending" and row["topic"] == "orders/create" and row["shop"] == SHOP
    assert bytes(row["body"]) == ORDER  # raw bytes, ids beyond 2^53 intact
    assert row["event_id"] == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert row["triggered_at"] == 1795428000000


def test_a_delivery_signed_with_the_previous_secret_is_accepted(client, store):
    assert client.post("/webhooks", data=ORDER, headers=headers(ORDER, OLD_SECRET)).status_code == 200


def _flip(body: bytes) -> bytes:
    return body[:10] + bytes([body[10] ^ 1]) + body[11:]


@pytest.mark.parametrize(
    "case",
    ["one flipped byte", "wrong secret", "header absent", "header not base64", "body re-serialized", "empty body"],
)
def test_tampered_deliveries_get_401_and_leave_no_row(client, store, case):
    body, hdrs = ORDER, headers(ORDER)
    if case == "one flipped byte":
        body = _flip(ORDER)
    elif case == "wrong secret":
        hdrs = headers(ORDER, "somebody-elses-secret")
    elif case == "header absent":
        hdrs = headers(ORDER, **{"X-Shopify-Hmac-Sha256": None})
    elif case == "header not base64":
        hdrs = headers(ORDER, **{"X-Shopify-Hmac-Sha256": "not base64!!"})
    elif case == "body re-serialized":
        body = json.dumps(json.loads(ORDER), indent=2).encode()
    elif case == "empty body":
        body, hdrs = b"", headers(b"")
    response = client.post("/webhooks", data=body, headers=hdrs)
    assert response.status_code == 401
    assert "error" in response.json
    assert rows(store) == []


def test_an_oversized_body_gets_413_unread_and_unstored(client, store):
    body = b'{"pad":"' + b"x" * (1024 * 1024) + b'"}'
    response = client.post("/webhooks", data=body, headers=headers(body))
    assert response.status_code == 413
    assert rows(store) == []


def test_a_wrong_content_type_gets_415(client, store):
    response = client.post("/webhooks", data=ORDER, headers=headers(ORDER, **{"Content-Type": "text/plain"}))
    assert response.status_code == 415
    assert rows(store) == []


def test_missing_topic_gets_400(client, store):
    response = client.post("/webhooks", data=ORDER, headers=headers(ORDER, **{"X-Shopify-Topic": None}))
    assert response.status_code == 400
    assert rows(store) == []


def test_five_copies_of_one_event_are_stored_once(client, store):
    for attempt in range(5):
        hdrs = headers(ORDER, **{"X-Shopify-Webhook-Id": f"delivery-{attempt}"})
        assert client.post("/webhooks", data=ORDER, headers=hdrs).status_code == 200
    assert len(rows(store)) == 1


def test_without_event_id_the_webhook_id_dedupes(client, store):
    hdrs = headers(ORDER, **{"X-Shopify-Event-Id": None})
    for _ in range(3):
        assert client.post("/webhooks", data=ORDER, headers=hdrs).status_code == 200
    assert len(rows(store)) == 1


def test_unknown_shop_topic_and_bad_json_are_acknowledged_and_kept(client, store):
    bad = b"{not json"
    assert client.post("/webhooks", data=bad, headers=headers(bad, **{"X-Shopify-Event-Id": "e1"})).status_code == 200
    other = headers(ORDER, **{"X-Shopify-Shop-Domain": "stranger.myshopify.com", "X-Shopify-Event-Id": "e2"})
    assert client.post("/webhooks", data=ORDER, headers=other).status_code == 200
    odd = headers(ORDER, **{"X-Shopify-Topic": "inventory_levels/update", "X-Shopify-Event-Id": "e3"})
    assert client.post("/webhooks", data=ORDER, headers=odd).status_code == 200
    assert len(rows(store)) == 3
