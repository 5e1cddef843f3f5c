"""Triggered emails' rows: each planned step and what became of it, the do-not-mail list, and the reads
that decide, just before a send, whether it may still go.

A send moves ``scheduled`` → ``sending`` → ``sent`` (or ``failed``), or
``scheduled`` → ``skipped`` with its reason. Every move is a conditional
update from the state it expects, so two workers that both hold a step (a lease
ran out) cannot both move it: the one whose update matches nothing stops.
``sending`` is committed before the message is handed to SMTP; a step found
still ``sending`` by a later attempt is closed as ``unknown`` and never sent
again (at most once per step).
"""

from __future__ import annotations

from dataclasses import dataclass

from .connection import Database
from .sql import in_list

# Sends that count against a person's contact-pressure budget: handed over, or possibly handed over.
REACHED = ("sending", "sent", "unknown")


@dataclass(frozen=True)
class Send:
    id: int
    shop: str
    flow: str
    step: int
    trigger_key: str
    trigger_at: int
    person_id: str | None
    email: str
    due_at: int
    status: str
    reason: str | None
    attempts: int
    code: str | None
    message_id: str | None
    updated_at: int
    sent_at: int | None


def _send(row: dict | None) -> Send | None:
    if row is None:
        return None
    return Send(**{name: row[name] for name in Send.__dataclass_fields__})


class Emails:
    def __init__(self, database: Database):
        self._d = database

    # ------------------------------------------------------------------ sends

    def plan(self, shop: str, *, flow: str, step: int, trigger_key: str, trigger_at: int, person_id: str | None,
             email: str, due_at: int, now: int) -> int | None:
        """Plan one step; returns its id, or None when this trigger's step was planned before."""
        with self._d.write() as db:  # an INSERT … RETURNING: a write, even outside a caller's transaction
            rows = db.execute(
                """
                INSERT INTO email_sends (shop, flow, step, trigger_key, trigger_at, person_id, email, due_at, status,
                    created_at, updated_at)
                VALUES (:shop, :flow, :step, :trigger_key, :trigger_at, :person_id, :email, :due_at, 'scheduled',
                    :now, :now)
                ON CONFLICT (shop, flow, trigger_key, step) DO NOTHING
                RETURNING id
                """,
                {"shop": shop, "flow": flow, "step": step, "trigger_key": trigger_key, "trigger_at": trigger_at,
                 "person_id": person_id, "email": email, "due_at": due_at, "now": now},
            ).rows
        return rows[0][0] if rows else None

    def get(self, shop: str, send_id: int) -> Send | None:
        return _send(self._d.one("SELECT * FROM email_sends WHERE shop = :shop AND id = :id",
                                 {"shop": shop, "id": send_id}))

    def _move(self, shop: str, send_id: int, *, frm: tuple[str, ...], to: str, now: int, counted: bool = False,
              **values) -> bool:
        """Move one send from one of ``frm`` to ``to`` with ``values``; ``counted``: one more attempt."""
        assigned = "".join(f", {column} = :{column}" for column in values)
        assigned += ", attempts = attempts + 1" if counted else ""
        states, params = in_list("state", frm)
        return self._d.execute(
            f"""UPDATE email_sends SET status = :to, updated_at = :now{assigned}
                WHERE shop = :shop AND id = :id AND status IN ({states})""",
            {**params, **values, "to": to, "now": now, "shop": shop, "id": send_id},
        ).rowcount == 1

    def skip(self, shop: str, send_id: int, reason: str, now: int) -> bool:
        """A planned step that will not go, and why (every skip is recorded with its reason)."""
        return self._move(shop, send_id, frm=("scheduled",), to="skipped", now=now, reason=reason)

    def postpone(self, shop: str, send_id: int, due_at: int, reason: str, now: int) -> bool:
        """A planned step that waits (quiet hours), with the reason it waits."""
        return self._move(shop, send_id, frm=("scheduled",), to="scheduled", now=now, due_at=due_at, reason=reason)

    def give_code(self, shop: str, send_id: int, code: str, now: int) -> bool:
        """Record the pool code a planned step will carry (in the transaction that took it from the pool);
        False when the step moved or has a code already, and the caller rolls back to return the code."""
        return self._d.execute(
            """UPDATE email_sends SET code = :code, updated_at = :now
               WHERE shop = :shop AND id = :id AND status = 'scheduled' AND code IS NULL""",
            {"code": code, "now": now, "shop": shop, "id": send_id},
        ).rowcount == 1

    def begin_sending(self, shop: str, send_id: int, now: int, *, message_id: str, code: str | None) -> bool:
        """Mark the step as being handed to SMTP (commit this before the handover); False if it moved meanwhile."""
        return self._move(shop, send_id, frm=("scheduled",), to="sending", now=now, message_id=message_id,
                          code=code, reason=None, counted=True)

    def sent(self, shop: str, send_id: int, now: int) -> bool:
        return self._move(shop, send_id, frm=("sending",), to="sent", now=now, sent_at=now)

    def failed(self, shop: str, send_id: int, reason: str, now: int) -> bool:
        """The server refused the message for good (its address is suppressed by the caller)."""
        return self._move(shop, send_id, frm=("sending",), to="failed", now=now, reason=reason)

    def retry(self, shop: str, send_id: int, reason: str, due_at: int, now: int) -> bool:
        """The server could not take it now (a 4xx, a lost connection): planned again for ``due_at``."""
        return self._move(shop, send_id, frm=("sending",), to="scheduled", now=now, reason=reason, due_at=due_at)

    def unknown(self, shop: str, send_id: int, now: int) -> bool:
        """A step left ``sending`` by a worker that stopped: maybe delivered, so never sent again."""
        return self._move(shop, send_id, frm=("sending",), to="unknown", now=now,
                          reason="the worker stopped while handing it to the mail server")

    def skip_planned(self, shop: str, email: str, reason: str, now: int) -> int:
        """Skip every step still planned for ``email`` (an unsubscribe, a suppression); returns how many."""
        return self._d.execute(
            """UPDATE email_sends SET status = 'skipped', reason = :reason, updated_at = :now
               WHERE shop = :shop AND email = :email AND status = 'scheduled'""",
            {"shop": shop, "email": email, "reason": reason, "now": now}).rowcount

    def reached(self, shop: str, email: str, since: int) -> list[Send]:
        """Sends handed over (or possibly) to ``email`` since ``since``, newest first: the budget's memory."""
        states, params = in_list("state", REACHED)
        rows = self._d.query(
            f"""SELECT * FROM email_sends WHERE shop = :shop AND email = :email AND status IN ({states})
                AND updated_at >= :since ORDER BY updated_at DESC, id DESC""",
            {**params, "shop": shop, "email": email, "since": since})
        return [_send(row) for row in rows]

    def code_mailed_since(self, shop: str, email: str, since: int) -> bool:
        """Whether an email carrying a discount code went to ``email`` since ``since``."""
        return self._d.one(
            """SELECT 1 AS yes FROM email_sends WHERE shop = :shop AND email = :email AND code IS NOT NULL
               AND status IN ('sending', 'sent', 'unknown') AND updated_at >= :since LIMIT 1""",
            {"shop": shop, "email": email, "since": since}) is not None

    def planned(self, shop: str, email: str, due_before: int) -> list[Send]:
        """Steps still planned for ``email`` that fall due before ``due_before`` (a rival of higher priority)."""
        rows = self._d.query(
            """SELECT * FROM email_sends WHERE shop = :shop AND email = :email AND status = 'scheduled'
               AND due_at < :due_before ORDER BY due_at, id""",
            {"shop": shop, "email": email, "due_before": due_before})
        return [_send(row) for row in rows]

    def counts(self, shop: str) -> list[dict]:
        """Per flow, status and reason: how many (the Emails page's report)."""
        return self._d.query(
            """SELECT flow, status, COALESCE(reason, '') AS reason, COUNT(*) AS n FROM email_sends
               WHERE shop = :shop GROUP BY flow, status, COALESCE(reason, '') ORDER BY flow, status""",
            {"shop": shop})

    # ------------------------------------------------------------------ open-time slots and clicks

    def slots(self, shop: str, send_id: int) -> dict[int, tuple[str, int]]:
        """Slot number -> (product id, chosen at) for a sent email's recommendation slots."""
        rows = self._d.rows("SELECT slot, product_id, chosen_at FROM email_slots WHERE shop = :shop AND send_id = :id",
                            {"shop": shop, "id": send_id})
        return {slot: (product, at) for slot, product, at in rows}

    def choose_slots(self, shop: str, send_id: int, products: list[str], now: int) -> None:
        """What the email's slots show from now on (1, 2, … in order), replacing an older choice."""
        with self._d.write() as db:
            db.execute("DELETE FROM email_slots WHERE shop = :shop AND send_id = :id", {"shop": shop, "id": send_id})
            for slot, product in enumerate(products, 1):
                db.execute("""INSERT INTO email_slots (shop, send_id, slot, product_id, chosen_at)
                              VALUES (:shop, :id, :slot, :product, :now)""",
                           {"shop": shop, "id": send_id, "slot": slot, "product": product, "now": now})

    def click(self, shop: str, send_id: int, slot: int | None, product_id: str | None, now: int) -> None:
        self._d.execute("""INSERT INTO email_clicks (shop, send_id, slot, product_id, clicked_at)
                           VALUES (:shop, :id, :slot, :product, :now)""",
                        {"shop": shop, "id": send_id, "slot": slot, "product": product_id, "now": now})

    def clicks(self, shop: str) -> dict[str, int]:
        """Clicks per flow (the Emails page's report)."""
        rows = self._d.rows("""SELECT s.flow, COUNT(*) FROM email_clicks c
                               JOIN email_sends s ON s.shop = c.shop AND s.id = c.send_id
                               WHERE c.shop = :shop GROUP BY s.flow""", {"shop": shop})
        return dict(rows)

    def attributed(self, shop: str, window_ms: int) -> dict[str, int]:
        """Orders per flow placed by the email's recipient within ``window_ms`` after a click in it
        (Klaviyo's 5-day last-click window); each order counts once, for the last click before it."""
        rows = self._d.rows(
            """SELECT flow, COUNT(*) FROM (
                   SELECT o.order_id, (SELECT s2.flow FROM email_clicks c2
                                       JOIN email_sends s2 ON s2.shop = c2.shop AND s2.id = c2.send_id
                                       WHERE c2.shop = o.shop AND s2.email = LOWER(o.email)
                                         AND c2.clicked_at <= o.created_at AND c2.clicked_at > o.created_at - :window
                                       ORDER BY c2.clicked_at DESC, c2.id DESC LIMIT 1) AS flow
                   FROM orders o WHERE o.shop = :shop AND o.email IS NOT NULL AND o.cancelled_at IS NULL
                     AND o.created_at IS NOT NULL) AS credited
               WHERE flow IS NOT NULL GROUP BY flow""",
            {"shop": shop, "window": window_ms})
        return dict(rows)

    # ------------------------------------------------------------------ the do-not-mail list

    def suppress(self, shop: str, email: str, reason: str, now: int) -> bool:
        """Never mail ``email`` again (a permanent refusal, an unsubscribe, by hand); True if newly listed."""
        with self._d.write() as db:
            return bool(db.execute(
                """INSERT INTO email_suppressions (shop, email, reason, created_at) VALUES (:shop, :email, :reason, :now)
                   ON CONFLICT (shop, email) DO NOTHING RETURNING 1""",
                {"shop": shop, "email": email, "reason": reason, "now": now}).rows)

    def unsuppress(self, shop: str, email: str) -> bool:
        return self._d.execute("DELETE FROM email_suppressions WHERE shop = :shop AND email = :email",
                               {"shop": shop, "email": email}).rowcount == 1

    def suppression(self, shop: str, email: str) -> dict | None:
        return self._d.one("SELECT * FROM email_suppressions WHERE shop = :shop AND email = :email",
                           {"shop": shop, "email": email})

    def suppressions(self, shop: str, limit: int = 500) -> list[dict]:
        return self._d.query(
            """SELECT email, reason, created_at FROM email_suppressions WHERE shop = :shop
               ORDER BY created_at DESC, email LIMIT :limit""", {"shop": shop, "limit": limit})

    def handed_over_since(self, shop: str, since: int) -> int:
        """Messages the shop handed to SMTP since ``since`` (its send rate)."""
        return self._d.scalar(
            """SELECT COUNT(*) FROM email_sends WHERE shop = :shop AND status IN ('sending', 'sent', 'unknown', 'failed')
               AND updated_at >= :since""", {"shop": shop, "since": since}) or 0

    # ------------------------------------------------------------------ DKIM

    def save_dkim_key(self, shop: str, *, domain: str, selector: str, private_pem: str, public_b64: str,
                      now: int) -> None:
        """The shop's signing key (a new one replaces the old: publish its record first)."""
        self._d.execute(
            """INSERT INTO email_dkim_keys (shop, domain, selector, private_pem, public_b64, created_at)
               VALUES (:shop, :domain, :selector, :private_pem, :public_b64, :now)
               ON CONFLICT (shop) DO UPDATE SET domain = excluded.domain, selector = excluded.selector,
                   private_pem = excluded.private_pem, public_b64 = excluded.public_b64,
                   created_at = excluded.created_at""",
            {"shop": shop, "domain": domain, "selector": selector, "private_pem": private_pem,
             "public_b64": public_b64, "now": now})

    def dkim_key(self, shop: str) -> dict | None:
        return self._d.one("SELECT * FROM email_dkim_keys WHERE shop = :shop", {"shop": shop})

    # ------------------------------------------------------------------ what a send checks first

    def consented(self, shop: str, email: str) -> bool:
        """Email marketing consent: a capture sign-up, or the platform customer's own consent."""
        return self._d.one(
            """SELECT 1 AS yes WHERE EXISTS (SELECT 1 FROM subscribers WHERE shop = :shop AND email = :email)
                  OR EXISTS (SELECT 1 FROM customers WHERE shop = :shop AND LOWER(email) = :email
                             AND marketing_state = 'subscribed')""",
            {"shop": shop, "email": email}) is not None

    def ordered_since(self, shop: str, email: str, customer_ids: list[str], since: int) -> bool:
        """An order by this address (or one of the person's customer ids) placed at or after ``since``."""
        ids, params = in_list("customer", customer_ids or [""])
        return self._d.one(
            f"""SELECT 1 AS yes FROM orders WHERE shop = :shop AND created_at >= :since
                AND (LOWER(email) = :email OR customer_id IN ({ids})) LIMIT 1""",
            {**params, "shop": shop, "email": email, "since": since}) is not None

    def checkout(self, shop: str, checkout_token: str) -> dict | None:
        return self._d.one("SELECT * FROM checkouts WHERE shop = :shop AND checkout_token = :token",
                           {"shop": shop, "token": checkout_token})

    def lines(self, shop: str, table: str, parent: str, key: str) -> list[dict]:
        """A cart's or checkout's lines with each product's title, image and stock, in line order."""
        assert (table, parent) in (("cart_lines", "cart_token"), ("checkout_lines", "checkout_token"))
        return self._d.query(
            f"""SELECT l.product_id, l.variant_id, l.title, l.variant_title, l.quantity, l.price,
                       p.url, p.image_src, p.status AS product_status, p.deleted_at, v.inventory_quantity
                FROM {table} l
                LEFT JOIN products p ON p.shop = l.shop AND p.product_id = l.product_id
                LEFT JOIN product_variants v ON v.shop = l.shop AND v.variant_id = l.variant_id
                WHERE l.shop = :shop AND l.{parent} = :key ORDER BY l.position""",
            {"shop": shop, "key": key})

    def bought(self, shop: str, email: str) -> list[str]:
        """Products this address has ordered (never recommended back to them in an email)."""
        rows = self._d.rows(
            """SELECT DISTINCT l.product_id FROM orders o
               JOIN order_lines l ON l.shop = o.shop AND l.order_id = o.order_id
               WHERE o.shop = :shop AND LOWER(o.email) = :email AND l.product_id IS NOT NULL""",
            {"shop": shop, "email": email})
        return [row[0] for row in rows]

    def browsed_sessions(self, shop: str, *, since: int, ended_before: int, limit: int = 500) -> list[dict]:
        """Sessions active since ``since`` and quiet since ``ended_before``, with product views and no add to
        cart, whose browser belongs to someone with an address: browse abandonment's triggers."""
        return self._d.query(
            """SELECT e.session_id, MAX(e.occurred_at) AS ended_at, MAX(p.person_id) AS person_id,
                      MAX(p.email) AS email
               FROM storefront_events e
               JOIN visitors v ON v.shop = e.shop AND v.visitor_id = e.visitor_id
               JOIN people p ON p.shop = v.shop AND p.person_id = v.person_id
               WHERE e.shop = :shop AND e.occurred_at >= :since AND p.email IS NOT NULL
               GROUP BY e.session_id
               HAVING MAX(e.occurred_at) < :ended_before
                  AND SUM(CASE WHEN e.type = 'product_view' THEN 1 ELSE 0 END) > 0
                  AND SUM(CASE WHEN e.type = 'add_to_cart' THEN 1 ELSE 0 END) = 0
                  AND NOT EXISTS (SELECT 1 FROM email_sends s WHERE s.shop = :shop AND s.flow = 'browse'
                                  AND s.trigger_key = e.session_id)
               ORDER BY ended_at LIMIT :limit""",
            {"shop": shop, "since": since, "ended_before": ended_before, "limit": limit})

    def lapsing(self, shop: str, limit: int = 500) -> list[dict]:
        """People now at risk or lapsed, with an address, not yet mailed for this lapse (win-back's triggers):
        the key is the person and their last order, so a buyer who comes back and lapses again counts again."""
        return self._d.query(
            """SELECT p.person_id, p.email, p.last_order_at FROM profiles p
               WHERE p.shop = :shop AND p.lifecycle IN ('at_risk', 'lapsed') AND p.email IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM email_sends s WHERE s.shop = p.shop AND s.flow = 'winback'
                                 AND s.trigger_key = p.person_id || ':' || CAST(p.last_order_at AS TEXT))
               ORDER BY p.person_id LIMIT :limit""", {"shop": shop, "limit": limit})

    def cart_owner_email(self, shop: str, cart_token: str) -> str | None:
        """The address of whoever owns a cart: the person of a browser that used it, else a checkout or order
        made from it."""
        row = self._d.one(
            """SELECT email FROM (
                   SELECT p.email, p.updated_at AS at FROM visitor_carts vc
                   JOIN visitors v ON v.shop = vc.shop AND v.visitor_id = vc.visitor_id
                   JOIN people p ON p.shop = v.shop AND p.person_id = v.person_id
                   WHERE vc.shop = :shop AND vc.cart_token = :cart AND p.email IS NOT NULL
                   UNION ALL
                   SELECT email, source_updated_at AS at FROM checkouts
                   WHERE shop = :shop AND cart_token = :cart AND email IS NOT NULL
               ) AS found ORDER BY at DESC LIMIT 1""",
            {"shop": shop, "cart": cart_token})
        return row["email"].strip().lower() if row else None

    def latest_consented(self, shop: str) -> dict | None:
        """The newest address with email marketing consent, and where it comes from (``subscriber`` or
        ``customer``): the real person the Emails page previews a flow for."""
        return self._d.one(
            """SELECT email, source FROM (
                   SELECT email, consent_at AS at, 'subscriber' AS source FROM subscribers WHERE shop = :shop
                   UNION ALL
                   SELECT LOWER(email) AS email, COALESCE(marketing_consent_at, updated_at, source_updated_at) AS at,
                          'customer' AS source
                   FROM customers WHERE shop = :shop AND email IS NOT NULL AND marketing_state = 'subscribed'
               ) AS consented ORDER BY at DESC, email LIMIT 1""",
            {"shop": shop})

    def customers_of(self, shop: str, email: str) -> tuple[list[str], str | None]:
        """The platform customers with this address, and the country of the newest one's default address:
        an order under any of those ids ends a flow, and the country places the shopper's quiet hours."""
        rows = self._d.query(
            """SELECT customer_id, country_code FROM customers WHERE shop = :shop AND LOWER(email) = :email
               ORDER BY updated_at DESC""", {"shop": shop, "email": email})
        return [r["customer_id"] for r in rows], next((r["country_code"] for r in rows if r["country_code"]), None)

    def first_name(self, shop: str, email: str) -> str | None:
        row = self._d.one(
            """SELECT first_name FROM customers WHERE shop = :shop AND LOWER(email) = :email
               AND first_name IS NOT NULL ORDER BY updated_at DESC LIMIT 1""", {"shop": shop, "email": email})
        return row["first_name"] if row else None
