"""The admin's landing page, "What Storelift earned": each surface's arms, lift, interval and chart, the
CSV of the same figures, the holdout settings, and the technical status one click away."""

from __future__ import annotations

import csv
import io
import re

import pytest

from plugin.admin.emails import FLOW_LABELS
from plugin.clock import DAY_MS, now_ms
from plugin.emails.steps import flow_experiment
from plugin.experiments.assignment import CONTROL, TREATED, period
from plugin.experiments.results import result
from plugin.experiments.settings import EXPERIMENTS
from plugin.store.commerce import Line, Order

from tests.support.app import SHOP
from tests.support.signing import session_token

HOUR = 3_600_000


@pytest.fixture(autouse=True)
def shop(installed_shop):
    installed_shop()


def bearer() -> dict:
    return {"Authorization": f"Bearer {session_token()}"}


def page(client) -> str:
    response = client.get("/admin", query_string={"id_token": session_token()})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def running_experiment(store, people: int = 300) -> None:
    """A capture experiment (10 % holdout) that started 10 days ago, in USD: a tenth of the control
    bought and two ninths of the people who got the pop-up."""
    start = now_ms() - 10 * DAY_MS
    period = store.experiments.period_for(SHOP, "capture", control_bps=1000, window_days=7, now=start)
    for n in range(people):
        arm = CONTROL if n % 10 == 0 else TREATED
        at = start + n * (9 * DAY_MS // people)
        with store.database.write():
            person = store.identities.create_person(SHOP, at, customer_id=f"c{n}")
        store.experiments.expose(SHOP, period.id, person, arm, at)
        if (n % 100 == 0) if arm == CONTROL else (n % 10 in (3, 7)):
            store.commerce.upsert_order(SHOP, Order(
                order_id=f"o{n}", source_updated_at=at + HOUR, customer_id=f"c{n}", currency="USD",
                total_price="40.00", created_at=at + HOUR, updated_at=at + HOUR,
                lines=(Line(quantity=1, product_id="p1", price="40.00", line_price="40.00"),)))


def test_the_landing_page_says_what_storelift_earned_and_the_status_is_one_click_away(client):
    html = page(client)
    assert "<h1>What Storelift earned</h1>" in html and 'aria-current="page">What Storelift earned</a>' in html
    assert "No experiment has started yet" in html and 'href="/admin/status?id_token=' in html
    assert "No holdout is kept" in html  # the test shop keeps none (tests/support/shops.without_holdouts)
    status = client.get("/admin/status", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert "<h2>Data sync</h2>" in status


def test_a_running_experiment_shows_its_arms_lift_interval_and_chart(client, store):
    running_experiment(store)
    EXPERIMENTS.save(store, SHOP, EXPERIMENTS.defaults())
    html = page(client)
    assert "No holdout is kept" not in html
    assert "Email capture pop-up" in html and "Holdout 10 %" in html
    assert "People: control 30, got it 270" in html and "split check: <span class=\"ok\">ok</span>" in html
    assert "the interval appears once each arm has 100 shoppers who ordered (so far: control 3, got it 60)" in html
    assert '<svg viewBox="0 0 640 200" role="img"' in html and 'class="line" points="' in html
    assert "Attributed, by click window" in html


@pytest.mark.parametrize("crossed, shown", [
    (1, "1 merged in from the other arm (kept in their first), 0.33 % of people"),
    (3, '<span class="bad">1 % of people, above the 1 % that identity stitching should keep them under</span>')])
def test_people_merged_in_from_the_other_arm_are_counted_and_flagged_at_one_percent(client, store, crossed, shown):
    running_experiment(store)
    store.database.execute("UPDATE experiment_exposures SET crossed = :n WHERE shop = :shop AND person_id IN"
                           " (SELECT person_id FROM experiment_exposures WHERE shop = :shop ORDER BY person_id"
                           " LIMIT 1)", {"shop": SHOP, "n": crossed})
    assert shown in page(client)


def test_the_csv_holds_the_figures_the_page_shows(client, store):
    running_experiment(store)
    response = client.get("/admin/earned.csv", headers=bearer())
    assert response.status_code == 200 and response.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    found = result(store, SHOP, store.experiments.open_period(SHOP, "capture"))
    assert (row["surface"], row["control_people"], row["treated_people"], row["split_check"]) == (
        "capture", "30", "270", "ok")
    assert float(row["treated_conversion"]) == pytest.approx(found.conversion.treated_mean)
    assert float(row["incremental_orders"]) == pytest.approx(found.conversion.incremental_total)
    assert row["currency"] == "USD"
    assert float(row["incremental_revenue"]) == pytest.approx(found.revenue["USD"].incremental_total)


def test_a_changed_split_keeps_the_ended_period_s_figures_one_click_away(client, store):
    running_experiment(store)
    ended = store.experiments.open_period(SHOP, "capture")
    store.experiments.period_for(SHOP, "capture", control_bps=2000, window_days=7, now=now_ms())
    html = page(client)
    assert "Earlier periods" in html and f'href="/admin?period={ended.id}"' in html
    assert "People: control 0, got it 0" in html  # the running period starts empty: periods are never mixed
    earlier = client.get("/admin", query_string={"id_token": session_token(), "period": ended.id})
    shown = earlier.get_data(as_text=True)
    assert earlier.status_code == 200 and "An earlier period" in shown and "People: control 30, got it 270" in shown
    assert "more days" not in shown  # no projection for a period that takes no one new
    export = client.get("/admin/earned.csv", query_string={"period": ended.id}, headers=bearer())
    assert f"period-{ended.id}.csv" in export.headers["Content-Disposition"]
    assert [row["control_people"] for row in csv.DictReader(io.StringIO(export.get_data(as_text=True)))] == ["30"]


@pytest.mark.parametrize("asked", ["999999", "abc", "-1", "99999999999999999999999"])
def test_a_period_that_is_not_the_shop_s_is_not_found(client, store, asked):
    running_experiment(store)
    answer = client.get("/admin", query_string={"id_token": session_token(), "period": asked})
    assert answer.status_code == 404


def test_another_shop_s_period_is_not_found(client, store):
    theirs = store.experiments.period_for("other.myshopify.com", "capture", control_bps=1000, window_days=7,
                                          now=now_ms())
    answer = client.get("/admin", query_string={"id_token": session_token(), "period": theirs.id})
    assert answer.status_code == 404


def test_each_running_surface_can_be_given_its_own_holdout(client, store):
    running_experiment(store)
    html = page(client)
    assert 'data-surface="capture" value=""' in html
    mine = {**EXPERIMENTS.defaults(), "surface_percent": {"capture": "0"}}
    assert client.put("/admin/api/experiments/settings", headers=bearer(), json=mine).status_code == 200
    assert 'data-surface="capture" value="0"' in page(client)
    wrong = {**mine, "surface_percent": {"capture": 70, "checkout": 5}}
    refused = client.put("/admin/api/experiments/settings", headers=bearer(), json=wrong)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"surface_percent"}


def test_every_email_flow_can_be_given_its_own_holdout_before_anybody_meets_it(client, store):
    html = page(client)
    assert "No experiment has started yet" in html
    offered = dict(re.findall(r'<label for="f-surface-\d+">(.*?)</label>\n<input [^>]*data-surface="([^"]+)"', html))
    assert {f"{label} emails" for label in FLOW_LABELS.values()} <= set(offered)
    assert {"Email capture pop-up", "“For you” recommendation block"} <= set(offered)
    mine = {**EXPERIMENTS.defaults(), "surface_percent": {offered["Abandoned cart emails"]: 30}}
    assert client.put("/admin/api/experiments/settings", headers=bearer(), json=mine).status_code == 200
    cart = period(store, SHOP, flow_experiment("cart"), EXPERIMENTS.read(store, SHOP)[0], now_ms())
    assert cart.control_bps == 3_000  # the holdout the cart flow's emails now keep


def test_the_holdout_settings_are_saved_or_refused_by_field(client, store):
    good = {**EXPERIMENTS.defaults(), "holdout_percent": 20, "global_holdout": True}
    answer = client.put("/admin/api/experiments/settings", headers=bearer(), json=good)
    assert answer.status_code == 200 and answer.json["settings"]["holdout_percent"] == 20
    bad = {**good, "holdout_percent": 60, "window_days": 0, "block_control": "collapsed"}
    refused = client.put("/admin/api/experiments/settings", headers=bearer(), json=bad)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"holdout_percent", "window_days", "block_control"}
    assert EXPERIMENTS.read(store, SHOP)[0]["holdout_percent"] == 20


@pytest.mark.parametrize("method, path", [("GET", "/admin"), ("GET", "/admin/earned.csv"),
                                          ("GET", "/admin/api/experiments/settings"),
                                          ("PUT", "/admin/api/experiments/settings")])
def test_every_route_needs_a_session_token(client, method, path):
    assert client.open(path, method=method, json={}).status_code == 401
