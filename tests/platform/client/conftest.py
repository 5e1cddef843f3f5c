"""Fixtures of the PlatformClient tests: a fake clock, canned HTTP answers (``responses``), and the client.

This ``client`` is the PlatformClient under test; it shadows the Flask test
client of tests/conftest.py only inside this package.
"""

from __future__ import annotations

import pytest
import responses

from plugin.platform.client import PlatformClient
from tests.support.platform_http import BASE, TOKEN, VERSION, FakeTime


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client(fake_time: FakeTime) -> PlatformClient:
    return PlatformClient(BASE, VERSION, TOKEN, sleep=fake_time.sleep, clock=fake_time.clock)
