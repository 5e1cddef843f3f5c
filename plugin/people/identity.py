"""Identity stitching: visitor ids, typed emails, logged-in customers and cart tokens become one person.

Every browser gets a visitor id from the loader; each visitor id points at a
person. Signals that name someone join the visitor's person to them:

- an email the shopper typed (capture form, ``storelift.identify``),
- the ``logged_in_customer_id`` the platform signs into app-proxy requests,
- a cart token the visitor used, when a checkout or order from webhooks carries
  that cart's email or customer id,
- and the platform's customer record (from webhooks), which ties a customer id
  to an email.

Rules: an anonymous person is merged into the person a signal names (their
history comes along, so a second device adds to the first one's history). Two
people whose known fields agree are merged too. When they conflict (a shared
computer, someone else's email typed) only this visitor moves; nobody's
identity is overwritten. All of it runs in one write transaction.
"""

from __future__ import annotations

from plugin.store import Store


def observe(store: Store, shop: str, visitor_id: str, now: int, *, email: str | None = None,
            customer_id: str | None = None, cart_token: str | None = None) -> dict:
    """Record the visitor (creating its person on first sight), apply every signal, return its person."""
    ids = store.identities
    with store.database.write():
        visitor = ids.visitor(shop, visitor_id)
        if visitor is None:
            created = ids.create_person(shop, now)
            person_id = ids.add_visitor(shop, visitor_id, created, now)
            if person_id != created:  # a concurrent request saw this visitor first: its person stands
                ids.delete_person_if_orphan(shop, created)
        else:
            person_id = visitor["person_id"]
            ids.seen(shop, visitor_id, now)
        signals: list[tuple[str, str]] = []
        if customer_id:
            signals.append(("customer_id", customer_id))
        if email:
            signals.append(("email", email))
        if cart_token:
            ids.add_cart(shop, cart_token, visitor_id, now)
            cart_email, cart_customer = ids.identity_of_cart(shop, cart_token)
            signals += [(k, v) for k, v in (("customer_id", cart_customer), ("email", cart_email)) if v]
        for kind, value in signals:
            person_id = _attach(store, shop, visitor_id, person_id, kind, value, now)
        return ids.person(shop, person_id)


def _owner(store: Store, shop: str, kind: str, value: str) -> dict | None:
    ids = store.identities
    return ids.person_by_email(shop, value) if kind == "email" else ids.person_by_customer(shop, value)


def compatible(a: dict, b: dict) -> bool:
    """Two people may be merged: neither names an email or customer id that contradicts the other's."""
    return all(a[k] is None or b[k] is None or a[k] == b[k] for k in ("email", "customer_id"))


def _attach(store: Store, shop: str, visitor_id: str, person_id: str, kind: str, value: str, now: int) -> str:
    """Join ``value`` (an email or customer id) to the visitor's person; returns the person it ends in."""
    ids = store.identities
    person = ids.person(shop, person_id)
    if person[kind] == value:
        return person_id
    owner = _owner(store, shop, kind, value)
    if owner is not None:
        if compatible(person, owner):
            ids.merge(shop, person_id, owner["person_id"], now)
        else:
            ids.move_visitor(shop, visitor_id, owner["person_id"])
            ids.delete_person_if_orphan(shop, person_id)
        person_id = owner["person_id"]
    elif person[kind] is None:
        ids.set_person(shop, person_id, now, **{kind: value})
    else:  # the person already is someone else: this visitor is a different person now
        old = person_id
        person_id = ids.create_person(shop, now, **{kind: value})
        ids.move_visitor(shop, visitor_id, person_id)
        ids.delete_person_if_orphan(shop, old)
    # The platform's customer record joins the other half (customer id <-> email).
    person = ids.person(shop, person_id)
    if kind == "email" and person["customer_id"] is None:
        found = ids.customer_for_email(shop, value)
        if found:
            person_id = _attach(store, shop, visitor_id, person_id, "customer_id", found, now)
    elif kind == "customer_id" and person["email"] is None:
        found = ids.customer_email(shop, value)
        if found:
            person_id = _attach(store, shop, visitor_id, person_id, "email", found, now)
    return person_id


def history(store: Store, shop: str, visitor_id: str, limit: int = 500) -> list[dict]:
    """Every event of the visitor's person, across all of that person's devices."""
    visitor = store.identities.visitor(shop, visitor_id)
    if visitor is None:
        return []
    return store.events.of_visitors(shop, store.identities.visitor_ids(shop, visitor["person_id"]), limit)
