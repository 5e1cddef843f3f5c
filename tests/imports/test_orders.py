"""CSV import of offline and historical orders: mapping, per-line errors, idempotency, the catalog."""

from __future__ import annotations

import gzip
import shutil

import pytest

from plugin.cli import main
from plugin.imports.orders import ImportError_, import_orders
from plugin.store.commerce import Product

from tests.support import reads
from tests.support.app import SHOP
from tests.support.paths import SHARED
from tests.support.shops import install
from tests.support.cli import cli_database

RETAIL_DAY = SHARED / "datasets" / "online_retail_uci" / "by-day" / "2010-12-01.csv.gz"

GOOD = """order_id,customer_id,created_at,product_id,quantity,unit_price,title,category
1001,C1,2026-01-05 10:00:00,P1,2,4.50,Mug,Kitchen
1001,C1,2026-01-05 10:00:00,P2,1,12.00,Kettle,Kitchen
1002,,2026-01-06T09:30:00+01:00,P1,1,4.50,Mug,Kitchen
"""


def write(tmp_path, text, name="orders.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def dump(store):
    tables = ("orders", "order_lines", "products")
    return {t: store.database.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}


def test_good_rows_become_orders_lines_and_available_products(store, tmp_path):
    report = import_orders(store, SHOP, write(tmp_path, GOOD))
    assert (report.rows, report.orders, report.lines, report.new_products, report.errors) == (3, 2, 3, 2, [])
    order = reads.order(store, SHOP, "1001")
    assert order["origin"] == "import" and order["customer_id"] == "C1" and order["total_price"] == "21.00"
    assert [(l["product_id"], l["quantity"], l["price"]) for l in order["lines"]] == [("P1", 2, "4.50"), ("P2", 1, "12.00")]
    assert reads.order(store, SHOP, "1002")["created_at"] == 1767688200000  # offset honoured
    available = {p["product_id"] for p in reads.available_products(store, SHOP)}
    assert available == {"P1", "P2"}
    assert store.commerce.get_product(SHOP, "P2")["product_type"] == "Kitchen"


def test_reimporting_changes_nothing(store, tmp_path):
    path = write(tmp_path, GOOD)
    import_orders(store, SHOP, path)
    before = dump(store)
    report = import_orders(store, SHOP, path)
    assert report.new_products == 0
    assert dump(store) == before


def test_the_catalog_wins_over_products_known_only_from_imports(store, tmp_path):
    store.commerce.upsert_product(SHOP, Product(product_id="P1", source_updated_at=1_700_000_000_000,
                                                title="Stoneware Mug", status="archived"))
    import_orders(store, SHOP, write(tmp_path, GOOD))
    product = store.commerce.get_product(SHOP, "P1")
    assert (product["title"], product["status"]) == ("Stoneware Mug", "archived")
    assert "P1" not in {p["product_id"] for p in reads.available_products(store, SHOP)}


def test_bad_lines_are_reported_by_line_and_never_abort_the_good_ones(store, tmp_path):
    text = GOOD + (
        "1003,C2,not-a-date,P1,1,4.50,Mug,Kitchen\n"          # line 5
        "1004,C2,2026-01-07 10:00:00,P1,-3,4.50,Mug,Kitchen\n"  # line 6: a return
        "1005,C2,2026-01-07 10:00:00,P1,two,4.50,Mug,Kitchen\n"  # line 7
        "1006,C2,2026-01-07 10:00:00,P1,1,-1,Mug,Kitchen\n"     # line 8
        "1001,C1,2026-01-05 10:00:00,P2,1,12.00,Kettle,Kitchen\n"  # line 9: duplicate of line 3
        "1007,C3,2026-01-08 10:00:00,P3,1,3.00,Spoon,Kitchen\n"  # line 10: good
    )
    report = import_orders(store, SHOP, write(tmp_path, text))
    errors = dict(report.errors)
    assert set(errors) == {"orders.csv:5", "orders.csv:6", "orders.csv:7", "orders.csv:8", "orders.csv:9"}
    assert "bad date" in errors["orders.csv:5"]
    assert "positive" in errors["orders.csv:6"]
    assert "bad quantity" in errors["orders.csv:7"]
    assert "negative" in errors["orders.csv:8"]
    assert "duplicate row" in errors["orders.csv:9"]
    assert report.orders == 3 and reads.order(store, SHOP, "1007") is not None
    assert len(reads.order(store, SHOP, "1001")["lines"]) == 2  # the duplicate was not counted twice


@pytest.mark.parametrize("text, columns, message", [
    ("order,customer_id,created_at,product_id,quantity,unit_price\n1,a,2026-01-01,P,1,1\n", None, "missing column(s) order_id"),
    ("order_id,created_at,product_id,quantity,unit_price\n1,2026-01-01,P,1,1\n", None, "customer_id or email"),
    (GOOD, "order_id=Invoice", "headers the file does not have: Invoice"),
    (GOOD, "colour=Colour", "unknown column 'colour'"),
    (GOOD, "order_id", "is not column=Header"),
])
def test_files_that_cannot_be_imported_change_nothing(store, tmp_path, text, columns, message):
    with pytest.raises(ImportError_, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_orders(store, SHOP, write(tmp_path, text), columns=columns)
    assert store.database.query("SELECT * FROM orders") == []


def test_a_folder_with_one_bad_file_changes_nothing(store, tmp_path):
    folder = tmp_path / "days"
    folder.mkdir()
    write(folder, GOOD, "a.csv")
    write(folder, "order_id,created_at\n1,2026-01-01\n", "b.csv")
    with pytest.raises(ImportError_, match="b.csv: missing column"):
        import_orders(store, SHOP, folder)
    assert store.database.query("SELECT * FROM orders") == []


def test_orders_are_written_while_the_file_is_read(store, tmp_path, monkeypatch):
    monkeypatch.setattr("plugin.imports.orders.BATCH", 1)
    rows = ["order_id,customer_id,created_at,product_id,quantity,unit_price"]
    rows += [f"{n},C{n},2026-01-05 10:00:00,P{n % 3},1,1.00" for n in range(1, 6)]
    written_while_reading = []
    totals = []
    report = import_orders(
        store, SHOP, write(tmp_path, "\n".join(rows) + "\n"), total=totals.append,
        progress=lambda _: written_while_reading.append(len(store.database.query("SELECT order_id FROM orders"))))
    assert totals == [5] and report.orders == 5
    assert written_while_reading == [0, 1, 2, 3, 4]  # each order is written once its last row is read


def test_rows_of_one_order_need_not_be_contiguous(store, tmp_path):
    text = """order_id,customer_id,created_at,product_id,quantity,unit_price
1001,C1,2026-01-05 10:00:00,P1,1,1.00
1002,C2,2026-01-05 11:00:00,P2,1,2.00
1001,C1,2026-01-05 10:00:00,P3,2,3.00
"""
    report = import_orders(store, SHOP, write(tmp_path, text))
    assert (report.orders, report.lines) == (2, 3)
    assert [l["product_id"] for l in reads.order(store, SHOP, "1001")["lines"]] == ["P1", "P3"]


def test_the_online_retail_files_import_with_the_preset(store, tmp_path):
    folder = tmp_path / "by-day"
    folder.mkdir()
    shutil.copy(RETAIL_DAY, folder / RETAIL_DAY.name)
    report = import_orders(store, SHOP, folder, columns="online-retail")
    assert report.rows == 3108  # the MANIFEST's row count for that day
    order = reads.order(store, SHOP, "536365")
    assert order["customer_id"] == "17850"  # "17850.0" in the file
    assert order["lines"][0]["product_id"] == "85123A" and order["lines"][0]["price"] == "2.55"
    assert all(":" in where for where, _ in report.errors)


@pytest.fixture
def cli_store(tmp_path, monkeypatch):
    """The database ``storelift`` commands open (test mode), with the shop installed."""
    with cli_database(tmp_path, monkeypatch) as store:
        install(store, SHOP)
        yield store


def test_cli_import_prints_a_report_and_writes_the_errors(cli_store, tmp_path, capsys):
    gz = tmp_path / "orders.csv.gz"
    gz.write_bytes(gzip.compress((GOOD + "1009,C9,never,P1,1,1,Mug,Kitchen\n").encode()))
    errors = tmp_path / "errors.csv"
    assert main(["import", "orders", str(gz), "--shop", SHOP, "--errors", str(errors), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "imported 2 orders (3 lines) from 4 rows" in out and "1 rows rejected" in out
    assert "orders.csv.gz:5" in errors.read_text()
    assert main(["import", "orders", str(gz), "--shop", "nobody.myshopify.com", "--quiet"]) == 2
    assert main(["import", "orders", str(tmp_path / "missing.csv"), "--shop", SHOP, "--quiet"]) == 2


def test_a_file_that_grows_between_the_two_passes_reports_the_new_rows(store, tmp_path, monkeypatch):
    import plugin.imports.orders as importer

    path = write(tmp_path, GOOD)
    real_rows = importer._rows
    passes = []

    def rows(files, mapping):
        passes.append(1)
        if len(passes) == 2:  # the second pass sees a row the first did not count
            path.write_text(GOOD + "1001,C1,2026-01-05 10:00:00,P3,1,2.00,Cup,Kitchen\n")
        return real_rows(files, mapping)

    monkeypatch.setattr(importer, "_rows", rows)
    report = import_orders(store, SHOP, path)
    assert (report.rows, report.orders, report.lines) == (4, 2, 3)
    assert report.errors == [("orders.csv:5", "the file changed while it was imported; this row was not imported")]
    assert [l["product_id"] for l in reads.order(store, SHOP, "1001")["lines"]] == ["P1", "P2"]


def test_cli_import_that_fails_midway_refreshes_what_it_wrote(cli_store, tmp_path, monkeypatch, capsys):
    import plugin.imports.orders as importer

    folder = tmp_path / "days"
    folder.mkdir()
    write(folder, GOOD, "a.csv")
    second = write(folder, GOOD.replace("1001", "2001").replace("1002", "2002"), "b.csv")
    monkeypatch.setattr(importer, "BATCH", 1)
    real_rows, passes = importer._rows, []

    def rows(files, mapping):
        passes.append(1)
        if len(passes) == 2:
            second.unlink()  # gone between the passes: b.csv cannot be opened
        return real_rows(files, mapping)

    monkeypatch.setattr(importer, "_rows", rows)
    generation = cli_store.recommendations.state(SHOP)[0]
    assert main(["import", "orders", str(folder), "--shop", SHOP, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "b.csv" in err and "the orders written before the failure stay; 1 shopper profiles rebuilt" in err
    assert [o["order_id"] for o in cli_store.database.query("SELECT order_id FROM orders ORDER BY 1")] == ["1001", "1002"]
    assert cli_store.recommendations.state(SHOP)[0] == generation + 1
