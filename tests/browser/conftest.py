"""Playwright (Python) driving Debian's chromium, headless, against devstore + Storelift.

Under CI (CI=true) a missing chromium or Playwright is a failure, not a skip:
the widget's acceptance tests must not silently vanish there. Locally they skip.
"""

from __future__ import annotations

import os
import shutil

import pytest

from ..support.storefront import StorefrontStack

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
        # A shopper's browser: navigator.webdriver false (automation is otherwise dropped as a bot).
        "--disable-blink-features=AutomationControlled"]


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                     headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("browser"), settings={}, pool=60)
    yield running
    running.close()
