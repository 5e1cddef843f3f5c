"""Identity stitching: visitor ids, typed emails, logged-in customers and cart tokens become one person."""

from __future__ import annotations

from plugin.people import identity
from plugin.store import Event
from plugin.store.commerce import Checkout, Customer

SHOP = "stitch.myshopify.com"
PHONE, LAPTOP, LIBRARY = "v-phone-0001", "v-laptop-0002", "v-library-0003"
T = 1_760_000_000_000


def visit(store, visitor, n, **signals):
    person = identity.observe(store, SHOP, visitor, T + n, **signals)
    with store.database.write():
        store.events.add(SHOP, visitor, "s-" + visitor, [Event("page_view", T + n, f"/page/{n}", {})], T + n)
    return person


def people(store):
    return store.database.query("SELECT person_id, email, customer_id FROM people WHERE shop = :shop ORDER BY email",
                                {"shop": SHOP})


def test_two_devices_that_type_the_same_email_share_one_history(store):
    visit(store, PHONE, 1)
    visit(store, PHONE, 2)
    visit(store, LAPTOP, 3)
    assert len(people(store)) == 2
    visit(store, PHONE, 4, email="ann@example.com")
    person = visit(store, LAPTOP, 5, email="ann@example.com")
    assert [p["email"] for p in people(store)] == ["ann@example.com"]
    assert set(store.identities.visitor_ids(SHOP, person["person_id"])) == {PHONE, LAPTOP}
    assert [e["path"] for e in identity.history(store, SHOP, LAPTOP)] == [f"/page/{n}" for n in range(1, 6)]


def test_the_logged_in_customer_joins_the_email_the_platform_knows_for_them(store):
    store.commerce.upsert_customer(SHOP, Customer(customer_id="501", source_updated_at=T, email="Bo@Example.com"))
    visit(store, PHONE, 1, email="bo@example.com")
    person = visit(store, LAPTOP, 2, customer_id="501")
    assert (person["email"], person["customer_id"]) == ("bo@example.com", "501")
    assert len(people(store)) == 1


def test_a_cart_token_joins_the_email_of_the_checkout_made_from_it(store):
    visit(store, PHONE, 1, cart_token="cart-abc")
    store.commerce.upsert_checkout(SHOP, Checkout(checkout_token="ck1", source_updated_at=T, cart_token="cart-abc",
                                                  email="Cy@Example.com", customer_id="777"))
    person = visit(store, PHONE, 2, cart_token="cart-abc")
    assert (person["email"], person["customer_id"]) == ("cy@example.com", "777")


def test_someone_else_typing_their_email_on_a_shared_computer_moves_only_that_visitor(store):
    visit(store, LIBRARY, 1, email="dee@example.com")
    visit(store, PHONE, 2, email="eve@example.com")
    person = visit(store, LIBRARY, 3, email="eve@example.com")
    # Dee keeps her identity (and her row); the library computer now belongs to Eve.
    assert [p["email"] for p in people(store)] == ["dee@example.com", "eve@example.com"]
    assert set(store.identities.visitor_ids(SHOP, person["person_id"])) == {PHONE, LIBRARY}


def test_a_new_email_on_a_known_device_is_a_new_person_not_an_overwrite(store):
    visit(store, LIBRARY, 1, email="dee@example.com")
    person = visit(store, LIBRARY, 2, email="fay@example.com")
    assert person["email"] == "fay@example.com"
    assert [p["email"] for p in people(store)] == ["dee@example.com", "fay@example.com"]


def test_people_are_per_shop(store):
    visit(store, PHONE, 1, email="ann@example.com")
    identity.observe(store, "other.myshopify.com", PHONE, T, email="zed@example.com")
    assert store.identities.visitor(SHOP, PHONE)["email"] == "ann@example.com"
    assert store.identities.visitor("other.myshopify.com", PHONE)["email"] == "zed@example.com"


def test_erasing_a_customer_removes_their_people_visitors_and_events(store):
    visit(store, PHONE, 1, email="gus@example.com", cart_token="cart-gus")
    visit(store, LAPTOP, 2, email="gus@example.com")
    visit(store, LIBRARY, 3)
    store.privacy.erase_customer(SHOP, customer_id=None, email="GUS@example.com", requested_at=T)
    assert people(store) == [{"person_id": people(store)[0]["person_id"], "email": None, "customer_id": None}]
    assert store.identities.visitor(SHOP, PHONE) is None and store.identities.visitor(SHOP, LAPTOP) is None
    assert [e["path"] for e in identity.history(store, SHOP, LIBRARY)] == ["/page/3"]
    assert store.database.query("SELECT * FROM visitor_carts") == []
