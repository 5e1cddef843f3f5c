"""An email flow's holdout: its control gets no email, recorded as "would have been sent"; the treated arm
is mailed; both are exposed once."""

from __future__ import annotations

from plugin.clock import now_ms
from plugin.emails import flows
from plugin.experiments.assignment import CONTROL, TREATED

from ..support.app import SHOP
from ..support.holdouts import exposures, half_holdout, salt_putting
from .conftest import BUYER, MINUTE_MS, checkout, sends


def abandon_in(shop, worker, clock, arm: str) -> None:
    """A 50 % holdout whose salt puts the buyer in ``arm``, and their checkout abandoned past the first delay."""
    half_holdout(shop)
    salt_putting(shop, "emails:checkout", "customer:501", arm)
    checkout(shop)
    flows.on_checkout(shop, SHOP, "c1", now_ms())
    clock.advance(61 * MINUTE_MS)
    worker.run_until_idle()


def test_an_email_flow_s_control_gets_no_email_and_the_would_be_send_is_recorded(shop, worker, mailbox, clock):
    abandon_in(shop, worker, clock, CONTROL)
    assert mailbox.messages() == []
    assert sends(shop)[0] == ("checkout", 1, "skipped", "holdout: would have been sent")
    assert exposures(shop, "emails:checkout") == {CONTROL: 1}


def test_an_email_flow_s_treated_arm_is_mailed(shop, worker, mailbox, clock):
    abandon_in(shop, worker, clock, TREATED)
    assert len(mailbox.messages(to=BUYER)) == 1
    assert exposures(shop, "emails:checkout") == {TREATED: 1}
