"""PlatformClient GraphQL calls that wait and retry: 429 and 5xx, timeouts, cost throttling, and the retry log.

Canned HTTP answers (``responses``): no network, no real sleeps.
"""

from __future__ import annotations

import logging

import pytest
import requests

from plugin.platform.client import PlatformClient
from plugin.platform.errors import (
    GraphQLError,
    PlatformAuthError,
    PlatformRateLimited,
    PlatformTimeout,
    PlatformUnavailable,
    ThrottledError,
)
from tests.support.platform_http import BASE, GRAPHQL, QUERY, TOKEN, VERSION, body_of, cost, ok, throttled


# ---------------------------------------------------------------------- GraphQL: happy path


def test_graphql_sends_token_and_json_and_returns_data(rsps, client):
    rsps.post(GRAPHQL, json=ok({"shop": {"name": "Demo"}}))

    assert client.graphql(QUERY, {"x": 1}) == {"shop": {"name": "Demo"}}

    request = rsps.calls[0].request
    assert request.headers["X-Shopify-Access-Token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert body_of(rsps.calls[0]) == {"query": QUERY, "variables": {"x": 1}}


def test_graphql_without_token_fails_before_any_request(rsps, fake_time):
    client = PlatformClient(BASE, VERSION, None, sleep=fake_time.sleep, clock=fake_time.clock)
    with pytest.raises(PlatformAuthError):
        client.graphql(QUERY)
    assert len(rsps.calls) == 0


# ---------------------------------------------------------------------- GraphQL: 429 and 5xx


def test_429_waits_retry_after_then_succeeds(rsps, client, fake_time):
    rsps.post(GRAPHQL, status=429, headers={"Retry-After": "2.0"})
    rsps.post(GRAPHQL, json=ok({"shop": {"name": "Demo"}}))

    assert client.graphql(QUERY) == {"shop": {"name": "Demo"}}
    assert fake_time.sleeps == [2.0]
    assert len(rsps.calls) == 2


def test_429_without_retry_after_backs_off_then_gives_up(rsps, client, fake_time):
    rsps.post(GRAPHQL, status=429)

    with pytest.raises(PlatformRateLimited) as info:
        client.graphql(QUERY)
    assert info.value.status == 429
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 8.0]
    assert len(rsps.calls) == 5


def test_retry_after_longer_than_the_cap_gives_up_at_once(rsps, client, fake_time):
    rsps.post(GRAPHQL, status=429, headers={"Retry-After": "120"})

    with pytest.raises(PlatformRateLimited):
        client.graphql(QUERY)
    assert fake_time.sleeps == []
    assert len(rsps.calls) == 1


def test_503_twice_then_success(rsps, client, fake_time):
    rsps.post(GRAPHQL, status=503)
    rsps.post(GRAPHQL, status=503)
    rsps.post(GRAPHQL, json=ok({"shop": {"name": "Demo"}}))

    assert client.graphql(QUERY) == {"shop": {"name": "Demo"}}
    assert fake_time.sleeps == [1.0, 2.0]
    assert len(rsps.calls) == 3


def test_5xx_honours_retry_after(rsps, client, fake_time):
    rsps.post(GRAPHQL, status=503, headers={"Retry-After": "7"})
    rsps.post(GRAPHQL, json=ok({}))

    client.graphql(QUERY)
    assert fake_time.sleeps == [7.0]


def test_persisting_5xx_raises_unavailable_after_max_attempts(rsps, fake_time):
    client = PlatformClient(BASE, VERSION, TOKEN, max_attempts=3, sleep=fake_time.sleep, clock=fake_time.clock)
    rsps.post(GRAPHQL, status=502)

    with pytest.raises(PlatformUnavailable) as info:
        client.graphql(QUERY)
    assert info.value.status == 502
    assert len(rsps.calls) == 3
    assert fake_time.sleeps == [1.0, 2.0]


def test_backoff_is_capped(rsps, fake_time):
    client = PlatformClient(BASE, VERSION, TOKEN, max_attempts=8, sleep=fake_time.sleep, clock=fake_time.clock)
    rsps.post(GRAPHQL, status=500)

    with pytest.raises(PlatformUnavailable):
        client.graphql(QUERY)
    assert fake_time.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


# ---------------------------------------------------------------------- GraphQL: transport failures


@pytest.mark.parametrize("failure", [requests.exceptions.ReadTimeout, requests.exceptions.ConnectTimeout])
def test_timeouts_are_retried_then_raise_platform_timeout(rsps, client, fake_time, failure):
    rsps.post(GRAPHQL, body=failure("slow"))

    with pytest.raises(PlatformTimeout):
        client.graphql(QUERY)
    assert len(rsps.calls) == 5


def test_timeout_then_success(rsps, client, fake_time):
    rsps.post(GRAPHQL, body=requests.exceptions.ReadTimeout("slow"))
    rsps.post(GRAPHQL, json=ok({"shop": {"name": "Demo"}}))

    assert client.graphql(QUERY) == {"shop": {"name": "Demo"}}
    assert fake_time.sleeps == [1.0]


# ---------------------------------------------------------------------- GraphQL: cost throttling


def test_throttled_waits_from_throttle_status_then_succeeds(rsps, client, fake_time):
    rsps.post(GRAPHQL, json=throttled(requested=500, available=200, rate=100))
    rsps.post(GRAPHQL, json=ok({"shop": {"name": "Demo"}}, cost(500, 500)))

    assert client.graphql(QUERY) == {"shop": {"name": "Demo"}}
    assert fake_time.sleeps == [3.0]  # (500 - 200) / 100, and no extra proactive wait
    assert len(rsps.calls) == 2


def test_throttled_with_enough_available_still_pauses_briefly(rsps, client, fake_time):
    rsps.post(GRAPHQL, json=throttled(requested=10, available=900))
    rsps.post(GRAPHQL, json=ok({}))

    client.graphql(QUERY)
    assert fake_time.sleeps == [0.5]


def test_throttled_without_cost_numbers_backs_off(rsps, client, fake_time):
    rsps.post(GRAPHQL, json={"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})
    rsps.post(GRAPHQL, json=ok({}))

    client.graphql(QUERY)
    assert fake_time.sleeps == [1.0]


def test_persisting_throttle_raises_throttled_error(rsps, fake_time):
    client = PlatformClient(BASE, VERSION, TOKEN, max_attempts=2, sleep=fake_time.sleep, clock=fake_time.clock)
    rsps.post(GRAPHQL, json=throttled(requested=500, available=0, rate=100))

    with pytest.raises(ThrottledError) as info:
        client.graphql(QUERY)
    assert isinstance(info.value, GraphQLError)
    assert info.value.errors[0]["extensions"]["code"] == "THROTTLED"
    assert len(rsps.calls) == 2


def test_proactive_wait_when_last_known_cost_exceeds_the_bucket(rsps, client, fake_time):
    rsps.post(GRAPHQL, json=ok({}, cost(requested=300, available=100, rate=50)))

    client.graphql(QUERY)  # teaches cost 300 and a bucket of 100 refilling at 50/s
    assert fake_time.sleeps == []

    fake_time.now += 1.0  # bucket refilled to 150
    client.graphql(QUERY)
    assert fake_time.sleeps == [3.0]  # (300 - 150) / 50
    assert len(rsps.calls) == 2


def test_no_proactive_wait_for_unknown_query_or_refilled_bucket(rsps, client, fake_time):
    rsps.post(GRAPHQL, json=ok({}, cost(requested=300, available=100, rate=50)))

    client.graphql(QUERY)
    client.graphql("query { other }")  # cost never seen: sent at once
    fake_time.now += 10.0  # 100 + 10 * 50 >= 300
    client.graphql(QUERY)

    assert fake_time.sleeps == []
    assert len(rsps.calls) == 3


def test_malformed_cost_extensions_are_ignored(rsps, client, fake_time):
    rsps.post(GRAPHQL, json={"data": {}, "extensions": {"cost": {"requestedQueryCost": "lots", "throttleStatus": 5}}})

    client.graphql(QUERY)
    client.graphql(QUERY)
    assert fake_time.sleeps == []


# ---------------------------------------------------------------------- retry log


def test_retry_log_names_path_status_attempt_and_wait(rsps, client, caplog):
    caplog.set_level(logging.DEBUG, logger="storelift.platform")
    rsps.post(GRAPHQL, status=503)
    rsps.post(GRAPHQL, json=ok({}))

    client.graphql(QUERY)

    messages = [r.getMessage() for r in caplog.records if r.name == "storelift.platform"]
    assert any(
        f"/admin/api/{VERSION}/graphql.json" in m and "503" in m and "attempt 1/5" in m and "1.00s" in m
        for m in messages
    )
