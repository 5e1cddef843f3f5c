"""A recommendation block's holdout through GET /proxy/recommendations: the control gets the shop's best
sellers in the same slot, as many items, and each arm is recorded once per person; bots are left out."""

from __future__ import annotations

import pytest

from plugin.clock import now_ms
from plugin.experiments.assignment import CONTROL, TREATED
from plugin.experiments.settings import EXPERIMENTS
from plugin.people import identity

from tests.support.app import SHOP
from tests.support.holdouts import exposures, half_holdout, salt_putting
from tests.support.recommendations import catalog, order
from tests.support.shops import install

from .test_endpoint import VISITOR, get, post, product_ids

BOT = {"Accept": "application/json", "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"}


@pytest.fixture
def shop(store):
    """Best sellers 1000 and 1001; a product page whose bought-together items are others."""
    install(store, SHOP)
    catalog(store, SHOP, 8)
    for n in range(6):
        order(store, SHOP, f"o{n}", ["1000", "1001"])
    for n in range(3):
        order(store, SHOP, f"p{n}", ["1005", "1006", "1007"])
    half_holdout(store)
    return store


def block_for(client, headers=None):
    asked = {"block": "frequently_bought_together", "product_id": "1005", "limit": "2", "visitor_id": VISITOR}
    return get(client, asked, **({"headers": headers} if headers else {}))


@pytest.mark.parametrize("arm, strategy", [(CONTROL, "best_sellers"), (TREATED, "frequently_bought_together")])
def test_each_arm_gets_its_block_in_the_same_slot_and_is_recorded_once(client, shop, arm, strategy):
    salt_putting(shop, "blocks:frequently_bought_together", f"visitor:{VISITOR}", arm)
    identity.observe(shop, SHOP, VISITOR, now_ms())
    first, again = block_for(client), block_for(client)
    assert first.get_json()["strategy"] == again.get_json()["strategy"] == strategy
    assert len(product_ids(first)) == 2  # as many items in both arms: the page's layout does not change
    if arm == CONTROL:
        assert product_ids(first) == ["1000", "1001"]
    else:
        assert set(product_ids(first)) == {"1006", "1007"}
    assert exposures(shop, "blocks:frequently_bought_together") == {arm: 1}


def test_a_bot_gets_the_block_and_is_neither_assigned_nor_recorded(client, shop):
    salt_putting(shop, "blocks:frequently_bought_together", f"visitor:{VISITOR}", CONTROL)
    identity.observe(shop, SHOP, VISITOR, now_ms())
    assert block_for(client, BOT).get_json()["strategy"] == "frequently_bought_together"
    assert exposures(shop, "blocks:frequently_bought_together") == {}


def test_with_an_empty_control_the_control_gets_an_empty_slot_and_the_treated_their_block(client, shop):
    EXPERIMENTS.save(shop, SHOP, {**EXPERIMENTS.read(shop, SHOP)[0], "block_control": "empty"})
    salt_putting(shop, "blocks:frequently_bought_together", f"visitor:{VISITOR}", CONTROL)
    identity.observe(shop, SHOP, VISITOR, now_ms())
    answer = block_for(client).get_json()
    assert (answer["strategy"], answer["items"]) == ("frequently_bought_together", [])
    page = block_for(client, {"Accept": "text/html"}).get_data(as_text=True)
    assert "<li" not in page and 'style="height:300px"' in page  # nothing shown; the slot keeps its size
    assert exposures(shop, "blocks:frequently_bought_together") == {CONTROL: 1}
    assert post(client, "impression", {"v": VISITOR, "r": answer["rec_id"], "b": answer["strategy"], "i": []}
                ).status_code == 204
    assert shop.database.query("SELECT * FROM rec_impressions WHERE shop = :shop", {"shop": SHOP}) == []


def test_choosing_the_empty_control_starts_a_new_period_of_the_block_experiment(client, shop):
    identity.observe(shop, SHOP, VISITOR, now_ms())
    block_for(client)
    before = shop.experiments.open_period(SHOP, "blocks:frequently_bought_together")
    EXPERIMENTS.save(shop, SHOP, {**EXPERIMENTS.read(shop, SHOP)[0], "block_control": "empty"})
    block_for(client)
    after = shop.experiments.open_period(SHOP, "blocks:frequently_bought_together")
    assert (before.control, after.control) == ("", "empty") and after.id != before.id
    assert shop.experiments.open_period(SHOP, "capture") is None  # other surfaces are not touched
