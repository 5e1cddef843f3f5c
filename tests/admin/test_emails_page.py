"""The merchant's Emails page and its API, behind the session token: settings, the live preview, a test sent
through a real SMTP server (devstore's mailbox), the do-not-mail list, DKIM status and the per-flow report.

DNS is never asked: every DKIM lookup here is a stand-in for ``dkim_keys.resolve_txt``."""

from __future__ import annotations

import io
import logging
import re
import time

import dkim
import dns.resolver
import pytest
from PIL import Image

from devstore.mailbox import Mailbox
from plugin.admin.emails import ATTRIBUTION_DAYS, flow_report, readable_minutes
from plugin.clock import DAY_MS
from plugin.store.commerce import Order
from plugin.app import create_app
from plugin.capture.signup import subscribe
from plugin.clock import now_ms
from plugin.emails import dkim_keys
from plugin.emails.cards import CARD_HEIGHT, CARD_WIDTH
from plugin.emails.settings import EMAILS
from plugin.store.commerce import Customer

from tests.support.app import SHOP, base_overrides
from tests.support.shops import install
from tests.support.signing import session_token

SCRIPT = "<script>alert('x')</script>"
SENDER = "hello@test-shop.example"
DOMAIN = "test-shop.example"
ME = "owner@example.com"
PASSWORD = "s3cret-smtp-pw"
ROUTES = [("GET", "/admin/emails"), ("GET", "/admin/api/emails/settings"), ("PUT", "/admin/api/emails/settings"),
          ("POST", "/admin/api/emails/preview"), ("POST", "/admin/api/emails/test"),
          ("GET", "/admin/api/emails/suppressions"), ("POST", "/admin/api/emails/suppressions"),
          ("DELETE", "/admin/api/emails/suppressions/ann@example.com"), ("GET", "/admin/api/emails/dkim")]


@pytest.fixture(autouse=True)
def shop(installed_shop):
    installed_shop()


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """Any DNS lookup a test did not expect fails it: tests never reach the network."""
    def refuse(name):
        raise AssertionError(f"a DNS lookup for {name} reached the resolver")
    monkeypatch.setattr(dkim_keys, "resolve_txt", refuse)


def bearer(**claims):
    return {"Authorization": f"Bearer {session_token(**claims)}"}


def settings_with(store, **sections) -> dict:
    current = EMAILS.read(store, SHOP)[0]
    for name, values in sections.items():
        current[name] = {**current[name], **values}
    return current


def cart_texts(store, **texts) -> dict:
    current = EMAILS.read(store, SHOP)[0]
    current["flows"]["cart"]["texts"].update(texts)
    return current


def consenting_customer(store, email="ada@example.com", first_name="Ada") -> None:
    store.commerce.upsert_customer(SHOP, Customer(customer_id="501", source_updated_at=now_ms(), email=email,
                                                  first_name=first_name, marketing_state="subscribed"))


@pytest.mark.parametrize("method,path", ROUTES)
def test_every_emails_route_needs_a_valid_session_token(client, method, path):
    assert client.open(path, method=method, json={}).status_code == 401
    assert client.open(path, method=method, json={}, headers=bearer(aud="someone-else")).status_code == 401
    assert client.open(path, method=method, json={}, headers=bearer(exp=int(time.time()) - 30)).status_code == 401


def test_the_page_shows_flows_delays_budget_and_report_with_merchant_text_inert(client, store):
    EMAILS.save(store, SHOP, cart_texts(store, subject=SCRIPT))
    response = client.get("/admin/emails", query_string={"id_token": session_token()})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Emails</h1>" in page
    assert SCRIPT not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert 'aria-current="page">Emails</a>' in page  # in the admin's menu
    assert "on · 3 emails: 1 h, 1 day, 2 days" in page  # the cart's default delays, read as hours and days
    assert 'name="budget.gap_hours" value="16"' in page and 'name="budget.cooldown_days" value="7"' in page
    assert "Leave empty to use the store&#39;s own time zone (not read from the store yet" in page
    assert "Open rates are not shown: Apple Mail Privacy Protection pre-fetches images" in page
    body = page.split("</nav>", 1)[1].lower()  # the menu names the "What Storelift earned" page
    assert "attributed" in body and "earned" not in body
    assert "No mail server is set up" in page and "No DKIM key yet" in page
    assert '<iframe id="preview-frame" sandbox=""' in page


def test_saving_valid_settings_stores_a_new_version(client, store):
    data = settings_with(store, sender={"name": "Ada's Shop", "address": SENDER, "postal_address": "1 Main St"},
                         budget={"gap_hours": "24", "timezone": "Europe/Berlin"})
    data["flows"]["cart"]["delays_minutes"] = ["30", "1440"]
    response = client.put("/admin/api/emails/settings", headers=bearer(), json=data)
    assert response.status_code == 200 and response.json["version"] == 1
    saved = EMAILS.read(store, SHOP)[0]
    assert saved["budget"]["gap_hours"] == 24 and saved["budget"]["timezone"] == "Europe/Berlin"
    assert saved["flows"]["cart"]["delays_minutes"] == [30, 1440] and saved["sender"]["name"] == "Ada's Shop"
    assert client.get("/admin/api/emails/settings", headers=bearer()).json["version"] == 1


def test_the_checkout_flow_alone_offers_a_code_on_its_last_email_and_the_preview_shows_one(client, store):
    page = client.get("/admin/emails", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert 'name="flows.checkout.last_step_code"' in page and 'name="flows.cart.last_step_code"' not in page
    data = settings_with(store)
    before = client.post("/admin/api/emails/preview", headers=bearer(), json={"flow": "checkout", "settings": data})
    data["flows"]["checkout"]["last_step_code"] = True
    after = client.post("/admin/api/emails/preview", headers=bearer(), json={"flow": "checkout", "settings": data})
    assert "SAMPLE-CODE" not in before.json["html"] and "SAMPLE-CODE" in after.json["html"]
    assert client.put("/admin/api/emails/settings", headers=bearer(), json=data).status_code == 200
    assert EMAILS.read(store, SHOP)[0]["flows"]["checkout"]["last_step_code"] is True


def test_bad_fields_are_refused_by_name_and_nothing_is_stored(client, store):
    data = settings_with(store, sender={"logo_url": "javascript:alert(1)", "address": "josé@shop.example"},
                         budget={"quiet_from_hour": 24})
    data["flows"]["checkout"]["delays_minutes"] = [60, 30]
    response = client.put("/admin/api/emails/settings", headers=bearer(), json=data)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"sender.logo_url", "sender.address", "budget.quiet_from_hour",
                                            "flows.checkout.delays_minutes"}
    assert store.settings.get(SHOP, EMAILS.name) is None


def test_the_preview_renders_the_forms_texts_escaped_for_the_newest_consenting_person(client, store):
    consenting_customer(store)
    form = cart_texts(store, heading="Hi {first_name} " + SCRIPT, body="Still here.\n\n<b>bold</b>")
    response = client.post("/admin/api/emails/preview", headers=bearer(), json={"flow": "cart", "settings": form})
    assert response.status_code == 200
    html = response.json["html"]
    assert "Hi Ada &lt;script&gt;" in html and "<script" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert response.json["person"] == {"label": "ada@example.com, your newest customer who agreed to email marketing",
                                       "real": True}
    assert response.json["stand_in_items"] is True and "A sample product" in html
    assert store.settings.get(SHOP, EMAILS.name) is None  # a preview saves nothing


def test_the_preview_is_for_whoever_consented_last_subscriber_or_customer(client, store):
    store.commerce.upsert_customer(SHOP, Customer(customer_id="501", source_updated_at=now_ms(),
                                                  email="Old@Example.com", marketing_state="subscribed",
                                                  marketing_consent_at=now_ms() - 86_400_000))
    subscribe(store, SHOP, email="new@example.com", visitor_id=None, page="/")
    store.commerce.upsert_customer(SHOP, Customer(customer_id="502", source_updated_at=now_ms() + 1,
                                                  email="later@example.com", marketing_state="unsubscribed"))
    response = client.post("/admin/api/emails/preview", headers=bearer(), json={"flow": "browse"})
    assert response.json["person"]["label"] == "new@example.com, your newest subscriber"


def test_a_shop_with_nobody_yet_previews_for_a_labelled_made_up_person(client):
    response = client.post("/admin/api/emails/preview", headers=bearer(), json={"flow": "welcome"})
    assert response.status_code == 200
    assert response.json["person"]["real"] is False and "made-up" in response.json["person"]["label"]
    assert "SAMPLE-CODE" in response.json["html"] and response.json["stand_in_items"] is False


def test_a_shop_with_no_products_yet_previews_picked_for_you_with_labelled_sample_products(client):
    response = client.post("/admin/api/emails/preview", headers=bearer(), json={"flow": "welcome"})
    html = response.json["html"]
    assert response.json["sample_products"] is True and "Picked for you" in html
    images = re.findall(r'<img [^>]*src="https://storelift\.test(/email/s/[^"]+\.png)"', html)
    assert len(images) == 4 and html.count('alt="Sample product: yours will show here"') == 4
    card = client.get(images[0])
    assert card.status_code == 200 and Image.open(io.BytesIO(card.data)).size == (CARD_WIDTH, CARD_HEIGHT)
    assert f"Sample product: yours will show here: https://{SHOP}/" in response.json["text"]


def test_a_preview_of_an_unknown_flow_or_bad_texts_is_refused_by_name(client, store):
    form = cart_texts(store, subject="")
    response = client.post("/admin/api/emails/preview", headers=bearer(),
                           json={"flow": "newsletter", "settings": form, "extra": 1})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"flow", "flows.cart.texts.subject", "extra"}
    assert client.post("/admin/api/emails/preview", headers=bearer(), json=["cart"]).status_code == 400


@pytest.fixture
def mailbox():
    with Mailbox() as box:
        yield box


@pytest.fixture
def mail_client(tmp_path, mailbox):
    """An app whose mail server is devstore's mailbox, the shop installed and its sender set."""
    app = create_app(base_overrides(tmp_path, smtp_url=mailbox.smtp_url))
    store = app.extensions["storelift"].store
    install(store, SHOP)
    EMAILS.save(store, SHOP, settings_with(store, sender={"name": "Test Shop", "address": SENDER,
                                                          "postal_address": "1 Main St"}))
    yield app.test_client(), store
    store.close()


def test_send_me_a_test_renders_signs_and_hands_it_to_the_mail_server(mail_client, mailbox):
    client, store = mail_client
    pair = dkim_keys.generate()
    store.emails.save_dkim_key(SHOP, domain=DOMAIN, selector="sl", private_pem=pair.private_pem.decode(),
                               public_b64=pair.public_b64, now=now_ms())
    consenting_customer(store)
    form = cart_texts(store, subject="Your {shop} cart", heading="Hello {first_name}")
    response = client.post("/admin/api/emails/test", headers=bearer(), json={"flow": "cart", "to": ME, "settings": form})
    assert response.status_code == 200 and response.json["message"].startswith(f"Sent to {ME}: the mail server took it")
    [mail] = mailbox.messages(to=ME)
    assert mail.subject == "[Test] Your Test Shop cart" and "Hello Ada" in mail.html and "A sample product" in mail.text
    assert "Picked for you" in mail.html and "https://storelift.test/email/s/" in mail.html  # as the preview shows
    name, value = dkim_keys.txt_record("sl", DOMAIN, pair.public_b64)
    assert dkim.verify(mail.raw, dnsfunc=lambda asked, timeout=5: value.encode()
                       if asked.decode().rstrip(".") == name else None)
    assert store.emails.counts(SHOP) == []  # a test is no send: it counts toward no report or budget


def test_a_test_the_mail_server_refuses_is_reported_with_its_answer(mail_client, mailbox):
    client, _ = mail_client
    mailbox.fail(ME, code=550)
    response = client.post("/admin/api/emails/test", headers=bearer(), json={"flow": "welcome", "to": ME})
    assert response.status_code == 502 and response.json["error"] == "not_sent"
    assert "550" in response.json["message"] and mailbox.messages() == []


def test_the_smtp_password_reaches_neither_the_answer_nor_the_log(tmp_path, mailbox, caplog):
    url = f"smtp://shop:{PASSWORD}@127.0.0.1:{mailbox.smtp_port}"  # the mailbox offers no login: refused
    app = create_app(base_overrides(tmp_path, smtp_url=url))
    store = app.extensions["storelift"].store
    install(store, SHOP)
    caplog.set_level(logging.DEBUG)
    response = app.test_client().post("/admin/api/emails/test", headers=bearer(), json={
        "flow": "cart", "to": ME, "settings": settings_with(store, sender={"address": SENDER})})
    store.close()
    assert response.status_code == 502 and response.json["message"].startswith("Not sent")
    assert PASSWORD not in response.get_data(as_text=True) and PASSWORD not in caplog.text


def test_send_me_a_test_without_a_mail_server_is_refused_clearly(client, store):
    form = settings_with(store, sender={"address": SENDER})
    response = client.post("/admin/api/emails/test", headers=bearer(), json={"flow": "cart", "to": ME, "settings": form})
    assert response.status_code == 409 and "STORELIFT_SMTP_URL" in response.json["message"]
    refused = client.post("/admin/api/emails/test", headers=bearer(), json={"flow": "cart", "to": "nobody"})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"to", "sender.address"}


def test_addresses_are_added_to_and_removed_from_the_do_not_mail_list(client, store):
    with store.database.write():
        store.emails.plan(SHOP, flow="cart", step=1, trigger_key="k1", trigger_at=now_ms(), person_id=None,
                          email="ann@example.com", due_at=now_ms() + 60_000, now=now_ms())
    added = client.post("/admin/api/emails/suppressions", headers=bearer(), json={"email": " Ann@Example.com "})
    assert added.status_code == 200 and (added.json["added"], added.json["skipped"]) == (True, 1)
    assert [(s["email"], s["reason"]) for s in added.json["suppressions"]] == [("ann@example.com", "by hand")]
    assert store.emails.suppression(SHOP, "ann@example.com") is not None
    page = client.get("/admin/emails", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert 'aria-label="Remove ann@example.com"' in page
    removed = client.delete("/admin/api/emails/suppressions/ann@example.com", headers=bearer())
    assert removed.status_code == 200 and removed.json["suppressions"] == []
    assert client.delete("/admin/api/emails/suppressions/ann@example.com", headers=bearer()).status_code == 404
    bad = client.post("/admin/api/emails/suppressions", headers=bearer(), json={"email": "<b>not one</b>"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"email"}
    assert client.get("/admin/api/emails/suppressions", headers=bearer()).json["suppressions"] == []


def test_dkim_status_reads_the_published_record_through_the_lookup(client, store, monkeypatch):
    pair = dkim_keys.generate()
    store.emails.save_dkim_key(SHOP, domain=DOMAIN, selector="sl", private_pem=pair.private_pem.decode(),
                               public_b64=pair.public_b64, now=now_ms())
    name, value = dkim_keys.txt_record("sl", DOMAIN, pair.public_b64)
    published: dict[str, list[str]] = {}

    def lookup(asked):
        if asked not in published:
            raise dns.resolver.NXDOMAIN()
        return published[asked]

    monkeypatch.setattr(dkim_keys, "resolve_txt", lookup)
    missing = client.get("/admin/api/emails/dkim", headers=bearer()).json
    assert missing["dns"] == "missing" and missing["key"]["record_name"] == name
    assert missing["key"]["record_value"] == value and missing["key"]["signs_sender"] is False
    published[name] = [f'"{value}"']
    assert client.get("/admin/api/emails/dkim", headers=bearer()).json["dns"] == "found"
    page = client.get("/admin/emails", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert name in page and pair.public_b64 in page
    assert "PRIVATE KEY" not in page + client.get("/admin/api/emails/dkim", headers=bearer()).get_data(as_text=True)


def test_without_a_key_the_dkim_status_says_so_and_asks_no_dns(client):
    assert client.get("/admin/api/emails/dkim", headers=bearer()).json == {"key": None, "dns": None}


def test_the_report_counts_each_flow_by_outcome_and_skips_by_reason(client, store):
    now = now_ms()
    with store.database.write():
        ids = [store.emails.plan(SHOP, flow="checkout", step=step, trigger_key="c1", trigger_at=now, person_id=None,
                                 email="ann@example.com", due_at=now, now=now) for step in (1, 2, 3)]
    store.emails.begin_sending(SHOP, ids[0], now, message_id="m1@x", code=None)
    store.emails.sent(SHOP, ids[0], now)
    store.emails.skip(SHOP, ids[1], "ordered since", now)
    store.emails.skip(SHOP, ids[2], "budget: <emailed> in the last 16 h", now)
    store.emails.click(SHOP, ids[0], 1, "p1", now)
    for order_id, at in (("within", now + 4 * DAY_MS), ("later", now + 6 * DAY_MS), ("before", now - 1)):
        store.commerce.upsert_order(SHOP, Order(order_id=order_id, source_updated_at=1, email="Ann@Example.com",
                                                created_at=at))
    report = flow_report(store.emails.counts(SHOP), store.emails.clicks(SHOP),
                         store.emails.attributed(SHOP, ATTRIBUTION_DAYS * DAY_MS))
    [checkout] = [row for row in report if row["flow"] == "checkout"]
    assert (checkout["planned"], checkout["sent"], checkout["skipped"], checkout["failed"]) == (0, 1, 2, 0)
    assert (checkout["clicked"], checkout["attributed"]) == (1, 1)  # only the order within 5 days of the click
    assert checkout["reasons"] == [("budget: <emailed> in the last 16 h", 1), ("ordered since", 1)]
    page = client.get("/admin/emails", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert "budget: &lt;emailed&gt; in the last 16 h" in page


@pytest.mark.parametrize("minutes,text", [(0, "at once"), (45, "45 min"), (60, "1 h"), (90, "1 h 30 min"),
                                          (1440, "1 day"), (2880, "2 days"), (1501, "1 day 1 h 1 min")])
def test_delays_read_as_days_hours_and_minutes(minutes, text):
    assert readable_minutes(minutes) == text
