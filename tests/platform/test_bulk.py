"""plugin.platform.bulk against a mocked platform: polling with backoff, failures named, the JSONL file nested."""

from __future__ import annotations

import json

import pytest
import responses

from plugin.platform.bulk import BulkOperationFailed, nest, run_bulk_query
from plugin.platform.client import PlatformClient
from plugin.platform.errors import PlatformBadResponse, UserErrors

BASE = "https://bulk.myshopify.com"
GRAPHQL = f"{BASE}/admin/api/2026-10/graphql.json"
FILE = "https://storage.example/result.jsonl?signature=s3cret"
OP = "gid://shopify/BulkOperation/7"


def client(waits: list) -> PlatformClient:
    return PlatformClient(BASE, "2026-10", "shpat_x", sleep=waits.append)


def started():
    return {"data": {"bulkOperationRunQuery": {"bulkOperation": {"id": OP, "status": "CREATED"}, "userErrors": []}}}


def current(status, url=None, error=None):
    return {"data": {"currentBulkOperation": {"id": OP, "status": status, "errorCode": error, "objectCount": 3,
                                              "url": url}}}


@responses.activate
def test_polls_with_growing_waits_then_yields_the_file_rows():
    rows = [{"id": "gid://shopify/Order/1"}, {"id": "li1", "__parentId": "gid://shopify/Order/1"}]
    for body in (started(), current("CREATED"), current("RUNNING"), current("COMPLETED", FILE)):
        responses.add(responses.POST, GRAPHQL, json=body)
    responses.add(responses.GET, FILE, body="".join(json.dumps(r) + "\n" for r in rows))
    waits: list = []
    assert list(run_bulk_query(client(waits), "{ orders { edges { node { id } } } }", sleep=waits.append)) == rows
    assert waits == [0.2, 0.4]
    assert "X-Shopify-Access-Token" not in responses.calls[-1].request.headers  # the signed URL needs no token


@responses.activate
def test_a_failed_operation_is_an_error_naming_status_and_code():
    responses.add(responses.POST, GRAPHQL, json=started())
    responses.add(responses.POST, GRAPHQL, json=current("FAILED", error="ACCESS_DENIED"))
    with pytest.raises(BulkOperationFailed, match="failed: ACCESS_DENIED"):
        list(run_bulk_query(client([]), "{ orders { edges { node { id } } } }", sleep=lambda s: None))


@responses.activate
def test_a_refused_query_is_a_user_error():
    responses.add(responses.POST, GRAPHQL, json={"data": {"bulkOperationRunQuery": {
        "bulkOperation": None, "userErrors": [{"field": ["query"], "message": "Invalid bulk query"}]}}})
    with pytest.raises(UserErrors):
        list(run_bulk_query(client([]), "{ shop { name } }", sleep=lambda s: None))


def test_nest_puts_children_under_their_parents_and_refuses_orphans():
    rows = [{"id": "p1"}, {"id": "p2"}, {"v": 1, "__parentId": "p1"}, {"v": 2, "__parentId": "p2"},
            {"v": 3, "__parentId": "p1"}]
    assert nest(iter(rows), "variants") == [{"id": "p1", "variants": {"nodes": [{"v": 1}, {"v": 3}]}},
                                            {"id": "p2", "variants": {"nodes": [{"v": 2}]}}]
    with pytest.raises(PlatformBadResponse):
        nest(iter([{"v": 1, "__parentId": "p9"}]), "variants")
