"""The Admin GraphQL schema (SDL in data/admin_schema.graphql), per API version, and its paging rules.

The SDL is the contract: field names and shapes mirror the platform so a
query that works here works there. Fields tagged ``@since(version:)`` are
dropped for older versions, like the platform adds fields per release.
Resolution is data-driven: views (graphql_*_views.py) are dicts whose values
are plain data or callables taking the field arguments.
"""

from __future__ import annotations

import base64
import contextvars
import functools
import json
import re
from pathlib import Path
from typing import Any, Callable

from graphql import GraphQLError, GraphQLSchema, build_ast_schema, parse
from graphql.language import DocumentNode, FieldDefinitionNode, ObjectTypeDefinitionNode

SDL_PATH = Path(__file__).with_name("data") / "admin_schema.graphql"
VERSION_RE = re.compile(r"^(\d{4}-\d{2}|unstable)$")
MAX_PAGE = 250
# Set while a bulk operation runs its query: connections then need no first/last and return every record.
BULK_READ: contextvars.ContextVar[bool] = contextvars.ContextVar("bulk_read", default=False)


def valid_version(version: str) -> bool:
    return bool(VERSION_RE.match(version))


def _since(field: FieldDefinitionNode) -> str | None:
    for directive in field.directives or ():
        if directive.name.value == "since":
            return directive.arguments[0].value.value  # type: ignore[attr-defined]
    return None


@functools.lru_cache(maxsize=1)
def _document() -> DocumentNode:
    return parse(SDL_PATH.read_text(encoding="utf-8"))


def _band(version: str) -> tuple[str, ...]:
    """The ``@since`` versions this API version includes (``unstable`` includes all)."""
    all_since = sorted({s for d in _document().definitions if isinstance(d, ObjectTypeDefinitionNode)
                        for f in d.fields or () if (s := _since(f))})
    return tuple(s for s in all_since if version == "unstable" or version >= s)


@functools.lru_cache(maxsize=8)
def _schema_for_band(band: tuple[str, ...]) -> GraphQLSchema:
    definitions = []
    for definition in _document().definitions:
        if isinstance(definition, ObjectTypeDefinitionNode):
            kept = tuple(f for f in definition.fields or () if (_since(f) or "") in ("", *band))
            definition = ObjectTypeDefinitionNode(name=definition.name, interfaces=definition.interfaces,
                                                  directives=definition.directives, fields=kept,
                                                  description=definition.description)
        definitions.append(definition)
    return build_ast_schema(DocumentNode(definitions=tuple(definitions)))


def schema_for(version: str) -> GraphQLSchema:
    return _schema_for_band(_band(version))


def resolve_field(source: Any, info, **args: Any) -> Any:
    """Views are dicts: a value is returned as is, a callable is called with the field's arguments."""
    value = source.get(info.field_name) if isinstance(source, dict) else getattr(source, info.field_name, None)
    return value(**args) if callable(value) else value


# --- paging ----------------------------------------------------------------------------------
def encode_cursor(record_id: int, sort_value: Any) -> str:
    payload = json.dumps({"last_id": record_id, "last_value": sort_value}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return int(data["last_id"]), data["last_value"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.",
                           extensions={"code": "BAD_REQUEST"}) from exc


def connection(records: list, *, first: int | None = None, after: str | None = None, last: int | None = None,
               before: str | None = None, reverse: bool = False, view: Callable[[Any], dict],
               record_id: Callable[[Any], int] = lambda r: r.id,
               sort_value: Callable[[Any], Any] = lambda r: r.id) -> dict:
    """A Relay connection over ``records`` (already filtered), ordered by (sort value, id)."""
    if BULK_READ.get():  # a bulk query reads every record; page sizes do not apply
        first = last = None
    elif first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE:
            raise GraphQLError(f"The maximum number of records that can be returned with `{name}` is {MAX_PAGE}.",
                               extensions={"code": "BAD_REQUEST"})
    keyed = sorted(((sort_value(r), record_id(r), r) for r in records), key=lambda k: (k[0], k[1]),
                   reverse=reverse)
    start, end = 0, len(keyed)
    if after:
        start = _position(keyed, decode_cursor(after), reverse) + 1
    if before:
        end = _position(keyed, decode_cursor(before), reverse)
    window = keyed[start:max(end, start)]
    has_next = end < len(keyed)
    has_prev = start > 0
    if first is not None:
        has_next = has_next or len(window) > first
        window = window[:first]
    if last is not None:
        has_prev = has_prev or len(window) > last
        window = window[len(window) - last:] if last else []
    edges = [{"cursor": encode_cursor(rid, value), "node": view(record)} for value, rid, record in window]
    return {
        "edges": edges, "nodes": [e["node"] for e in edges],
        "pageInfo": {"hasNextPage": has_next, "hasPreviousPage": has_prev,
                     "startCursor": edges[0]["cursor"] if edges else None,
                     "endCursor": edges[-1]["cursor"] if edges else None},
    }


def _position(keyed: list, cursor: tuple[int, Any], reverse: bool) -> int:
    """Index of the cursor's record; if it is gone, where it would sit."""
    cursor_id, cursor_value = cursor
    for index, (_, rid, _) in enumerate(keyed):
        if rid == cursor_id:
            return index
    key = (cursor_value, cursor_id)
    preceding = sum(1 for value, rid, _ in keyed if ((value, rid) > key if reverse else (value, rid) < key))
    return preceding - 1
