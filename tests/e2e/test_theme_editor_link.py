"""The admin's "Place blocks" deep links, followed in devstore's theme editor, put the block on the storefront."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.storefront import API_KEY, SHOP, StorefrontStack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    running = StorefrontStack(tmp_path_factory.mktemp("editor-links"))
    yield running
    running.close()


def place_block_links(stack) -> dict[str, str]:
    """strategy → editor link, as the merchant sees them on the Recommendations page."""
    token = requests.get(f"{stack.store_url}/admin/apps/storelift/session-token", timeout=10).json()["idToken"]
    page = requests.get(f"{stack.app_url}/admin/recommendations", params={"id_token": token, "shop": SHOP},
                        timeout=10)
    assert page.status_code == 200
    section = page.text[page.text.index('id="place-blocks"'):]
    return {strategy: html.unescape(href) for href, strategy in
            re.findall(r'<a href="([^"]+)"[^>]*data-strategy="([^"]+)"', section)}


def test_the_admin_link_adds_the_block_in_the_editor_and_the_storefront_shows_it(stack):
    links = place_block_links(stack)
    assert set(links) == {"frequently_bought_together", "similar_items", "cart", "for_you", "trending"}
    link = links["similar_items"]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == stack.store_url and parts.path == "/admin/themes/current/editor"
    assert parse_qs(parts.query) == {"template": ["product"], "addAppBlockId": [f"{API_KEY}/recommendations"],
                                     "target": ["newAppsSection"]}

    owner = requests.Session()  # the store owner's browser, in the store admin
    editor = owner.get(link, timeout=10)
    assert editor.status_code == 200 and "Add block" in editor.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', editor.text).group(1)
    saved = owner.post(link, data={"csrf_token": csrf, "strategy": "similar_items", "title": "Similar items",
                                   "limit": "4"}, timeout=10)
    assert saved.status_code == 200 and urlsplit(saved.url).path.startswith("/products/")
    assert re.search(r'<storelift-recs [^>]*data-b="similar_items"[^>]*data-h="Similar items"', saved.text)
    placed = requests.get(f"{stack.store_url}/_devstore/theme", timeout=10).json()
    assert any(p["template"] == "product" and p["settings"]["strategy"] == "similar_items"
               for p in placed["blocks"])


@pytest.mark.parametrize("query, reason", [
    ({"template": "product", "addAppBlockId": "nobody/recommendations"}, "addAppBlockId"),
    ({"template": "product", "addAppBlockId": f"{API_KEY}/nope"}, "no app block named"),
    ({"template": "blog", "addAppBlockId": f"{API_KEY}/recommendations"}, "Unknown template"),
    ({"template": "product", "addAppBlockId": f"{API_KEY}/recommendations", "target": "sectionGroup:footer"},
     "section groups"),
])
def test_bad_editor_links_are_refused_and_place_nothing(stack, query, reason):
    before = requests.get(f"{stack.store_url}/_devstore/theme", timeout=10).json()["blocks"]
    answer = requests.get(f"{stack.store_url}/admin/themes/current/editor", params=query, timeout=10)
    assert answer.status_code == 400 and reason in html.unescape(answer.text)
    assert requests.get(f"{stack.store_url}/_devstore/theme", timeout=10).json()["blocks"] == before


def test_a_setting_outside_the_schema_is_refused(stack):
    owner = requests.Session()
    link = place_block_links(stack)["cart"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', owner.get(link, timeout=10).text).group(1)
    answer = owner.post(link, data={"csrf_token": csrf, "strategy": "cart", "limit": "99"}, timeout=10)
    assert answer.status_code == 400 and "whole number from 2 to 12" in html.unescape(answer.text)


def test_the_admin_embed_link_turns_the_app_embed_on_and_every_page_loads_the_script(stack):
    """Blocks stay empty without the app embed (the loader fills them): the admin links to turning it on."""
    def loader_on_home() -> bool:
        return "data-storelift" in requests.get(f"{stack.store_url}/", timeout=10).text

    stack.control("theme/embeds", {"block": "loader", "enabled": False})
    assert not loader_on_home()
    token = requests.get(f"{stack.store_url}/admin/apps/storelift/session-token", timeout=10).json()["idToken"]
    page = requests.get(f"{stack.app_url}/admin/recommendations", params={"id_token": token}, timeout=10).text
    link = html.unescape(re.search(r'<a href="([^"]+)"[^>]*data-embed', page).group(1))
    assert parse_qs(urlsplit(link).query) == {"context": ["apps"], "activateAppId": [f"{API_KEY}/loader"]}

    owner = requests.Session()
    editor = owner.get(link, timeout=10)
    assert editor.status_code == 200 and "Turn on" in editor.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', editor.text).group(1)
    saved = owner.post(link, data={"csrf_token": csrf}, timeout=10)
    assert saved.status_code == 200 and urlsplit(saved.url).path == "/"
    assert loader_on_home()


def test_an_embed_link_naming_no_embed_is_refused_and_changes_nothing(stack):
    before = requests.get(f"{stack.store_url}/_devstore/theme", timeout=10).json()["embeds"]
    answer = requests.get(f"{stack.store_url}/admin/themes/current/editor",
                          params={"context": "apps", "activateAppId": f"{API_KEY}/recommendations"}, timeout=10)
    assert answer.status_code == 400 and "no app embed named" in html.unescape(answer.text)
    assert requests.get(f"{stack.store_url}/_devstore/theme", timeout=10).json()["embeds"] == before
