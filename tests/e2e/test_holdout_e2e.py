"""The capture holdout end to end: devstore and Storelift as real HTTP servers, shoppers in both arms asking
through the storefront's app proxy as the loader does, one person on two devices who keeps their arm after
the second device is joined to them, online orders through webhooks and one imported point-of-sale order;
the dashboard's CSV then holds exactly what the test computes on its own from who bought."""

from __future__ import annotations

import csv
import io
import json
import time

import jwt
import pytest
import requests

from plugin.experiments.assignment import bucket
from plugin.experiments.settings import EXPERIMENTS
from plugin.imports.orders import import_orders

from tests.support.capture_widget import settings
from tests.support.mail import until
from tests.support.signing import BROWSER_UA
from tests.support.storefront import API_KEY, SECRET, SHOP, StorefrontStack

SALT = "e2e-holdout-salt"
HEADERS = {"User-Agent": BROWSER_UA, "Content-Type": "text/plain"}


@pytest.fixture
def stack(tmp_path):
    running = StorefrontStack(tmp_path, settings=settings())
    EXPERIMENTS.save(running.store, SHOP, {**EXPERIMENTS.defaults(), "holdout_percent": 50})
    running.store.database.execute("INSERT INTO experiment_salts (shop, salt, created_at) VALUES (:shop, :salt, 0)",
                                   {"shop": SHOP, "salt": SALT})
    yield running
    running.close()


def visitors(control: bool, count: int, start: int = 0) -> list[str]:
    """Visitor ids whose own key lands in (or out of) the capture experiment's control at 50 %."""
    found = []
    for n in range(start, start + 10_000):
        visitor = f"{n:08x}-0000-4000-8000-00000000e2e0"
        if (bucket(SALT, "capture", f"visitor:{visitor}") < 5000) == control:
            found.append(visitor)
            if len(found) == count:
                return found
    raise AssertionError("not enough visitor ids found")


def browse(stack, visitor: str, email: str) -> dict:
    """What a shopper's browser does: an event batch (the loader stores the visitor), the loader's config
    request (whose answer is returned), then identify(email) as the shop's theme calls it."""
    proxy = f"{stack.store_url}/apps/storelift"
    batch = {"v": visitor, "s": visitor, "p": "/", "e": [["page_view", {}]]}
    assert requests.post(f"{proxy}/events", data=json.dumps(batch), headers=HEADERS, timeout=10).status_code == 204
    answer = requests.get(f"{proxy}/config", params={"v": visitor, "d": "d"}, headers={"User-Agent": BROWSER_UA},
                          timeout=10)
    assert answer.status_code == 200
    identified = requests.post(f"{proxy}/identify", data=json.dumps({"v": visitor, "e": email}), headers=HEADERS,
                               timeout=10)
    assert identified.status_code == 204
    return answer.json()


def buy(stack, email: str) -> None:
    variant = requests.get(f"{stack.store_url}/_devstore/catalog?status=active", timeout=10).json()[
        "products"][0]["variants"][0]
    stack.control("orders", {"email": email, "items": [{"variant_id": variant["id"], "quantity": 1}]})


def admin_token() -> str:
    now = int(time.time())
    return jwt.encode({"iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": API_KEY, "sub": "42",
                       "exp": now + 60, "nbf": now - 5, "iat": now - 5, "jti": "j", "sid": "s"}, SECRET,
                      algorithm="HS256")


def test_the_dashboard_figures_equal_an_independent_count_of_who_bought_in_each_arm(stack, tmp_path):
    control, treated = visitors(True, 4), visitors(False, 5)
    shoppers = {f"c{n}@example.com": v for n, v in enumerate(control)}
    shoppers |= {f"t{n}@example.com": v for n, v in enumerate(treated[:4])}
    for email, visitor in shoppers.items():
        answer = browse(stack, visitor, email)
        assert answer["show"] == (0 if email.startswith("c") else 1), answer
    # c0's phone: a visitor id of its own in the treated half, so the phone first gets the pop-up; the same
    # address then joins it to c0, whose first arm (the control) stands for the person.
    phone = treated[4]
    assert browse(stack, phone, "c0@example.com")["show"] == 1
    period = stack.store.experiments.open_period(SHOP, "capture")
    person = stack.store.identities.visitor(SHOP, phone)["person_id"]
    assert person == stack.store.identities.visitor(SHOP, shoppers["c0@example.com"])["person_id"]
    assert stack.store.experiments.arm_of(SHOP, period.id, person) == "control"
    assert stack.store.experiments.crossed(SHOP, period.id) == 1

    for email in ("c1@example.com", "t1@example.com", "t2@example.com"):
        buy(stack, email)
    sales = tmp_path / "pos.csv"  # an in-store sale, exported from the till and imported
    sales.write_text("order_id,email,created_at,product_id,quantity,unit_price,currency\n"
                     f"pos-1,t3@example.com,{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())},p-pos,1,30.00,USD\n")
    assert import_orders(stack.store, SHOP, sales).orders == 1
    until(lambda: stack.store.database.scalar("SELECT COUNT(*) FROM orders") == 4, timeout=30)

    answer = requests.get(f"{stack.app_url}/admin/earned.csv", headers={"Authorization": f"Bearer {admin_token()}"},
                          timeout=10)
    assert answer.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(answer.text)))
    people = {"control": 4, "treated": 4}  # c0's two devices are one person, in the control
    buyers = {"control": 1, "treated": 3}  # c1 online; t1 and t2 online, t3 in the shop
    control_rate, treated_rate = buyers["control"] / people["control"], buyers["treated"] / people["treated"]
    assert (row["surface"], int(row["control_people"]), int(row["treated_people"])) == ("capture", 4, 4)
    assert float(row["control_conversion"]) == pytest.approx(control_rate)
    assert float(row["treated_conversion"]) == pytest.approx(treated_rate)
    assert float(row["incremental_orders"]) == pytest.approx((treated_rate - control_rate) * people["treated"])
    page = requests.get(f"{stack.app_url}/admin", params={"id_token": admin_token()}, timeout=10).text
    assert "Email capture pop-up" in page and "People: control 4, got it 4" in page
