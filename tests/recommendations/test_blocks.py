"""The recommendation app block and blocks.js: platform format, reserved height, size budget."""

from __future__ import annotations

import gzip
import json
import re

from devstore.theme import SchemaTag
from liquid import Environment

from plugin.recommendations.serving import api as recommendations
from tests.support.paths import ROOT

BLOCK = ROOT / "extensions" / "storelift-theme" / "blocks" / "recommendations.liquid"
SCRIPT = ROOT / "widgets" / "static" / "blocks.js"
FRAGMENT = ROOT / "widgets" / "templates" / "recommendations" / "block.html"
BUDGET = 1024


def schema() -> dict:
    return json.loads(re.search(r"{%\s*schema\s*%}(.*?){%\s*endschema\s*%}", BLOCK.read_text(), re.S).group(1))


def render(settings: dict | None = None, **objects) -> str:
    env = Environment()
    env.add_tag(SchemaTag)
    defaults = {s["id"]: s.get("default") for s in schema()["settings"]}
    block = {"id": "b1", "settings": {**defaults, **(settings or {})}, "shopify_attributes": ""}
    return env.from_string(BLOCK.read_text()).render(block=block, **objects)


def test_blocks_js_is_small_dependency_free_and_shipped_as_is():
    source = SCRIPT.read_bytes()
    assert len(gzip.compress(source, compresslevel=9, mtime=0)) <= BUDGET
    text = source.decode()
    assert "import" not in text and "require(" not in text
    # Clicks survive the navigation they cause (keepalive): a browser test in tests/widgets/test_loader.py.
    assert (ROOT / "extensions" / "storelift-theme" / "assets" / "blocks.js").read_bytes() == source


def test_the_app_block_is_a_section_block_with_its_script_and_settings():
    meta = schema()
    assert meta["target"] == "section" and meta["javascript"] == "blocks.js"
    settings = {s["id"]: s for s in meta["settings"]}
    assert set(settings) == {"strategy", "title", "limit"}
    assert {o["value"] for o in settings["strategy"]["options"]} == set(recommendations.STRATEGIES)
    assert settings["strategy"]["default"] in recommendations.STRATEGIES
    assert settings["limit"]["max"] <= recommendations.MAX_LIMIT


def test_the_slot_reserves_the_fragments_full_height():
    page = render(product={"id": 8000000001}, cart={"items": [{"product_id": 11}, {"product_id": 12}]},
                  shop={"currency": "EUR"})
    tag = re.search(r"<storelift-recs [^>]*>", page).group(0)
    reserved = re.search(r"height:(\d+)px!important", tag).group(1)
    fragment = re.search(r"\.sl\{(?:[^}]*;)?height:(\d+)px", FRAGMENT.read_text()).group(1)
    assert reserved == fragment
    assert 'data-p="8000000001"' in tag and 'data-c="11,12,"' in tag and 'data-m="EUR"' in tag
    assert 'data-b="best_sellers"' in tag and 'data-n="4"' in tag and 'data-x="/apps/storelift"' in tag


def test_the_merchants_title_is_escaped_everywhere():
    page = render({"title": '"><script>alert(1)</script>', "strategy": "cart"}, cart={"items": []})
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'data-b="cart"' in page and 'data-p=""' in page
