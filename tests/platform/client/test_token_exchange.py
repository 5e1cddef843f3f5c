"""PlatformClient OAuth: code exchange, refresh, and tokens and secrets kept out of reprs, errors and logs.

Canned HTTP answers (``responses``): no network, no real sleeps.
"""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError

from plugin.platform.answers import TokenGrant
from plugin.platform.errors import (
    PlatformAuthError,
    PlatformBadResponse,
    PlatformError,
    PlatformTimeout,
    PlatformUnavailable,
)
from tests.support.platform_http import API_KEY, GRAPHQL, NOW, QUERY, REFRESH, SECRET, TOKEN, TOKEN_URL, body_of


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
