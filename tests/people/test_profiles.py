"""Profiles: one per person per shop, whatever joined them (devices, emails, customer ids, cart tokens),
built from every channel's orders and the storefront's events."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from plugin.imports.orders import import_orders
from plugin.people import refresh
from plugin.people import profiles as pure
from plugin.store.profiles import PROFILE_COLUMNS

from tests.support import reads
from tests.support.people import (SHOP, OTHER_SHOP, T0, DAY, HOUR, new_store, product, customer, browse, order, person_count, profile_count, profile_of)


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


# ------------------------------------------------------------------ identity merges


def test_two_devices_then_an_email_then_an_order_make_one_profile_with_all_history(store):
    product(store, "shoe", category="Shoes", vendor="Acme", tags=("red",))
    product(store, "hat", category="Hats", vendor="Brim")
    browse(store, "phone-0001", T0, ("page_view", {"d": "m"}), ("product_view", {"i": "shoe"}))
    refresh.on_events(store, SHOP, "phone-0001", T0)
    browse(store, "laptop-0001", T0 + HOUR, ("page_view", {"d": "d"}), ("product_view", {"i": "hat"}),
           ("add_to_cart", {"i": "hat"}))
    refresh.on_events(store, SHOP, "laptop-0001", T0 + HOUR)
    assert profile_count(store) == 2  # two browsers, nobody knows yet they are one shopper

    browse(store, "laptop-0001", T0 + 2 * HOUR, ("page_view", {"d": "d"}), email="ann@example.com")
    refresh.on_events(store, SHOP, "laptop-0001", T0 + 2 * HOUR)
    browse(store, "phone-0001", T0 + 3 * HOUR, ("page_view", {"d": "m"}), email="ann@example.com")
    refresh.on_events(store, SHOP, "phone-0001", T0 + 3 * HOUR)
    assert profile_count(store) == 1  # the merged-away person's profile went with it

    order(store, "1001", T0 + 4 * HOUR, total="80.00", customer_id="77", email="Ann@Example.com",
          products=("shoe",))
    person_id = refresh.on_order(store, SHOP, "1001", T0 + 4 * HOUR)

    assert person_count(store) == profile_count(store) == 1
    profile = store.profiles.get(SHOP, person_id)
    assert (profile["email"], profile["customer_id"]) == ("ann@example.com", "77")
    assert profile["visits"] == 2 and profile["page_views"] == 4 and profile["product_views"] == 2
    assert profile["add_to_carts"] == 1
    assert profile["orders"] == 1 and profile["revenue"] == {"EUR": "80.00"} and profile["aov"] == "80.00"
    assert (profile["first_seen"], profile["last_seen"]) == (T0, T0 + 4 * HOUR)
    assert profile["last_order_at"] == profile["first_order_at"] == T0 + 4 * HOUR
    assert profile["devices"] == ["desktop", "mobile"]
    assert set(profile["affinities"]["category"]) == {"Shoes", "Hats"}
    assert profile["lifecycle"] == "first_time_buyer"
    assert reads.segments_of_visitor(store, SHOP, "phone-0001") == reads.segments_of(store, SHOP, person_id)


def test_an_order_before_any_browsing_still_ends_on_one_person(store):
    order(store, "2001", T0, customer_id="88", email="bo@example.com", total="30.00")
    person_id = refresh.on_order(store, SHOP, "2001", T0)
    assert store.identities.person(SHOP, person_id)["email"] == "bo@example.com"
    browse(store, "tablet-0001", T0 + DAY, ("page_view", {"d": "t"}))
    refresh.on_events(store, SHOP, "tablet-0001", T0 + DAY)
    browse(store, "tablet-0001", T0 + DAY + 1, ("page_view",), email="bo@example.com")
    assert refresh.on_events(store, SHOP, "tablet-0001", T0 + DAY + 1) == person_id
    assert person_count(store) == profile_count(store) == 1
    profile = store.profiles.get(SHOP, person_id)
    assert profile["orders"] == 1 and profile["page_views"] == 2 and profile["devices"] == ["tablet"]


def test_an_order_joins_the_anonymous_visitor_whose_cart_it_came_from(store):
    browse(store, "guest-0001", T0, ("page_view",), ("add_to_cart",), cart_token="cart-abc")
    refresh.on_events(store, SHOP, "guest-0001", T0)
    order(store, "3001", T0 + HOUR, email="cy@example.com", cart_token="cart-abc", total="12.50")
    person_id = refresh.on_order(store, SHOP, "3001", T0 + HOUR)
    assert store.identities.visitor(SHOP, "guest-0001")["person_id"] == person_id
    profile = store.profiles.get(SHOP, person_id)
    assert profile["email"] == "cy@example.com" and profile["orders"] == 1 and profile["add_to_carts"] == 1
    assert person_count(store) == profile_count(store) == 1


def test_an_order_naming_nobody_counts_for_whoever_used_its_cart(store):
    browse(store, "guest-0002", T0, ("page_view",), cart_token="cart-xyz")
    order(store, "3101", T0 + HOUR, cart_token="cart-xyz", total="5.00")
    person_id = refresh.on_order(store, SHOP, "3101", T0 + HOUR)
    assert person_id == store.identities.visitor(SHOP, "guest-0002")["person_id"]
    assert store.profiles.get(SHOP, person_id)["orders"] == 1
    order(store, "3102", T0 + HOUR, total="5.00")  # point of sale, no customer, no cart: nobody
    assert refresh.on_order(store, SHOP, "3102", T0 + HOUR) is None
    assert person_count(store) == 1


def test_a_point_of_sale_order_by_customer_id_finds_the_email_in_the_customer_record(store):
    customer(store, "99", email="Di@Example.com", country_code="fr", city="Lyon")
    order(store, "4001", T0, customer_id="99", total="20.00", source_name="pos", currency=None)
    person_id = refresh.on_order(store, SHOP, "4001", T0)
    assert store.identities.person(SHOP, person_id)["email"] == "di@example.com"
    browse(store, "phone-0099", T0 + DAY, ("page_view", {"d": "m"}), email="di@example.com")
    refresh.on_events(store, SHOP, "phone-0099", T0 + DAY)
    profile = profile_of(store, visitor_id="phone-0099")
    assert profile["person_id"] == person_id and profile["orders"] == 1
    assert (profile["country"], profile["city"]) == ("FR", "Lyon")
    assert profile["revenue"] == {"XXX": "20.00"}  # no currency anywhere: ISO 4217's "no currency"


def test_two_customer_ids_are_never_merged_and_each_keeps_its_orders(store):
    order(store, "5001", T0, customer_id="1", email="shared@example.com", total="10.00")
    first = refresh.on_order(store, SHOP, "5001", T0)
    order(store, "5002", T0 + 1, customer_id="2", email="shared@example.com", total="30.00")
    second = refresh.on_order(store, SHOP, "5002", T0 + 1)
    assert first != second and person_count(store) == 2
    assert store.profiles.get(SHOP, first)["revenue"] == {"EUR": "10.00"}
    assert store.profiles.get(SHOP, second)["revenue"] == {"EUR": "30.00"}
    assert store.identities.person(SHOP, second)["email"] is None  # the email stays with its first owner


# ------------------------------------------------------------------ orders


def test_cancelled_orders_are_excluded_even_when_the_cancellation_comes_later(store):
    order(store, "6001", T0, customer_id="5", total="40.00")
    order(store, "6002", T0 + DAY, customer_id="5", total="60.00")
    refresh.on_order(store, SHOP, "6001", T0)
    person_id = refresh.on_order(store, SHOP, "6002", T0 + DAY)
    assert store.profiles.get(SHOP, person_id)["orders"] == 2
    order(store, "6002", T0 + DAY, customer_id="5", total="60.00", cancelled_at=T0 + 2 * DAY)
    refresh.on_order(store, SHOP, "6002", T0 + 2 * DAY)
    profile = store.profiles.get(SHOP, person_id)
    assert profile["orders"] == 1 and profile["revenue"] == {"EUR": "40.00"} and profile["aov"] == "40.00"
    assert profile["last_order_at"] == T0 and profile["lifecycle"] == "first_time_buyer"
    order(store, "6001", T0, customer_id="5", total="40.00", cancelled_at=T0 + 3 * DAY)
    refresh.on_order(store, SHOP, "6001", T0 + 3 * DAY)
    profile = store.profiles.get(SHOP, person_id)
    assert profile["orders"] == 0 and profile["revenue"] == {} and profile["aov"] is None
    assert profile["r_score"] is None and profile["lifecycle"] == "new_visitor"


def test_imported_point_of_sale_and_online_orders_count_alike(store, tmp_path):
    csv = tmp_path / "history.csv"
    csv.write_text(
        "order_id,customer_id,email,created_at,product_id,quantity,unit_price,category\n"
        "H1,42,,2025-01-05 10:00:00,P1,2,4.50,Kitchen\n"
        "H1,42,,2025-01-05 10:00:00,P2,1,12.00,Kitchen\n"
        "H2,,eve@example.com,2025-02-01 09:00:00,P1,1,4.50,Kitchen\n"
    )
    assert not import_orders(store, SHOP, csv).errors
    customer(store, "42", email="eve@example.com")
    order(store, "7001", T0, customer_id="42", total="10.00", currency="EUR", source_name="web")
    order(store, "7002", T0 + 1, customer_id="42", total="5.00", currency="EUR", source_name="pos")
    assert refresh.rebuild_profiles(store, SHOP, T0 + 2) == 1
    profile = profile_of(store, customer_id="42")
    assert profile["email"] == "eve@example.com"
    # 21.00 + 4.50 imported (no currency: the person's own EUR) + 10.00 online + 5.00 in store
    assert profile["orders"] == 4 and profile["revenue"] == {"EUR": "40.50"} and profile["aov"] == "10.13"
    assert list(profile["affinities"]["category"]) == ["Kitchen"]  # the category column of the import
    # Fixed thresholds (one buyer): 4 orders (F4), spend 4× the shop's average order (M4), today (R5).
    assert (profile["r_score"], profile["f_score"], profile["m_score"]) == (5, 4, 4)
    assert profile["lifecycle"] == "repeat_buyer"


def test_revenue_is_kept_per_currency_as_decimal_strings(store):
    for n, (total, currency) in enumerate([("0.10", "USD"), ("0.20", "USD"), ("1000.00", "JPY"), ("3.30", None)]):
        order(store, f"80{n}", T0 + n, customer_id="3", total=total, currency=currency)
        person_id = refresh.on_order(store, SHOP, f"80{n}", T0 + n)
    profile = store.profiles.get(SHOP, person_id)
    assert profile["revenue"] == {"USD": "3.60", "JPY": "1000.00"}  # 0.1 + 0.2 + 3.3 exactly, no float
    assert (profile["currency"], profile["monetary"], profile["aov"]) == ("USD", "3.60", "1.20")


# ------------------------------------------------------------------ attributes


def test_affinities_halve_every_half_life(store):
    assert pure.AFFINITY_HALF_LIFE_DAYS == 30
    product(store, "old", category="Coats", vendor="North", tags=("wool",))
    product(store, "new", category="Shirts", vendor="South")
    browse(store, "taste-0001", T0 - 30 * DAY, ("product_view", {"i": "old"}))
    browse(store, "taste-0001", T0, ("product_view", {"i": "new"}))
    refresh.on_events(store, SHOP, "taste-0001", T0)
    weights = profile_of(store, visitor_id="taste-0001")["affinities"]
    assert weights["category"] == {"Shirts": 1.0, "Coats": 0.5}
    assert weights["vendor"] == {"South": 1.0, "North": 0.5} and weights["tag"] == {"wool": 0.5}
    # Stored as of their computation; later they all shrink by one factor, so the ranking holds.
    later = pure.affinities_at(weights, T0, T0 + 30 * DAY)
    assert later["category"] == {"Shirts": 0.5, "Coats": 0.25}


def test_buying_weighs_more_than_carting_more_than_viewing():
    products = {"a": {"product_type": "A"}, "b": {"product_type": "B"}, "c": {"product_type": "C"}}
    history = pure.History(
        person={"person_id": "p", "customer_id": None, "email": None},
        recent_events=[{"type": "product_view", "occurred_at": T0, "data": {"i": "a"}},
                       {"type": "add_to_cart", "occurred_at": T0, "data": {"i": "b"}},
                       {"type": "search", "occurred_at": T0, "data": {"i": "c"}}],
        orders=[{"order_id": "o", "currency": "EUR", "total_price": "1", "cancelled_at": None, "created_at": T0},
                {"order_id": "x", "currency": "EUR", "total_price": "1", "cancelled_at": T0, "created_at": T0}],
        lines=[{"order_id": "o", "product_id": "c", "vendor": "V"},
               {"order_id": "x", "product_id": "a", "vendor": "W"}],
        products=products,
    )
    weights = pure.build_profile(history).affinities
    assert weights["category"] == {"C": 5.0, "B": 3.0, "A": 1.0}  # the cancelled order's line counts for nothing
    assert weights["vendor"] == {"V": 5.0}


def test_devices_place_and_offers_seen_and_answered(store):
    browse(store, "offer-0001", T0, ("page_view", {"d": "m", "country": "de", "city": "Köln"}),
           ("widget_impression",), ("widget_open",), ("widget_close",))
    browse(store, "offer-0001", T0 + 1, ("widget_impression",), ("widget_submit",), session="s-2",
           email="ola@example.com")  # subscribing stitches the browser to the email
    store.database.execute(
        "INSERT INTO subscribers (shop, email, visitor_id, consent_at, consent_text, consent_page, settings_version,"
        " sync_state, sync_next_at, created_at) VALUES (:shop, 'ola@example.com', 'offer-0001', :t0, 'ok',"
        " '/', 1, 'pending', 0, :t0)", {"shop": SHOP, "t0": T0})
    refresh.on_events(store, SHOP, "offer-0001", T0 + 1)
    profile = profile_of(store, visitor_id="offer-0001")
    assert profile["devices"] == ["mobile"] and (profile["country"], profile["city"]) == ("DE", "Köln")
    assert (profile["offers_seen"], profile["offers_opened"], profile["offers_submitted"]) == (2, 1, 1)
    assert profile["subscribed"] is True and profile["visits"] == 2
    assert {"engaged_non_buyer", "device:mobile", "country:DE", "subscriber", "offer_responder"} == set(
        profile["segments"])


def test_nothing_leaks_between_shops(store):
    for shop in (SHOP, OTHER_SHOP):
        browse(store, "same-visitor", T0, ("page_view",), shop=shop, email="same@example.com")
        order(store, "9001", T0, email="same@example.com", total="7.00" if shop == SHOP else "700.00", shop=shop)
        refresh.on_order(store, shop, "9001", T0)
    mine, theirs = (profile_of(store, visitor_id="same-visitor", shop=s) for s in (SHOP, OTHER_SHOP))
    assert mine["revenue"] == {"EUR": "7.00"} and theirs["revenue"] == {"EUR": "700.00"}
    assert mine["page_views"] == theirs["page_views"] == 1


def test_unknown_people_and_visitors(store):
    assert refresh.on_events(store, SHOP, "never-seen", T0) is None
    assert refresh.refresh_person(store, SHOP, "p_nobody", T0) is None
    assert refresh.on_order(store, SHOP, "no-such-order", T0) is None
    assert reads.segments_of(store, SHOP, "p_nobody") == {"new_visitor"}
    assert reads.segments_of_visitor(store, SHOP, "never-seen") == {"new_visitor"}


# ------------------------------------------------------------------ incremental == rebuild


def _comparable(profile: dict) -> dict:
    return {k: v for k, v in profile.items() if k not in ("scored_at", "updated_at")}


def test_incremental_updates_equal_a_rebuild_from_scratch(store):
    product(store, "p1", category="Tea", vendor="Leaf", tags=("green",))
    product(store, "p2", category="Cups", vendor="Clay")
    customer(store, "501", email="fay@example.com", country_code="NL")
    now = T0
    steps = [
        lambda: browse(store, "fay-phone-01", now, ("page_view", {"d": "m"}), ("product_view", {"i": "p1"})),
        lambda: browse(store, "fay-laptop-1", now, ("page_view", {"d": "d"}), ("add_to_cart", {"i": "p2"}),
                       cart_token="fay-cart"),
        lambda: order(store, "A1", now, email="fay@example.com", customer_id="501", cart_token="fay-cart",
                      products=("p2",), total="19.99"),
        lambda: browse(store, "fay-phone-01", now, ("product_view", {"i": "p2"}), email="fay@example.com"),
        lambda: order(store, "A2", now, customer_id="501", products=("p1",), total="5.01", source_name="pos"),
        lambda: browse(store, "gus-browser", now, ("page_view",), ("page_view",)),
        lambda: order(store, "A3", now, email="gus@example.com", total="99.00"),
        lambda: order(store, "A2", now - 3 * HOUR, customer_id="501", products=("p1",), total="5.01",
                      cancelled_at=now),
    ]
    for step in steps:
        now += 3 * HOUR
        step()
        for visitor in ("fay-phone-01", "fay-laptop-1", "gus-browser"):
            if store.identities.visitor(SHOP, visitor):
                refresh.on_events(store, SHOP, visitor, now)
        for order_id in ("A1", "A2", "A3"):
            refresh.on_order(store, SHOP, order_id, now)
    refresh.rescore(store, SHOP, now)
    incremental = reads.profiles(store, SHOP)
    people = store.database.query("SELECT person_id, email, customer_id FROM people WHERE shop = :shop ORDER BY 1",
                                  {"shop": SHOP})

    store.database.execute("DELETE FROM profiles WHERE shop = :shop", {"shop": SHOP})
    store.database.execute("DELETE FROM segment_cuts WHERE shop = :shop", {"shop": SHOP})
    assert refresh.rebuild_profiles(store, SHOP, now) == 3  # fay, gus by email, gus's anonymous browser
    rebuilt = reads.profiles(store, SHOP)

    assert store.database.query("SELECT person_id, email, customer_id FROM people WHERE shop = :shop ORDER BY 1",
                                {"shop": SHOP}) == people
    assert [_comparable(p) for p in rebuilt] == [_comparable(p) for p in incremental]  # affinities included
    fay = profile_of(store, customer_id="501")
    assert fay["orders"] == 1 and fay["revenue"] == {"EUR": "19.99"} and fay["visits"] == 2
    assert fay["devices"] == ["desktop", "mobile"] and fay["country"] == "NL"


def test_the_profile_dataclass_and_the_table_agree(store):
    fields = set(asdict(pure.build_profile(pure.History(person={"person_id": "p", "customer_id": None,
                                                                "email": None}))))
    scored = {"r_score", "f_score", "m_score", "lifecycle", "segments", "scored_at", "updated_at"}
    assert set(PROFILE_COLUMNS) == fields | scored
    table = {column["name"] for column in sa.inspect(store.database.engine).get_columns("profiles")}
    assert table == set(PROFILE_COLUMNS) | {"shop"}
    assert Decimal(pure.build_profile(pure.History(person={"person_id": "p", "customer_id": None,
                                                           "email": None})).monetary) == 0


def test_a_replayed_order_or_event_batch_changes_no_row(store):
    """Webhooks arrive twice: refreshing an unchanged person rewrites nothing, not even its clocks."""
    browse(store, "replay-0001", T0, ("page_view",), cart_token="cart-r")
    refresh.on_events(store, SHOP, "replay-0001", T0)
    order(store, "R1", T0 + 1, email="rita@example.com", cart_token="cart-r")
    refresh.on_order(store, SHOP, "R1", T0 + 1)
    tables = ("people", "visitors", "visitor_carts", "profiles", "segment_cuts")
    before = {t: store.database.query(f"SELECT * FROM {t} WHERE shop = :shop", {"shop": SHOP}) for t in tables}
    refresh.on_order(store, SHOP, "R1", T0 + HOUR)
    refresh.on_events(store, SHOP, "replay-0001", T0 + HOUR)
    assert {t: store.database.query(f"SELECT * FROM {t} WHERE shop = :shop", {"shop": SHOP}) for t in tables} == before
