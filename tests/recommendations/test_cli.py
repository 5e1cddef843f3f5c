"""``storelift evaluate`` and ``storelift rebuild``, and the import's hand-off to serving processes."""

from __future__ import annotations

import gzip
import shutil

import pytest

from plugin.cli import main

from tests.support.shops import install
from tests.support.recommendations import catalog, order
from tests.support.paths import SHARED
from tests.support.cli import cli_database

DAYS = SHARED / "datasets" / "online_retail_uci" / "by-day"
SHOP = "cli-recs.myshopify.com"


@pytest.fixture
def db(tmp_path, monkeypatch):
    with cli_database(tmp_path, monkeypatch) as store:
        yield store


def test_evaluate_a_missing_file_or_an_empty_folder_says_so(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such file or directory" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "no .csv or .csv.gz files" in capsys.readouterr().err


def test_evaluate_a_file_that_is_not_gzip_fails_cleanly(tmp_path, capsys):
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    assert main(["evaluate", str(broken)]) == 2
    assert "cannot evaluate" in capsys.readouterr().err


@pytest.mark.skipif(not DAYS.exists(), reason="the shared Online Retail data is not here")
def test_evaluate_a_folder_of_daily_online_retail_files_prints_the_table(tmp_path, capsys):
    for day in ("2011-09-22", "2011-09-23", "2011-09-26", "2011-09-27"):  # both sides of the split
        shutil.copy(DAYS / f"{day}.csv.gz", tmp_path)
    assert main(["evaluate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "HR@10" in out and "NDCG@10" in out and "cover" in out
    for task in ("OR (a) for you", "OR (b) buy again", "OR (c) bought together", "OR (d) for you in session",
                 "popularity"):
        assert task in out


def test_evaluate_a_gzipped_basket_file(tmp_path, capsys):
    baskets = ["milk,bread,butter", "milk,bread", "beer,chips", "beer,chips,salsa", "milk,butter"] * 20
    path = tmp_path / "baskets.csv.gz"
    path.write_bytes(gzip.compress("\n".join(baskets).encode()))
    assert main(["evaluate", str(path)]) == 0
    assert "Groceries bought together" in capsys.readouterr().out
    assert main(["evaluate", str(path), str(path)]) == 0  # several files: one table
    out = capsys.readouterr().out
    assert out.count("Groceries bought together") == 2 * 7 and out.count("HR@10") == 1  # 7 methods each


def test_rebuild_one_shop_or_every_installed_one(db, capsys):
    assert main(["rebuild", "--shop", SHOP]) == 2
    assert "not a shop Storelift knows" in capsys.readouterr().err
    install(db, SHOP)
    catalog(db, SHOP, 3)
    order(db, SHOP, "o1", ["1000", "1001"])
    assert main(["rebuild", "--shop", SHOP]) == 0
    assert f"{SHOP}: 1 orders, 2 products sold, 2 pairs, 1 recent baskets, 3 products available" in capsys.readouterr().out
    assert main(["rebuild"]) == 0
    assert SHOP in capsys.readouterr().out
    assert db.recommendations.state(SHOP)[0] == 2  # each rebuild told every process to rebuild


def test_an_import_makes_serving_processes_rebuild(db, tmp_path):
    install(db, SHOP)
    csv = tmp_path / "orders.csv"
    csv.write_text("order_id,customer_id,created_at,product_id,quantity,unit_price\n"
                   "1001,C1,2024-01-01 10:00:00,P1,1,5.00\n")
    assert main(["import", "orders", str(csv), "--shop", SHOP, "--quiet"]) == 0
    assert db.recommendations.state(SHOP)[0] == 1
