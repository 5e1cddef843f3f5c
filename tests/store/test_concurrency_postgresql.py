"""The four behaviours that relied on SQLite's single writer, each with two real sessions on PostgreSQL.

Each test holds one transaction open on a thread (a worker mid-claim, a signup
mid-transaction, a handler that has not committed yet) while a second session
does the same thing, exactly the interleavings a probe on PostgreSQL found
broken: two workers claiming the same delivery, a subscriber told the pool is
dry while codes are free, a feed reader skipping a row committed late, and a
unique violation on a visitor's first sight.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from plugin.people import identity

from ..support.database import only_on
from ..support.recommendations import catalog, order

pytestmark = only_on("postgresql", "these interleavings need concurrent writers, which SQLite serializes")

SHOP = "race.myshopify.com"
HOLD_S = 0.5  # how long the first transaction stays open after the second has started


class Held:
    """Run ``first`` inside a write transaction on its own thread and keep it open until released."""

    def __init__(self, store, first: Callable[[], object]):
        self.result: list = []
        self.error: list[BaseException] = []
        self._opened = threading.Event()
        self._release = threading.Event()

        def run():
            try:
                with store.database.write():
                    self.result.append(first())
                    self._opened.set()
                    self._release.wait(10)
            except BaseException as exc:  # reported by the test
                self.error.append(exc)
                self._opened.set()

        self._thread = threading.Thread(target=run)
        self._thread.start()
        assert self._opened.wait(10)

    def commit(self):
        self._release.set()
        self._thread.join(10)
        assert not self.error, self.error
        return self.result[0]


def in_thread(action: Callable[[], object]) -> tuple[threading.Thread, list, list]:
    result: list = []
    error: list = []

    def run():
        try:
            result.append(action())
        except BaseException as exc:  # reported by the test
            error.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result, error


def deliver(store, key: str) -> int:
    return store.inbox.accept(shop=SHOP, topic="orders/create", dedupe_key=key, webhook_id=key, event_id=None,
                              api_version="2026-10", triggered_at=None, body=b"{}")


def test_two_workers_claiming_at_once_take_different_deliveries(store):
    first, second = deliver(store, "d1"), deliver(store, "d2")
    held = Held(store, lambda: [d.id for d in store.inbox.claim("worker-a", lease_ms=60_000, limit=1)])
    thread, claimed, error = in_thread(lambda: [d.id for d in store.inbox.claim("worker-b", lease_ms=60_000, limit=1)])
    thread.join(HOLD_S * 4)
    assert not thread.is_alive(), "the second claim waited for the first instead of skipping its row"
    assert held.commit() == [first]
    assert not error and claimed == [[second]]


def test_a_second_subscriber_gets_another_free_code_while_the_first_signup_is_open(store):
    campaign = store.capture.add_campaign(SHOP, discount_key="k", discount_id="gid://d/1", title="Welcome",
                                          starts_at=0, ends_at=None)
    store.capture.add_codes(SHOP, campaign, ["CODE-A", "CODE-B"])
    held = Held(store, lambda: store.capture.take_code(SHOP, campaign, 1))

    def second():
        with store.database.write():
            return store.capture.take_code(SHOP, campaign, 2)

    thread, taken, error = in_thread(second)
    thread.join(HOLD_S * 4)
    assert not thread.is_alive(), "the second signup waited for the first one's code"
    first = held.commit()
    assert not error and {first, taken[0]} == {"CODE-A", "CODE-B"}


def test_a_feed_row_committed_after_a_later_one_is_still_read(store):
    catalog(store, SHOP, 3)
    order(store, SHOP, "early", ["1000", "1001"])
    order(store, SHOP, "late", ["1001", "1002"])
    # "early" gets the smaller id but commits last; "late" commits while it is open.
    held = Held(store, lambda: store.recommendations.record_change(SHOP, "order", "early", 1))
    store.recommendations.record_change(SHOP, "order", "late", 2)
    seen, cursor = [], (0, 0)

    def read():
        nonlocal cursor
        rows = store.recommendations.changes_since(SHOP, cursor)
        if rows:
            cursor = (rows[-1][0], rows[-1][1])
        seen.extend(ref for _, _, _, ref in rows)

    read()  # while "early" is open: "late" is committed but not final yet
    held.commit()
    read()
    assert sorted(seen) == ["early", "late"]


def test_a_visitor_first_seen_by_two_requests_at_once_becomes_one_person(store):
    for n in range(3):
        visitor = f"visitor-{n}"
        held = Held(store, lambda: identity.observe(store, SHOP, visitor, 1)["person_id"])
        thread, person, error = in_thread(lambda: identity.observe(store, SHOP, visitor, 2)["person_id"])
        time.sleep(HOLD_S)  # the second request reaches the visitor's row and waits for the first to commit
        first = held.commit()
        thread.join(10)
        assert not error, error
        assert person == [first]
        people = store.database.query("SELECT COUNT(*) AS n FROM people WHERE shop = :shop AND person_id IN"
                                      " (SELECT person_id FROM visitors WHERE shop = :shop AND visitor_id = :v)",
                                      {"shop": SHOP, "v": visitor})
        assert people[0]["n"] == 1
        orphans = store.database.query(
            "SELECT COUNT(*) AS n FROM people p WHERE shop = :shop AND NOT EXISTS"
            " (SELECT 1 FROM visitors v WHERE v.shop = p.shop AND v.person_id = p.person_id)", {"shop": SHOP})
        assert orphans[0]["n"] == 0
