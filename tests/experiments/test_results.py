"""An experiment period's outcomes and comparison: every order of each exposed person in the window, from
every channel that names them, cancelled orders out, currencies never summed; the split check; the report."""

from __future__ import annotations

import pytest

from plugin.cli import main
from plugin.clock import DAY_MS
from plugin.experiments.assignment import CONTROL, TREATED
from plugin.experiments.results import outcomes, result
from plugin.store.commerce import Line, Order

from ..support.app import SHOP
from ..support.cli import cli_database

T0 = 1_780_000_000_000  # the first exposures
HOUR = 3_600_000


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A migrated store the CLI reads too."""
    with cli_database(tmp_path, monkeypatch) as opened:
        yield opened


def person(store, arm: str, period, *, customer: str | None = None, email: str | None = None,
           visitor: str | None = None, at: int = T0) -> str:
    with store.database.write():
        person_id = store.identities.create_person(SHOP, at, email=email, customer_id=customer)
        if visitor:
            store.identities.add_visitor(SHOP, visitor, person_id, at)
    store.experiments.expose(SHOP, period.id, person_id, arm, at)
    return person_id


def order(store, order_id: str, at: int, total: str, *, currency: str = "USD", customer: str | None = None,
          email: str | None = None, cart: str | None = None, cancelled: bool = False, source: str = "web") -> None:
    store.commerce.upsert_order(SHOP, Order(
        order_id=order_id, source_updated_at=at, customer_id=customer, email=email, cart_token=cart,
        currency=currency, total_price=total, created_at=at, updated_at=at, source_name=source,
        cancelled_at=at + 1 if cancelled else None,
        lines=(Line(quantity=1, product_id="p1", price=total, line_price=total),)))


def test_every_channel_s_orders_in_the_window_count_and_cancelled_and_late_ones_do_not(store):
    period = store.experiments.period_for(SHOP, "capture", control_bps=5000, window_days=7, now=T0)
    person(store, CONTROL, period, customer="c1")
    person(store, TREATED, period, email="b@example.com", visitor="v-b")
    person(store, TREATED, period)
    person(store, CONTROL, period, customer="c4")
    with store.database.write():
        store.identities.add_cart(SHOP, "cart-b", "v-b", T0)
    order(store, "a-pre", T0 - 30 * DAY_MS, "5.00", customer="c1")  # before exposure: the covariate
    order(store, "a-in", T0 + HOUR, "10.00", customer="c1")
    order(store, "a-late", T0 + 8 * DAY_MS, "99.00", customer="c1")  # after the 7-day window
    order(store, "b-email", T0 + 2 * HOUR, "20.00", email="B@example.com")
    order(store, "b-cart", T0 + 3 * HOUR, "30.00", currency="EUR", cart="cart-b")  # their browser's cart
    order(store, "b-cancelled", T0 + 4 * HOUR, "100.00", email="b@example.com", cancelled=True)
    order(store, "d-pos", T0 + 5 * HOUR, "7.50", customer="c4", source="pos")  # point of sale, no email
    order(store, "stranger", T0 + HOUR, "50.00", customer="c9")

    data = outcomes(store, SHOP, period)
    assert sorted(data.treated.tolist()) == [False, False, True, True]
    by_arm = {arm: sorted(zip(data.orders[data.treated == (arm == TREATED)],
                              data.revenue["USD"][data.treated == (arm == TREATED)],
                              data.revenue["EUR"][data.treated == (arm == TREATED)],
                              data.pre_revenue["USD"][data.treated == (arm == TREATED)]))
              for arm in (CONTROL, TREATED)}
    assert by_arm[CONTROL] == [(1, 7.5, 0, 0), (1, 10.0, 0, 5.0)]
    assert by_arm[TREATED] == [(0, 0, 0, 0), (2, 20.0, 30.0, 0)]


def test_currencies_are_compared_apart_and_never_summed(store):
    period = store.experiments.period_for(SHOP, "emails:checkout", control_bps=5000, window_days=7, now=T0)
    for n in range(4):
        arm = CONTROL if n % 2 else TREATED
        person(store, arm, period, customer=f"c{n}")
        order(store, f"u{n}", T0 + HOUR, "10.00", customer=f"c{n}")
        order(store, f"e{n}", T0 + HOUR, "1000.00" if arm == TREATED else "100.00", currency="EUR",
              customer=f"c{n}")
    found = result(store, SHOP, period)
    assert set(found.revenue) == {"EUR", "USD"}
    assert found.revenue["USD"].treated_mean == found.revenue["USD"].control_mean == 10.0
    assert found.revenue["EUR"].control_mean == 100.0 and found.revenue["EUR"].lift == pytest.approx(900.0)
    assert found.conversion.control_mean == found.conversion.treated_mean == 1.0


def test_a_split_far_from_the_configured_one_is_flagged_and_a_fair_one_is_not(store):
    skewed = store.experiments.period_for(SHOP, "capture", control_bps=1000, window_days=7, now=T0)
    for n in range(200):
        person(store, CONTROL if n % 2 else TREATED, skewed)  # half in a 10 % holdout
    assert result(store, SHOP, skewed).conversion.sample_ratio.mismatch is True
    fair = store.experiments.period_for(SHOP, "emails:cart", control_bps=1000, window_days=7, now=T0)
    for n in range(200):
        person(store, CONTROL if n % 10 == 0 else TREATED, fair)
    found = result(store, SHOP, fair)
    assert (found.control_people, found.treated_people) == (20, 180)
    assert found.conversion.sample_ratio.mismatch is False


def test_without_a_holdout_there_is_nothing_to_compare(store):
    period = store.experiments.period_for(SHOP, "capture", control_bps=0, window_days=7, now=T0)
    person(store, TREATED, period)
    found = result(store, SHOP, period)
    assert (found.treated_people, found.conversion, found.revenue) == (1, None, {})


def test_the_report_command_prints_each_surface_s_arms_and_what_it_cannot_tell_yet(store, capsys):
    assert main(["experiments", "report", "--shop", SHOP]) == 0
    assert "no experiment has started yet" in capsys.readouterr().out
    period = store.experiments.period_for(SHOP, "capture", control_bps=1000, window_days=7, now=T0)
    for n in range(30):
        person(store, CONTROL if n % 10 == 0 else TREATED, period, customer=f"c{n}")
        if n % 3 == 0:
            order(store, f"o{n}", T0 + HOUR, "25.00", customer=f"c{n}")
    assert main(["experiments", "report", "--shop", SHOP]) == 0
    out = capsys.readouterr().out
    assert "capture: holdout 10 %, orders counted 7 days after a first exposure" in out
    assert "people: control 3, treated 27" in out and "split check: ok" in out
    assert "conversion: control" in out and "not enough data yet" in out
    assert "revenue per person, USD" in out
    store.database.execute("UPDATE experiment_exposures SET crossed = 1 WHERE shop = :shop AND person_id IN"
                           " (SELECT person_id FROM experiment_exposures WHERE shop = :shop ORDER BY person_id"
                           " LIMIT 1)", {"shop": SHOP})
    assert main(["experiments", "report", "--shop", SHOP]) == 0
    assert "merged in from the other arm 1 (3.33% of people, ABOVE 1 %)" in capsys.readouterr().out


def test_an_order_dated_to_the_second_of_the_first_exposure_counts_after_it(store):
    period = store.experiments.period_for(SHOP, "capture", control_bps=5000, window_days=7, now=T0)
    person(store, TREATED, period, customer="c1", at=T0 + 700)  # exposed 0.7 s into a second
    order(store, "same-second", T0, "12.00", customer="c1")  # the platform's timestamp has no milliseconds
    data = outcomes(store, SHOP, period)
    assert data.orders.tolist() == [1] and data.pre_orders.tolist() == [0]
