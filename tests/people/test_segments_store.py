"""Segments kept current through the store: the few-buyers switch, bounded re-scoring, time passing."""

from __future__ import annotations

import pytest

from plugin.people import membership, refresh
from plugin.people import segments as S

from tests.support import reads
from tests.support.people import browse, DAY, new_store, order, SHOP, T0


@pytest.fixture
def store(tmp_path):
    s = new_store(tmp_path)
    yield s
    s.close()


def buy(store, n: int, at: int, total: str = "10.00") -> str:
    order(store, f"o{n}-{at}", at, customer_id=str(n), total=total)
    return refresh.on_order(store, SHOP, f"o{n}-{at}", at)


def test_the_fiftieth_buyer_switches_the_shop_from_fixed_thresholds_to_quintiles(store):
    for n in range(1, 50):
        buy(store, n, T0 + n, total=f"{n}.00")
    assert store.profiles.cuts(SHOP)["mode"] == S.FIXED
    assert membership.segment_summary(store, SHOP)["buyers"] == 49
    # A small shop's fixed thresholds are live: buyer 49 was scored against the average order of all 49 (25.00).
    m_score = {r["customer_id"]: r["m_score"] for r in reads.profiles(store, SHOP)}
    assert m_score["49"] == 3  # 49 > 2 × 25, not > 4 × 25
    refresh.rescore(store, SHOP, T0 + 49)
    cuts = store.profiles.cuts(SHOP)
    assert (cuts["mode"], cuts["buyers"], cuts["monetary"]) == (S.FIXED, 49, ["12.500", "25.00", "50.00", "100.00"])
    m_score = {r["customer_id"]: r["m_score"] for r in reads.profiles(store, SHOP)}
    assert [m_score[str(n)] for n in (12, 13, 25, 26, 49)] == [1, 2, 2, 3, 3]

    buy(store, 50, T0 + 50, total="50.00")
    cuts = store.profiles.cuts(SHOP)
    assert (cuts["mode"], cuts["buyers"], cuts["computed_at"]) == (S.QUINTILES, 50, T0 + 50)
    assert [float(m) for m in cuts["monetary"]] == [10, 20, 30, 40]
    scores = {r["customer_id"]: r["m_score"] for r in reads.profiles(store, SHOP)}
    assert [scores[str(n)] for n in (1, 10, 11, 20, 21, 30, 31, 40, 41, 50)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    summary = membership.segment_summary(store, SHOP)
    assert summary["total"] == 50 and summary["rfm"]["mode"] == S.QUINTILES


def test_with_quintiles_an_order_rescores_only_its_buyer_against_the_stored_cut_points(store, monkeypatch):
    for n in range(1, 51):
        buy(store, n, T0 + n, total=f"{n}.00")
    before = store.profiles.cuts(SHOP)

    def whole_shop(*args, **kwargs):
        raise AssertionError("an order must not read the whole shop")

    monkeypatch.setattr(store.profiles, "scoring_rows", whole_shop)
    monkeypatch.setattr(store.profiles, "buyers", whole_shop)
    person_id = buy(store, 1, T0 + 100, total="500.00")  # buyer 1 comes back, big
    assert store.profiles.cuts(SHOP) == before
    profile = store.profiles.get(SHOP, person_id)
    assert (profile["orders"], profile["monetary"]) == (2, "501.00")
    assert (profile["r_score"], profile["f_score"], profile["m_score"]) == (5, 5, 5)


def test_time_alone_moves_buyers_to_at_risk_then_lapsed_at_the_daily_rescore(store):
    person_id = buy(store, 1, T0)
    assert store.profiles.get(SHOP, person_id)["lifecycle"] == "first_time_buyer"
    assert not refresh.rescore_if_due(store, SHOP, T0 + DAY - 1)
    assert refresh.rescore_if_due(store, SHOP, T0 + 100 * DAY)
    assert reads.segments_of(store, SHOP, person_id) >= {"at_risk"}
    assert not refresh.rescore_if_due(store, SHOP, T0 + 100 * DAY + 1)
    assert refresh.rescore_if_due(store, SHOP, T0 + 200 * DAY)
    assert "lapsed" in reads.segments_of(store, SHOP, person_id)
    assert store.profiles.get(SHOP, person_id)["r_score"] == 1


def test_visitors_move_from_new_to_returning_to_engaged(store):
    browse(store, "visitor-0001", T0, ("page_view",), session="one")
    refresh.on_events(store, SHOP, "visitor-0001", T0)
    assert reads.segments_of_visitor(store, SHOP, "visitor-0001") == {"new_visitor"}
    browse(store, "visitor-0001", T0 + DAY, ("page_view", {"d": "d"}), session="two")
    refresh.on_events(store, SHOP, "visitor-0001", T0 + DAY)
    assert reads.segments_of_visitor(store, SHOP, "visitor-0001") == {"returning_visitor", "device:desktop"}
    browse(store, "visitor-0001", T0 + DAY, ("add_to_cart",), session="two")
    refresh.on_events(store, SHOP, "visitor-0001", T0 + DAY)
    assert "engaged_non_buyer" in reads.segments_of_visitor(store, SHOP, "visitor-0001")
    order(store, "w1", T0 + 2 * DAY, email="v@example.com")
    browse(store, "visitor-0001", T0 + 2 * DAY, ("page_view",), email="v@example.com", session="three")
    refresh.on_events(store, SHOP, "visitor-0001", T0 + 2 * DAY)
    assert "first_time_buyer" in reads.segments_of_visitor(store, SHOP, "visitor-0001")
