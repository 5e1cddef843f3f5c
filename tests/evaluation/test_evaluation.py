"""Metrics on hand-computed examples, the protocols' building blocks, and the readers."""

from __future__ import annotations

import gzip
import math

import pytest

from plugin.evaluation import evaluation as ev
from plugin.evaluation.datasets import counts, parse_time, read_baskets, read_online_retail
from plugin.recommendations.engine.interactions import Order, OrderLine
from plugin.evaluation.metrics import Scores, hit_rate, mean_summary, ndcg, recall

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
ROWS = [
    "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
    "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom",
    "536365,71053,LANTERN,2,2010-12-01 08:26:00,3.39,17850.0,United Kingdom",  # duplicate line: merged
    "536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.0,17850.0,United Kingdom",  # not a product
    "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,,United Kingdom",  # no customer
    "C536379,22633,HAND WARMER,-1,2010-12-01 09:41:00,1.85,14527.0,United Kingdom",  # cancellation
    "536380,22633,HAND WARMER,0,2010-12-01 09:41:00,1.85,14527.0,United Kingdom",  # no quantity
    "536381,22634,FREEBIE,3,2010-12-01 09:45:00,0.0,14527.0,United Kingdom",  # no price
    "536382,22633,HAND WARMER,3,2010-12-01 09:45:00,1.85,14527.0,United Kingdom",
]


def test_metrics_on_a_hand_computed_list():
    recommended, target = ["a", "b", "c", "d"], {"b", "d", "x"}
    assert hit_rate(recommended, target) == 1.0
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    assert ndcg(recommended, target) == pytest.approx(dcg / (1 + 1 / math.log2(3) + 0.5))
    assert ndcg(recommended, target) == pytest.approx(0.498189, abs=1e-6)  # 1.061606 / 2.130930
    assert recall(recommended, target) == pytest.approx(2 / 3)
    at_one = (hit_rate(recommended, target, 1), ndcg(recommended, target, 1), recall(recommended, target, 1))
    assert at_one == (0, 0, 0)
    assert ndcg(["x"], {"x"}) == 1.0 and ndcg(["y", "x"], {"x"}) == pytest.approx(1 / math.log2(3))
    assert ndcg(["a"], set()) == 0.0 and recall(["a"], set()) == 0.0


def test_scores_average_and_coverage():
    scores = Scores(k=2)
    scores.add(["a", "b", "z"], {"b"})  # z is beyond k: neither a hit nor covered
    scores.add(["b", "c"], {"x"})
    summary = scores.summary(catalog_size=10)
    ndcg_mean = pytest.approx(0.5 / math.log2(3))
    assert summary == {"queries": 2, "hr": 0.5, "ndcg": ndcg_mean, "recall": 0.5, "coverage": 0.3}
    other = {"queries": 4, "hr": 1.0, "ndcg": 1.0, "recall": 1.0, "coverage": 0.1}
    mean = mean_summary([summary, other])
    assert mean["queries"] == 6 and mean["hr"] == 0.75 and mean["coverage"] == pytest.approx(0.2)
    assert mean_summary([])["queries"] == 0


def test_cleaning_rule_row_by_row(tmp_path):
    path = tmp_path / "day.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n")
    orders = read_online_retail(path)
    assert [(o.order_id, o.customer, o.items) for o in orders] == [
        ("536365", "17850", ("85123A", "71053")),
        ("536382", "14527", ("22633",)),
    ]
    assert orders[0].lines[1] == OrderLine("71053", 8.0, 3.39)
    assert counts(orders) == {"events": 3, "customers": 2, "products": 3, "baskets": 2}


def test_reads_gzip_files_and_directories_of_daily_files(tmp_path):
    (tmp_path / "2010-12-01.csv").write_text(HEADER + "\n".join(ROWS[:2]) + "\n")
    with gzip.open(tmp_path / "2010-12-02.csv.gz", "wt") as handle:
        handle.write(HEADER + ROWS[-1] + "\n")
    (tmp_path / "notes.txt").write_text("ignored")
    assert [o.order_id for o in read_online_retail(tmp_path)] == ["536365", "536382"]
    assert [o.order_id for o in read_online_retail(tmp_path / "2010-12-02.csv.gz")] == ["536382"]
    with pytest.raises(FileNotFoundError):
        read_online_retail(tmp_path / "missing.csv")


def test_both_date_formats_parse_alike():
    assert parse_time("12/1/2010 8:26") == parse_time("2010-12-01 08:26:00")


def test_baskets_are_stripped_and_deduplicated(tmp_path):
    path = tmp_path / "baskets.csv"
    path.write_text("milk,cream cheese ,milk\n\nbread\n")
    assert read_baskets(path) == [("milk", "cream cheese"), ("bread",)]


def order(order_id, customer, time, items):
    return Order(order_id, customer, time, tuple(OrderLine(i) for i in items))


def test_first_order_after_the_split_for_returning_customers_only():
    train = [order("1", "ann", 1, ["a"]), order("2", "bob", 2, ["b"])]
    test = [order("5", "ann", 6, ["c"]), order("4", "ann", 5, ["a", "d"]), order("6", "new", 5, ["a"])]
    firsts = ev.first_orders(train, test)
    assert [(o.order_id, bought) for o, bought in firsts] == [("4", {"a"})]


def test_invoices_of_one_customer_at_the_first_moment_are_one_first_order():
    test = [order("9", "ann", 5, ["b", "c"]), order("8", "ann", 5, ["a", "b"]), order("7", "ann", 6, ["z"])]
    test += [order("6", None, 1, ["g"]), order("5", "bob", 7, ["y"])]
    firsts = ev.first_visits(test)
    assert list(firsts) == ["ann", "bob"]  # guests have no first order
    assert firsts["ann"].order_id == "8" and firsts["ann"].items == ("a", "b", "c")


def test_hidden_item_queries_are_seeded_per_order_and_skip_single_items():
    orders = [order("1", None, 0, ["a", "b", "c"]), order("2", None, 0, ["z"])]
    queries = ev.hidden_item_queries(orders, seed=3)
    assert len(queries) == 1
    query, hidden = queries[0]
    assert sorted(query + (hidden,)) == ["a", "b", "c"] and hidden not in query
    assert ev.hidden_item_queries(list(reversed(orders)), seed=3) == queries


def test_hidden_item_queries_drop_items_outside_the_training_catalog_first():
    orders = [order("1", None, 0, ["a", "new"]), order("2", None, 0, ["a", "b", "new"])]
    queries = ev.hidden_item_queries(orders, seed=3, known={"a", "b"})
    assert len(queries) == 1  # order 1 has one known item left: no query
    query, hidden = queries[0]
    assert sorted(query + (hidden,)) == ["a", "b"]


def test_fbt_queries_use_every_test_customers_first_order():
    train = [order("t1", "ann", 0.0, ["a", "b", "c"])]
    test = [order("x1", "ann", 5.0, ["a", "b"]), order("x2", "ann", 6.0, ["b", "c"])]
    test += [order("x3", "new", 5.0, ["a", "c", "unseen"]), order("x4", None, 5.0, ["a", "b"])]
    split = ev.make_split(train + test, 1.0)
    queries = ev.fbt_queries(split)
    assert sorted(sorted(q + (h,)) for q, h in queries) == [["a", "b"], ["a", "c"]]


def test_split_and_basket_split():
    orders = [order(str(n), "c", float(n), ["a"]) for n in range(10)]
    train, test = ev.split_orders(orders, 4.0, 8.0)
    assert [o.order_id for o in train] == list("0123") and [o.order_id for o in test] == list("4567")
    a, b = ev.basket_split(orders, seed=1)
    assert len(a) == 8 and len(b) == 2 and ev.basket_split(orders, seed=1) == (a, b)


def test_for_you_protocol_counts_only_new_items_and_never_recommends_owned():
    train = [order(f"t{k}", f"c{k % 3}", float(k), ["a", "b"] if k % 2 else ["a", "c"]) for k in range(12)]
    test = [
        order("x1", "c0", 100.0, ["a", "b"]),
        order("x2", "c1", 100.0, ["a"]),
        order("x3", "c2", 100.0, ["c", "d"]),
    ]
    # c0 bought a, b, c before: nothing new, skipped; c1 idem; c2 targets only 'd'
    # ('d' must be in the training catalog: an item no model could learn is not a target)
    train.append(order("td", None, 1.0, ["d"]))
    split = ev.Split(ev.InteractionModel.from_orders(train), train, test, now=50.0)
    result = ev.score_for_you(split, lambda m, c, now: [("a", 9.0), ("d", 1.0)], pad=False)
    assert result["queries"] == 1 and result["hr"] == 1.0 and result["ndcg"] == 1.0
    unknown = [order("x3", "c2", 100.0, ["c", "e"])]
    split = ev.Split(ev.InteractionModel.from_orders(train), train, unknown, now=50.0)
    assert ev.score_for_you(split, lambda m, c, now: [("e", 1.0)])["queries"] == 0


def test_every_method_is_padded_with_the_same_trending_order():
    train = [order(f"t{k}", "c0", float(k), ["a", "b"]) for k in range(3)] + [order("t9", "c1", 9.0, ["p"])]
    test = [order("x1", "c0", 100.0, ["p"])]
    split = ev.Split(ev.InteractionModel.from_orders(train), train, test, now=50.0)
    empty = lambda m, c, now: []  # noqa: E731  (a method that scores nothing for this shopper)
    assert ev.score_for_you(split, empty)["hr"] == 1.0  # 'p' is the only trending item not bought
    assert ev.score_for_you(split, empty, pad=False)["hr"] == 0.0
    assert ev.score_buy_again(split, empty)["hr"] == 1.0 and ev.score_buy_again(split, empty, pad=False)["hr"] == 0.0


def test_evaluate_detects_the_protocol_and_formats_a_table(tmp_path):
    baskets = tmp_path / "baskets.csv"
    baskets.write_text("\n".join(["milk,bread,butter", "milk,bread", "beer,chips", "milk,butter"] * 10) + "\n")
    rows = ev.evaluate(baskets)
    assert [r.method.split(":")[0] for r in rows] == ["raw lift", "same-order Jaccard", "confidence",
                                                      "ours, item kNN alone", "RP3beta", "EASE^R", "ours"]
    assert all(0.0 <= r.metrics["hr"] <= 1.0 and r.metrics["queries"] > 0 for r in rows)
    table = ev.format_table(rows)
    assert "HR@10" in table and "target >= 0.42" in table and len(table.splitlines()) == 2 + len(rows)
    retail = tmp_path / "retail.csv"
    retail.write_text(HEADER + "\n".join(ROWS) + "\n")
    assert ev.is_retail_file(retail) and not ev.is_retail_file(baskets)


def test_the_session_task_splits_the_first_order_in_half_and_targets_only_new_items():
    from plugin.evaluation import session_task as st

    train = [order(f"t{k}", "c0", float(k), ["a", "b", "c", "d", "e"]) for k in range(3)]
    train += [order("t9", "c1", 9.0, ["f"])]
    test = [order("x1", "c0", 100.0, ["a", "b", "c", "z", "e"]), order("x2", "c1", 100.0, ["f"])]
    split = ev.Split(ev.InteractionModel.from_orders(train), train, test, now=50.0)
    queries = st.session_queries(ev.first_orders(split.train, split.test), split.model)
    # c0's known items a, b, c, e: session a, b; the rest (c, e) was bought before, so no target;
    # c1's order of one item has no session
    assert queries == []
    test = [order("x1", "c0", 100.0, ["a", "b", "f", "e"])]
    split = ev.Split(ev.InteractionModel.from_orders(train), train, test, now=50.0)
    [query] = st.session_queries(ev.first_orders(split.train, split.test), split.model)
    assert query == ("c0", ("a", "b"), frozenset("abcde"), {"f"})
    seen = []
    ranker = lambda m, c, session, now: seen.append(session) or [("a", 2.0), ("f", 1.0)]  # noqa: E731
    result = st.score_session(split.model, split.now, [query], ranker)
    assert seen == [("a", "b")] and result["hr"] == 1.0 and result["ndcg"] == 1.0  # 'a' is skipped
