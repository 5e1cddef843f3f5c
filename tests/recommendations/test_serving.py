"""plugin.recommendations.serving: the model built from store rows, kept current from the change feed.

The "other process" is a second ``Store`` on the same database file: its own
connections and its own in-memory model, exactly what a worker process and a
web process share (the file and nothing else).
"""

from __future__ import annotations

import gc

import pytest

from plugin.recommendations.engine.catalog import CatalogIndex
from plugin.recommendations.engine.interactions import Product
from plugin.recommendations.serving import answers, rows
from plugin.recommendations.serving.registry import Models
from plugin.recommendations.serving import api as recs
from plugin.recommendations.serving.catalog import LiveCatalog
from plugin.store import Store
from plugin.store.commerce import Product as Row

from tests.support import reads
from tests.support.recommendations import catalog, order, product
from tests.support.shops import install

SHOP = "recs.myshopify.com"


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "recs.db"))
    s.migrate()
    yield s
    s.close()


@pytest.fixture
def other(store):
    """Another process's view of the same database."""
    s = Store(store.database.url)
    yield s
    s.close()


@pytest.fixture
def models(store):
    """This process's models (``Services.models`` in a running app)."""
    return Models(store)


@pytest.fixture
def other_models(other):
    """The other process's models."""
    return Models(other)


def ids(served: recs.Served) -> list[str]:
    return [item["product_id"] for item in served.items]


def ask(models, block: str, **kw) -> recs.Served:
    return recs.recommend_for(models, SHOP, recs.ShopperRequest(block=block, **kw))


def test_cold_start_on_a_store_without_orders_is_never_empty_when_products_exist(store, models):
    catalog(store, SHOP, 6)
    for block in recs.STRATEGIES:
        served = ask(models, block, product_id="1000", cart=("1001",), visitor_id="visitor-0001", limit=4)
        assert len(served.items) == 4, block
        assert "1000" not in ids(served) and "1001" not in ids(served)
    assert ids(ask(models, "new_arrivals", limit=3)) == ["1005", "1004", "1003"]


def test_an_empty_catalog_gives_an_empty_block_not_an_error(store, models):
    assert ask(models, "for_you").items == []


def test_items_carry_product_data(store, models):
    product(store, SHOP, "1", title="Mug", price="12.50", image="https://cdn.example/mug.png")
    [item] = ask(models, "best_sellers").items
    assert item == {"product_id": "1", "title": "Mug", "price": "12.50", "url": "/products/product-1",
                    "image": "https://cdn.example/mug.png", "variant_id": "v1"}


def test_cancelled_orders_do_not_count(store, models):
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    order(store, SHOP, "o2", ["1000", "1002"], cancelled=True)
    assert ids(ask(models, "frequently_bought_together", product_id="1000", limit=1)) == ["1001"]
    assert ids(ask(models, "best_sellers", limit=2)) == ["1000", "1001"]


def test_deleted_unpublished_draft_and_sold_out_products_are_never_shown(store, models):
    catalog(store, SHOP, 6)
    product(store, SHOP, "2001", stock=0)
    product(store, SHOP, "2002", published=False)
    product(store, SHOP, "2003", status="draft")
    product(store, SHOP, "2004")
    store.commerce.delete_product(SHOP, "2004", at=10)
    for n in range(3):  # the hidden ones are the best sellers
        order(store, SHOP, f"o{n}", ["2001", "2002", "2003", "2004", "1000"])
    for block in ("best_sellers", "trending", "frequently_bought_together", "new_arrivals"):
        shown = ids(ask(models, block, product_id="1001", limit=20))
        assert not {"2001", "2002", "2003", "2004"} & set(shown), block
        assert "1000" in shown


def test_an_order_written_by_another_process_is_visible_on_the_next_request(store, other, models):
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    assert ids(ask(models, "frequently_bought_together", product_id="1000", limit=1)) == ["1001"]
    for n in range(3):  # the worker process: the order lands, the handler feeds it
        with other.database.write():
            order(other, SHOP, f"w{n}", ["1000", "1004"])
            recs.on_order(other, SHOP, f"w{n}")
    assert ids(ask(models, "frequently_bought_together", product_id="1000", limit=1)) == ["1004"]
    assert recs.refresh(models, SHOP) == 4


def test_a_product_update_from_another_process_applies_on_the_next_request(store, other, models):
    catalog(store, SHOP, 3)
    assert "1002" in ids(ask(models, "new_arrivals"))
    product(other, SHOP, "1002", stock=0, clock=5)
    recs.on_product(other, SHOP, "1002")
    product(other, SHOP, "1003", title="Brand new", created=10**9, clock=5)
    recs.on_product(other, SHOP, "1003")
    shown = ask(models, "new_arrivals").items
    assert [i["product_id"] for i in shown] == ["1003", "1001", "1000"]
    assert shown[0]["title"] == "Brand new"


def test_a_cancellation_after_the_order_counted_rebuilds_the_model(store, other, models):
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"])
    order(store, SHOP, "o2", ["1000", "1002"])
    order(store, SHOP, "o3", ["1000", "1002"])
    assert ids(ask(models, "frequently_bought_together", product_id="1000", limit=1)) == ["1002"]
    for order_id in ("o2", "o3"):
        order(other, SHOP, order_id, ["1000", "1002"], cancelled=True, clock=10**13)
        recs.on_order(other, SHOP, order_id)
    assert ids(ask(models, "frequently_bought_together", product_id="1000", limit=1)) == ["1001"]
    assert recs.refresh(models, SHOP) == 1


def test_a_feed_row_twice_or_a_replayed_order_counts_once(store, models):
    catalog(store, SHOP, 3)
    order(store, SHOP, "o1", ["1000", "1001"])
    recs.refresh(models, SHOP)
    for _ in range(3):
        recs.on_order(store, SHOP, "o1")
    assert len(store.recommendations.changes_since(SHOP, (0, 0))) == 1  # the same state adds one feed row
    assert recs.refresh(models, SHOP) == 1
    order(store, SHOP, "o1", ["1000", "1001"], cancelled=True, clock=10**13)
    recs.on_order(store, SHOP, "o1")
    assert len(store.recommendations.changes_since(SHOP, (0, 0))) == 2  # a new state adds another


def test_invalidate_makes_every_process_rebuild(store, other, models):
    catalog(store, SHOP, 3)
    recs.refresh(models, SHOP)
    order(other, SHOP, "imported", ["1000", "1001"])  # a bulk write that bypasses the feed
    assert recs.refresh(models, SHOP) == 0
    assert recs.invalidate(other, SHOP) == 1
    assert recs.refresh(models, SHOP) == 1


def test_a_new_life_of_the_database_server_makes_every_process_rebuild(store, other, models):
    catalog(store, SHOP, 3)
    order(other, SHOP, "o1", ["1000", "1001"])
    recs.on_order(other, SHOP, "o1")
    assert recs.refresh(models, SHOP) == 1
    # A crash of PostgreSQL empties the unlogged token table, and may hand a lost row's position
    # to a new row behind this process's cursor (tests/store/test_feed_crash_postgresql.py).
    other.database.execute("DELETE FROM rec_feed_life")
    order(other, SHOP, "o2", ["1000", "1002"])
    recs.on_order(other, SHOP, "o2")
    other.database.execute("UPDATE rec_changes SET position = 0 WHERE ref = 'o2'")
    assert recs.refresh(models, SHOP) == 2  # rebuilt from the tables: the feed alone would never give it o2


def test_rebuild_reports_what_it_built(store, models):
    catalog(store, SHOP, 4)
    order(store, SHOP, "o1", ["1000", "1001", "1002"])
    order(store, SHOP, "o2", ["1000", "1001"], cancelled=True)
    report = recs.rebuild(models, SHOP)
    assert (report.orders, report.products, report.items, report.pairs, report.baskets) == (1, 4, 3, 6, 1)
    assert store.recommendations.state(SHOP)[0] == 1


def test_feed_rows_are_pruned_by_age_and_a_model_behind_them_rebuilds(store, other, models):
    catalog(store, SHOP, 3)
    recs.refresh(models, SHOP)
    order(other, SHOP, "o1", ["1000", "1001"])
    recs.on_order(other, SHOP, "o1", now=1)  # an ancient row
    order(other, SHOP, "o2", ["1000", "1002"])
    recs.on_order(other, SHOP, "o2", now=5)  # a recent one: the newest position always stays
    assert other.recommendations.prune_changes(SHOP, before=2, now=6) == 1
    assert other.recommendations.prune_changes(SHOP, before=10, now=6) == 0
    # its cursor was behind the pruned row: rebuilt from the tables (the feed alone would give it o2 only)
    assert recs.refresh(models, SHOP) == 2


def test_the_logged_in_customer_and_the_visitors_person_name_the_history(store, models):
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"], customer="77")
    order(store, SHOP, "o2", ["1002", "1003"], email="Guest@Example.com")
    assert "1000" not in ids(ask(models, "best_sellers", customer_id="77", limit=6))  # already bought
    assert ids(ask(models, "buy_again", customer_id="77", limit=2)) == ["1000", "1001"]
    person = store.identities.create_person(SHOP, 1, email="guest@example.com")
    store.identities.add_visitor(SHOP, "visitor-guest-1", person, 1)
    assert ids(ask(models, "buy_again", visitor_id="visitor-guest-1", limit=2)) == ["1002", "1003"]


def test_recently_viewed_reads_the_persons_product_views(store, models):
    from plugin.store import Event

    catalog(store, SHOP, 6)
    person = store.identities.create_person(SHOP, 1)
    store.identities.add_visitor(SHOP, "visitor-view-1", person, 1)
    with store.database.write():
        store.events.add(SHOP, "visitor-view-1", "s1", [Event("product_view", 100, "/p", {"i": "1003"}),
                                                        Event("product_view", 200, "/p", {"i": "1001"})], 200)
    assert ids(ask(models, "recently_viewed", visitor_id="visitor-view-1", limit=2)) == ["1001", "1003"]


def test_rec_id_names_what_was_shown_to_whom(store, models):
    catalog(store, SHOP, 4)
    first = ask(models, "best_sellers", visitor_id="visitor-aaaa-1", now=1_800_000_000)
    again = ask(models, "best_sellers", visitor_id="visitor-aaaa-1", now=1_800_000_100)
    someone = ask(models, "best_sellers", visitor_id="visitor-bbbb-2", now=1_800_000_000)
    fewer = ask(models, "best_sellers", visitor_id="visitor-aaaa-1", now=1_800_000_000, limit=2)
    assert first.rec_id == again.rec_id
    assert len({first.rec_id, someone.rec_id, fewer.rec_id}) == 3


def test_unknown_blocks_are_refused(store, models):
    with pytest.raises(recs.UnknownBlock):
        ask(models, "everything")


def test_links_and_images_are_only_paths_or_http(store, models):
    product(store, SHOP, "1", image="javascript:alert(1)")
    store.commerce.upsert_product(SHOP, store_product("2", url="javascript:alert(1)", handle=None))
    [item] = ask(models, "new_arrivals").items  # 2 has no usable link: never shown
    assert item["product_id"] == "1" and item["image"] is None
    assert [rows.safe_link(u) for u in ("/a", "//evil", "https://x/y", "data:x", " JAVASCRIPT:x")] == [
        "/a", None, "https://x/y", None, None]


def store_product(product_id: str, **fields):
    return Row(product_id=product_id, source_updated_at=1, title="x", status="active", published_at=1, **fields)


def test_the_catalog_query_agrees_with_available_products(store):
    catalog(store, SHOP, 4)
    product(store, SHOP, "2002", published=False)
    product(store, SHOP, "2003", status="archived")
    product(store, SHOP, "2004")
    store.commerce.delete_product(SHOP, "2004", at=10)
    store.commerce.upsert_product(SHOP, Row(product_id="imported", source_updated_at=0, title="From an import"))
    expected = {row["product_id"] for row in reads.available_products(store, SHOP)}
    assert {row[0] for row in store.recommendations.catalog(SHOP)} == expected


def test_the_live_catalog_answers_like_the_engines_index():
    products = [Product(str(n), category=f"c{n % 3}", vendor=f"v{n % 4}", created_at=n) for n in range(20)]
    live, index = LiveCatalog(products), CatalogIndex(products)
    for n in range(20):
        assert live.closest_peers(str(n), 20) == index.closest_peers(str(n), 20)
        assert live.get(str(n)) == index.get(str(n))
    assert sorted(p.item for p in live) == sorted(p.item for p in index)
    live.put(Product("3", category="other"))
    live.remove("4")
    assert "3" not in live.closest_peers("0", 20) and "4" not in live.closest_peers("1", 20)
    assert live.closest_peers("3", 20) == set()


def test_shoppers_share_one_cached_answer_that_equals_their_own(store, monkeypatch, models):
    """Blocks that do not read the shopper are computed once and filtered per shopper: the same lists
    the engine gives each shopper on its own."""
    import random

    from plugin.recommendations.engine import blocks

    rng = random.Random(3)
    ids_ = catalog(store, SHOP, 40)
    for n in range(120):
        order(store, SHOP, f"o{n}", rng.sample(ids_, rng.randint(1, 5)), customer=f"c{n % 15}")
    snap = models.current(SHOP)
    for block in sorted(answers.SHOPPER_FREE):
        for customer in [None] + [f"c{n}" for n in range(15)]:
            for k in (1, 4, 12, 24):
                request = blocks.Request(block=block, now=1e9, customer=customer, product=rng.choice(ids_),
                                         cart=(rng.choice(ids_),), k=k)
                own = answers.own_answer(snap, request, blocks.BlockSettings())
                assert answers.ranked(snap, request, blocks.BlockSettings()) == own, (block, customer, k)

    calls = []
    real = answers.recommend
    monkeypatch.setattr(answers, "recommend", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    for visitor in ("visitor-cache-1", "visitor-cache-2"):
        ask(models, "similar_items", product_id="1003", visitor_id=visitor)
    assert len(calls) == 1


def test_cached_answers_cost_the_collectors_full_passes_nothing(store, models):
    """A process keeps thousands of cached answers; once the collector has seen them, its full
    passes (which pause every request thread) no longer walk them."""
    ids_ = catalog(store, SHOP, 20)
    for n in range(30):
        order(store, SHOP, f"o{n}", ids_[n % 5:n % 5 + 3])
    for product_id in ids_:
        ask(models, "similar_items", product_id=product_id)
    cached = list(models.current(SHOP).cache.values())
    gc.collect()
    gc.collect()  # a tuple leaves the collector's sight once every tuple in it has
    assert cached and not any(gc.is_tracked(answer) for answer in cached)


def test_a_redacted_customer_s_history_leaves_every_process_s_model(store, other, other_models):
    import json

    from tests.support.jobs import runner

    install(store, SHOP)
    catalog(store, SHOP, 6)
    order(store, SHOP, "o1", ["1000", "1001"], customer="77", email="ann@example.com")
    order(store, SHOP, "o2", ["1002", "1003"], customer="78")
    order(store, SHOP, "o3", ["1002", "1003"], customer="78")
    assert ids(ask(other_models, "buy_again", customer_id="77", limit=2)) == ["1000", "1001"]
    generation = store.recommendations.state(SHOP)[0]

    def redact(key: str, orders=(), customer_id=77) -> None:
        body = {"shop_domain": SHOP, "customer": {"id": customer_id, "email": "ANN@example.com"},
                "orders_to_redact": list(orders)}
        delivery = store.inbox.accept(shop=SHOP, topic="customers/redact", dedupe_key=key, webhook_id=None,
                                      event_id=None, api_version="2026-10", triggered_at=None,
                                      body=json.dumps(body).encode())
        runner(store, name="test-worker").run_until_idle()
        assert store.inbox.get(delivery).status == "done"

    redact("redact-1")
    assert store.recommendations.state(SHOP)[0] == generation + 1
    assert recs.refresh(other_models, SHOP) == 3  # the orders stay, anonymised
    assert ids(ask(other_models, "buy_again", customer_id="77", limit=2)) == ["1002", "1003"]  # best sellers: no history
    redact("redact-2")  # a replay: no order names her any more, nothing to rebuild
    assert store.recommendations.state(SHOP)[0] == generation + 1
    # An order the request lists by id, placed as a guest under an old address, goes too.
    order(store, SHOP, "o4", ["1004"], email="Old.Address@Example.com")
    recs.on_order(store, SHOP, "o4")
    assert recs.refresh(other_models, SHOP) == 4
    redact("redact-3", orders=["o4"], customer_id=99)
    assert store.recommendations.state(SHOP)[0] == generation + 2
