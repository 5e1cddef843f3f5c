"""Canned platform HTTP answers and an injected clock for the PlatformClient tests (tests/platform/client/).

The client's tests are split by topic over several modules; the shop they talk
to, the answers the platform gives and the fake clock that records sleeps are
the same for all of them, so they live here once.
"""

from __future__ import annotations

import json


BASE = "https://example-shop.test"
VERSION = "2025-10"
GRAPHQL = f"{BASE}/admin/api/{VERSION}/graphql.json"
TOKEN_URL = f"{BASE}/admin/oauth/access_token"
TOKEN = "shpat_secret_access_token_123"
API_KEY = "api-key-abc"
SECRET = "shpss_client_secret_456"
REFRESH = "shprt_refresh_token_789"
NOW = 1_700_000_000.0
QUERY = "query { shop { name } }"


class FakeTime:
    """Injected clock and sleep: sleeping records the wait and moves the clock, like real time would."""

    def __init__(self) -> None:
        self.now = NOW
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def ok(data: dict, cost: dict | None = None) -> dict:
    body: dict = {"data": data}
    if cost is not None:
        body["extensions"] = {"cost": cost}
    return body


def cost(requested: float, available: float, rate: float = 100.0, maximum: float = 1000.0) -> dict:
    return {
        "requestedQueryCost": requested,
        "actualQueryCost": None,
        "throttleStatus": {"maximumAvailable": maximum, "currentlyAvailable": available, "restoreRate": rate},
    }


def throttled(requested: float, available: float, rate: float = 100.0) -> dict:
    return {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {"cost": cost(requested, available, rate)},
    }


def body_of(call) -> dict:
    return json.loads(call.request.body)
