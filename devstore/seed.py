"""Deterministic seed data: a catalog, customers and an order history with signal.

A recommender is only testable against data that has structure, so orders
are generated from customer profiles: each shopper prefers a category (and a
size), baskets are built around an anchor product with items from the same
affinity group or a complementary category, popular products are popular
everywhere (Zipf weights), some shoppers come back often, and consumables
(coffee & tea, beauty) are re-bought every few weeks. Same seed → same shop.
"""

from __future__ import annotations

import random
import re
from decimal import Decimal

from . import catalog_data as data
from .discounts import items_subtotal
from .state import Address, Collection, Customer, Discount, Image, LineItem, Order, Product, RedeemCode, Store, Variant, money

DAY = 86400.0


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def token(rng: random.Random) -> str:
    """A 32-char hex token like the platform's cart/checkout tokens."""
    return f"{rng.getrandbits(128):032x}"


def seed_store(store: Store) -> None:
    """Fill an empty store; uses only ``store.settings`` and the clock's current hour."""
    settings = store.settings
    rng = random.Random(settings.seed)
    now = float(int(store.clock.now() // 3600) * 3600)
    store.shop_created_at = now - 800 * DAY
    with store.lock:
        products = _products(store, rng, now)
        customers = _customers(store, rng, now)
        _discounts(store, now)
        _orders(store, rng, now, products, customers)
        _collections(store, now, products)


def _products(store: Store, rng: random.Random, now: float) -> list[Product]:
    size = store.settings.catalog_size
    per_category = [size // len(data.CATEGORIES) + (1 if i < size % len(data.CATEGORIES) else 0)
                    for i in range(len(data.CATEGORIES))]
    made: list[Product] = []
    for cat, count in zip(data.CATEGORIES, per_category):
        names = [(adj, noun, group) for group, nouns in cat["groups"].items() for noun in nouns for adj in cat["adjectives"]]
        rng.shuffle(names)
        for i in range(count):
            adj, noun, group = names[i % len(names)]
            title = product_name(adj, noun) + (f" {i // len(names) + 1}" if i >= len(names) else "")
            made.append(_product(store, rng, now, cat, title, group))
    made.sort(key=lambda p: p.created_at)
    # ids follow creation order, as on the platform
    for product in made:
        _assign_ids(store, product)
    return made


def product_name(adjective: str, noun: str) -> str:
    """The adjective before the noun, unless the noun already starts with it: "Trail" + "Trail Map Case" is
    "Trail Map Case". No random draw decides this, so the seed's draws, and so its catalog, stay the same."""
    return noun if noun.startswith(f"{adjective} ") else f"{adjective} {noun}"


def _product(store: Store, rng: random.Random, now: float, cat: dict, title: str, group: str) -> Product:
    created = now - rng.uniform(130, 700) * DAY
    roll = rng.random()
    status = "draft" if roll < 0.03 else "archived" if roll < 0.04 else "active"
    vendor = rng.choice(cat["vendors"])
    low, high = cat["price"]
    base = Decimal(rng.randint(low, high)) + Decimal(rng.choice(["0.00", "0.00", "0.50", "0.95", "0.99"]))
    option_name, values = cat["option"]
    if rng.random() < 0.2:
        chosen, option_name = ["Default Title"], "Title"
    else:
        count = rng.randint(2, min(4, len(values)))
        start = rng.randint(0, len(values) - count)
        chosen = values[start:start + count]
    sold_out = rng.random() < 0.05
    on_sale = rng.random() < 0.15
    tags = sorted({cat["handle"], group, *rng.sample(cat["tags"], 2)} | ({"sale"} if on_sale else set()))
    product = Product(
        id=0, title=title, handle=slugify(title), vendor=vendor, product_type=cat["type"], tags=tags,
        body_html=f"<p>{title} by {vendor}. Part of our {cat['title'].lower()} range: made to last, easy to love.</p>",
        status=status, category=cat["handle"], group=group, option_names=[option_name], created_at=created,
        updated_at=created + rng.uniform(0, 100) * DAY, published_at=None if status == "draft" else created,
    )
    for position, value in enumerate(chosen, start=1):
        step = Decimal(position - 1) * (base * Decimal("0.15") if option_name in ("Size",) and cat["consumable"] else 0)
        price = base + step
        stock = 0 if sold_out or rng.random() < 0.08 else rng.randint(1, 60)
        product.variants.append(Variant(
            id=0, product_id=0, title=value, sku=f"{cat['handle'][:3].upper()}-{slugify(title)[:10].upper()}-{position}",
            price=money(price), compare_at_price=money(price * Decimal("1.25")) if on_sale else None,
            inventory_quantity=stock, options=[value], position=position,
            grams=rng.randint(80, 1500), created_at=created, updated_at=product.updated_at,
        ))
    product.images.append(Image(id=0, product_id=0, position=1, alt=title, color=cat["color"],
                                label=title, created_at=created))
    return product


def _assign_ids(store: Store, product: Product) -> None:
    product.id = store.ids.next("Product")
    store.products[product.id] = product
    for variant in product.variants:
        variant.id = store.ids.next("ProductVariant")
        variant.product_id = product.id
        store.variants[variant.id] = variant
    for image in product.images:
        image.id = store.ids.next("ProductImage")
        image.product_id = product.id


def _customers(store: Store, rng: random.Random, now: float) -> list[Customer]:
    made = []
    times = sorted(now - rng.uniform(1, 500) * DAY for _ in range(store.settings.customer_count))
    for n, created in enumerate(times):
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        city, province, code, zip_code = rng.choice(data.CITIES)
        roll = rng.random()
        marketing = "SUBSCRIBED" if roll < 0.45 else "UNSUBSCRIBED" if roll < 0.55 else "NOT_SUBSCRIBED"
        customer = Customer(
            id=store.ids.next("Customer"), email=f"{first.lower()}.{last.lower()}{n}@example.com",
            first_name=first, last_name=last, phone=None,
            tags=sorted(rng.sample(data.CUSTOMER_TAGS, rng.choice([0, 0, 1, 2]))), note=None,
            state="enabled" if rng.random() < 0.3 else "disabled",
            marketing_state=marketing, opt_in_level="SINGLE_OPT_IN" if marketing != "NOT_SUBSCRIBED" else None,
            consent_updated_at=created if marketing != "NOT_SUBSCRIBED" else None,
            address=Address(id=store.ids.next("MailingAddress"), first_name=first, last_name=last,
                            address1=f"{rng.randint(1, 999)} {rng.choice(data.STREETS)}", city=city,
                            province=province, province_code=code, country="United States",
                            country_code="US", zip=zip_code),
            created_at=created, updated_at=created,
        )
        store.customers[customer.id] = customer
        made.append(customer)
    return made


def _discounts(store: Store, now: float) -> None:
    """A few merchant-made codes, so seeded orders carry realistic discount_codes."""
    for n, code in enumerate(data.SEED_DISCOUNT_CODES):
        pct = float(code[-2:]) / 100
        discount = Discount(
            id=store.ids.next("DiscountCodeNode"), title=f"{code} ({int(pct * 100)}% off)", starts_at=now - 365 * DAY,
            ends_at=None, percentage=pct, amount=None, applies_on_each_item=False, applies_once_per_customer=n == 0,
            usage_limit=None, codes=[RedeemCode(id=store.ids.next("DiscountRedeemCode"), code=code)],
            created_at=now - 365 * DAY, updated_at=now - 365 * DAY,
        )
        store.discounts[discount.id] = discount


def _weighted(rng: random.Random, items: list, exponent: float = 1.0):
    """Zipf-like weights over a shuffled copy: a few items take most of the picks."""
    order = list(items)
    rng.shuffle(order)
    weights, total = [], 0.0
    for rank in range(1, len(order) + 1):
        total += 1.0 / rank ** exponent
        weights.append(total)
    return order, weights


def _orders(store: Store, rng: random.Random, now: float, products: list[Product], customers: list[Customer]) -> None:
    sellable = [p for p in products if p.status == "active"]
    by_category: dict[str, tuple[list, list]] = {}
    by_group: dict[tuple[str, str], list[Product]] = {}
    for cat in data.CATEGORIES:
        members = [p for p in sellable if p.category == cat["handle"]]
        by_category[cat["handle"]] = _weighted(rng, members, 0.9)
        for p in members:
            by_group.setdefault((p.category, p.group), []).append(p)
    complements = {c["handle"]: c["complements"] for c in data.CATEGORIES}
    consumable = {c["handle"] for c in data.CATEGORIES if c["consumable"]}
    cat_handles = [c["handle"] for c in data.CATEGORIES]

    shoppers, shopper_weights = _weighted(rng, customers, 0.55)
    profile = {c.id: {"category": rng.choice(cat_handles), "size": rng.randint(0, 3), "staple": None, "last_staple": 0.0}
               for c in customers}

    def pick(category: str) -> Product:
        order, weights = by_category[category]
        return rng.choices(order, cum_weights=weights)[0]

    times = sorted(now - rng.uniform(0.05, store.settings.history_days) * DAY for _ in range(store.settings.order_history))
    discount_codes = {d.codes[0].code: d for d in store.discounts.values()}
    for placed in times:
        customer = rng.choices(shoppers, cum_weights=shopper_weights)[0]
        if customer.created_at > placed:
            customer.created_at = customer.updated_at = placed - rng.uniform(0.01, 30) * DAY
        prof = profile[customer.id]
        basket: list[Product] = []
        if prof["staple"] is not None and placed - prof["last_staple"] > 25 * DAY and rng.random() < 0.7:
            basket.append(prof["staple"])
            prof["last_staple"] = placed
        else:
            roll = rng.random()
            if roll < 0.7:
                category = prof["category"]
            elif roll < 0.9 and complements[prof["category"]]:
                category = rng.choice(complements[prof["category"]])
            else:
                category = rng.choice(cat_handles)
            basket.append(pick(category))
        anchor = basket[0]
        if anchor.category in consumable and prof["staple"] is None and rng.random() < 0.5:
            prof["staple"], prof["last_staple"] = anchor, placed
        extra = rng.choices([0, 1, 2, 3], weights=[45, 30, 17, 8])[0]
        for _ in range(extra):
            roll = rng.random()
            if roll < 0.55:
                candidate = rng.choice(by_group[(anchor.category, anchor.group)])
            elif roll < 0.85 and complements[anchor.category]:
                candidate = pick(rng.choice(complements[anchor.category]))
            else:
                candidate = pick(anchor.category)
            if candidate not in basket:
                basket.append(candidate)
        lines = []
        for product in basket:
            variant = product.variants[min(prof["size"], len(product.variants) - 1)]
            quantity = rng.choice([1, 1, 2, 3]) if product.category in consumable else rng.choice([1, 1, 1, 2])
            lines.append(LineItem(id=store.ids.next("LineItem"), product_id=product.id, variant_id=variant.id,
                                  title=product.title, variant_title=variant.title if variant.title != "Default Title" else "",
                                  sku=variant.sku, vendor=product.vendor, quantity=quantity, price=variant.price,
                                  grams=variant.grams))
        subtotal = items_subtotal(lines)
        codes, discount_total = [], Decimal(0)
        if rng.random() < 0.1:
            code = rng.choice(list(discount_codes))
            discount = discount_codes[code]
            discount_total = (subtotal * Decimal(str(discount.percentage))).quantize(Decimal("0.01"))
            codes = [{"code": code, "amount": money(discount_total), "type": "percentage"}]
            discount.codes[0].usage_count += 1
            discount.used_by.add(customer.email.lower())
        roll = rng.random()
        status, cancelled = ("paid", None)
        if roll < 0.03:
            status = "refunded"
        elif roll < 0.05:
            status = "pending"
        elif roll < 0.07:
            status, cancelled = "voided", placed + rng.uniform(0.1, 2) * DAY
        category, handle = anchor.category, anchor.handle
        landing = rng.choice(data.LANDING_SITES).format(category=category, handle=handle)
        order = Order(
            id=store.ids.next("Order"), number=store.next_order_number, email=customer.email, customer_id=customer.id,
            line_items=lines, subtotal_price=money(subtotal), total_discounts=money(discount_total),
            total_price=money(subtotal - discount_total), discount_codes=codes, financial_status=status,
            token=token(rng), cart_token=token(rng), checkout_token=token(rng), checkout_id=store.ids.next("Checkout"),
            landing_site=landing, referring_site=rng.choice(data.REFERRERS), source_name="web",
            shipping_address=customer.address, created_at=placed,
            updated_at=cancelled or placed + rng.uniform(0, 0.2) * DAY, processed_at=placed,
            cancelled_at=cancelled, cancel_reason="customer" if cancelled else None,
        )
        store.next_order_number += 1
        store.orders[order.id] = order
        customer.updated_at = max(customer.updated_at, order.updated_at)


def _collections(store: Store, now: float, products: list[Product]) -> None:
    def add(handle: str, title: str, members: list[Product], blurb: str) -> None:
        collection = Collection(id=store.ids.next("Collection"), handle=handle, title=title,
                                body_html=f"<p>{blurb}</p>", product_ids=[p.id for p in members],
                                created_at=store.shop_created_at, updated_at=now - 2 * DAY)
        store.collections[collection.id] = collection

    for cat in data.CATEGORIES:
        add(cat["handle"], cat["title"], [p for p in products if p.category == cat["handle"]],
            f"Our {cat['title'].lower()} collection.")
    units: dict[int, int] = {}
    for order in store.orders.values():
        for li in order.line_items:
            units[li.product_id] = units.get(li.product_id, 0) + li.quantity
    active = [p for p in products if p.status == "active"]
    add("best-sellers", "Best Sellers", sorted(active, key=lambda p: -units.get(p.id, 0))[:24], "What everyone is buying.")
    add("new-arrivals", "New Arrivals", sorted(active, key=lambda p: -p.created_at)[:24], "Just landed.")
    add("gifts", "Gifts", [p for p in active if "gift" in p.tags], "Easy gifts for everyone.")
