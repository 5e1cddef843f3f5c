"""Shared fixtures: a fresh app and database per test, signing helpers, real servers.

Signing helpers here are written independently of ``plugin.auth`` and
``webhooks.verify`` so that tests check the code against the protocol, not
against itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from urllib.parse import quote

import pytest

from plugin.app import create_app

API_KEY = "test-api-key"
SECRET = "test-secret-0123456789abcdef0123456789"
OLD_SECRET = "old-test-secret-0123456789abcdef01234567"
SHOP = "test-shop.myshopify.com"


def hex_hmac(message: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed_query(params: dict, secret: str = SECRET) -> dict:
    """Query parameters plus ``hmac`` as the platform signs OAuth requests (platform.md §1.4)."""
    message = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in sorted(params.items()))
    return {**params, "hmac": hex_hmac(message, secret)}


def webhook_signature(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def base_overrides(tmp_path, **extra) -> dict:
    return {
        "mode": "test",
        "api_key": API_KEY,
        "api_secrets": (SECRET, OLD_SECRET),
        "app_url": "https://storelift.test",
        "db_path": str(tmp_path / "storelift.db"),
        "sync_on_install": False,
        **extra,
    }


@pytest.fixture
def app(tmp_path):
    application = create_app(base_overrides(tmp_path))
    yield application
    application.extensions["storelift"].store.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["storelift"].store


@pytest.fixture
def installed_shop(store):
    """A shop with a live token, as after a successful install."""

    def make(shop: str = SHOP, token: str = "shpat_test", expires_in_ms: int = 3_600_000):
        return store.shops.save_install(
            shop,
            access_token=token,
            scopes=("read_products", "read_orders"),
            api_version="2026-10",
            token_expires_at=int(time.time() * 1000) + expires_in_ms,
            refresh_token="shprt_test",
            refresh_expires_at=int(time.time() * 1000) + 90 * 86_400_000,
        )

    return make


class ServerThread:
    """A real HTTP server (waitress, the production server) on a loopback port."""

    def __init__(self, app, port: int = 0, threads: int = 8):
        import waitress.server

        self.server = waitress.server.create_server(app, host="127.0.0.1", port=port, threads=threads)
        self.port = self.server.effective_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self):
        self.server.close()


def session_token(shop: str = SHOP, **claims) -> str:
    """A session token as the platform's admin issues it to the embedded app (HS256, our API key)."""
    import jwt

    now = int(time.time())
    payload = {"iss": f"https://{shop}/admin", "dest": f"https://{shop}", "aud": API_KEY, "sub": "42",
               "exp": now + 60, "nbf": now - 5, "iat": now - 5, "jti": "j", "sid": "s", **claims}
    return jwt.encode(payload, SECRET, algorithm="HS256")
