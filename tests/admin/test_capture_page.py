"""The merchant's capture settings page, its API and the subscriber export, behind the session token."""

from __future__ import annotations

import csv
import io
import time

import pytest

from plugin.platform import push_customers
from plugin.capture.settings import CAPTURE
from plugin.capture.signup import subscribe
from plugin.platform.errors import PlatformUnavailable, UserErrors

from tests.support.jobs import queued
from tests.support.app import SHOP
from tests.support.signing import session_token

SCRIPT = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def shop(installed_shop):
    installed_shop()


def bearer(**claims):
    return {"Authorization": f"Bearer {session_token(**claims)}"}


@pytest.mark.parametrize("path", ["/admin/capture", "/admin/api/capture/settings", "/admin/api/capture/subscribers",
                                  "/admin/api/capture/subscribers.csv"])
def test_every_capture_admin_route_needs_a_valid_session_token(client, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(aud="someone-else")).status_code == 401
    assert client.get(path, headers=bearer(exp=int(time.time()) - 30)).status_code == 401
    assert client.get(path, headers=bearer()).status_code == 200


def test_put_validates_saves_and_kicks_the_code_pool(client, store):
    response = client.put("/admin/api/capture/settings", headers=bearer(),
                          json={"texts": {"headline": SCRIPT}, "discount": {"value": "15"}})
    assert response.status_code == 200 and response.json["version"] == 1
    assert CAPTURE.read(store, SHOP)[0]["texts"]["headline"] == SCRIPT
    assert queued(store, "capture.refill") == [("capture.refill", SHOP)]


def test_invalid_settings_are_refused_with_field_errors_and_nothing_is_stored(client, store):
    response = client.put("/admin/api/capture/settings", headers=bearer(),
                          json={"colors": {"text": "#888888", "background": "#999999"}, "triggers": {"delay_seconds": -4}})
    assert response.status_code == 422
    assert {"colors.text", "triggers.delay_seconds"} <= set(response.json["errors"])
    assert store.settings.get(SHOP, CAPTURE.name) is None


def test_the_page_renders_merchant_text_inert_and_has_the_live_preview(client, store):
    CAPTURE.save(store, SHOP, {"texts": {"headline": SCRIPT}})
    page = client.get("/admin/capture", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert '<script src="/widgets/capture.js"></script>' in page and "StoreliftCapture.preview" in page
    assert client.get("/widgets/capture.js").status_code == 200


def test_subscribers_export_as_csv_with_formulas_neutralised(client, store):
    subscribe(store, SHOP, email="ann@example.com", visitor_id=None, page="/products/a")
    subscribe(store, SHOP, email="=cmd|'/c calc'!a0@example.com", visitor_id=None, page="/")
    response = client.get("/admin/api/capture/subscribers.csv", headers=bearer())
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["email"] for r in rows} == {"ann@example.com", "'=cmd|'/c calc'!a0@example.com"}
    assert all(r["consent_text"] == CAPTURE.defaults()["texts"]["consent"] for r in rows)
    listed = client.get("/admin/api/capture/subscribers", headers=bearer()).json["subscribers"]
    assert len(listed) == 2


def test_another_shops_token_sees_only_its_own_subscribers(client, store, installed_shop):
    installed_shop("other-shop.myshopify.com")
    subscribe(store, SHOP, email="ann@example.com", visitor_id=None, page="/")
    other = client.get("/admin/api/capture/subscribers", headers=bearer(shop="other-shop.myshopify.com"))
    assert other.json["subscribers"] == []


class FakeCustomers:
    def __init__(self, existing=None, fail=0):
        self.existing = existing or {}
        self.fail = fail
        self.created, self.consented = [], []

    def mutate(self, query, variables, key):
        if self.fail:
            self.fail -= 1
            raise PlatformUnavailable("503")
        if key == "customerCreate":
            email = variables["input"]["email"]
            if email in self.existing:
                raise UserErrors(key, [{"field": ["email"], "message": "Email has already been taken"}])
            self.created.append(variables["input"])
            return {"customer": {"id": f"gid://shopify/Customer/{100 + len(self.created)}"}, "userErrors": []}
        self.consented.append(variables["input"])
        return {"customer": {"id": variables["input"]["customerId"]}, "userErrors": []}

    def graphql(self, query, variables):
        found = self.existing.get(variables["email"])
        return {"customerByIdentifier": {"id": found} if found else None}


def test_subscribers_are_synced_as_customers_with_consent_and_retried(app, store, monkeypatch):
    config = app.extensions["storelift"].config
    fake = FakeCustomers(existing={"old@example.com": "gid://shopify/Customer/9"}, fail=1)
    monkeypatch.setattr(push_customers, "client_for_shop", lambda c, s, shop: fake)
    subscribe(store, SHOP, email="new@example.com", visitor_id=None, page="/")
    subscribe(store, SHOP, email="old@example.com", visitor_id=None, page="/")
    assert push_customers.sync_due(config, store, SHOP) == 1  # the first attempt hit an outage
    retry = store.capture.subscriber(SHOP, "new@example.com")
    assert (retry["sync_state"], retry["sync_attempts"]) == ("pending", 1) and retry["sync_next_at"] > time.time() * 1000
    assert push_customers.sync_due(config, store, SHOP, now=retry["sync_next_at"]) == 1
    assert store.capture.subscriber(SHOP, "new@example.com")["customer_id"] == "101"
    assert store.capture.subscriber(SHOP, "old@example.com")["customer_id"] == "9"
    consent = fake.created[0]["emailMarketingConsent"]
    assert (consent["marketingState"], consent["marketingOptInLevel"]) == ("SUBSCRIBED", "SINGLE_OPT_IN")
    assert fake.consented[0]["customerId"] == "gid://shopify/Customer/9"
