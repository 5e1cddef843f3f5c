"""customers/* handlers on the real REST customer sample: consent, location, newest state wins."""

from __future__ import annotations

import pytest

from tests.support import reads
from tests.support.handlers import BIG, fixture, iso, new_store, run, SHOP, snapshot

T0 = 1_760_000_000_000
CUSTOMER_ID = str(BIG)


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


def customer(updated_at: int = T0, **changes) -> dict:
    payload = fixture("customer.json")
    payload.update(id=BIG, updated_at=iso(updated_at))
    payload.update(changes)
    return payload


def test_customer_fixture_is_stored_with_the_older_consent_flag(store):
    run(store, "customers/create", customer(email=" Bob.Norman@HostMail.com", tags="vip, newsletter"))
    stored = reads.customer(store, SHOP, CUSTOMER_ID)
    assert stored["customer_id"] == "9007199254740993"
    assert stored["email"] == "bob.norman@hostmail.com"
    assert (stored["first_name"], stored["last_name"]) == ("Bob", "Norman")
    assert (stored["marketing_state"], stored["marketing_opt_in_level"], stored["marketing_consent_at"]) == (
        "not_subscribed", None, None
    )
    assert (stored["orders_count"], stored["total_spent"]) == (1, "41.94")
    assert stored["tags"] == ["vip", "newsletter"]
    assert (stored["city"], stored["country"], stored["country_code"]) == ("Louisville", "United States", "US")
    assert stored["created_at"] == 1_432_764_684_000  # 2015-05-27T18:11:24-04:00
    assert stored["updated_at"] == T0


def test_email_marketing_consent_wins_over_the_older_flag(store):
    consent = {"state": "subscribed", "opt_in_level": "confirmed_opt_in", "consent_updated_at": iso(T0 - 5000)}
    run(store, "customers/update", customer(email_marketing_consent=consent, accepts_marketing=False))
    stored = reads.customer(store, SHOP, CUSTOMER_ID)
    assert (stored["marketing_state"], stored["marketing_opt_in_level"], stored["marketing_consent_at"]) == (
        "subscribed", "confirmed_opt_in", T0 - 5000
    )


def test_customers_are_idempotent_and_ignore_stale_updates(store):
    run(store, "customers/update", customer(T0 + 1000, email="new@example.com", total_spent="99.95"))
    state = snapshot(store)
    run(store, "customers/update", customer(T0 + 1000, email="new@example.com", total_spent="99.95"))
    run(store, "customers/create", customer(T0))
    assert snapshot(store) == state
    assert reads.customer(store, SHOP, CUSTOMER_ID)["email"] == "new@example.com"
