"""The unit tests' app: its keys, its shop, and the config overrides a fresh app is built with."""

from __future__ import annotations

from .database import database_url

API_KEY = "test-api-key"
SECRET = "test-secret-0123456789abcdef0123456789"
OLD_SECRET = "old-test-secret-0123456789abcdef01234567"
SHOP = "test-shop.myshopify.com"


def base_overrides(tmp_path, **extra) -> dict:
    return {
        "mode": "test",
        "api_key": API_KEY,
        "api_secrets": (SECRET, OLD_SECRET),
        "app_url": "https://storelift.test",
        "database_url": database_url(tmp_path),
        "sync_on_install": False,
        **extra,
    }
