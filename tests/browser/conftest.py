"""The storefront stack the browser tests drive, and the widget's shoppers on it.

The ``browser`` fixture itself is in ``tests/conftest.py``.
"""

from __future__ import annotations

import pytest

from ..support.capture_widget import DESKTOP, Shopper
from ..support.storefront import StorefrontStack


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("browser"), settings={}, pool=60)
    yield running
    running.close()


@pytest.fixture
def shopper(browser, shop):
    made = []

    def make(**options):
        s = Shopper(browser, shop, **(options or DESKTOP))
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()
