"""The handler registry and app/uninstalled."""

from __future__ import annotations

import pytest

from plugin.clock import now_ms
from plugin.config import COMPLIANCE_TOPICS, WEBHOOK_TOPICS
from webhooks.handlers import HANDLERS

from tests.support import reads
from tests.support.handlers import fixture, new_store, run, SHOP
from tests.support.shops import install


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


def test_every_subscribed_and_compliance_topic_has_a_handler():
    assert set(HANDLERS) == set(WEBHOOK_TOPICS) | set(COMPLIANCE_TOPICS)


def test_uninstall_discards_the_token_and_keeps_the_data(store):
    install(store, SHOP, token="shpat_live", expires_in_ms=3_600_000)
    run(store, "customers/create", fixture("customer.json"))
    run(store, "app/uninstalled", fixture("shop.json"), triggered_at=now_ms() + 1000)
    shop = store.shops.get(SHOP)
    assert shop.access_token is None and shop.refresh_token is None and shop.uninstalled_at is not None
    assert not shop.installed
    assert reads.customer(store, SHOP, "207119551") is not None


def test_a_late_uninstall_that_fired_before_a_reinstall_keeps_the_new_install(store):
    fired = now_ms() - 60_000
    install(store, SHOP, token="shpat_live", expires_in_ms=3_600_000)  # the merchant came back after the uninstall fired
    run(store, "app/uninstalled", fixture("shop.json"), triggered_at=fired)
    shop = store.shops.get(SHOP)
    assert shop.installed and shop.access_token == "shpat_live"
