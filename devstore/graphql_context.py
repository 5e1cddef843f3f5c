"""What every devstore GraphQL view shares: the request's context and the platform's value shapes.

The views of each resource live in their own module (graphql_catalog_views.py,
graphql_customer_order_views.py, graphql_app_views.py) and the query root in
graphql_query_root.py; this module holds what they all need, so none of them
imports another just for a helper. Access scopes are checked where the
platform checks them: at the root field and where a field crosses into a
resource that needs another scope (an order's customer needs read_customers),
which is why the check lives on the context every view receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from graphql import GraphQLError

from . import search
from .installs import has_scope
from .settings import AppRegistration, Settings
from .state import AccessToken, Order, Store, money

ORDER_WINDOW = 60 * 86400.0  # without read_all_orders only the last 60 days of orders are visible


@dataclass
class ApiContext:
    store: Store
    settings: Settings
    app: AppRegistration
    token: AccessToken
    version: str

    def require(self, scope: str, field: str) -> None:
        if not has_scope(self.token.scopes, scope):
            raise GraphQLError(
                f"Access denied for {field} field. Required access: `{scope}` access scope.",
                extensions={"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes",
                            "requiredAccess": f"`{scope}` access scope."})

    def order_visible(self, order: Order) -> bool:
        if has_scope(self.token.scopes, "read_all_orders"):
            return True
        return order.created_at >= self.store.clock.now() - ORDER_WINDOW

    @property
    def currency(self) -> str:
        return self.settings.currency


def money_v2(ctx: ApiContext, amount: str | Decimal) -> dict:
    return {"amount": money(amount), "currencyCode": ctx.currency}


def money_bag(ctx: ApiContext, amount: str | Decimal) -> dict:
    return {"shopMoney": money_v2(ctx, amount), "presentmentMoney": money_v2(ctx, amount)}


def count(n: int) -> dict:
    return {"count": n, "precision": "EXACT"}


def filtered(records, query: str | None, fields: dict, text) -> list:
    """The records a ``query:`` argument keeps; ``fields`` maps search field names to record values."""
    terms = search.parse(query)
    return [r for r in records if search.matches(r, terms, fields, text)]
