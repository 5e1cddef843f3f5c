"""The platform's file formats agree with the code: shopify.app.toml and the theme app extension."""

from __future__ import annotations

import json
import re
import tomllib

from devstore.theme import SchemaTag
from liquid import Environment

from plugin.config import COMPLIANCE_TOPICS, DEFAULT_SCOPES, load_config
from tests.support.paths import ROOT

EXTENSION = ROOT / "extensions" / "storelift-theme"


def app_toml() -> dict:
    return tomllib.loads((ROOT / "shopify.app.toml").read_text())


def test_scopes_match_the_default_scopes():
    assert tuple(app_toml()["access_scopes"]["scopes"].split(",")) == DEFAULT_SCOPES


def test_webhook_topics_and_compliance_topics_match_the_config():
    hooks = app_toml()["webhooks"]
    compliance = [s for s in hooks["subscriptions"] if "compliance_topics" in s]
    topics = [s for s in hooks["subscriptions"] if "topics" in s]
    assert len(compliance) == 1 and tuple(compliance[0]["compliance_topics"]) == COMPLIANCE_TOPICS
    assert topics == []  # per shop, at install (plugin.platform.subscriptions), never twice
    assert all(s["uri"].endswith("/webhooks") for s in hooks["subscriptions"])
    config = load_config(env={}, overrides={"mode": "test"})
    assert hooks["api_version"] == config.api_version


def test_the_app_proxy_points_at_the_storefront_api():
    proxy = app_toml()["app_proxy"]
    assert (proxy["prefix"], proxy["subpath"]) == ("apps", "storelift")
    assert proxy["url"].endswith("/proxy")
    liquid = (EXTENSION / "blocks" / "loader.liquid").read_text()
    assert f'data-p="/{proxy["prefix"]}/{proxy["subpath"]}"' in liquid


def test_the_embed_is_an_app_embed_for_the_body_with_a_deferred_loader():
    source = (EXTENSION / "blocks" / "loader.liquid").read_text()
    schema = json.loads(re.search(r"{%\s*schema\s*%}(.*?){%\s*endschema\s*%}", source, re.S).group(1))
    assert schema["target"] == "body" and schema["name"] == "Storelift"
    tag = re.search(r"<script [^>]*>", source).group(0)
    assert " defer" in tag and "'loader.js' | asset_url" in tag and "data-storelift" in tag


def render(**objects) -> str:
    env = Environment()
    env.add_tag(SchemaTag)  # the simulated platform's own schema tag
    env.add_filter("asset_url", lambda name: "https://cdn.example/ext/" + str(name))
    return env.from_string((EXTENSION / "blocks" / "loader.liquid").read_text()).render(**objects)


def test_the_embed_renders_the_page_event_and_escapes_what_it_is_given():
    product = render(request={"page_type": "product"}, product={"id": 8000000001}, cart={"token": "abc123"})
    assert 'data-t="product_view" data-i="8000000001" data-k="abc123"' in product
    assert 'src="https://cdn.example/ext/loader.js" defer' in product
    search = render(request={"page_type": "search"}, search={"terms": '"><script>alert(1)</script>'}, cart={})
    assert "<script>alert(1)" not in search and 'data-t="search"' in search
    home = render(request={"page_type": "index"}, cart={"token": ""})
    assert 'data-t="" data-i=""' in home
