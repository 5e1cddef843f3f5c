"""Query cost, the platform's way (platform.md §3.5), kept simple and honest.

Requested cost is computed before execution from the query text: every
object is 1, scalars and enums are 0, a connection is 2 plus ``first``/``last``
times the cost of one item, a mutation field is 10. Actual cost counts the
objects that were really returned, so a half-empty page costs less and the
difference is refunded to the bucket.
"""

from __future__ import annotations

from typing import Any

from graphql import (FieldNode, FragmentSpreadNode, GraphQLObjectType, GraphQLSchema, InlineFragmentNode,
                     OperationDefinitionNode, get_named_type, is_abstract_type, value_from_ast)
from graphql.language import DocumentNode

MUTATION_COST = 10
FREE_TYPES = {"PageInfo"}


def _is_free(type_name: str) -> bool:
    return type_name in FREE_TYPES or type_name.endswith("Edge")


def _is_connection(type_name: str) -> bool:
    return type_name.endswith("Connection")


def requested_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                   variables: dict[str, Any]) -> int:
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    op = next((o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)),
              None)
    if op is None:
        return 0
    if op.operation.value == "mutation":
        return MUTATION_COST * sum(1 for s in op.selection_set.selections if isinstance(s, FieldNode))
    root = schema.query_type
    return _selection_cost(schema, root, op.selection_set, fragments, variables)


def _selection_cost(schema, parent, selection_set, fragments, variables) -> int:
    if selection_set is None or parent is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(schema, parent, selection, fragments, variables)
        elif isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += _selection_cost(schema, target, selection.selection_set, fragments, variables)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                target = schema.get_type(fragment.type_condition.name.value)
                total += _selection_cost(schema, target, fragment.selection_set, fragments, variables)
    return total


def _field_cost(schema, parent, node: FieldNode, fragments, variables) -> int:
    fields = getattr(parent, "fields", None) or {}
    definition = fields.get(node.name.value)
    if definition is None:
        return 0
    named = get_named_type(definition.type)
    children = _selection_cost(schema, named, node.selection_set, fragments, variables)
    if _is_connection(named.name):
        size = _page_size(definition, node, variables)
        selections = node.selection_set.selections if node.selection_set else ()
        item = sum(_field_cost(schema, named, sub, fragments, variables) for sub in selections
                   if isinstance(sub, FieldNode) and sub.name.value != "pageInfo")
        return 2 + size * item
    if _is_free(named.name):
        return children
    if isinstance(named, GraphQLObjectType) or node.selection_set is not None:
        return 1 + children
    return 0


def _page_size(definition, node: FieldNode, variables) -> int:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            arg_def = definition.args.get(argument.name.value)
            value = value_from_ast(argument.value, arg_def.type, variables) if arg_def else None
            if isinstance(value, int):
                return value
    return 1


class ActualCost:
    """graphql-core middleware that counts the objects each field really returned."""

    def __init__(self) -> None:
        self.total = 0

    def resolve(self, next_, root, info, **args):
        result = next_(root, info, **args)
        if info.operation.operation.value == "mutation":
            if info.path.prev is None:
                self.total += MUTATION_COST
            return result
        named = get_named_type(info.return_type)
        if result is None or _is_free(named.name):
            return result
        if _is_connection(named.name):
            self.total += 2
        elif isinstance(named, GraphQLObjectType) or is_abstract_type(named):
            self.total += len(result) if isinstance(result, list) else 1
        return result

