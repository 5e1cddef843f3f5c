"""The Admin GraphQL API subset: shapes, paging, search, scopes, cost, throttling, failures, mutations."""

from __future__ import annotations

import pytest
from tests.support.devstore import http, install, start_shop, subscribe


@pytest.fixture(scope="module")
def api():
    shop = start_shop()
    grant = install(shop, scope="read_products,read_orders,read_all_orders,write_customers,write_discounts")
    yield shop, grant["access_token"]
    shop.shutdown()


def test_shop_fields(api):
    shop, token = api
    data = shop.gql(token, "{ shop { id name email myshopifyDomain currencyCode ianaTimezone "
                           "primaryDomain { host url } } }")["shop"]
    assert data["id"].startswith("gid://shopify/Shop/")
    assert data["myshopifyDomain"] == "demo.devstore.test" and data["currencyCode"] == "USD"
    assert data["primaryDomain"] == {"host": "demo.devstore.test", "url": shop.url}


PRODUCT_FIELDS = """
  id legacyResourceId title handle vendor productType tags status descriptionHtml onlineStoreUrl
  createdAt updatedAt publishedAt totalInventory
  featuredImage { url altText width height }
  priceRangeV2 { minVariantPrice { amount currencyCode } maxVariantPrice { amount currencyCode } }
  variants(first: 5) { nodes { id legacyResourceId title sku price compareAtPrice inventoryQuantity availableForSale } }
"""


def test_products_page_through_all_with_cursors(api):
    shop, token = api
    seen, after, pages = [], None, 0
    while True:
        data = shop.gql(token, "query($after: String) { products(first: 100, after: $after) { "
                               "edges { cursor node { id } } pageInfo { hasNextPage endCursor hasPreviousPage } } }",
                        {"after": after})["products"]
        seen += [e["node"]["id"] for e in data["edges"]]
        assert data["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert pages == 3 and len(seen) == len(set(seen)) == 240
    ids = [int(s.rsplit("/", 1)[1]) for s in seen]
    assert ids == sorted(ids)


def test_product_shape(api):
    shop, token = api
    node = shop.gql(token, "{ products(first: 1, query: \"status:active\") { nodes { %s } } }"
                    % PRODUCT_FIELDS)["products"]["nodes"][0]
    assert node["id"] == f"gid://shopify/Product/{node['legacyResourceId']}"
    assert node["status"] == "ACTIVE" and node["onlineStoreUrl"] == f"{shop.url}/products/{node['handle']}"
    assert node["createdAt"].endswith("Z") and isinstance(node["tags"], list)
    assert node["featuredImage"]["url"].startswith(shop.url + "/cdn/shop/files/")
    variant = node["variants"]["nodes"][0]
    assert isinstance(variant["price"], str) and "." in variant["price"]
    assert isinstance(variant["legacyResourceId"], str)
    assert node["priceRangeV2"]["minVariantPrice"]["currencyCode"] == "USD"


def test_query_filters(api):
    shop, token = api
    drafts = shop.gql(token, '{ products(first: 50, query: "status:draft") { nodes { status onlineStoreUrl } } }')
    assert drafts["products"]["nodes"] and all(n["status"] == "DRAFT" and n["onlineStoreUrl"] is None
                                               for n in drafts["products"]["nodes"])
    recent = shop.gql(token, '{ orders(first: 250, query: "created_at:>\'2000-01-01T00:00:00Z\'") '
                             '{ nodes { id } } ordersCount { count } }')
    assert len(recent["orders"]["nodes"]) == 250 and recent["ordersCount"]["count"] == 300
    none = shop.gql(token, '{ products(first: 5, query: "updated_at:>2999-01-01") { nodes { id } } }')
    assert none["products"]["nodes"] == []


def test_order_shape(api):
    shop, token = api
    order = shop.gql(token, """{ orders(first: 1, reverse: true) { nodes {
        id legacyResourceId name email createdAt updatedAt processedAt cancelledAt displayFinancialStatus sourceName
        customer { id } currencyCode discountCodes landingPageUrl referrerUrl cartToken checkoutToken
        totalPriceSet { shopMoney { amount currencyCode } } subtotalPriceSet { shopMoney { amount } }
        lineItems(first: 10) { nodes { id quantity title sku product { id } variant { id }
          originalUnitPriceSet { shopMoney { amount currencyCode } } } } } } }""")["orders"]["nodes"][0]
    assert order["name"].startswith("#") and int(order["legacyResourceId"]) > 2 ** 53
    assert order["customer"] is None or order["customer"]["id"].startswith("gid://shopify/Customer/")
    assert len(order["cartToken"]) == 32
    line = order["lineItems"]["nodes"][0]
    assert line["product"]["id"].startswith("gid://shopify/Product/")
    assert line["originalUnitPriceSet"]["shopMoney"]["currencyCode"] == "USD"


def test_fields_added_in_a_later_version_are_absent_before(api):
    shop, token = api
    old = shop.graphql(token, "{ orders(first: 1) { nodes { cartToken } } }", version="2025-10").json()
    assert "cartToken" in old["errors"][0]["message"]
    assert shop.gql(token, "{ orders(first: 1) { nodes { cartToken } } }", version="unstable")


def test_limited_scopes_deny_access_and_hide_old_orders():
    shop = start_shop(order_history=200)
    try:
        token = install(shop, scope="read_orders")["access_token"]
        body = shop.graphql(token, "{ customers(first: 1) { nodes { id } } }").json()
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "ACCESS_DENIED" and "read_customers" in error["message"]
        nested = shop.graphql(token, "{ orders(first: 1) { nodes { id customer { id } } } }").json()
        assert nested["errors"][0]["path"][-1] == "customer"
        count = shop.gql(token, "{ ordersCount { count } }")["ordersCount"]["count"]
        assert 0 < count < 200  # without read_all_orders: only the last 60 of 120 days
        topic = shop.gql(token, """mutation { webhookSubscriptionCreate(topic: CUSTOMERS_CREATE,
            webhookSubscription: {callbackUrl: "https://hooks.example/c"}) { userErrors { field message } } }""")
        assert topic["webhookSubscriptionCreate"]["userErrors"] == [{"field": ["topic"], "message": "Invalid topic"}]
    finally:
        shop.shutdown()


def test_customers_and_identifier(api):
    shop, token = api
    first = shop.gql(token, """{ customers(first: 1) { nodes { id legacyResourceId email firstName lastName
        numberOfOrders amountSpent { amount currencyCode } tags createdAt updatedAt
        emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
        defaultAddress { city countryCodeV2 country } } } }""")["customers"]["nodes"][0]
    assert isinstance(first["numberOfOrders"], str)
    assert first["defaultAddress"]["countryCodeV2"] == "US"
    found = shop.gql(token, "query($q: String) { customers(first: 2, query: $q) { nodes { id } } }",
                     {"q": f"email:{first['email']}"})["customers"]["nodes"]
    assert [n["id"] for n in found] == [first["id"]]
    by_id = shop.gql(token, "query($e: String) { customerByIdentifier(identifier: {emailAddress: $e}) { id } }",
                     {"e": first["email"]})
    assert by_id["customerByIdentifier"]["id"] == first["id"]


def test_customer_create_duplicate_and_consent(api):
    shop, token = api
    create = """mutation($input: CustomerInput!) { customerCreate(input: $input) {
        customer { id email emailMarketingConsent { marketingState } } userErrors { field message } } }"""
    made = shop.gql(token, create, {"input": {"email": "new.person@example.org", "firstName": "New"}})
    customer = made["customerCreate"]["customer"]
    assert customer["emailMarketingConsent"]["marketingState"] == "NOT_SUBSCRIBED"
    dup = shop.gql(token, create, {"input": {"email": "new.person@example.org"}})["customerCreate"]
    assert dup == {"customer": None, "userErrors": [{"field": ["email"], "message": "Email has already been taken"}]}
    consent = shop.gql(token, """mutation($input: CustomerEmailMarketingConsentUpdateInput!) {
        customerEmailMarketingConsentUpdate(input: $input) { customer { emailMarketingConsent {
        marketingState marketingOptInLevel } } userErrors { field message code } } }""",
                       {"input": {"customerId": customer["id"], "emailMarketingConsent": {
                           "marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN"}}})
    result = consent["customerEmailMarketingConsentUpdate"]
    assert result["userErrors"] == []
    assert result["customer"]["emailMarketingConsent"] == {"marketingState": "SUBSCRIBED",
                                                           "marketingOptInLevel": "SINGLE_OPT_IN"}


DISCOUNT = """mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) {
  codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status codes(first: 5) { nodes { code } } } } }
  userErrors { field code message } } }"""


def test_discount_create_duplicate_and_bulk_add(api):
    shop, token = api
    base = {"title": "Welcome 10%", "code": "HELLO10", "startsAt": "2024-01-01T00:00:00Z",
            "customerSelection": {"all": True}, "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}},
            "appliesOncePerCustomer": True, "usageLimit": 100}
    made = shop.gql(token, DISCOUNT, {"d": base})["discountCodeBasicCreate"]
    assert made["userErrors"] == []
    node = made["codeDiscountNode"]
    assert node["id"].startswith("gid://shopify/DiscountCodeNode/")
    assert node["codeDiscount"] == {"title": "Welcome 10%", "status": "ACTIVE", "codes": {"nodes": [{"code": "HELLO10"}]}}
    dup = shop.gql(token, DISCOUNT, {"d": base})["discountCodeBasicCreate"]
    assert dup["codeDiscountNode"] is None
    assert dup["userErrors"][0]["code"] == "TAKEN" and dup["userErrors"][0]["field"] == ["basicCodeDiscount", "code"]
    bad = shop.gql(token, DISCOUNT, {"d": {**base, "code": "X40", "customerGets": {"value": {"percentage": 40}}}})
    assert bad["discountCodeBasicCreate"]["userErrors"][0]["code"] == "VALUE_OUTSIDE_RANGE"
    bulk = shop.gql(token, """mutation($id: ID!, $codes: [DiscountRedeemCodeInput!]!) {
        discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) {
          bulkCreation { id done codesCount importedCount failedCount } userErrors { field code message } } }""",
                    {"id": node["id"], "codes": [{"code": "UNIQ-1"}, {"code": "UNIQ-2"}, {"code": "HELLO10"}]})
    creation = bulk["discountRedeemCodeBulkAdd"]["bulkCreation"]
    assert creation["codesCount"] == 3 and creation["importedCount"] == 2 and creation["failedCount"] == 1


def test_webhook_subscriptions_create_list_duplicate_delete(api):
    shop, token = api
    made = subscribe(shop, token, "ORDERS_CREATE", "https://hooks.example/orders")
    dup = shop.gql(token, """mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE,
        webhookSubscription: {callbackUrl: "https://hooks.example/orders", format: JSON}) {
        webhookSubscription { id } userErrors { field message } } }""")["webhookSubscriptionCreate"]
    assert dup == {"webhookSubscription": None, "userErrors": [
        {"field": ["webhookSubscription", "callbackUrl"], "message": "Address for this topic has already been taken"}]}
    listed = shop.gql(token, """{ webhookSubscriptions(first: 10, topics: [ORDERS_CREATE]) { edges { node {
        id topic format createdAt endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } } } }""")
    [edge] = listed["webhookSubscriptions"]["edges"]
    assert edge["node"]["id"] == made["id"] and edge["node"]["endpoint"] == {
        "__typename": "WebhookHttpEndpoint", "callbackUrl": "https://hooks.example/orders"}
    gone = shop.gql(token, "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { "
                           "deletedWebhookSubscriptionId userErrors { message } } }", {"id": made["id"]})
    assert gone["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] == made["id"]
    assert shop.gql(token, "{ webhookSubscriptions(first: 5) { nodes { id } } }")["webhookSubscriptions"]["nodes"] == []


def test_cost_extensions_and_forced_throttle(api):
    shop, token = api
    body = shop.graphql(token, "{ products(first: 10) { nodes { id title } } }").json()
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 12 and cost["actualQueryCost"] == 12
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
    shop.control("throttle", {"currentlyAvailable": 5, "restoreRate": 0})
    throttled = shop.graphql(token, "{ products(first: 10) { nodes { id } } }")
    assert throttled.status_code == 200
    assert throttled.json()["errors"] == [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
    assert throttled.json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 5
    shop.control("throttle", {"currentlyAvailable": 1000, "restoreRate": 50})
    assert shop.gql(token, "{ shop { name } }")


def test_injected_failures_with_retry_after(api):
    shop, token = api
    shop.control("fail", {"status": 429, "times": 2, "retry_after": "1.0"})
    for _ in range(2):
        failed = shop.graphql(token, "{ shop { name } }")
        assert failed.status_code == 429 and failed.headers["Retry-After"] == "1.0"
    assert shop.graphql(token, "{ shop { name } }").status_code == 200


def test_invalid_query_is_http_200_with_errors(api):
    shop, token = api
    response = shop.graphql(token, "{ products(first: 1) { nodes { nope } } }")
    assert response.status_code == 200 and "nope" in response.json()["errors"][0]["message"]
    missing = http().post(f"{shop.url}/admin/api/2026-07/graphql.json", json={},
                          headers={"X-Shopify-Access-Token": token}, timeout=10)
    assert missing.status_code == 400


def test_bucket_refills_on_the_devstore_clock_and_rejects_oversized_queries(api):
    shop, token = api
    shop.control("throttle", {"currentlyAvailable": 0, "restoreRate": 50})
    assert shop.graphql(token, "{ shop { name } }").json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    shop.control("clock", {"advance": 2})
    assert shop.gql(token, "{ shop { name } }")
    huge = shop.graphql(token, "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }").json()
    assert huge["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    shop.control("throttle", {"currentlyAvailable": 1000})
