"""``storelift import orders``: a store's order history or in-store sales from CSV.

Imported orders land in the same tables the webhooks fill (origin
``import``), so profiles, segments and recommendations treat online,
point-of-sale and historical orders alike. The import is idempotent — each
order is written with its own ``created_at`` as its staleness clock, so
running a file twice changes nothing and a fresher platform state always
wins — and it never aborts on a bad line: each is reported with its line
number and the good rows go in.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from plugin.store import Store
from plugin.store.commerce import Line, Order, Product

COLUMNS = ("order_id", "customer_id", "email", "created_at", "product_id", "quantity", "unit_price",
           "title", "category", "currency")
REQUIRED = ("order_id", "created_at", "product_id", "quantity", "unit_price")
PRESETS = {
    # The UCI Online Retail files (and the daily split in shared/datasets).
    "online-retail": "order_id=InvoiceNo,product_id=StockCode,title=Description,quantity=Quantity,"
                     "created_at=InvoiceDate,unit_price=UnitPrice,customer_id=CustomerID",
}
BATCH = 500  # orders per transaction (and what the import holds in memory beyond the open orders)


class ImportError_(Exception):
    """The file cannot be imported at all (missing or unknown columns); nothing was written."""


@dataclass
class ImportReport:
    rows: int = 0
    orders: int = 0
    lines: int = 0
    new_products: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file:line, why)


def parse_columns(spec: str | None) -> dict[str, str]:
    """``order_id=InvoiceNo,…`` (or a preset name) → {our column: header in the file}."""
    if not spec:
        return {}
    spec = PRESETS.get(spec, spec)
    mapping = {}
    for pair in spec.split(","):
        ours, sep, theirs = pair.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not theirs:
            raise ImportError_(f"--columns: {pair!r} is not column=Header")
        if ours not in COLUMNS:
            raise ImportError_(f"--columns: unknown column {ours!r} (known: {', '.join(COLUMNS)})")
        mapping[ours] = theirs
    return mapping


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.name.endswith((".csv", ".csv.gz")))
    if not path.exists():
        raise ImportError_(f"{path}: no such file")
    return [path]


def _open(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _header_map(header: list[str], mapping: dict[str, str], name: str) -> dict[str, str]:
    """Resolve our columns to the file's headers, or explain what is wrong."""
    present = set(header)
    unknown = sorted(h for h in mapping.values() if h not in present)
    if unknown:
        raise ImportError_(f"{name}: --columns names headers the file does not have: {', '.join(unknown)} "
                           f"(its headers: {', '.join(header)})")
    resolved = {ours: mapping.get(ours, ours) for ours in COLUMNS if mapping.get(ours, ours) in present}
    missing = [c for c in REQUIRED if c not in resolved]
    if "customer_id" not in resolved and "email" not in resolved:
        missing.append("customer_id or email")
    if missing:
        raise ImportError_(f"{name}: missing column(s) {', '.join(missing)} (its headers: {', '.join(header)}); "
                           "map them with --columns ours=Theirs")
    return resolved


def _rows(files: list[Path], mapping: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    for file in files:
        with _open(file) as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                continue
            resolved = _header_map([h.strip() for h in header], mapping, file.name)
            index = {ours: header.index(theirs) for ours, theirs in resolved.items()}
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield f"{file.name}:{reader.line_num}", {
                    ours: (row[i].strip() if i < len(row) else "") for ours, i in index.items()}


def _epoch_ms(text: str) -> int:
    """ISO-8601 (``2011-12-09 12:50:00``, with or without offset) or ``M/D/YYYY H:MM``; naive is UTC."""
    if "/" in text:
        moment = datetime.strptime(text, "%m/%d/%Y %H:%M")
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def _customer_id(text: str) -> str | None:
    """``17850.0`` (spreadsheets write ids as floats) → ``17850``."""
    if not text:
        return None
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


@dataclass
class _Draft:
    order_id: str
    created_at: int
    customer_id: str | None
    email: str | None
    currency: str | None
    lines: list[Line] = field(default_factory=list)
    seen: set = field(default_factory=set)


def _parse(row: dict[str, str]) -> tuple[int, int, Decimal]:
    if not row["order_id"]:
        raise ValueError("empty order_id")
    if not row["product_id"]:
        raise ValueError("empty product_id")
    try:
        created = _epoch_ms(row["created_at"])
    except ValueError:
        raise ValueError(f"bad date {row['created_at']!r}") from None
    try:
        quantity = int(row["quantity"])
    except ValueError:
        raise ValueError(f"bad quantity {row['quantity']!r}") from None
    if quantity <= 0:
        raise ValueError(f"quantity must be positive, got {quantity} (returns and cancellations are not orders)")
    try:
        price = Decimal(row["unit_price"])
    except InvalidOperation:
        raise ValueError(f"bad unit_price {row['unit_price']!r}") from None
    if price < 0 or not price.is_finite():
        raise ValueError(f"unit_price must not be negative, got {row['unit_price']}")
    return created, quantity, price


def import_orders(
    store: Store, shop: str, path: str | Path, *, columns: str | None = None,
    progress: Callable[[int], None] | None = None, total: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every good line of ``path`` (a .csv, .csv.gz, or a folder of them) into ``shop``.

    Two passes, so memory grows with the number of orders, not of rows: the
    first checks every file's header (a file that cannot be imported stops
    the run before anything is written) and counts each order's rows (one
    small entry per order); the second writes an order as soon as its last
    row has been read, ``BATCH`` orders per transaction. Orders whose rows are contiguous (every export we know)
    hold one order in memory at a time; rows of one order scattered across
    the file are still joined, at the cost of holding the open orders.
    ``total`` receives the row count after the first pass (a progress bar's
    length), ``progress`` each row of the second.
    """
    mapping = parse_columns(columns)
    files = _files(Path(path))
    remaining: dict[str, int] = {}
    for _, row in _rows(files, mapping):
        remaining[row["order_id"]] = remaining.get(row["order_id"], 0) + 1
    if total:
        total(sum(remaining.values()))
    report = ImportReport()
    writer = _BatchWriter(store, shop, report)
    drafts: dict[str, _Draft] = {}
    for where, row in _rows(files, mapping):
        report.rows += 1
        if progress:
            progress(1)
        order_id = row["order_id"]
        left = remaining.pop(order_id, 0)
        if not left:  # a row the first pass did not see: the file was written to meanwhile
            report.errors.append((where, "the file changed while it was imported; this row was not imported"))
            continue
        _add_row(report, writer, drafts, where, row)
        if left > 1:
            remaining[order_id] = left - 1
        elif (draft := drafts.pop(order_id, None)) is not None:
            writer.add(_order(draft))
    for draft in drafts.values():  # the file lost rows meanwhile: what was read is still written
        writer.add(_order(draft))
    writer.flush()
    return report


def _add_row(report: ImportReport, writer: "_BatchWriter", drafts: dict[str, _Draft], where: str,
             row: dict[str, str]) -> None:
    """Add one good row to its order's draft, or report why the row is not imported."""
    try:
        created, quantity, price = _parse(row)
    except ValueError as exc:
        report.errors.append((where, str(exc)))
        return
    email = (row.get("email") or "").lower() or None
    draft = drafts.setdefault(row["order_id"], _Draft(
        row["order_id"], created, _customer_id(row.get("customer_id", "")), email, row.get("currency") or None))
    identity = (row["product_id"], quantity, price, row.get("title"))
    if identity in draft.seen:
        report.errors.append((where, f"duplicate row: order {row['order_id']} already has this line"))
        return
    draft.seen.add(identity)
    draft.lines.append(Line(quantity=quantity, product_id=row["product_id"], price=str(price),
                            line_price=str(price * quantity), title=row.get("title") or None))
    writer.product(Product(product_id=row["product_id"], source_updated_at=0, title=row.get("title") or None,
                           product_type=row.get("category") or None))


class _BatchWriter:
    """Complete orders and first-seen products, written ``BATCH`` orders per transaction."""

    def __init__(self, store: Store, shop: str, report: ImportReport):
        self.store, self.shop, self.report = store, shop, report
        self.orders: list[Order] = []
        self.products: dict[str, Product] = {}
        self.seen_products: set[str] = set()

    def product(self, product: Product) -> None:
        if product.product_id not in self.seen_products:
            self.seen_products.add(product.product_id)
            self.products[product.product_id] = product

    def add(self, order: Order) -> None:
        self.orders.append(order)
        if len(self.orders) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.orders and not self.products:
            return
        with self.store.database.write():
            self.report.new_products += _save_products(self.store, self.shop, self.products.values())
            for order in self.orders:
                self.store.commerce.upsert_order(self.shop, order)
        self.report.orders += len(self.orders)
        self.report.lines += sum(len(o.lines) for o in self.orders)
        self.orders, self.products = [], {}


def _order(draft: _Draft) -> Order:
    total = sum((Decimal(line.line_price) for line in draft.lines), Decimal(0))
    return Order(
        order_id=draft.order_id, source_updated_at=draft.created_at, email=draft.email,
        customer_id=draft.customer_id, currency=draft.currency, total_price=str(total), subtotal_price=str(total),
        financial_status="paid", source_name="import", created_at=draft.created_at, updated_at=draft.created_at,
        origin="import", lines=tuple(draft.lines),
    )


def _save_products(store: Store, shop: str, products: Iterable[Product]) -> int:
    """Products known only from imported orders count as available until the catalog says
    otherwise: they are written with the oldest possible clock, so any catalog update wins.
    Runs inside the caller's write transaction."""
    added = 0
    for product in products:
        if store.commerce.get_product(shop, product.product_id) is None:
            store.commerce.upsert_product(shop, product)
            added += 1
    return added
