"""Shared helpers for the devstore tests: a running shop, an OAuth client, a webhook receiver.

Everything talks real HTTP on 127.0.0.1. The signature checks here are
written independently of devstore's own code (that is the point of them).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from devstore import AppRegistration, Settings, serve_in_thread

from .signing import proxy_signature, webhook_signature

API_KEY = "test-key"
API_SECRET = "test-secret-0123456789abcdef-0123456789"
SCOPES = "read_products,read_orders,read_customers,write_customers,write_discounts"
VERSION = "2026-07"


def http() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


@dataclass
class Shop:
    url: str
    settings: Settings
    app: AppRegistration
    shutdown: object

    def control(self, path: str, body: dict | None = None, method: str = "POST") -> dict:
        response = http().request(method, f"{self.url}/_devstore/{path}", json=body or {}, timeout=10)
        assert response.status_code < 400, response.text
        return response.json()

    def state(self) -> dict:
        return http().get(f"{self.url}/_devstore/state", timeout=10).json()

    def graphql(self, token: str, query: str, variables: dict | None = None, version: str = VERSION):
        return http().post(f"{self.url}/admin/api/{version}/graphql.json", json={"query": query,
                           "variables": variables or {}}, headers={"X-Shopify-Access-Token": token}, timeout=10)

    def gql(self, token: str, query: str, variables: dict | None = None, version: str = VERSION) -> dict:
        response = self.graphql(token, query, variables, version)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def drain(self) -> None:
        assert self.control("webhooks/drain", {"timeout": 10})["drained"]


def start_shop(**overrides) -> Shop:
    app_overrides = overrides.pop("app", {})
    app = AppRegistration(api_key=API_KEY, api_secret=API_SECRET, app_url=app_overrides.pop("app_url",
                          "http://127.0.0.1:9"), **app_overrides)
    settings = Settings(apps=[app], order_history=overrides.pop("order_history", 300),
                        webhook_retry_delays=overrides.pop("webhook_retry_delays", (0.05, 0.05)),
                        webhook_timeout=overrides.pop("webhook_timeout", 2.0), **overrides)
    url, shutdown = serve_in_thread(settings)
    return Shop(url=url, settings=settings, app=app, shutdown=shutdown)


@pytest.fixture(scope="module")
def shop():
    running = start_shop()
    yield running
    running.shutdown()


# --- independent signature checks -------------------------------------------------------------------
def js_encode(text: str) -> str:
    """URLSearchParams encoding with %20 for spaces (the JS library's reading of the platform)."""
    return quote(text, safe="*-._").replace("~", "%7E")


def expected_query_hmac(params: dict, secret: str = API_SECRET) -> str:
    message = "&".join(f"{js_encode(k)}={js_encode(v)}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def expected_webhook_hmac(body: bytes, secret: str = API_SECRET) -> str:
    return webhook_signature(body, secret)


def expected_proxy_signature(pairs: list[tuple[str, str]], secret: str = API_SECRET) -> str:
    return proxy_signature(pairs, secret)


# --- OAuth -----------------------------------------------------------------------------------------------
def authorize(shop: Shop, browser: requests.Session | None = None, scope: str = SCOPES, state: str = "nonce-1",
              redirect_uri: str | None = None, extra: dict | None = None) -> dict:
    """Run the authorize → approve steps like a browser; returns the callback query."""
    browser = browser or http()
    query = {"client_id": API_KEY, "scope": scope, "redirect_uri": redirect_uri or shop.app.redirect_urls[0],
             "state": state, "grant_options[]": "", **(extra or {})}
    page = browser.get(f"{shop.url}/admin/oauth/authorize", params=query, allow_redirects=False, timeout=10)
    if page.status_code == 200:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        page = browser.post(f"{shop.url}/admin/oauth/authorize", data={**query, "csrf_token": token},
                            allow_redirects=False, timeout=10)
    assert page.status_code == 302, page.text
    location = page.headers["Location"]
    assert location.startswith(query["redirect_uri"] + "?")
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))


def exchange(shop: Shop, code: str, expiring: bool = True, **extra) -> requests.Response:
    return http().post(f"{shop.url}/admin/oauth/access_token", json={
        "client_id": API_KEY, "client_secret": API_SECRET, "code": code, "expiring": "1" if expiring else "0",
        **extra}, timeout=10)


def install(shop: Shop, scope: str = SCOPES, expiring: bool = True) -> dict:
    callback = authorize(shop, scope=scope)
    response = exchange(shop, callback["code"], expiring)
    assert response.status_code == 200, response.text
    return response.json()


# --- webhook receiver ----------------------------------------------------------------------------------
@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    query: dict

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def topic(self) -> str:
        return self.headers["X-Shopify-Topic"]


@dataclass
class Receiver:
    """A tiny HTTP server that records requests and answers with scripted status codes."""

    statuses: list[int] = field(default_factory=list)
    default_status: int = 200
    reply: bytes = b"ok"
    reply_headers: dict = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.received.append(Received(path=request.path, headers=dict(request.headers),
                                          body=request.get_data(), query=dict(request.args.lists())))
            status = self.statuses.pop(0) if self.statuses else self.default_status
        return Response(self.reply, status=status, headers=self.reply_headers)(environ, start_response)

    def topics(self) -> list[str]:
        with self._lock:
            return [r.topic for r in self.received]

    def of(self, topic: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.topic == topic]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def wait_until(predicate, timeout: float = 10.0) -> None:
    """For state another thread produces: polls, never asserts on how long it took."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.01)


def subscribe(shop: Shop, token: str, topic: str, url: str, **extra) -> dict:
    data = shop.gql(token, """
      mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
        webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
          webhookSubscription { id topic } userErrors { field message } } }""",
                    {"topic": topic, "sub": {"callbackUrl": url, "format": "JSON", **extra}})
    payload = data["webhookSubscriptionCreate"]
    assert payload["userErrors"] == [], payload
    return payload["webhookSubscription"]


def query_string(params: dict) -> str:
    return urlencode(params)
