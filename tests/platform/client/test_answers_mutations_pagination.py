"""PlatformClient answers that are not retried, mutations and their userErrors, and cursor pagination.

Canned HTTP answers (``responses``): no network, no real sleeps.
"""

from __future__ import annotations

import pytest

from plugin.platform.errors import (
    GraphQLError,
    PlatformAuthError,
    PlatformBadResponse,
    PlatformError,
    ThrottledError,
    UserErrors,
)
from tests.support.platform_http import GRAPHQL, QUERY, body_of, ok


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
