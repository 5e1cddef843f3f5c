"""What shoppers and the merchant do to the shop, and the events each change raises.

Every function here takes the store lock, changes records and publishes the
webhook topic(s) the platform would fire — the single place that decides
"this change means carts/update". Storefront, admin, Admin API and the
test-control API all call into here, so they cannot drift apart.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from . import discounts
from .seed import slugify
from .state import (Address, Cart, CartLine, Checkout, Customer, Image, LineItem, Order, Product, Store, Variant,
                    money)


class CommerceError(Exception):
    """A refused action: ``status`` is the HTTP status the storefront answers with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def new_token() -> str:
    return secrets.token_hex(16)


# --- cart ------------------------------------------------------------------------------------
def cart_add(store: Store, cart_token: str | None, variant_id: int, quantity: int,
             properties: dict | None = None) -> Cart:
    """Add to the cart (creating it on the first add, as the platform does)."""
    if quantity < 1:
        raise CommerceError("Quantity must be at least 1", 422)
    with store.lock:
        variant = store.variants.get(variant_id)
        product = store.products.get(variant.product_id) if variant else None
        if variant is None or product is None or not product.visible:
            raise CommerceError("Cannot find variant", 404)
        cart = store.carts.get(cart_token or "")
        in_cart = sum(l.quantity for l in cart.lines if l.variant_id == variant_id) if cart else 0
        if variant.inventory_quantity <= 0:
            raise CommerceError(f"The product '{product.title}' is already sold out.", 422)
        if in_cart + quantity > variant.inventory_quantity:
            raise CommerceError(f"You can only add {variant.inventory_quantity} {product.title} to the cart.", 422)
        now = store.clock.now()
        created = cart is None
        if cart is None:
            cart = Cart(token=new_token(), created_at=now, updated_at=now)
            store.carts[cart.token] = cart
        line = next((l for l in cart.lines if l.variant_id == variant_id and l.properties == (properties or {})), None)
        if line is None:
            cart.lines.append(CartLine(id=store.ids.next("CartLine"), variant_id=variant_id, quantity=quantity,
                                       properties=properties or {}))
        else:
            line.quantity += quantity
        cart.updated_at = now
        store.publish("carts/create" if created else "carts/update", cart)
        return cart


def cart_change(store: Store, cart_token: str | None, quantity: int, *, line: int | None = None,
                variant_id: int | None = None) -> Cart:
    """Set a line's quantity (0 removes it); ``line`` is 1-based like the platform's /cart/change."""
    with store.lock:
        cart = store.carts.get(cart_token or "")
        if cart is None:
            raise CommerceError("Cart not found", 404)
        if line is not None:
            if not 1 <= line <= len(cart.lines):
                raise CommerceError("Line out of range", 400)
            target = cart.lines[line - 1]
        else:
            target = next((l for l in cart.lines if l.variant_id == variant_id), None)
            if target is None:
                raise CommerceError("No valid id or line parameter", 400)
        if quantity < 0:
            raise CommerceError("Quantity must be 0 or more", 422)
        if quantity == 0:
            cart.lines.remove(target)
        else:
            variant = store.variants.get(target.variant_id)
            if variant is not None and quantity > variant.inventory_quantity:
                raise CommerceError(f"You can only add {variant.inventory_quantity} of this item to the cart.", 422)
            target.quantity = quantity
        cart.updated_at = store.clock.now()
        store.publish("carts/update", cart)
        return cart


def cart_clear(store: Store, cart_token: str | None) -> Cart | None:
    with store.lock:
        cart = store.carts.get(cart_token or "")
        if cart is None:
            return None
        cart.lines.clear()
        cart.updated_at = store.clock.now()
        store.publish("carts/update", cart)
        return cart


def _cart_items(store: Store, cart: Cart) -> list[LineItem]:
    items = []
    for line in cart.lines:
        variant = store.variants.get(line.variant_id)
        product = store.products.get(variant.product_id) if variant else None
        if variant is None or product is None:
            continue
        items.append(_line_item(store, product, variant, line.quantity))
    return items


def _line_item(store: Store, product: Product, variant: Variant, quantity: int) -> LineItem:
    return LineItem(id=store.ids.next("LineItem"), product_id=product.id, variant_id=variant.id, title=product.title,
                    variant_title="" if variant.title == "Default Title" else variant.title, sku=variant.sku,
                    vendor=product.vendor, quantity=quantity, price=variant.price, grams=variant.grams)


# --- checkout --------------------------------------------------------------------------------
def start_checkout(store: Store, cart: Cart, customer: Customer | None, landing_site: str | None = None,
                   referring_site: str | None = None) -> Checkout:
    """The checkout for this cart: created once (checkouts/create), refreshed when the cart changed."""
    with store.lock:
        if not cart.lines:
            raise CommerceError("Your cart is empty", 422)
        now = store.clock.now()
        existing = next((c for c in store.checkouts.values()
                         if c.cart_token == cart.token and c.completed_at is None), None)
        if existing is not None:
            if existing.updated_at < cart.updated_at:
                existing.line_items = _cart_items(store, cart)
                existing.updated_at = now
                store.publish("checkouts/update", existing)
            return existing
        checkout = Checkout(id=store.ids.next("Checkout"), token=new_token(), cart_token=cart.token,
                            line_items=_cart_items(store, cart), created_at=now, updated_at=now,
                            landing_site=landing_site, referring_site=referring_site)
        if customer is not None:
            checkout.email, checkout.customer_id = customer.email, customer.id
            checkout.shipping_address = customer.address
        store.checkouts[checkout.token] = checkout
        store.publish("checkouts/create", checkout)
        return checkout


def update_checkout(store: Store, checkout: Checkout, *, email: str | None = None, address: Address | None = None,
                    discount_code: str | None = None) -> Checkout:
    """Save contact/shipping details or a discount code; a bad code raises and changes nothing."""
    with store.lock:
        if checkout.completed_at is not None:
            raise CommerceError("This checkout is already complete", 409)
        if discount_code:
            discounts.redeemable(store, discount_code, email or checkout.email, store.clock.now())
            checkout.discount_code = discount_code.strip().upper()
        if email:
            checkout.email = email.strip()
        if address is not None:
            checkout.shipping_address = address
        checkout.updated_at = store.clock.now()
        store.publish("checkouts/update", checkout)
        return checkout


def complete_checkout(store: Store, checkout: Checkout, first_name: str, last_name: str) -> Order:
    """Pay: the order is created from the checkout, the checkout closes and the cart empties."""
    with store.lock:
        if checkout.completed_at is not None:
            raise CommerceError("This checkout is already complete", 409)
        if not checkout.email:
            raise CommerceError("Enter an email", 422)
        order = place_order(store, email=checkout.email, first_name=first_name, last_name=last_name,
                            items=[(li.variant_id, li.quantity) for li in checkout.line_items],
                            discount_code=checkout.discount_code, address=checkout.shipping_address,
                            cart_token=checkout.cart_token, checkout=checkout)
        cart = store.carts.get(checkout.cart_token)
        if cart is not None:
            cart.lines.clear()
            cart.updated_at = store.clock.now()
        return order


def place_order(store: Store, *, email: str, items: list[tuple[int, int]], first_name: str = "", last_name: str = "",
                discount_code: str | None = None, address: Address | None = None, cart_token: str | None = None,
                checkout: Checkout | None = None, landing_site: str | None = None,
                referring_site: str | None = None) -> Order:
    """Create a paid order: customer found or created, inventory taken, discount used, events published."""
    with store.lock:
        now = store.clock.now()
        if not items:
            raise CommerceError("An order needs at least one line item", 422)
        lines = []
        for variant_id, quantity in items:
            variant = store.variants.get(variant_id)
            product = store.products.get(variant.product_id) if variant else None
            if variant is None or product is None:
                raise CommerceError(f"Variant {variant_id} no longer exists", 422)
            if quantity > variant.inventory_quantity:
                raise CommerceError(f"Only {max(variant.inventory_quantity, 0)} of {product.title} left", 422)
            lines.append((product, variant, quantity))
        line_items = [_line_item(store, p, v, q) for p, v, q in lines]
        subtotal = discounts.items_subtotal(line_items)
        discount_total, codes, redeem_pair = Decimal(0), [], None
        if discount_code:
            redeem_pair = discounts.redeemable(store, discount_code, email, now)
            discount_total = discounts.discount_amount(redeem_pair[0], line_items, subtotal)
            codes = [{"code": redeem_pair[1].code, "amount": money(discount_total),
                      "type": discounts.kind(redeem_pair[0])}]
        customer = _customer_for(store, email, first_name, last_name, address)
        for _, variant, quantity in lines:
            variant.inventory_quantity -= quantity
        if redeem_pair is not None:
            discounts.record_use(redeem_pair[0], redeem_pair[1], email)
        order = Order(
            id=store.ids.next("Order"), number=store.next_order_number, email=customer.email, customer_id=customer.id,
            line_items=line_items, subtotal_price=money(subtotal), total_discounts=money(discount_total),
            total_price=money(subtotal - discount_total), discount_codes=codes, financial_status="paid",
            token=new_token(), cart_token=cart_token, checkout_token=checkout.token if checkout else None,
            checkout_id=checkout.id if checkout else None,
            landing_site=landing_site or (checkout.landing_site if checkout else None),
            referring_site=referring_site or (checkout.referring_site if checkout else None), source_name="web",
            shipping_address=address or customer.address, created_at=now, updated_at=now, processed_at=now,
        )
        store.next_order_number += 1
        store.orders[order.id] = order
        store.publish("orders/create", order)
        store.publish("orders/paid", order)
        if checkout is not None:
            checkout.completed_at, checkout.order_id, checkout.updated_at = now, order.id, now
            store.publish("checkouts/update", checkout)
        customer.updated_at = now
        store.publish("customers/update", customer)
        return order


def _customer_for(store: Store, email: str, first_name: str, last_name: str, address: Address | None) -> Customer:
    customer = store.customer_by_email(email)
    if customer is None:
        customer = create_customer(store, email=email, first_name=first_name, last_name=last_name, address=address)
    return customer


def cancel_order(store: Store, order: Order, reason: str = "customer") -> Order:
    with store.lock:
        if order.cancelled_at is not None:
            raise CommerceError("Order is already cancelled", 409)
        now = store.clock.now()
        order.cancelled_at, order.cancel_reason, order.updated_at = now, reason, now
        order.financial_status = "refunded" if order.financial_status == "paid" else "voided"
        for li in order.line_items:
            variant = store.variants.get(li.variant_id or 0)
            if variant is not None:
                variant.inventory_quantity += li.quantity
        store.publish("orders/cancelled", order)
        store.publish("orders/updated", order)
        return order


# --- customers -------------------------------------------------------------------------------
def create_customer(store: Store, *, email: str, first_name: str = "", last_name: str = "", phone: str | None = None,
                    tags: list[str] | None = None, note: str | None = None, marketing_state: str = "NOT_SUBSCRIBED",
                    opt_in_level: str | None = None, consent_updated_at: float | None = None,
                    address: Address | None = None) -> Customer:
    with store.lock:
        now = store.clock.now()
        if address is not None:
            address = Address(**{**address.__dict__, "id": store.ids.next("MailingAddress")})
        customer = Customer(
            id=store.ids.next("Customer"), email=email.strip(), first_name=first_name, last_name=last_name,
            phone=phone, tags=sorted(set(tags or [])), note=note, state="disabled", marketing_state=marketing_state,
            opt_in_level=opt_in_level, consent_updated_at=consent_updated_at if marketing_state != "NOT_SUBSCRIBED"
            else None, address=address, created_at=now, updated_at=now,
        )
        store.customers[customer.id] = customer
        store.publish("customers/create", customer)
        return customer


def update_customer(store: Store, customer: Customer, **changes: object) -> Customer:
    """Change the given attributes (names as on ``Customer``) and publish customers/update."""
    with store.lock:
        for name, value in changes.items():
            if not hasattr(customer, name):
                raise AttributeError(name)
            setattr(customer, name, value)
        customer.updated_at = store.clock.now()
        store.publish("customers/update", customer)
        return customer


def set_marketing_consent(store: Store, customer: Customer, state: str, level: str | None,
                          updated_at: float | None) -> Customer:
    return update_customer(store, customer, marketing_state=state, opt_in_level=level,
                           consent_updated_at=updated_at or store.clock.now())


# --- products --------------------------------------------------------------------------------
def update_product(store: Store, product: Product, *, title: str | None = None, status: str | None = None,
                   variant_changes: dict[int, dict] | None = None) -> Product:
    """Edit title/status and variant price/inventory/compare-at price; publishes products/update."""
    with store.lock:
        now = store.clock.now()
        if title:
            product.title = title
        if status:
            if status not in ("active", "draft", "archived"):
                raise CommerceError("Status must be active, draft or archived", 422)
            product.status = status
            if status == "active" and product.published_at is None:
                product.published_at = now
        for variant_id, change in (variant_changes or {}).items():
            variant = store.variants.get(variant_id)
            if variant is None or variant.product_id != product.id:
                raise CommerceError(f"Variant {variant_id} is not part of this product", 422)
            if "price" in change:
                variant.price = money(change["price"])
            if "compare_at_price" in change:
                variant.compare_at_price = money(change["compare_at_price"]) if change["compare_at_price"] else None
            if "inventory_quantity" in change:
                variant.inventory_quantity = int(change["inventory_quantity"])
            variant.updated_at = now
        product.updated_at = now
        store.publish("products/update", product)
        return product


def create_product(store: Store, *, title: str, price: str, inventory: int, category: str, vendor: str = "Devstore",
                   tags: list[str] | None = None, status: str = "active") -> Product:
    with store.lock:
        now = store.clock.now()
        collection = store.collection_by_handle(category)
        if collection is None:
            raise CommerceError(f"Unknown collection {category}", 422)
        handle, n = slugify(title) or "product", 1
        while store.product_by_handle(handle if n == 1 else f"{handle}-{n}") is not None:
            n += 1
        product = Product(
            id=store.ids.next("Product"), title=title, handle=handle if n == 1 else f"{handle}-{n}",
            body_html=f"<p>{title}</p>", vendor=vendor, product_type=collection.title, tags=sorted(set(tags or [category])),
            status=status, category=category, group="new", option_names=["Title"], created_at=now, updated_at=now,
            published_at=now if status == "active" else None,
        )
        variant = Variant(id=store.ids.next("ProductVariant"), product_id=product.id, title="Default Title",
                          sku=f"NEW-{product.id % 100000}", price=money(price), compare_at_price=None,
                          inventory_quantity=inventory, options=["Default Title"], position=1, grams=500,
                          created_at=now, updated_at=now)
        product.variants.append(variant)
        product.images.append(Image(id=store.ids.next("ProductImage"), product_id=product.id, position=1, alt=title,
                                    color="#777777", label=title, created_at=now))
        store.products[product.id] = product
        store.variants[variant.id] = variant
        collection.product_ids.append(product.id)
        store.publish("products/create", product)
        return product


def delete_product(store: Store, product: Product) -> None:
    with store.lock:
        for variant in product.variants:
            store.variants.pop(variant.id, None)
        for collection in store.collections.values():
            if product.id in collection.product_ids:
                collection.product_ids.remove(product.id)
        store.products.pop(product.id, None)
        store.publish("products/delete", product)
