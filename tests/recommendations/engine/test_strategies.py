"""Each strategy on a tiny synthetic store whose right answer is known by hand."""

from __future__ import annotations

import pytest

from plugin.recommendations.engine import strategies as s
from plugin.recommendations.engine.catalog import CatalogIndex, attribute_similarities
from plugin.recommendations.engine.interactions import DAY, Order, OrderLine, Product
from plugin.recommendations.engine.model import InteractionModel
from plugin.recommendations.engine.similarity import LIFT

NOW = 400 * DAY


def order(order_id, items, time=NOW - DAY, customer=None):
    return Order(order_id, customer, time, tuple(OrderLine(i) for i in items))


@pytest.fixture
def store():
    """phone: 10 orders. case: 8 (5 with phone), charger: 4 (3 with phone),
    sticker: 1 (with phone), bag: 30 (1 with phone). Lift prefers the one-off sticker."""
    orders = [order(f"pc{k}", ["phone", "case"]) for k in range(5)]
    orders += [order(f"ph{k}", ["phone", "charger"]) for k in range(3)]
    orders += [order("ps", ["phone", "sticker"]), order("pb", ["phone", "bag"])]
    orders += [order(f"c{k}", ["case"]) for k in range(3)] + [order("ch", ["charger"])]
    orders += [order(f"b{k}", ["bag"]) for k in range(29)]
    return InteractionModel.from_orders(orders)


def names(ranking):
    return [item for item, _ in ranking]


def test_frequently_bought_together_known_answer(store):
    assert names(s.frequently_bought_together(store, "phone")) == ["case", "charger", "sticker", "bag"]
    lift = s.CartParams(similarity=LIFT, sharpness=1.0)
    assert names(s.frequently_bought_together(store, "phone", lift))[0] == "sticker"
    assert s.frequently_bought_together(store, "unknown") == []


def test_complete_the_cart_sums_item_knn_over_cart_items(store):
    item_knn = s.CartParams(basket_weight=0.0)
    ranking = dict(s.complete_the_cart(store, ["case", "charger"], item_knn))
    assert max(ranking, key=ranking.get) == "phone"
    single = [dict(s.frequently_bought_together(store, i))["phone"] for i in ("case", "charger")]
    assert ranking["phone"] == pytest.approx(sum(x**item_knn.sharpness for x in single))


def test_complete_the_cart_mixes_item_knn_with_basket_neighbours():
    """Pairwise, "milk" goes with everything; the baskets most like {bread, butter} came with "jam"."""
    orders = [order(f"m{k}", ["bread", "milk"]) for k in range(6)] + [order(f"n{k}", ["butter", "milk"]) for k in range(6)]
    orders += [order(f"j{k}", ["bread", "butter", "jam"]) for k in range(2)]
    model = InteractionModel.from_orders(orders)
    cart = ["bread", "butter"]
    item_knn = s.complete_the_cart(model, cart, s.CartParams(basket_weight=0.0))
    nearest = s.CartParams(basket_weight=1.0, basket_neighbours=2)
    baskets = s.complete_the_cart(model, cart, nearest)
    assert names(item_knn)[0] == "milk"
    assert [i for i in names(baskets) if i not in cart] == ["jam"]  # only the two nearest baskets voted
    # Jaccard with the cart: {bread, butter, jam} 2/3 (x2), {bread, milk} and {butter, milk} 1/3 (x6 each)
    votes = model.basket_index.votes(cart, 100, 2.0)
    assert votes["jam"] == pytest.approx(2 * (2 / 3) ** 2) and votes["milk"] == pytest.approx(12 * (1 / 3) ** 2)
    mixed = dict(s.complete_the_cart(model, cart, s.CartParams(basket_weight=0.5)))
    knn = dict(item_knn)
    expected = 0.5 * knn["jam"] / max(knn.values()) + 0.5 * votes["jam"] / max(votes.values())
    assert mixed["jam"] == pytest.approx(expected)


def test_similar_items_blend_co_purchase_and_catalog_attributes(store):
    catalog = CatalogIndex(
        [
            Product("phone", category="phones", vendor="acme", price=500),
            Product("phone2", category="phones", vendor="acme", price=520),  # never sold
            Product("case", category="accessories", vendor="acme", price=20),
            Product("charger", category="accessories", vendor="other", price=25),
        ]
    )
    with_catalog = names(s.similar_items(store, "phone", catalog))
    assert "phone2" in with_catalog and with_catalog.index("case") < with_catalog.index("charger")
    assert "phone" not in with_catalog
    assert "phone2" not in names(s.similar_items(store, "phone"))  # no catalog: behaviour only
    assert names(s.similar_items(store, "phone2", catalog)) == ["phone", "case"]  # cold item: attributes


def test_similar_items_offer_alternatives_before_what_is_bought_with_the_product():
    model = InteractionModel()
    for n in range(6):  # the coffee sells with the plate, and once in a while with the other coffee
        model.add_order(order(f"o{n}", ["house-blend", "plate"]))
    model.add_order(order("o9", ["house-blend", "espresso"]))
    catalog = CatalogIndex([Product("house-blend", category="coffee", price=12),
                            Product("espresso", category="coffee", price=14), Product("plate", category="kitchen", price=30)])
    assert names(s.frequently_bought_together(model, "house-blend"))[0] == "plate"
    assert names(s.similar_items(model, "house-blend", catalog)) == ["espresso", "plate"]


def test_closest_peers_walk_outwards_in_price_and_stay_bounded():
    prices = [1.0, 2.0, 4.0, 8.0, 9.0, 10.0, 50.0, None]
    catalog = CatalogIndex(Product(f"p{n}", category="mugs", price=price) for n, price in enumerate(prices))
    assert catalog.closest_peers("p4", 3) == {"p3", "p5", "p2"}  # 9 -> 8 (1.125), 10 (1.11), then 4 (2.25) vs 50
    assert catalog.closest_peers("p0", 2) == {"p1", "p2"}
    assert catalog.closest_peers("p6", 1) == {"p5"}
    assert catalog.closest_peers("p7", 2) == {"p0", "p1"}  # no price: the cheapest
    assert catalog.closest_peers("p3", 100) == {f"p{n}" for n in range(8)} - {"p3"}
    catalog.remove("p5")
    catalog.put(Product("p3", category="cups", price=8.0))
    assert catalog.closest_peers("p4", 2) == {"p2", "p1"}  # 4 (2.25), then 2 (4.5) before 50 (5.6)
    assert catalog.closest_peers("p3", 5) == set()


def test_similar_items_scores_only_the_peers_closest_in_price(monkeypatch):
    monkeypatch.setattr(s, "PEERS", 2)
    catalog = CatalogIndex(Product(f"p{n}", category="mugs", price=float(2 ** n)) for n in range(6))
    ranking = s.similar_items(InteractionModel(), "p3", catalog)
    assert {item for item, _ in ranking} == {"p2", "p4"}


def test_attribute_similarity_uses_only_known_attributes():
    a = Product("a", category="x", vendor="v", tags=frozenset({"red", "cotton"}), price=10)
    others = [Product("b", category="x", tags=frozenset({"red"}), price=20),  # no vendor: three attributes
              Product("c", category="y", vendor="v", price=4),  # cheaper: 4 / 10
              Product("d", vendor="w", tags=frozenset({"wool"}), price=0),  # no price known
              Product("e")]
    assert attribute_similarities(a, others) == [
        pytest.approx((1 + 0.5 + 0.5) / 3), pytest.approx((0 + 1 + 0.4) / 3), 0.0, 0.0]
    assert attribute_similarities(Product("a"), others) == [0.0] * 4


def test_for_you_follows_the_shoppers_history(store):
    store.add_order(order("mine", ["phone"], customer="ann"))
    ranking = names(s.for_you(store, "ann", NOW))
    assert ranking.index("case") < ranking.index("bag")
    assert s.for_you(store, "nobody", NOW) == []


def test_for_you_prior_demotes_items_that_stopped_selling():
    orders = [order(f"old{k}", ["a", "stale"], time=0.0) for k in range(5)]
    orders += [order(f"new{k}", ["a", "fresh"], time=NOW - DAY) for k in range(4)]
    orders += [order("mine", ["a"], time=NOW - DAY, customer="ann")]
    model = InteractionModel.from_orders(orders)
    flat = s.ForYouParams(prior_power=0.0)
    assert names(s.for_you(model, "ann", NOW, flat))[0] == "stale"
    assert names(s.for_you(model, "ann", NOW))[0] == "fresh"


def test_buy_again_ranks_own_purchases_by_decayed_count():
    orders = [order(f"o{k}", ["often"], time=0.0, customer="ann") for k in range(3)]
    orders += [order("r", ["recent"], time=NOW - DAY, customer="ann")]
    model = InteractionModel.from_orders(orders)
    decayed, flat = s.BuyAgainParams(60.0, 0.0, 0.0), s.BuyAgainParams(None, 0.0, 0.0)
    assert names(s.buy_again(model, "ann", NOW, decayed)) == ["recent", "often"]
    assert names(s.buy_again(model, "ann", NOW, flat)) == ["often", "recent"]
    assert s.buy_again(model, "bob", NOW) == []


def test_trending_decays_and_best_sellers_do_not():
    orders = [order(f"o{k}", ["old"], time=0.0) for k in range(10)]
    orders += [order(f"n{k}", ["new"], time=NOW - DAY) for k in range(3)]
    model = InteractionModel.from_orders(orders)
    assert names(s.trending(model)) == ["new", "old"]
    assert s.trending(model)[0][1] == 1.0
    assert s.best_sellers(model) == [("old", 10.0), ("new", 3.0)]


def test_new_arrivals_rank_the_whole_catalog_newest_first():
    catalog = CatalogIndex([Product("a", created_at=1.0), Product("b", created_at=5.0), Product("c")])
    assert names(s.new_arrivals(catalog)) == ["b", "a", "c"]
    assert s.new_arrivals(None) == []


def test_recently_viewed_latest_first_without_duplicates():
    views = [("a", 1.0), ("b", 2.0), ("a", 3.0), ("c", 0.5)]
    assert names(s.recently_viewed(views)) == ["a", "b", "c"]
    assert names(s.recently_viewed(views, limit=1)) == ["a"]


def test_buy_again_prefers_what_others_rebuy_and_what_still_sells():
    orders = [order("a1", ["tea", "vase"], time=NOW - 2 * DAY, customer="ann")]
    orders += [order(f"b{k}", ["tea"], time=NOW - DAY, customer="bob") for k in range(3)]  # bob rebuys tea
    orders += [order("c1", ["vase"], time=NOW - DAY, customer="cat")]
    orders += [order("d1", ["mug"], time=0.0, customer="ann"), order("d2", ["mug"], time=0.0, customer="dan")]
    orders += [order("d3", ["mug"], time=0.0, customer="dan")]
    model = InteractionModel.from_orders(orders)
    assert model.repeat_rate("tea") == (1 + 1) / (2 + 2) and model.repeat_rate("vase") == 1 / 4
    assert model.repeat_rate("unknown") == 0.5
    repeat_only = names(s.buy_again(model, "ann", NOW, s.BuyAgainParams(None, 1.0, 0.0)))
    assert repeat_only == ["mug", "tea", "vase"]  # ties by id: mug and tea both rebought by half
    assert names(s.buy_again(model, "ann", NOW))[-1] == "mug"  # rebought by dan, but stopped selling
    assert model.purchased("ann") == {"tea", "vase", "mug"} and model.purchased(None) == frozenset()
