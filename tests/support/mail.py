"""The storefront stack (devstore, Storelift, its worker) sending to a real SMTP server, and the waits and
sign-ups the email tests over real HTTP share."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import Iterator

import requests

from devstore.mailbox import Mailbox
from plugin.emails.settings import EMAILS

from .signing import BROWSER_UA
from .storefront import SHOP, StorefrontStack


@contextmanager
def mailing_storefront(tmp_path, pool: int) -> Iterator[tuple[StorefrontStack, Mailbox]]:
    """The stack with a sender set up and quiet hours off, mailing to ``Mailbox`` on loopback."""
    with Mailbox() as mailbox:
        stack = StorefrontStack(tmp_path, settings={}, pool=pool, app_overrides={"smtp_url": mailbox.smtp_url})
        settings = EMAILS.read(stack.store, SHOP)[0]
        settings["sender"].update(address="hello@storefront.example", postal_address="1 Main St\nSpringfield")
        settings["budget"].update(quiet_from_hour=0, quiet_until_hour=0)
        EMAILS.save(stack.store, SHOP, settings)
        try:
            yield stack, mailbox
        finally:
            stack.close()


def until(check, timeout: float = 20.0):
    """``check()``'s first truthy answer, asked every 100 ms; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found


def sign_up(stack: StorefrontStack, email: str, visitor: str) -> str:
    """A capture sign-up through the storefront's app proxy; returns the code the widget shows."""
    answer = requests.post(f"{stack.store_url}/apps/storelift/subscribe", timeout=10,
                           data=json.dumps({"e": email, "v": visitor, "p": "/"}),
                           headers={"User-Agent": BROWSER_UA, "Content-Type": "text/plain"})
    assert answer.status_code == 200, answer.text
    return answer.json()["code"]
