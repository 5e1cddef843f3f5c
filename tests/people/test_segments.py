"""RFM scores and segment rules, as pure functions: exact cut points, ties, the few-buyers rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plugin.people import segments as S
from plugin.clock import DAY_MS
from plugin.people.segments import Buyer, Cuts

NOW = 1_760_000_000_000


def profile(**fields) -> dict:
    base = {"orders": 0, "last_order_at": None, "monetary": "0", "visits": 1, "product_views": 0, "add_to_carts": 0,
            "devices": [], "country": None, "offers_seen": 0, "offers_opened": 0, "offers_submitted": 0,
            "subscribed": False}
    return {**base, **fields}


def buyers(n: int, **overrides) -> list[Buyer]:
    """n buyers whose recency, frequency and spend all rank 1..n."""
    return [Buyer(last_order_at=overrides.get("last_order_at", NOW - (n - i) * DAY_MS),
                  orders=overrides.get("orders", i), monetary=overrides.get("monetary", Decimal(i)))
            for i in range(1, n + 1)]


# ------------------------------------------------------------------ cut points and scores


def test_quintile_cut_points_are_the_nearest_rank_percentiles():
    assert S.quintile_cuts(list(range(1, 51))) == (10, 20, 30, 40)
    assert S.quintile_cuts(list(range(1, 53))) == (11, 21, 32, 42)  # ⌈k·52/5⌉-th: 11, 21, 32, 42
    assert S.quintile_cuts([5, 1, 4, 2, 3]) == (1, 2, 3, 4)


def test_a_value_on_a_cut_point_gets_the_lower_score():
    cuts = (10, 20, 30, 40)
    assert [S.score(v, cuts) for v in (1, 10, 11, 20, 21, 30, 31, 40, 41, 1000)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_fifty_ranked_buyers_fall_into_five_equal_quintiles():
    cuts = S.compute_cuts(buyers(50), NOW)
    assert cuts.mode == S.QUINTILES and cuts.buyers == 50
    assert cuts.frequency == (10, 20, 30, 40)
    assert cuts.monetary == (Decimal(10), Decimal(20), Decimal(30), Decimal(40))
    assert cuts.recency == tuple(NOW - (50 - k) * DAY_MS for k in (10, 20, 30, 40))
    for kind, cut in (("frequency", cuts.frequency), ("monetary", cuts.monetary), ("recency", cuts.recency)):
        ranked = [getattr(b, {"frequency": "orders", "monetary": "monetary", "recency": "last_order_at"}[kind])
                  for b in buyers(50)]
        assert [sum(1 for v in ranked if S.score(v, cut) == s) for s in range(1, 6)] == [10] * 5, kind


def test_ties_never_split_between_scores():
    """60 buyers, 40 of them with one order: every one-order buyer gets the same F score."""
    many = [Buyer(NOW - i * DAY_MS, 1, Decimal("10")) for i in range(40)]
    many += [Buyer(NOW - i * DAY_MS, 2, Decimal("20")) for i in range(10)]
    many += [Buyer(NOW - i * DAY_MS, 3 + i, Decimal("50")) for i in range(10)]
    cuts = S.compute_cuts(many, NOW)
    assert cuts.mode == S.QUINTILES
    assert cuts.frequency == (1, 1, 1, 2)  # the 12th, 24th, 36th and 48th smallest order counts
    assert {S.score(b.orders, cuts.frequency) for b in many if b.orders == 1} == {1}
    assert {S.score(b.orders, cuts.frequency) for b in many if b.orders == 2} == {4}
    assert {S.score(b.orders, cuts.frequency) for b in many if b.orders >= 3} == {5}
    assert {S.score(b.monetary, cuts.monetary) for b in many if b.monetary == Decimal("10")} == {1}


@pytest.mark.parametrize("count, mode", [(0, S.FIXED), (1, S.FIXED), (49, S.FIXED), (50, S.QUINTILES),
                                         (51, S.QUINTILES)])
def test_below_fifty_buyers_fixed_thresholds_replace_quintiles(count, mode):
    assert S.MIN_BUYERS_FOR_QUINTILES == 50
    assert S.compute_cuts(buyers(count), NOW).mode == mode


def test_fixed_recency_thresholds_are_ages_of_30_60_90_180_days():
    cuts = S.compute_cuts(buyers(3), NOW)
    ages = {29.99: 5, 30: 4, 59: 4, 60: 3, 89: 3, 90: 2, 179: 2, 180: 1, 400: 1}
    for days, expected in ages.items():
        assert S.score(NOW - int(days * DAY_MS), cuts.recency) == expected, days


def test_fixed_frequency_thresholds():
    cuts = S.compute_cuts(buyers(3), NOW)
    assert [S.score(n, cuts.frequency) for n in range(1, 8)] == [1, 2, 3, 4, 4, 5, 5]


def test_fixed_monetary_thresholds_are_multiples_of_the_average_order():
    # 2 buyers, 4 orders, 400 spent: the average order is 100.
    few = [Buyer(NOW, 1, Decimal("100.00")), Buyer(NOW, 3, Decimal("300.00"))]
    cuts = S.compute_cuts(few, NOW)
    assert cuts.monetary == (Decimal("50"), Decimal("100"), Decimal("200"), Decimal("400"))
    spends = {"50": 1, "50.01": 2, "100": 2, "100.01": 3, "200": 3, "200.01": 4, "400": 4, "400.01": 5}
    for spend, expected in spends.items():
        assert S.score(Decimal(spend), cuts.monetary) == expected, spend


def test_cut_points_survive_a_round_trip_through_json():
    cuts = S.compute_cuts(buyers(50), NOW)
    assert Cuts.from_dict(cuts.as_dict()) == cuts
    assert all(isinstance(m, str) for m in cuts.as_dict()["monetary"])


# ------------------------------------------------------------------ lifecycle stages and tags


def fixed_cuts() -> Cuts:
    return S.compute_cuts([Buyer(NOW, 1, Decimal("100"))], NOW)  # average order 100


@pytest.mark.parametrize("fields, stage", [
    ({"visits": 0}, "new_visitor"),
    ({"visits": 1, "product_views": 2}, "new_visitor"),
    ({"visits": 2}, "returning_visitor"),
    ({"visits": 1, "product_views": 3}, "engaged_non_buyer"),
    ({"visits": 5, "add_to_carts": 1}, "engaged_non_buyer"),
    ({"visits": 1, "subscribed": True}, "engaged_non_buyer"),
    ({"orders": 1, "last_order_at": NOW - 10 * DAY_MS, "monetary": "100"}, "first_time_buyer"),
    ({"orders": 2, "last_order_at": NOW - 10 * DAY_MS, "monetary": "100"}, "repeat_buyer"),
    ({"orders": 6, "last_order_at": NOW - 89 * DAY_MS, "monetary": "400.01"}, "vip"),  # R3 F5 M5
    ({"orders": 6, "last_order_at": NOW - 90 * DAY_MS, "monetary": "900"}, "at_risk"),  # R2 bars VIP
    ({"orders": 5, "last_order_at": NOW - 10 * DAY_MS, "monetary": "900"}, "repeat_buyer"),  # F4 bars VIP
    ({"orders": 9, "last_order_at": NOW - 10 * DAY_MS, "monetary": "400"}, "repeat_buyer"),  # M4 bars VIP
    ({"orders": 1, "last_order_at": NOW - 120 * DAY_MS, "monetary": "10"}, "at_risk"),
    ({"orders": 9, "last_order_at": NOW - 180 * DAY_MS, "monetary": "5000"}, "lapsed"),
])
def test_lifecycle_stages(fields, stage):
    scored = S.assign(profile(**fields), fixed_cuts())
    assert scored.lifecycle == stage
    assert stage in scored.segments
    assert len(scored.segments & set(S.LIFECYCLE)) == 1
    assert (scored.r is None) == (fields.get("orders", 0) == 0)


def test_orders_without_a_date_are_counted_but_not_ranked():
    scored = S.assign(profile(orders=2, last_order_at=None, monetary="30"), fixed_cuts())
    assert (scored.lifecycle, scored.r, scored.f, scored.m) == ("repeat_buyer", None, None, None)


def test_a_cancelled_only_shopper_is_not_a_buyer():
    """Profiles count orders without cancellations: zero orders means the visitor stages."""
    scored = S.assign(profile(orders=0, last_order_at=None, visits=3), fixed_cuts())
    assert scored.lifecycle == "returning_visitor" and scored.r is scored.f is scored.m is None


def test_tags_for_device_country_and_offers():
    scored = S.assign(profile(devices=["desktop", "mobile"], country="FR", offers_seen=5, offers_opened=1),
                      fixed_cuts())
    assert scored.segments == {"new_visitor", "device:desktop", "device:mobile", "country:FR", "offer_responder"}
    assert "offer_ignorer" in S.assign(profile(offers_seen=3), fixed_cuts()).segments
    assert "offer_ignorer" not in S.assign(profile(offers_seen=2), fixed_cuts()).segments
    subscribed = S.assign(profile(offers_seen=9, subscribed=True), fixed_cuts()).segments
    assert {"subscriber", "offer_responder"} <= subscribed and "offer_ignorer" not in subscribed


def test_rescore_is_due_daily():
    cuts = fixed_cuts()
    assert S.rescore_due(None, NOW)
    assert not S.rescore_due(cuts, NOW + S.RESCORE_EVERY_MS - 1)
    assert S.rescore_due(cuts, NOW + S.RESCORE_EVERY_MS)


def test_summary_counts_every_stage_and_tag():
    summary = S.summarize([(["vip", "device:mobile", "country:FR"], 2), (["new_visitor", "device:mobile"], 3),
                           (["lapsed", "subscriber", "offer_responder", "country:DE"], 1)])
    assert summary["total"] == 6
    assert list(summary["lifecycle"]) == list(S.LIFECYCLE)
    assert summary["lifecycle"]["vip"] == 2 and summary["lifecycle"]["new_visitor"] == 3
    assert summary["lifecycle"]["lapsed"] == 1 and summary["lifecycle"]["at_risk"] == 0
    assert summary["devices"] == {"mobile": 5}
    assert summary["countries"] == {"FR": 2, "DE": 1}
    assert summary["offers"] == {"subscriber": 1, "offer_responder": 1, "offer_ignorer": 0}


def test_with_quintiles_stages_follow_the_shops_own_ranks():
    cuts = S.compute_cuts(buyers(50), NOW)  # last orders 49..0 days ago; 1..50 orders; spend 1..50

    def stage(days_ago, orders, spend):
        return S.assign(profile(orders=orders, last_order_at=NOW - days_ago * DAY_MS, monetary=str(spend)),
                        cuts).lifecycle
    assert stage(0, 41, 41) == "vip"
    assert stage(0, 40, 41) == "repeat_buyer"  # 40 orders is the 4th fifth
    assert stage(29, 50, 50) == "vip"  # R3: the 21st..30th most recent
    assert stage(30, 50, 50) == "at_risk"  # R2
    assert stage(40, 50, 50) == "lapsed"  # R1: among the 10 oldest
    assert stage(0, 1, 1) == "first_time_buyer"
