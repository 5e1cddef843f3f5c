"""Readers for the offline evaluation data: Online Retail orders and plain baskets.

``read_online_retail`` takes one ``.csv`` or ``.csv.gz`` file or a directory of
them (the daily files), and applies the cleaning rule of the dataset's
SOURCE.md: drop rows with no CustomerID, cancellations (InvoiceNo starting
with C), Quantity <= 0, UnitPrice <= 0 and non-product stock codes, then merge
duplicate (invoice, item) lines. A product code is five digits with an
optional letter suffix; everything else (POST, M, C2, DOT, BANK CHARGES, PADS,
AMAZONFEE, gift vouchers...) is postage, fees or adjustments. On the full
dataset this leaves 386,326 basket-item events, 4,334 customers, 3,659
products and 18,402 baskets.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..recommendations.engine.interactions import Order, OrderLine

PRODUCT_CODE = re.compile(r"\d{5}")


def data_files(path: str | Path) -> list[Path]:
    """The file itself, or a directory's ``.csv``/``.csv.gz`` files in name (= date) order."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.name.endswith((".csv", ".csv.gz")))
    if not path.exists():
        raise FileNotFoundError(path)
    return [path]


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_rows(path: str | Path) -> Iterator[dict[str, str]]:
    for file in data_files(path):
        with _open_text(file) as handle:
            yield from csv.DictReader(handle)


def parse_time(text: str) -> float:
    """Epoch seconds (UTC) from ``YYYY-MM-DD HH:MM[:SS]`` or UCI's original ``M/D/YYYY H:MM``."""
    if "/" in text:
        moment = datetime.strptime(text, "%m/%d/%Y %H:%M")
    else:
        moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=timezone.utc).timestamp()


def is_product_code(code: str) -> bool:
    return PRODUCT_CODE.match(code) is not None


def clean_orders(rows: Iterable[dict[str, str]]) -> list[Order]:
    """Apply the cleaning rule and group lines into orders, sorted by (time, invoice)."""
    grouped: dict[str, tuple[str, float, dict[str, list[float]]]] = {}
    for row in rows:
        customer, invoice, code = row["CustomerID"].strip(), row["InvoiceNo"], row["StockCode"]
        if not customer or invoice.startswith("C") or not is_product_code(code):
            continue
        quantity, price = float(row["Quantity"]), float(row["UnitPrice"])
        if quantity <= 0 or price <= 0:
            continue
        order = grouped.get(invoice)
        if order is None:
            customer = customer[:-2] if customer.endswith(".0") else customer
            order = grouped[invoice] = (customer, parse_time(row["InvoiceDate"]), {})
        line = order[2].get(code)
        if line is None:
            order[2][code] = [quantity, price]
        else:
            line[0] += quantity  # a duplicated (invoice, item) is one purchase of the summed units
    orders = [
        Order(invoice, customer, time, tuple(OrderLine(item, q, p) for item, (q, p) in lines.items()))
        for invoice, (customer, time, lines) in grouped.items()
    ]
    orders.sort(key=lambda o: (o.time, o.order_id))
    return orders


def read_online_retail(path: str | Path) -> list[Order]:
    return clean_orders(read_rows(path))


def read_baskets(path: str | Path) -> list[tuple[str, ...]]:
    """One basket per non-empty line, items comma-separated, stripped and de-duplicated."""
    baskets = []
    for file in data_files(path):
        with _open_text(file) as handle:
            for line in handle:
                items = tuple(dict.fromkeys(x.strip() for x in line.split(",") if x.strip()))
                if items:
                    baskets.append(items)
    return baskets


def counts(orders: Iterable[Order]) -> dict[str, int]:
    """Basket-item events, customers, products and baskets: the SOURCE.md check."""
    events = 0
    customers: set[str] = set()
    products: set[str] = set()
    baskets = 0
    for order in orders:
        baskets += 1
        events += len(order.items)
        products.update(order.items)
        if order.customer is not None:
            customers.add(order.customer)
    return {"events": events, "customers": len(customers), "products": len(products), "baskets": baskets}
