"""Large reads the platform's way: a GraphQL bulk operation and its JSONL result file.

A first sync reads the whole catalog and order window. Paging through it under the query-cost
throttle took minutes; a bulk operation (shopify.dev, "Perform bulk operations with the GraphQL
Admin API") runs the query on the platform's side without the cost limit and hands back one file:

1. ``bulkOperationRunQuery(query:)`` starts it (connections need no page size);
2. we poll ``currentBulkOperation`` with backoff until it is ``COMPLETED`` (or failed);
3. we download its ``url``: one JSON object per line; a node of a nested connection (a product's
   variants, an order's line items) is its own line with ``__parentId``, after its parent.

Polling rather than the ``bulk_operations/finish`` webhook: the sync that asked is still running and
wants the answer in hand, and one cheap query every few seconds (backoff up to ``MAX_POLL_WAIT``)
costs nothing next to a new subscription, a webhook handler that would have to find the waiting
sync, and a second path for when that webhook is late. All calls go through ``PlatformClient``.
"""

from __future__ import annotations

import json
import time
from typing import Callable, Iterator

from .client import PlatformClient
from .errors import PlatformBadResponse, PlatformError

RUN_QUERY = """
mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""
CURRENT_OPERATION = """
query CurrentBulkOperation {
  currentBulkOperation { id status errorCode objectCount url }
}
"""
FIRST_POLL_WAIT = 0.2
MAX_POLL_WAIT = 5.0
DEADLINE_S = 3600.0  # the platform gives bulk queries up to days; a first sync that takes an hour is broken
FAILED_STATUSES = ("FAILED", "CANCELED", "CANCELING", "EXPIRED")


class BulkOperationFailed(PlatformError):
    """The platform ran the operation and it did not complete; the message names status and error code."""


def _wait_until_completed(client: PlatformClient, operation_id: str, sleep: Callable[[float], None],
                          clock: Callable[[], float]) -> dict:
    wait, deadline = FIRST_POLL_WAIT, clock() + DEADLINE_S
    while True:
        current = client.graphql(CURRENT_OPERATION).get("currentBulkOperation")
        if not isinstance(current, dict) or current.get("id") != operation_id:
            raise BulkOperationFailed("another bulk query replaced ours (one runs at a time per app and shop)")
        status = current.get("status")
        if status == "COMPLETED":
            return current
        if status in FAILED_STATUSES:
            raise BulkOperationFailed(f"bulk operation {str(status).lower()}: {current.get('errorCode') or 'no error code'}")
        if clock() > deadline:
            raise BulkOperationFailed(f"bulk operation still {str(status).lower()} after {DEADLINE_S:.0f} s")
        sleep(wait)
        wait = min(wait * 2, MAX_POLL_WAIT)


def run_bulk_query(client: PlatformClient, query: str, *, sleep: Callable[[float], None] = time.sleep,
                   clock: Callable[[], float] = time.monotonic) -> Iterator[dict]:
    """Run ``query`` as a bulk operation and yield the result file's rows, in file order."""
    payload = client.mutate(RUN_QUERY, {"query": query}, "bulkOperationRunQuery")
    operation = payload.get("bulkOperation") or {}
    if not isinstance(operation.get("id"), str):
        raise PlatformBadResponse("bulkOperationRunQuery returned no operation id")
    finished = _wait_until_completed(client, operation["id"], sleep, clock)
    if not finished.get("url"):  # the platform gives no file when the query matched nothing
        return
    for line in client.download_lines(finished["url"]):
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise PlatformBadResponse("bulk result file has a line that is not JSON") from exc
        if not isinstance(row, dict):
            raise PlatformBadResponse("bulk result file has a line that is not an object")
        yield row


def nest(rows: Iterator[dict], child_connection: str) -> list[dict]:
    """Rebuild parent nodes with their children under ``child_connection`` as ``{"nodes": [...]}``.

    The shape paginated queries return, so one converter serves both. Children may come anywhere
    after their parent, so the whole file is read before any parent is returned.
    """
    parents: dict[str, dict] = {}
    for row in rows:
        parent_id = row.pop("__parentId", None)
        if parent_id is None:
            row[child_connection] = {"nodes": []}
            parents[row.get("id")] = row
        elif parent_id in parents:
            parents[parent_id][child_connection]["nodes"].append(row)
        else:
            raise PlatformBadResponse("bulk result file has a child line before its parent")
    return list(parents.values())
