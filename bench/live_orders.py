"""New orders for the recommendation benchmark, written as the order webhook handler writes them.

``write_order`` is one order and its change-feed row in one transaction.
``OrderStream`` writes them at a steady rate from a thread of the benchmark's
own process while block requests are timed: the server applies each on its
next request (``feed.tail`` forks its model), so what an order costs the
requests around it shows up in their latency, as it does in a store that is
selling.
"""

from __future__ import annotations

import threading
import time


def write_order(store, shop: str, data, order_id: str, customer: str, now_ms: int) -> None:
    """One order of ``data.basket()`` (``recommendations.Synthetic``) and its feed row."""
    from plugin.recommendations.serving import api as recommendations
    from plugin.store.commerce import Line, Order

    with store.database.write():
        store.commerce.upsert_order(shop, Order(
            order_id=order_id, source_updated_at=now_ms, customer_id=customer, currency="USD",
            created_at=now_ms, total_price="10.00",
            lines=tuple(Line(quantity=1, product_id=data.ids[p], price="10.00") for p in data.basket())))
        recommendations.on_order(store, shop, order_id)


class OrderStream:
    """``per_second`` orders a second into ``db`` for as long as the ``with`` block runs.

    Each order is due at its slot, like ``load.paced``'s requests. An error in
    the writer is raised again when the block ends, so a run that lost its
    orders cannot pass for one that had them.
    """

    def __init__(self, db: str, shop: str, data, per_second: float, customers: int):
        self.db, self.shop, self.data = db, shop, data
        self.per_second, self.customers = per_second, customers
        self.written = 0
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bench-orders")

    def __enter__(self) -> "OrderStream":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        if self._error is not None:
            raise RuntimeError("the order stream failed") from self._error

    def _run(self) -> None:
        from plugin.store import Store

        store = Store(self.db)
        begin = time.monotonic()
        try:
            while not self._stop.wait(max(0.0, begin + self.written / self.per_second - time.monotonic())):
                n = self.written
                write_order(store, self.shop, self.data, f"L{n:08d}", f"C{n * 7919 % self.customers:06d}",
                            int(time.time() * 1000))
                self.written += 1
        except BaseException as error:  # handed to __exit__, which raises it in the benchmark's thread
            self._error = error
        finally:
            store.close()
