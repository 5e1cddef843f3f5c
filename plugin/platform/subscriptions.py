"""Webhook subscriptions Storelift needs in each shop, made idempotent.

The platform answers a duplicate topic+address with a userError, and an app
sees only its own subscriptions (platform.md §3.2), so we list first and
create only what is missing: a reinstall never creates duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from .client import PlatformClient

LIST_QUERY = """
query Subscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    nodes {
      id
      topic
      endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CREATE_MUTATION = """
mutation Subscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""


@dataclass(frozen=True)
class Subscription:
    id: str
    topic: str  # "orders/create" form
    callback_url: str | None


def topic_enum(topic: str) -> str:
    """``orders/create`` → ``ORDERS_CREATE`` (the GraphQL enum name)."""
    return topic.replace("/", "_").upper()


def topic_name(enum: str) -> str:
    """``ORDERS_CREATE`` → ``orders/create``; the first underscore splits resource and event."""
    resource, _, event = enum.lower().partition("_")
    return f"{resource}/{event}"


def list_subscriptions(client: PlatformClient) -> list[Subscription]:
    subs = []
    for node in client.paginate(LIST_QUERY, {}, ["webhookSubscriptions"], page_size=100):
        endpoint = node.get("endpoint") or {}
        subs.append(Subscription(node["id"], topic_name(node["topic"]), endpoint.get("callbackUrl")))
    return subs


def ensure_subscriptions(
    client: PlatformClient, callback_url: str, topics: tuple[str, ...]
) -> list[Subscription]:
    """Create the subscriptions that are missing; returns the full list afterwards."""
    present = {(s.topic, s.callback_url) for s in list_subscriptions(client)}
    for topic in topics:
        if (topic, callback_url) in present:
            continue
        client.mutate(
            CREATE_MUTATION,
            {"topic": topic_enum(topic), "sub": {"callbackUrl": callback_url, "format": "JSON"}},
            "webhookSubscriptionCreate",
        )
    return list_subscriptions(client)
