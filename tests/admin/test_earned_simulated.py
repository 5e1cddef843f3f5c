"""In the demo, "What Storelift earned" shows a month of simulated shoppers, marked as simulated on the page,
on every surface and in the CSV's name, with each surface's true effect beside its estimate. Outside the
demo the page never does."""

from __future__ import annotations

import csv
import io
import re

import pytest

from plugin.app import create_app
from plugin.experiments import simulated
from plugin.experiments.settings import EXPERIMENTS

from tests.support.app import SHOP, base_overrides
from tests.support.shops import install
from tests.support.signing import session_token


def client_in(tmp_path, mode: str):
    app = create_app(base_overrides(tmp_path, mode=mode))
    install(app.extensions["storelift"].store, SHOP)
    return app


@pytest.fixture
def demo(tmp_path):
    app = client_in(tmp_path, "demo")
    yield app.test_client()
    app.extensions["storelift"].store.close()


def test_the_demo_s_page_is_marked_simulated_with_each_true_effect(demo):
    page = demo.get("/admin", query_string={"id_token": session_token()}).get_data(as_text=True)
    assert "Simulated data." in page
    assert page.count('<span class="tag">Simulated</span>') == len(simulated.SURFACES)
    assert page.count("True effect built into the simulation") == len(simulated.SURFACES)
    assert "Email capture pop-up" in page and "<svg" in page  # the same cards and charts as real figures


def test_the_demo_s_csv_is_the_simulated_figures_and_says_so(demo):
    answer = demo.get("/admin/earned.csv", headers={"Authorization": f"Bearer {session_token()}"})
    assert "storelift-earned-simulated.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [row["surface"] for row in rows] == [s.experiment for s in simulated.SURFACES]


def test_outside_the_demo_nothing_simulated_is_shown(tmp_path):
    app = client_in(tmp_path, "test")
    try:
        page = app.test_client().get("/admin", query_string={"id_token": session_token()}).get_data(as_text=True)
        assert "Simulated" not in page and "No experiment has started yet" in page
    finally:
        app.extensions["storelift"].store.close()


def test_every_surface_the_demo_s_report_shows_can_be_given_its_own_holdout_in_the_shop_s_settings(demo):
    saved = {**EXPERIMENTS.defaults(), "surface_percent": {"emails:cart": 20}}
    headers = {"Authorization": f"Bearer {session_token()}"}
    assert demo.put("/admin/api/experiments/settings", headers=headers, json=saved).status_code == 200
    page = demo.get("/admin", query_string={"id_token": session_token()}).get_data(as_text=True)
    reported = re.findall(r'<h2 id="h-\d+">(.*?) <span class="tag">Simulated</span></h2>', page)
    offered = dict(re.findall(r'<label for="f-surface-\d+">(.*?)</label>\n<input [^>]*value="(\d*)"', page))
    assert len(reported) == len(simulated.SURFACES) and "Abandoned cart emails" in reported
    assert set(reported) <= set(offered)
    assert offered["Abandoned cart emails"] == "20"  # the shop's own setting, not the simulation's
