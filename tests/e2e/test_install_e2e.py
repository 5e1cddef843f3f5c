"""The whole install over real HTTP: devstore admin → /install → approve → callback → admin.

Nothing is mocked: devstore is the platform, Storelift runs under its
production server, and a ``requests.Session`` plays the owner's browser.
"""

from __future__ import annotations

import html
import re
import time
from urllib.parse import urljoin, urlparse

import jwt
import requests

from plugin.config import WEBHOOK_TOPICS
from plugin.demo import _approve, install_through_oauth

from tests.support.e2e import API_KEY, SECRET, SHOP


def follow_to_our_install(stack, browser) -> str:
    """From the store admin's Install button to the signed link into our /install."""
    page = browser.get(f"{stack.store_url}/admin", timeout=10)
    buttons = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page.text) if "install" in h]
    url = urljoin(f"{stack.store_url}/", buttons[0])
    while not url.startswith(f"{stack.app_url}/install?"):
        response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (301, 302, 303), (url, response.status_code)
        url = urljoin(url, response.headers["Location"])
    return url


def our_subscriptions(stack) -> list[dict]:
    state = requests.get(f"{stack.store_url}/_devstore/state", timeout=10).json()
    return [s for s in state["subscriptions"] if s["callback_url"] == f"{stack.app_url}/webhooks"]


def session_token(now=None):
    now = int(now or time.time())
    return jwt.encode(
        {"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": API_KEY, "sub": "1",
         "exp": now + 60, "nbf": now, "iat": now, "jti": "j", "sid": "s"},
        SECRET, algorithm="HS256",
    )


def test_install_end_to_end(stack):
    browser = requests.Session()
    # 1. the owner clicks "Install" in the store admin: a signed link to our /install
    response = browser.get(follow_to_our_install(stack, browser), allow_redirects=False, timeout=10)
    assert response.status_code == 302
    authorize = response.headers["Location"]
    assert authorize.startswith(f"{stack.store_url}/admin/oauth/authorize?")
    # 2. the platform shows the approval page; the owner approves
    page = browser.get(authorize, timeout=10)
    assert page.status_code == 200 and "Storelift" in page.text
    approved = _approve(browser, page)
    assert approved.status_code in (302, 303)
    callback = urljoin(page.url, approved.headers["Location"])
    assert callback.startswith(f"{stack.app_url}/auth/callback?")
    # 3. our callback exchanges the code, subscribes, and sends the owner into the admin
    landed = browser.get(callback, allow_redirects=False, timeout=30)
    assert landed.status_code == 302, landed.text
    assert urlparse(landed.headers["Location"]).path.startswith("/admin/apps/")
    shop = stack.store.shops.get(SHOP)
    assert shop.installed and shop.refresh_token and shop.token_expires_at > time.time() * 1000
    assert {s["topic"] for s in our_subscriptions(stack)} == set(WEBHOOK_TOPICS)
    # 4. the embedded admin loads inside devstore's admin
    embedded = browser.get(urljoin(stack.store_url, landed.headers["Location"]), timeout=10)
    assert embedded.status_code == 200
    frame = html.unescape(re.search(r'<iframe[^>]+src="([^"]+)"', embedded.text).group(1))
    admin = browser.get(frame, timeout=30)
    assert admin.status_code == 200 and "<h1>What Storelift earned</h1>" in admin.text  # the landing page
    status = browser.get(admin.url.replace("/admin?", "/admin/status?", 1), timeout=30)
    assert status.status_code == 200 and SHOP in status.text and "subscribed" in status.text

    # a second install creates no duplicate subscriptions
    count = len(our_subscriptions(stack))
    install_through_oauth(stack.store_url, stack.app_url)
    assert len(our_subscriptions(stack)) == count == len(WEBHOOK_TOPICS)


def test_an_expired_token_is_refreshed_before_the_next_api_call(stack):
    install_through_oauth(stack.store_url, stack.app_url)
    before = stack.store.shops.get(SHOP)
    # an hour and more passes on the platform: the old access token is dead there …
    requests.post(f"{stack.store_url}/_devstore/clock", json={"advance": 3700}, timeout=10).raise_for_status()
    # … and for Storelift too
    stack.store.database.execute("UPDATE shops SET token_expires_at = :expires_at WHERE shop = :shop",
                                 {"expires_at": int(time.time() * 1000) - 1000, "shop": SHOP})
    status = requests.get(f"{stack.app_url}/admin/api/status",
                          headers={"Authorization": f"Bearer {session_token()}"}, timeout=30)
    assert status.status_code == 200
    assert status.json()["webhooks"]["reachable"] is True
    after = stack.store.shops.get(SHOP)
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert after.token_expires_at > time.time() * 1000
