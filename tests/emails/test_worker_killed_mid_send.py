"""At most once, with real processes: a ``storelift worker`` SIGKILLed after it marked a step ``sending`` and
while it was handing the message to SMTP leaves the step ``unknown`` for the next worker, never sent twice.

The first worker's mail server accepts the connection and never answers, so the kill lands exactly between
the committed mark and the handover; the next worker's is a real one (devstore's mailbox, aiosmtpd) that
takes everything it is given.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from devstore.mailbox import Mailbox
from plugin.app import create_app
from plugin.clock import now_ms
from plugin.emails import flows
from plugin.emails.settings import EMAILS
from plugin.store.commerce import Customer

from ..support.app import API_KEY, SECRET, SHOP, base_overrides
from ..support.mail import until
from ..support.paths import ROOT
from .conftest import BUYER, checkout, prepare, save_settings

OTHER = "grace@example.com"


@pytest.fixture
def store(tmp_path):
    """The shop of the email tests with the checkout email due at once (the worker processes keep real time)
    and a second consenting customer."""
    app = create_app(base_overrides(tmp_path))
    store = app.extensions["storelift"].store
    prepare(store)
    checkout_flow = EMAILS.read(store, SHOP)[0]["flows"]["checkout"]
    save_settings(store, flows={"checkout": {**checkout_flow, "delays_minutes": [0]}})
    store.commerce.upsert_customer(SHOP, Customer(customer_id="502", source_updated_at=1, email=OTHER,
                                                  first_name="Grace", marketing_state="subscribed"))
    checkout(store, "c1")
    yield store
    store.close()


def worker(database_url: str, smtp_url: str) -> subprocess.Popen:
    env = {**os.environ, "STORELIFT_MODE": "test", "STORELIFT_API_KEY": API_KEY, "STORELIFT_API_SECRET": SECRET,
           "STORELIFT_APP_URL": "https://storelift.test", "STORELIFT_DATABASE_URL": database_url,
           "STORELIFT_SMTP_URL": smtp_url, "STORELIFT_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "plugin.cli", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL)


def status(store, email: str) -> str | None:
    return store.database.scalar("SELECT status FROM email_sends WHERE email = :email", {"email": email})


def test_a_worker_killed_between_the_mark_and_the_handover_never_sends_the_step_twice(store):
    silent = socket.create_server(("127.0.0.1", 0))  # takes connections (the kernel's backlog), never says 220
    silent.settimeout(60)
    first = worker(store.database.url, f"smtp://127.0.0.1:{silent.getsockname()[1]}")
    try:
        flows.on_checkout(store, SHOP, "c1", now_ms())
        connection, _ = silent.accept()  # the worker is inside the handover, waiting for the greeting
        assert status(store, BUYER) == "sending"  # ... and its mark was committed before it connected
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        silent.close()
    connection.close()
    store.database.execute("UPDATE jobs SET lease_until = 0 WHERE kind = 'emails.step'")  # its lease ran out

    with Mailbox() as mailbox:
        second = worker(store.database.url, mailbox.smtp_url)
        try:
            checkout(store, "c2", email=OTHER)
            flows.on_checkout(store, SHOP, "c2", now_ms())
            mailbox.wait_for(lambda kept: kept.is_for(OTHER), timeout=60)  # the second worker sends
            until(lambda: status(store, BUYER) == "unknown", timeout=60)
            assert mailbox.messages(to=BUYER) == []
            until(lambda: store.database.scalar(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'emails.step' AND status <> 'done'") == 0, timeout=60)
            assert mailbox.messages(to=BUYER) == []  # not even late
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0

