"""The embedded admin inside devstore's admin frame, in chromium, now and after the page has aged.

The merchant opens Storelift from the store admin (``/admin/apps/<handle>``), clicks every
tab, link, download and Save in the frame, then leaves the page open while both clocks
(devstore's, which signs session tokens, and Storelift's, which checks them) move far past
the token's one-minute lifetime, and clicks everything again. Every click must get a fresh
token from the store admin's App Bridge shim: nothing is refused, every tab renders its
heading and every download its content, and the browser's console stays empty.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
import requests

from plugin.experiments.settings import EXPERIMENTS
from plugin.capture.signup import subscribe
from plugin.admin.capture import CSV_COLUMNS

from tests.support.storefront import API_KEY, SHOP

pytest.importorskip("playwright")
from playwright.sync_api import expect  # noqa: E402

# (menu label, the page's heading), in an order where every click changes page.
TABS = [("Email capture", "Email capture"), ("Emails", "Emails"), ("Segments", "Segments"),
        ("Recommendations", "Recommendations"), ("What Storelift earned", "What Storelift earned"),
        ("Status", "Storelift")]
SUBSCRIBER = "ann.admin@example.com"
# Fifty session-token lifetimes; short of the hour after which devstore's offline access token
# expires, which Storelift (whose refresh reads real time) would not yet expect.
AGE_S = 3000


@pytest.fixture(scope="module")
def data_request(shop):
    """A customer data request made in the store admin's way, answered by Storelift with an export."""
    subscribe(shop.store, SHOP, email=SUBSCRIBER, visitor_id=None, page="/")
    customer = shop.graphql("{ customers(first: 1) { nodes { id email } } }")["customers"]["nodes"][0]
    shop.control(f"customers/{customer['id'].rsplit('/', 1)[1]}/data-request")
    deadline = time.monotonic() + 30
    while not any(r["has_export"] for r in shop.store.privacy.list_requests(SHOP)):
        assert time.monotonic() < deadline, "Storelift never answered the data request"
        time.sleep(0.1)
    return customer


def click_everything(page, frame):
    """Every tab, the report's period links, the privacy export, the subscriber CSV and three settings
    forms' Save, in the frame."""
    for label, heading in TABS:
        frame.locator(".admin-nav").get_by_role("link", name=label, exact=True).click()
        expect(frame.locator(".admin-nav a[aria-current=page]")).to_have_text(label)
        expect(frame.locator("h1")).to_have_text(heading)
    downloads = {"export": _download(page, frame.get_by_role("link", name="Download JSON").first)}
    frame.locator(".admin-nav").get_by_role("link", name="Email capture").click()
    expect(frame.locator("h1")).to_have_text("Email capture")
    downloads["csv"] = _download(page, frame.get_by_role("link", name="Download all as CSV"))
    frame.get_by_role("button", name="Save").click()  # a write: the fresh token goes in the header
    expect(frame.locator("#status")).to_contain_text("Saved (version")
    frame.locator(".admin-nav").get_by_role("link", name="Recommendations").click()
    expect(frame.locator("h1")).to_have_text("Recommendations")
    frame.get_by_role("button", name="Save").click()
    expect(frame.locator("#status")).to_contain_text("Saved (version")
    for days in ("7", "90", "30"):
        frame.get_by_role("link", name=f"{days} days").click()
        expect(frame.locator("a.period[aria-current=true]")).to_have_text(f"{days} days")
        expect(frame.locator("h1")).to_have_text("Recommendations")
    frame.locator(".admin-nav").get_by_role("link", name="What Storelift earned").click()
    frame.get_by_label("What a recommendation block's holdout sees").select_option("empty")
    frame.get_by_role("button", name="Save").click()
    expect(frame.locator("#status")).to_contain_text("Saved (version")
    return downloads


def _download(page, link) -> tuple[str, str]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_text(encoding="utf-8")


def check_downloads(downloads, customer):
    name, text = downloads["export"]
    export = json.loads(text)
    assert name.startswith("data-request-") and name.endswith(".json")
    assert export["shop"] == SHOP and export["customer"]["email"] == customer["email"]
    name, text = downloads["csv"]
    rows = list(csv.reader(io.StringIO(text)))
    assert name == f"subscribers-{SHOP.split('.')[0]}.csv"
    assert rows[0] == list(CSV_COLUMNS) and SUBSCRIBER in [row[0] for row in rows[1:]]


def test_every_tab_link_and_download_works_in_the_frame_also_after_an_hour(browser, shop, data_request):
    services = shop.app.extensions["storelift"]
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    refused, console = [], []
    page.on("response", lambda r: r.url.startswith(shop.app_url) and r.status >= 400
            and refused.append((r.status, r.url.split("?")[0])))
    page.on("console", lambda m: m.type in ("error", "warning") and console.append(m.text))
    try:
        page.goto(f"{shop.store_url}/admin/apps/{API_KEY}")
        frame = page.frame_locator("#app-frame")
        expect(frame.locator("h1")).to_have_text("What Storelift earned")  # the admin's landing page
        check_downloads(click_everything(page, frame), data_request)
        assert refused == []
        assert EXPERIMENTS.read(services.store, SHOP)[0]["block_control"] == "empty"

        page_token = frame.locator("script[data-token]").get_attribute("data-token")
        shop.control("clock", {"advance": AGE_S})
        services.clock = lambda: time.time() + AGE_S
        aged = requests.get(f"{shop.app_url}/admin/api/segments", headers={"Authorization": f"Bearer {page_token}"},
                            timeout=10)
        assert aged.status_code == 401 and aged.json()["reason"] == "expired"  # what the page itself holds is dead

        check_downloads(click_everything(page, frame), data_request)
        assert refused == []
        assert console == []  # a token request posted to an origin that is not the parent's logs a warning
    finally:
        services.clock = time.time
        context.close()
