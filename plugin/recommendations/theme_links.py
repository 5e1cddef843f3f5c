"""Theme-editor deep links: turn on Storelift's app embed, and add its recommendation block where a
merchant wants it.

App blocks are never in a theme until the merchant adds them. The platform's theme editor takes a
deep link that opens a template with the block already being added (shopify.dev, "Configure theme
app extensions" → "Deep linking" for app blocks, available since the changelog entry "Theme app
extension app block deep linking", 2023-04-14)::

    https://{shop}/admin/themes/current/editor?template={template}&addAppBlockId={id}/{block}&target={target}

``{id}`` identifies the app's theme app extension: the docs name it the extension's uuid (the
``SHOPIFY_<EXTENSION>_ID`` value the platform's CLI writes to ``.env``), and current app
configurations use the app's client id (API key) for it, which is what Storelift has in its
configuration and what devstore expects. ``{block}`` is the block's file name without ``.liquid``.
``target`` is ``newAppsSection`` (a new "Apps" section on the template), ``mainSection`` (inside the
template's main section), ``sectionGroup:header``/``footer``/``aside`` or ``sectionId:{id}``.

App embeds are off until the merchant turns them on, and the blocks need Storelift's (the loader
fills them). The same docs give the link that opens the editor's App embeds panel with it being
turned on: ``…/admin/themes/current/editor?context=apps&activateAppId={id}/{embed handle}``.

The merchant picks the block's "What to recommend" setting in the editor; each link below names
the setting that suits its page. In demo and test mode the shop maps to devstore's loopback URL
(``Config.shop_base_url``), whose admin implements the same editor route.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..config import Config

BLOCK_HANDLE = "recommendations"
EMBED_HANDLE = "loader"  # extensions/storelift-theme/blocks/loader.liquid
# (template, strategy to choose in the editor, what the merchant reads)
PLACEMENTS = (
    ("product", "frequently_bought_together", "Product page: frequently bought together"),
    ("product", "similar_items", "Product page: similar items"),
    ("cart", "cart", "Cart page: complete the cart"),
    ("index", "for_you", "Home page: for you"),
    ("index", "trending", "Home page: trending"),
)


def editor_link(config: Config, shop: str, template: str, target: str = "newAppsSection") -> str:
    query = urlencode({"template": template, "addAppBlockId": f"{config.api_key}/{BLOCK_HANDLE}", "target": target})
    return f"{config.shop_base_url(shop)}/admin/themes/current/editor?{query}"


def embed_link(config: Config, shop: str) -> str:
    """The editor with Storelift's app embed (the loader every page needs) being turned on."""
    query = urlencode({"context": "apps", "activateAppId": f"{config.api_key}/{EMBED_HANDLE}"})
    return f"{config.shop_base_url(shop)}/admin/themes/current/editor?{query}"


def placement_links(config: Config, shop: str) -> list[dict]:
    """One link per suggested placement, for the admin's "Place blocks" section."""
    return [{"template": template, "strategy": strategy, "label": label, "url": editor_link(config, shop, template)}
            for template, strategy, label in PLACEMENTS]
