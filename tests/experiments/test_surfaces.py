"""What each arm of the capture experiment gets: the control sees no widget, and each person is exposed
once, with the arm they got."""

from __future__ import annotations

import pytest

from plugin.capture.decision import decide
from plugin.capture.settings import CAPTURE
from plugin.clock import now_ms
from plugin.experiments.assignment import CONTROL, TREATED
from plugin.people import identity

from ..support.app import SHOP
from ..support.holdouts import exposures, half_holdout, salt_putting

VISITOR = "00000000-0000-4000-8000-000000000001"


def capture_decision(store, visitor: str | None):
    settings = CAPTURE.read(store, SHOP)[0]
    return decide(store, SHOP, {**settings, "enabled": True}, visitor_id=visitor, customer_id=None, device="desktop",
                  returning=False, bot=False, now=now_ms())


def stored(store, visitor: str = VISITOR) -> None:
    identity.observe(store, SHOP, visitor, now_ms())  # as the loader's first event batch does


def test_the_capture_control_sees_no_widget_and_is_recorded_once(store):
    half_holdout(store)
    salt_putting(store, "capture", f"visitor:{VISITOR}", CONTROL)
    stored(store)
    assert capture_decision(store, VISITOR).why == "holdout"
    assert capture_decision(store, VISITOR).show is False
    assert exposures(store, "capture") == {CONTROL: 1}


def test_the_capture_treated_arm_sees_the_widget(store):
    half_holdout(store)
    salt_putting(store, "capture", f"visitor:{VISITOR}", TREATED)
    stored(store)
    decision = capture_decision(store, VISITOR)
    assert (decision.show, decision.why) == (True, "eligible")
    assert exposures(store, "capture") == {TREATED: 1}


@pytest.mark.parametrize("arm", [CONTROL, TREATED])
def test_a_visitor_not_stored_yet_gets_their_arm_and_is_recorded_only_once_stored(store, arm):
    half_holdout(store)
    salt_putting(store, "capture", f"visitor:{VISITOR}", arm)
    assert capture_decision(store, VISITOR).show is (arm == TREATED)
    assert exposures(store, "capture") == {} and store.identities.visitor(SHOP, VISITOR) is None
    stored(store)
    assert capture_decision(store, VISITOR).show is (arm == TREATED)
    assert exposures(store, "capture") == {arm: 1}


def test_a_visitor_without_an_id_sees_the_widget_and_is_left_out_of_the_analysis(store):
    half_holdout(store)
    assert capture_decision(store, None).show is True
    assert exposures(store, "capture") == {}


def test_an_ineligible_visitor_is_not_exposed(store):
    half_holdout(store)
    settings = CAPTURE.read(store, SHOP)[0]
    decision = decide(store, SHOP, {**settings, "enabled": True}, visitor_id=VISITOR, customer_id=None,
                      device="desktop", returning=False, bot=True, now=now_ms())
    assert decision.why == "bot" and exposures(store, "capture") == {}
