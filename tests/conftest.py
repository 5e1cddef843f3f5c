"""Shared fixtures: a fresh app and database per test, an installed shop, the shared data.

Helpers that are not fixtures live in ``tests/support/``.
"""

from __future__ import annotations

import pytest

from plugin.app import create_app

from .support.app import SHOP, base_overrides
from .support.paths import SHARED
from .support.shops import install


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
        return install(store, shop, token=token, scopes=("read_products", "read_orders"), expires_in_ms=expires_in_ms)

    return make


@pytest.fixture(scope="session")
def shared():
    """``shared/`` beside the checkout: real platform payloads and retail datasets."""
    return SHARED
