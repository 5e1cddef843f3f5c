"""Bulk operations: bulkOperationRunQuery, currentBulkOperation, the JSONL file and bulk_operations/finish."""

from __future__ import annotations

import json

import pytest
from tests.support.devstore import http, install, Receiver, start_shop, subscribe, wait_until

RUN = """mutation($q: String!) { bulkOperationRunQuery(query: $q) {
  bulkOperation { id status url } userErrors { field message code } } }"""
CURRENT = "{ currentBulkOperation { id status errorCode objectCount rootObjectCount fileSize url type } }"
ORDERS = "{ orders { edges { node { id name lineItems { edges { node { id quantity } } } } } } }"


@pytest.fixture(scope="module")
def api():
    shop = start_shop(order_history=40, catalog_size=30)
    grant = install(shop, scope="read_products,read_orders,read_all_orders")
    yield shop, grant["access_token"]
    shop.shutdown()


def rows(url: str) -> list[dict]:
    response = http().get(url, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/jsonl")
    return [json.loads(line) for line in response.text.splitlines()]


def test_a_bulk_query_yields_every_order_then_its_line_items_with_parent_ids(api):
    shop, token = api
    started = shop.gql(token, RUN, {"q": ORDERS})["bulkOperationRunQuery"]
    assert started["userErrors"] == [] and started["bulkOperation"]["status"] == "CREATED"
    assert started["bulkOperation"]["url"] is None
    current = shop.gql(token, CURRENT)["currentBulkOperation"]
    assert current["id"] == started["bulkOperation"]["id"] and current["status"] == "COMPLETED"
    assert current["type"] == "QUERY" and current["errorCode"] is None
    lines = rows(current["url"])
    orders = [r for r in lines if "__parentId" not in r]
    items = [r for r in lines if "__parentId" in r]
    paged = shop.gql(token, "{ ordersCount { count } }")["ordersCount"]["count"]
    assert len(orders) == paged == current["rootObjectCount"] and current["objectCount"] == len(lines)
    seen = set()
    for row in lines:  # each line item after its order
        if "__parentId" in row:
            assert row["__parentId"] in seen
        else:
            seen.add(row["id"])
    assert items and {"id", "quantity", "__parentId"} == set(items[0])
    assert "lineItems" not in orders[0]


def test_bad_bulk_queries_are_user_errors(api):
    shop, token = api
    for query, message in (("{ orders { edges { node { name lineItems { edges { node { id } } } } } } }",
                            "must select the 'id' field"),
                           ("{ shop { name } }", "exactly one top-level connection"),
                           ("{ orders { nope } }", "Invalid bulk query")):
        answer = shop.gql(token, RUN, {"q": query})["bulkOperationRunQuery"]
        assert answer["bulkOperation"] is None and message in answer["userErrors"][0]["message"]
        assert answer["userErrors"][0]["field"] == ["query"]


def test_the_result_file_needs_its_exact_url(api):
    shop, token = api
    shop.gql(token, RUN, {"q": ORDERS})
    url = shop.gql(token, CURRENT)["currentBulkOperation"]["url"]
    assert http().get(url[:-8] + "x.jsonl", timeout=10).status_code == 404


def test_finish_is_sent_to_a_bulk_operations_finish_subscription(api):
    shop, token = api
    receiver = Receiver()
    try:
        subscribe(shop, token, "BULK_OPERATIONS_FINISH", receiver.url)
        operation = shop.gql(token, RUN, {"q": ORDERS})["bulkOperationRunQuery"]["bulkOperation"]
        wait_until(lambda: receiver.of("bulk_operations/finish"))
        body = receiver.of("bulk_operations/finish")[0].json
        assert body["admin_graphql_api_id"] == operation["id"]
        assert (body["status"], body["type"], body["error_code"]) == ("completed", "query", None)
    finally:
        receiver.close()
