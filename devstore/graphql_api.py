"""The Admin API endpoint: ``POST /admin/api/<version>/graphql.json``.

Order of checks mirrors the platform: injected failure (tests), access token
(401 with the platform's exact message), request shape, parse/validate
(errors with HTTP 200), cost against the app's leaky bucket (``THROTTLED``),
then execution under the store lock so one query sees one consistent shop.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from graphql import GraphQLError, execute, parse, validate

from . import installs
from .cost import ActualCost, requested_cost
from .graphql_bulk import bulk_root
from .graphql_context import ApiContext
from .graphql_mutations import mutation_root
from .graphql_query_root import query_root
from .graphql_schema import resolve_field, schema_for, valid_version
from .runtime import Devstore, runtime

bp = Blueprint("graphql_api", __name__)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def injected_failure(rt: Devstore):
    """The response for an armed ``/_devstore/fail``, or None."""
    failure = rt.failures.next()
    if failure is None:
        return None
    message = ("Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
               if failure.status == 429 else "Service Unavailable" if failure.status == 503 else "Internal Server Error")
    response = jsonify({"errors": message})
    response.status_code = failure.status
    if failure.retry_after is not None:
        response.headers["Retry-After"] = failure.retry_after
    return response


def authenticated(rt: Devstore):
    """(token, app) for the request's ``X-Shopify-Access-Token``, or (None, None)."""
    token = installs.authenticate(rt.store, request.headers.get("X-Shopify-Access-Token"))
    if token is None:
        return None, None
    return token, rt.store.app(token.app)


def _cost(requested: int | None, actual: int | None, status: dict) -> dict:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}}


@bp.post("/admin/api/<version>/graphql.json")
def graphql_endpoint(version: str):
    rt = runtime()
    if not valid_version(version):
        return jsonify({"errors": "Not Found"}), 404
    failed = injected_failure(rt)
    if failed is not None:
        return failed
    token, app = authenticated(rt)
    if token is None:
        return jsonify({"errors": INVALID_TOKEN}), 401
    if request.mimetype == "application/graphql":
        body = {"query": request.get_data(as_text=True)}
    else:
        body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
        return jsonify({"errors": {"query": "Required parameter missing or invalid"}}), 400
    variables = body.get("variables") or {}
    operation_name = body.get("operationName")
    schema = schema_for(version)
    bucket = rt.bucket(app.handle)
    try:
        document = parse(body["query"])
    except GraphQLError as exc:
        return _answer(version, {"errors": [exc.formatted]})
    problems = validate(schema, document)
    if problems:
        return _answer(version, {"errors": [p.formatted for p in problems]})
    try:
        requested = requested_cost(schema, document, operation_name, variables)
    except GraphQLError as exc:
        return _answer(version, {"errors": [exc.formatted]})
    if requested > bucket.maximum:
        return _answer(version, {"errors": [{
            "message": f"Query cost is {requested}, which exceeds the single query max cost limit "
                       f"({int(bucket.maximum)}).",
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": int(bucket.maximum)}}],
            "extensions": _cost(requested, None, bucket.status())})
    if not bucket.take(requested):
        return _answer(version, {"errors": [{
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
            "extensions": _cost(requested, None, bucket.status())})
    ctx = ApiContext(store=rt.store, settings=rt.settings, app=app, token=token, version=version)
    actual = ActualCost()
    with rt.store.lock:
        result = execute(schema, document, root_value={**query_root(ctx), **mutation_root(ctx), **bulk_root(ctx)},
                         context_value=ctx, variable_values=variables, operation_name=operation_name,
                         field_resolver=resolve_field, middleware=[actual])
    bucket.refund(requested - actual.total)
    payload: dict = {}
    if result.errors:
        payload["errors"] = [e.formatted for e in result.errors]
    payload["data"] = result.data
    payload["extensions"] = _cost(requested, actual.total, bucket.status())
    return _answer(version, payload)


def _answer(version: str, payload: dict):
    response = jsonify(payload)
    response.headers["X-Shopify-API-Version"] = version
    return response
