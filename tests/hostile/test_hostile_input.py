"""Hostile input through correctly signed requests: a 4xx with a JSON reason, nothing stored, never a 500.

Each case here answered 500 with a traceback before the bounded reader and
the id parser (``plugin.safe_input``) were put in front of every door:
``RecursionError`` from deep JSON, ``ValueError`` from 5,000-digit integers
and from ``int("²")`` after ``"²".isdigit()`` said yes, and ``OverflowError``
from a 40-digit id reaching SQLite.
"""

from __future__ import annotations

import json

import pytest

from tests.support.shops import install
from tests.support.app import SHOP
from tests.support.hostile import (admin_headers, BEYOND_INT64, ID_40, nested, proxy_get, proxy_post, PROXY_POSTS, row_counts, VISITOR, webhook_headers)


@pytest.fixture(autouse=True)
def shop(store):
    install(store, SHOP)


def refused(response, before: dict, store, statuses=(400, 413, 422)):
    assert response.status_code in statuses, (response.status_code, response.get_data()[:300])
    body = response.get_json()
    assert body["error"] and (body.get("reason") or body.get("message") or body.get("errors")), body
    assert row_counts(store) == before


PROXY_BODIES = {
    "nested 1,900 deep": '{"v":' + nested(1900) + "}",
    "5,000-digit integer": '{"v":"%s","n":%s}' % (VISITOR, "9" * 5000),
    "unicode digit in a number": '{"v":"%s","n":1²}' % VISITOR,
    "40-digit ids": json.dumps({"v": VISITOR, "s": VISITOR, "p": ID_40, "r": ID_40, "b": "trending",
                                "n": int(ID_40), "i": [int(ID_40)], "e": [["product_view", {"i": int(ID_40)}]]}),
    "NaN": '{"v": NaN}',
}


@pytest.mark.parametrize("path", PROXY_POSTS)
@pytest.mark.parametrize("case", PROXY_BODIES)
def test_hostile_storefront_bodies_are_refused_and_store_nothing(client, store, path, case):
    before = row_counts(store)
    refused(proxy_post(client, path, PROXY_BODIES[case]), before, store)


def test_the_event_endpoint_names_the_depth_and_digit_limits(client, store):
    deep = proxy_post(client, "/proxy/events", '{"v":' + nested(3000) + "}")
    assert deep.status_code == 400 and "nested deeper than" in deep.get_json()["reason"]
    huge = proxy_post(client, "/proxy/events", '{"v": %s}' % ("9" * 5000))
    assert huge.status_code == 400 and "at most 20 ASCII digits" in huge.get_json()["reason"]


@pytest.mark.parametrize("limit", ["²", "١٢", "9" * 5000, ID_40, "-1"])
def test_a_block_limit_must_be_ascii_digits_in_range(client, store, limit):
    before = row_counts(store)
    refused(proxy_get(client, "/proxy/recommendations", {"block": "trending", "limit": limit}), before, store)


@pytest.mark.parametrize("customer", [ID_40, BEYOND_INT64, "١٢"])
def test_a_signed_customer_id_that_is_not_an_id_counts_as_nobody_signed_in(client, store, customer):
    response = proxy_post(client, "/proxy/identify", json.dumps({"v": VISITOR, "e": "ann@example.com"}),
                          customer=customer)
    assert response.status_code == 204
    assert store.database.query("SELECT customer_id FROM people WHERE customer_id IS NOT NULL") == []


ADMIN_PUTS = [
    ("/admin/api/capture/settings", '{"texts":' + nested(3000) + "}"),
    ("/admin/api/capture/settings", json.dumps({"discount": {"expires_days": "²"}})),
    ("/admin/api/capture/settings", json.dumps({"triggers": {"delay_seconds": "9" * 5000}})),
    ("/admin/api/capture/settings", json.dumps({"discount": {"value": "١٠"}})),
    ("/admin/api/capture/settings", '{"triggers": {"delay_seconds": %s}}' % ("9" * 5000)),
    ("/admin/api/recommendations/settings", '{"pins":' + nested(3000) + "}"),
    ("/admin/api/recommendations/settings", json.dumps({"pins": [int(ID_40)]})),
    ("/admin/api/recommendations/settings", '{"min_price": 1e999}'),
    ("/admin/api/recommendations/settings", json.dumps({"min_price": "١٢"})),
    ("/admin/api/recommendations/settings", json.dumps({"boosts": {"vendor:Acme": "٢"}})),
]


@pytest.mark.parametrize("path, body", ADMIN_PUTS)
def test_hostile_settings_are_refused_and_change_nothing(client, store, installed_shop, path, body):
    installed_shop()
    before = row_counts(store)
    refused(client.put(path, data=body, headers=admin_headers()), before, store)


@pytest.mark.parametrize("days", ["²", "9" * 5000, ID_40, "٣٠"])
def test_the_attribution_report_refuses_a_period_that_is_not_ascii_digits(client, store, installed_shop, days):
    installed_shop()
    before = row_counts(store)
    refused(client.get("/admin/api/recommendations/attribution", query_string={"days": days},
                       headers=admin_headers()), before, store)
    page = client.get("/admin/recommendations", query_string={"days": days}, headers=admin_headers())
    assert page.status_code == 400


@pytest.mark.parametrize("request_id", [ID_40, BEYOND_INT64, "²", "0", "-1"])
def test_a_privacy_export_id_must_fit_a_64_bit_integer(client, store, installed_shop, request_id):
    installed_shop()
    before = row_counts(store)
    refused(client.get(f"/admin/api/privacy/{request_id}/export", headers=admin_headers()), before, store)


def test_the_largest_64_bit_id_is_an_id_that_is_simply_not_found(client, installed_shop):
    installed_shop()
    response = client.get(f"/admin/api/privacy/{2**63 - 1}/export", headers=admin_headers())
    assert response.status_code == 404 and response.get_json()["error"] == "not found"


def test_a_subscriber_list_limit_must_be_in_range(client, store, installed_shop):
    installed_shop()
    response = client.get("/admin/api/capture/subscribers", query_string={"limit": "-5"}, headers=admin_headers())
    assert response.status_code == 400 and response.get_json()["reason"] == "limit: must be a whole number from 1 to 1000"


def test_the_webhook_intake_stores_a_signed_3000_deep_body_and_answers_200(client, store):
    body = nested(3000).encode()
    response = client.post("/webhooks", data=body, headers=webhook_headers(body, "orders/create", "deep-1"))
    assert response.status_code == 200
    [row] = store.inbox.list()
    assert store.inbox.get(row["id"]).body == body and row["status"] == "pending"
