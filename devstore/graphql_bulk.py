"""Bulk operations: ``bulkOperationRunQuery``, ``currentBulkOperation`` and the JSONL result file.

The platform's way to read a large data set (shopify.dev, "Perform bulk operations with the GraphQL
Admin API", and the ``BulkOperation`` object reference): the app submits one query whose connections
need no page size; the platform runs it in the background, outside the per-query cost limit, and
writes every node as one line of JSONL. A node of a nested connection (a product's ``variants``, an
order's ``lineItems``) is a line of its own carrying ``__parentId``, the ``id`` of the node it belongs
to, and comes after that parent. The app polls ``currentBulkOperation`` (or subscribes to
``bulk_operations/finish``) and downloads ``url``, which needs no access token.

devstore runs the query at once, in the mutation's request and under the store lock, so one file is
one consistent shop: the mutation answers ``CREATED`` (as the platform does) and the operation is
``COMPLETED`` when the app first asks, so tests never wait on timing.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any, Iterator

from flask import Blueprint, Response, abort
from graphql import (GraphQLError, OperationDefinitionNode, OperationType, execute, get_named_type, parse,
                     validate)

from .clock import iso_utc
from .graphql_context import ApiContext
from .graphql_query_root import query_root
from .graphql_schema import BULK_READ, resolve_field, schema_for
from .ids import gid
from .runtime import runtime

bp = Blueprint("graphql_bulk", __name__)
FILE_PATH = "/bulk-operations/{token}.jsonl"


class BulkQueryError(Exception):
    """The query cannot run as a bulk operation; the message is the platform-style user error."""


@dataclass
class BulkOperation:
    id: int
    app: str
    query: str
    created_at: float
    status: str = "CREATED"
    completed_at: float | None = None
    error_code: str | None = None
    object_count: int = 0
    root_object_count: int = 0
    file: bytes | None = None
    token: str = ""


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("edges", value.get("nodes")), list)


def _connection_nodes(connection: dict) -> list[dict]:
    if "nodes" in connection:
        return connection["nodes"]
    return [edge["node"] for edge in connection["edges"]]


def jsonl_rows(connection: dict, parent_id: str | None = None) -> Iterator[dict]:
    """Each node as one row, nested connections' nodes after it with ``__parentId``."""
    for node in _connection_nodes(connection):
        row = {k: v for k, v in node.items() if not _is_connection(v)}
        if parent_id is not None:
            row["__parentId"] = parent_id
        yield row
        nested = [v for v in node.values() if _is_connection(v)]
        if nested and "id" not in node:
            raise BulkQueryError("The parent 'node' field for a nested connection must select the 'id' field.")
        for child in nested:
            yield from jsonl_rows(child, node["id"])


def _root_connection(ctx: ApiContext, query: str):
    """The parsed query after the platform's bulk rules: a valid query with one top-level connection."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise BulkQueryError(f"Invalid bulk query: {exc.message}") from exc
    schema = schema_for(ctx.version)
    problems = validate(schema, document)
    if problems:
        raise BulkQueryError(f"Invalid bulk query: {problems[0].message}")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        raise BulkQueryError("Invalid bulk query: exactly one query operation is expected.")
    fields = operations[0].selection_set.selections
    root_type = schema.query_type
    if len(fields) != 1 or not get_named_type(root_type.fields[fields[0].name.value].type).name.endswith("Connection"):
        raise BulkQueryError("Bulk queries must contain exactly one top-level connection field.")
    return schema, document, fields[0].alias.value if fields[0].alias else fields[0].name.value


def _run(ctx: ApiContext, operation: BulkOperation) -> None:
    """Execute the query over every record and keep the JSONL (or the failure) on the operation."""
    schema, document, root = _root_connection(ctx, operation.query)
    token = BULK_READ.set(True)
    try:
        result = execute(schema, document, root_value=query_root(ctx), context_value=ctx,
                         field_resolver=resolve_field)
    finally:
        BULK_READ.reset(token)
    operation.completed_at = ctx.store.clock.now()
    if result.errors:
        denied = any((e.extensions or {}).get("code") == "ACCESS_DENIED" for e in result.errors)
        operation.status, operation.error_code = "FAILED", "ACCESS_DENIED" if denied else "INTERNAL_SERVER_ERROR"
        return
    lines, roots = [], 0
    for row in jsonl_rows(result.data[root]):
        roots += "__parentId" not in row
        lines.append(json.dumps(row, separators=(",", ":")))
    operation.file = "".join(line + "\n" for line in lines).encode()
    operation.object_count, operation.root_object_count = len(lines), roots
    operation.token = secrets.token_urlsafe(24)
    operation.status = "COMPLETED"


def operation_view(ctx: ApiContext, operation: BulkOperation) -> dict:
    done = operation.status == "COMPLETED"
    return {
        "__typename": "BulkOperation", "id": gid("BulkOperation", operation.id), "status": operation.status,
        "type": "QUERY", "errorCode": operation.error_code, "createdAt": iso_utc(operation.created_at),
        "completedAt": iso_utc(operation.completed_at) if operation.status != "CREATED" else None,
        "objectCount": operation.object_count if operation.status != "CREATED" else 0,
        "rootObjectCount": operation.root_object_count if operation.status != "CREATED" else 0,
        "fileSize": len(operation.file) if done and operation.file else None,
        "url": ctx.settings.public_url + FILE_PATH.format(token=operation.token) if done and operation.file else None,
        "partialDataUrl": None, "query": operation.query,
    }


def _finish_payload(operation: BulkOperation) -> dict:
    """The ``bulk_operations/finish`` webhook body (the platform's fields, snake_case)."""
    return {"admin_graphql_api_id": gid("BulkOperation", operation.id), "completed_at": iso_utc(operation.completed_at),
            "created_at": iso_utc(operation.created_at), "error_code": (operation.error_code or "").lower() or None,
            "status": operation.status.lower(), "type": "query"}


def bulk_operation_run_query(ctx: ApiContext, query: str, groupObjects: bool = False) -> dict:
    store = ctx.store
    operation = BulkOperation(id=store.ids.next("BulkOperation"), app=ctx.app.handle, query=query,
                              created_at=store.clock.now())
    try:
        _run(ctx, operation)
    except BulkQueryError as exc:
        return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": str(exc), "code": "INVALID"}]}
    view = operation_view(ctx, operation)
    answer = {**view, "status": "CREATED", "completedAt": None, "objectCount": 0, "rootObjectCount": 0,
              "fileSize": None, "url": None}
    store.bulk_operations[operation.id] = operation
    store.publish("bulk_operations/finish", _finish_payload(operation), app=ctx.app.handle)
    return {"bulkOperation": answer, "userErrors": []}


def current_bulk_operation(ctx: ApiContext, type: str = "QUERY") -> dict | None:
    """The app's most recent bulk query (devstore runs no bulk mutations)."""
    mine = [op for op in ctx.store.bulk_operations.values() if op.app == ctx.app.handle]
    if type != "QUERY" or not mine:
        return None
    return operation_view(ctx, max(mine, key=lambda op: op.id))


def bulk_root(ctx: ApiContext) -> dict:
    return {"bulkOperationRunQuery": lambda **args: bulk_operation_run_query(ctx, **args),
            "currentBulkOperation": lambda **args: current_bulk_operation(ctx, **args)}


@bp.get(FILE_PATH.replace("{token}", "<token>"))
def result_file(token: str):
    """The JSONL file behind ``url``: the URL is the credential, like the platform's signed link."""
    rt = runtime()
    with rt.store.lock:
        found = next((op for op in rt.store.bulk_operations.values()
                      if op.file is not None and secrets.compare_digest(op.token, token)), None)
    if found is None:
        abort(404)
    return Response(found.file, mimetype="application/jsonl")
