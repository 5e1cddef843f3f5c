"""Complete the cart completes it with complements: substitutes of a cart item are demoted."""

from __future__ import annotations

from plugin.recommendations.engine import strategies as s
from plugin.recommendations.engine.catalog import CatalogIndex
from plugin.recommendations.engine.interactions import DAY, Order, OrderLine, Product
from plugin.recommendations.engine.model import InteractionModel

NOW = 400 * DAY


def order(order_id, items):
    return Order(order_id, None, NOW - DAY, tuple(OrderLine(i) for i in items))


def catalog():
    shoes = ["sneaker", "boot", "loafer", "sandal"]
    return CatalogIndex([Product(i, category="Shoes") for i in shoes]
                        + [Product(i, category="Socks") for i in ("socks", "insoles")])


def test_a_shoe_in_the_cart_brings_socks_before_other_shoes_unless_a_shoe_is_strongly_bought_with_it():
    # sneaker buyers often take a second pair (boot, loafer: 5 orders each), rarely socks (3),
    # sandal only twice: boot and loafer are each in 5/17 of sneaker orders
    orders = [order(f"b{n}", ["sneaker", "boot"]) for n in range(5)]
    orders += [order(f"l{n}", ["sneaker", "loafer"]) for n in range(5)]
    orders += [order(f"s{n}", ["sneaker", "sandal"]) for n in range(2)]
    orders += [order(f"k{n}", ["sneaker", "socks"]) for n in range(3)]
    orders += [order(f"i{n}", ["sneaker", "insoles"]) for n in range(2)]
    model = InteractionModel.from_orders(orders)
    plain = [item for item, _ in s.complete_the_cart(model, ["sneaker"]) if item != "sneaker"]
    assert plain[:2] == ["boot", "loafer"]
    ranked = [item for item, _ in s.complete_the_cart(model, ["sneaker"], catalog=catalog()) if item != "sneaker"]
    assert ranked[:2] == ["boot", "loafer"]  # strong co-purchase evidence: kept
    assert ranked.index("insoles") < ranked.index("sandal")  # a weak substitute falls behind a complement
    weak = s.CartParams(strong_share=0.5)  # now no shoe has strong enough evidence: only the best one stays
    ranked = [item for item, _ in s.complete_the_cart(model, ["sneaker"], weak, catalog()) if item != "sneaker"]
    assert ranked[:3] == ["boot", "socks", "insoles"]
    none_kept = s.CartParams(strong_share=0.5, substitutes_kept=0)
    ranked = [item for item, _ in s.complete_the_cart(model, ["sneaker"], none_kept, catalog()) if item != "sneaker"]
    assert ranked[:2] == ["socks", "insoles"]
