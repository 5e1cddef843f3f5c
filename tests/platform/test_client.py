"""PlatformClient against canned HTTP answers (``responses``): no network, no real sleeps."""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from plugin.platform.answers import TokenGrant
from plugin.platform.client import PlatformClient
from plugin.platform.errors import (
    GraphQLError,
    PlatformAuthError,
    PlatformBadResponse,
    PlatformError,
    PlatformRateLimited,
    PlatformTimeout,
    PlatformUnavailable,
    ThrottledError,
    UserErrors,
)

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


# ---------------------------------------------------------------------- GraphQL: answers that are not retried


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failure_raises_at_once(rsps, client, fake_time, status):
    rsps.post(GRAPHQL, status=status, json={"errors": "[API] Invalid API key or access token"})

    with pytest.raises(PlatformAuthError) as info:
        client.graphql(QUERY)
    assert info.value.status == status
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []


def test_other_4xx_is_a_bad_response(rsps, client):
    rsps.post(GRAPHQL, status=404, body="Not Found")

    with pytest.raises(PlatformBadResponse) as info:
        client.graphql(QUERY)
    assert info.value.status == 404
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("body", ["<html>maintenance</html>", "[1, 2]", '{"data": null}', '{"data": []}'])
def test_unusable_body_is_a_bad_response(rsps, client, body):
    rsps.post(GRAPHQL, body=body, content_type="application/json")

    with pytest.raises(PlatformBadResponse):
        client.graphql(QUERY)
    assert len(rsps.calls) == 1


def test_top_level_errors_raise_graphql_error(rsps, client):
    errors = [{"message": "Field 'nope' doesn't exist on type 'Shop'", "extensions": {"code": "undefinedField"}}]
    rsps.post(GRAPHQL, json={"errors": errors})

    with pytest.raises(GraphQLError) as info:
        client.graphql(QUERY)
    assert not isinstance(info.value, ThrottledError)
    assert info.value.errors == errors
    assert "doesn't exist" in str(info.value)
    assert len(rsps.calls) == 1


def test_errors_as_a_bare_string_still_raise_graphql_error(rsps, client):
    rsps.post(GRAPHQL, json={"errors": "Internal error"})

    with pytest.raises(GraphQLError) as info:
        client.graphql(QUERY)
    assert info.value.errors == [{"message": "Internal error"}]


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


# ---------------------------------------------------------------------- mutations


MUTATION = "mutation($code: String!) { discountCodeBasicCreate(basicCodeDiscount: {code: $code}) { userErrors { field message code } } }"


def test_mutate_returns_payload(rsps, client):
    payload = {"codeDiscountNode": {"id": "gid://shopify/DiscountCodeNode/1"}, "userErrors": []}
    rsps.post(GRAPHQL, json=ok({"discountCodeBasicCreate": payload}))

    assert client.mutate(MUTATION, {"code": "WELCOME10"}, "discountCodeBasicCreate") == payload
    assert body_of(rsps.calls[0])["variables"] == {"code": "WELCOME10"}


def test_mutate_user_errors(rsps, client):
    user_errors = [
        {"field": ["basicCodeDiscount", "code"], "message": "Code must be unique", "code": "TAKEN"},
        {"field": ["basicCodeDiscount", "title"], "message": "Title can't be blank", "code": "BLANK"},
    ]
    rsps.post(GRAPHQL, json=ok({"discountCodeBasicCreate": {"codeDiscountNode": None, "userErrors": user_errors}}))

    with pytest.raises(UserErrors) as info:
        client.mutate(MUTATION, {"code": "WELCOME10"}, "discountCodeBasicCreate")
    assert info.value.errors == user_errors
    assert info.value.mutation == "discountCodeBasicCreate"
    assert "Code must be unique" in str(info.value)
    assert "Title can't be blank" in str(info.value)
    assert isinstance(info.value, PlatformError)


def test_mutate_missing_payload_is_a_bad_response(rsps, client):
    rsps.post(GRAPHQL, json=ok({"somethingElse": {}}))

    with pytest.raises(PlatformBadResponse):
        client.mutate(MUTATION, {}, "discountCodeBasicCreate")


# ---------------------------------------------------------------------- pagination


PRODUCTS = "query($first: Int!, $after: String, $q: String) { shop { products(first: $first, after: $after, query: $q) { nodes { id } pageInfo { hasNextPage endCursor } } } }"


def page(items: list[dict], next_cursor: str | None, *, edges: bool = False) -> dict:
    connection: dict = {"pageInfo": {"hasNextPage": next_cursor is not None, "endCursor": next_cursor}}
    if edges:
        connection["edges"] = [{"cursor": "x", "node": item} for item in items]
    else:
        connection["nodes"] = items
    return ok({"shop": {"products": connection}})


def test_paginate_follows_cursors_across_three_pages(rsps, client):
    rsps.post(GRAPHQL, json=page([{"id": 1}, {"id": 2}], "c1"))
    rsps.post(GRAPHQL, json=page([{"id": 3}, {"id": 4}], "c2", edges=True))
    rsps.post(GRAPHQL, json=page([{"id": 5}], None))

    nodes = list(client.paginate(PRODUCTS, {"q": "status:active"}, ("shop", "products"), page_size=2))

    assert [n["id"] for n in nodes] == [1, 2, 3, 4, 5]
    sent = [body_of(call)["variables"] for call in rsps.calls]
    assert sent == [
        {"q": "status:active", "first": 2, "after": None},
        {"q": "status:active", "first": 2, "after": "c1"},
        {"q": "status:active", "first": 2, "after": "c2"},
    ]


def test_paginate_refuses_a_cursor_that_does_not_move(rsps, client):
    rsps.post(GRAPHQL, json=page([{"id": 1}], "c1"))
    rsps.post(GRAPHQL, json=page([{"id": 1}], "c1"))

    with pytest.raises(PlatformBadResponse):
        list(client.paginate(PRODUCTS, None, ("shop", "products")))
    assert len(rsps.calls) == 2


def test_paginate_missing_connection_is_a_bad_response(rsps, client):
    rsps.post(GRAPHQL, json=ok({"shop": None}))

    with pytest.raises(PlatformBadResponse):
        list(client.paginate(PRODUCTS, None, ("shop", "products")))


# ---------------------------------------------------------------------- OAuth: code exchange


GRANT = {
    "access_token": TOKEN,
    "scope": "read_products,write_discounts",
    "expires_in": 3600,
    "refresh_token": REFRESH,
    "refresh_token_expires_in": 7_776_000,
}


def test_exchange_code_success(rsps, client):
    rsps.post(TOKEN_URL, json=GRANT)

    grant = client.exchange_code(API_KEY, SECRET, "the-code")

    assert grant == TokenGrant(
        access_token=TOKEN,
        scopes=("read_products", "write_discounts"),
        expires_at_ms=int(NOW * 1000) + 3_600_000,
        refresh_token=REFRESH,
        refresh_expires_at_ms=int(NOW * 1000) + 7_776_000_000,
    )
    request = rsps.calls[0].request
    assert request.headers["Content-Type"] == "application/json"
    assert "X-Shopify-Access-Token" not in request.headers
    assert body_of(rsps.calls[0]) == {
        "client_id": API_KEY,
        "client_secret": SECRET,
        "code": "the-code",
        "expiring": "1",
    }


def test_exchange_code_non_expiring(rsps, client):
    rsps.post(TOKEN_URL, json={"access_token": TOKEN, "scope": "read_products"})

    grant = client.exchange_code(API_KEY, SECRET, "the-code", expiring=False)

    assert body_of(rsps.calls[0])["expiring"] == "0"
    assert grant.scopes == ("read_products",)
    assert grant.expires_at_ms is None
    assert grant.refresh_token is None
    assert grant.refresh_expires_at_ms is None


@pytest.mark.parametrize("status", [400, 401])
def test_exchange_code_rejected_is_an_auth_error(rsps, client, fake_time, status):
    rsps.post(TOKEN_URL, status=status, json={"error": "invalid_grant", "error_description": "code already used"})

    with pytest.raises(PlatformAuthError) as info:
        client.exchange_code(API_KEY, SECRET, "the-code")
    assert info.value.status == status
    assert "invalid_grant" in str(info.value)
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []


def test_exchange_code_other_4xx_is_a_bad_response(rsps, client):
    rsps.post(TOKEN_URL, status=404, body="no such shop")

    with pytest.raises(PlatformBadResponse) as info:
        client.exchange_code(API_KEY, SECRET, "the-code")
    assert info.value.status == 404


def test_exchange_code_5xx_is_retried_then_unavailable(rsps, client, fake_time):
    rsps.post(TOKEN_URL, status=500)

    with pytest.raises(PlatformUnavailable) as info:
        client.exchange_code(API_KEY, SECRET, "the-code")
    assert info.value.status == 500
    assert len(rsps.calls) == 5


def test_exchange_code_read_timeout_is_not_resent(rsps, client, fake_time):
    rsps.post(TOKEN_URL, body=requests.exceptions.ReadTimeout("slow"))
    rsps.post(TOKEN_URL, json=GRANT)

    with pytest.raises(PlatformTimeout):
        client.exchange_code(API_KEY, SECRET, "the-code")
    assert len(rsps.calls) == 1
    assert fake_time.sleeps == []


@pytest.mark.parametrize(
    "unsent",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ConnectionError(
            MaxRetryError(None, "/admin/oauth/access_token", NewConnectionError(None, "refused"))
        ),
    ],
    ids=["connect-timeout", "connection-refused"],
)
def test_exchange_code_retries_failures_before_sending(rsps, client, fake_time, unsent):
    rsps.post(TOKEN_URL, body=unsent)
    rsps.post(TOKEN_URL, json=GRANT)

    assert client.exchange_code(API_KEY, SECRET, "the-code").access_token == TOKEN
    assert len(rsps.calls) == 2
    assert fake_time.sleeps == [1.0]


def test_exchange_code_dropped_connection_is_not_resent(rsps, client):
    rsps.post(TOKEN_URL, body=requests.exceptions.ConnectionError("Connection aborted."))

    with pytest.raises(PlatformTimeout):
        client.exchange_code(API_KEY, SECRET, "the-code")
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    "body",
    [
        "<html>oops</html>",
        "[]",
        "{}",
        json.dumps({"scope": "read_products"}),
        json.dumps({"access_token": "", "scope": "read_products"}),
        json.dumps({"access_token": 123, "scope": "read_products"}),
        json.dumps({"access_token": TOKEN}),
        json.dumps({"access_token": TOKEN, "scope": ["read_products"]}),
        json.dumps({"access_token": TOKEN, "scope": "x", "expires_in": "3600"}),
        json.dumps({"access_token": TOKEN, "scope": "x", "expires_in": True}),
        json.dumps({"access_token": TOKEN, "scope": "x", "expires_in": -1}),
        json.dumps({"access_token": TOKEN, "scope": "x", "refresh_token": 5}),
        json.dumps({"access_token": TOKEN, "scope": "x", "refresh_token_expires_in": 1.5}),
    ],
)
def test_exchange_code_garbage_is_a_bad_response(rsps, client, body):
    rsps.post(TOKEN_URL, body=body, content_type="application/json")

    with pytest.raises(PlatformBadResponse):
        client.exchange_code(API_KEY, SECRET, "the-code")
    assert len(rsps.calls) == 1


# ---------------------------------------------------------------------- OAuth: refresh


def test_refresh_sends_grant_type_and_returns_new_refresh_token(rsps, client):
    rsps.post(TOKEN_URL, json={**GRANT, "access_token": "shpat_new", "refresh_token": "shprt_new"})

    grant = client.refresh(API_KEY, SECRET, REFRESH)

    assert body_of(rsps.calls[0]) == {
        "client_id": API_KEY,
        "client_secret": SECRET,
        "grant_type": "refresh_token",
        "refresh_token": REFRESH,
    }
    assert grant.access_token == "shpat_new"
    assert grant.refresh_token == "shprt_new"
    assert grant.expires_at_ms == int(NOW * 1000) + 3_600_000


def test_refresh_is_resent_after_a_read_timeout(rsps, client, fake_time):
    rsps.post(TOKEN_URL, body=requests.exceptions.ReadTimeout("slow"))
    rsps.post(TOKEN_URL, json=GRANT)

    assert client.refresh(API_KEY, SECRET, REFRESH).refresh_token == REFRESH
    assert len(rsps.calls) == 2


def test_refresh_rejected_is_an_auth_error(rsps, client):
    rsps.post(TOKEN_URL, status=400, json={"error": "invalid_request"})

    with pytest.raises(PlatformAuthError):
        client.refresh(API_KEY, SECRET, REFRESH)


# ---------------------------------------------------------------------- secrets and logs


def test_token_grant_repr_hides_tokens():
    grant = TokenGrant(TOKEN, ("read_products",), 1, REFRESH, 2)
    for text in (repr(grant), str(grant), f"{grant}"):
        assert TOKEN not in text
        assert REFRESH not in text
        assert "read_products" in text


def test_secrets_never_reach_logs_or_error_messages(rsps, client, caplog):
    caplog.set_level(logging.DEBUG, logger="storelift.platform")
    # Bodies that echo the secrets back: they must not leak through our error text either.
    echo = {"error": f"bad {SECRET}", "error_description": f"{TOKEN} {REFRESH}"}
    rsps.post(GRAPHQL, status=503)
    rsps.post(GRAPHQL, status=401, json={"errors": f"token {TOKEN} revoked"})
    rsps.post(TOKEN_URL, status=429, headers={"Retry-After": "1"})
    rsps.post(TOKEN_URL, status=400, json=echo)

    failures: list[BaseException] = []
    for call in (
        lambda: client.graphql(QUERY),
        lambda: client.exchange_code(API_KEY, SECRET, "the-code"),
    ):
        with pytest.raises(PlatformError) as info:
            call()
        failures.append(info.value)
    rsps.replace(responses.POST, TOKEN_URL, body=requests.exceptions.ReadTimeout(f"slow {SECRET}"))
    with pytest.raises(PlatformTimeout) as info:
        client.refresh(API_KEY, SECRET, REFRESH)
    failures.append(info.value)

    texts = [str(e) for e in failures] + [repr(e) for e in failures] + [repr(client)]
    texts += [record.getMessage() for record in caplog.records]
    assert caplog.records, "the client should log its retries"
    for text in texts:
        for secret in (TOKEN, SECRET, REFRESH):
            assert secret not in text


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
