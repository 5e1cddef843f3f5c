"""Theme app extensions: load the app's blocks, render them with Liquid, serve their assets.

The app ships its extension in the platform's format: ``blocks/*.liquid``
each ending in a ``{% schema %}`` JSON block (``"target": "head"``/``"body"``
= app embed, ``"section"`` = app block), plus ``assets/*``. App embeds
render on every storefront page while the app is installed (enabled by
default, switchable); app blocks render where a test placed them. The Liquid
objects offered are the ones extension blocks use (see README).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, send_from_directory
from liquid import Environment
from liquid.builtin.tags.comment_tag import CommentNode
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_TAG
from liquid.extra.filters._json import JSON
from markupsafe import Markup, escape

from .runtime import Devstore, runtime

log = logging.getLogger("devstore.theme")
bp = Blueprint("theme", __name__)
SCHEMA_RE = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.S)
EMBED_TARGETS = ("head", "body")
TEMPLATE_ALIASES = {"home": "index"}


class SchemaTag(Tag):
    """``{% schema %}…{% endschema %}``: block metadata, never rendered."""

    name = "schema"
    end = "endschema"

    def parse(self, stream: TokenStream) -> CommentNode:
        token = stream.eat(TOKEN_TAG)
        text: list[str] = []
        while not (stream.current.kind == TOKEN_TAG and stream.current.value == self.end):
            if stream.current.kind == TOKEN_EOF:
                raise LiquidSyntaxError("schema tag was never closed", token=token)
            text.append(stream.current.value)
            next(stream)
        return CommentNode(token, text="".join(text))


@dataclass
class Block:
    app: str
    name: str
    target: str
    schema: dict
    template: Any

    @property
    def defaults(self) -> dict:
        return {s["id"]: s.get("default") for s in self.schema.get("settings", []) if "id" in s}

    @property
    def is_embed(self) -> bool:
        return self.target in EMBED_TARGETS


@dataclass
class Extension:
    app: str
    directory: Path
    blocks: dict[str, Block] = field(default_factory=dict)


def _environment(rt: Devstore, app_handle: str) -> Environment:
    env = Environment()
    env.add_tag(SchemaTag)
    env.add_filter("json", JSON())
    base = f"{rt.settings.public_url}/cdn/extensions/{app_handle}/assets/"
    env.add_filter("asset_url", lambda name: base + str(name))
    return env


def load_extensions(rt: Devstore) -> None:
    """Read every registered app's extension folder; a bad block fails loudly at start."""
    for app in rt.settings.apps:
        if not app.theme_extension_dir:
            continue
        directory = Path(app.theme_extension_dir)
        env = _environment(rt, app.handle)
        ext = Extension(app=app.handle, directory=directory)
        for path in sorted((directory / "blocks").glob("*.liquid")):
            source = path.read_text(encoding="utf-8")
            match = SCHEMA_RE.search(source)
            if match is None:
                raise ValueError(f"{path}: missing {{% schema %}} block")
            schema = json.loads(match.group(1))
            target = schema.get("target", "section")
            if target not in (*EMBED_TARGETS, "section"):
                raise ValueError(f"{path}: unknown target {target!r}")
            ext.blocks[path.stem] = Block(app=app.handle, name=path.stem, target=target, schema=schema,
                                          template=env.from_string(source))
        rt.extensions[app.handle] = ext


def _assets(rt: Devstore, block: Block, seen: set) -> str:
    """The block's schema ``javascript``/``stylesheet`` files, included once per page."""
    base = f"{rt.settings.public_url}/cdn/extensions/{block.app}/assets/"
    out = []
    for key, tag in (("stylesheet", '<link rel="stylesheet" href="{}">'), ("javascript", '<script src="{}" defer></script>')):
        name = block.schema.get(key)
        if name and (block.app, name) not in seen:
            seen.add((block.app, name))
            out.append(tag.format(escape(base + name)))
    return "".join(out)


def _render(rt: Devstore, block: Block, block_id: str, settings: dict, page: dict) -> str:
    data = dict(page["liquid"])
    data["block"] = {"id": block_id, "settings": {**block.defaults, **settings}, "shopify_attributes": "",
                     "type": f"shopify://apps/{block.app}/blocks/{block.name}"}
    try:
        html = block.template.render(**data)
    except LiquidError as exc:
        log.warning("liquid error in %s/%s: %s", block.app, block.name, exc)
        html = str(escape(f"Liquid error (blocks/{block.name}.liquid): {exc}"))
    return _assets(rt, block, page["assets_seen"]) + html


def embed_state(rt: Devstore, app: str, block: str) -> dict:
    return rt.store.theme.embeds.get((app, block), {"enabled": True, "settings": {}})


def render_embeds(rt: Devstore, target: str, page: dict) -> Markup:
    """App embeds for ``head`` or ``body`` of installed apps that are enabled."""
    parts = []
    with rt.store.lock:
        for ext in rt.extensions.values():
            if rt.store.installation(ext.app) is None:
                continue
            for block in ext.blocks.values():
                state = embed_state(rt, ext.app, block.name)
                if block.target != target or not state["enabled"]:
                    continue
                block_id = f"{ext.app}_{block.name}_embed"
                html = _render(rt, block, block_id, state["settings"], page)
                if target == "body":
                    html = f'<div id="shopify-block-{block_id}" class="shopify-block shopify-app-block">{html}</div>'
                parts.append(html)
    return Markup("".join(parts))


def render_blocks(rt: Devstore, template: str, page: dict) -> Markup:
    """App blocks placed on this page template, in placement order."""
    parts = []
    with rt.store.lock:
        for placement in rt.store.theme.blocks:
            if placement["template"] != template or rt.store.installation(placement["app"]) is None:
                continue
            block = rt.extensions[placement["app"]].blocks[placement["block"]]
            html = _render(rt, block, placement["id"], placement["settings"], page)
            parts.append(f'<div id="shopify-block-{placement["id"]}" class="shopify-block shopify-app-block">'
                         f'{html}</div>')
    return Markup("".join(parts))


def find_block(rt: Devstore, name: str, app: str | None, embed: bool) -> Block:
    """The named block of the given (or only) app with an extension; ValueError when there is none."""
    candidates = [ext for ext in rt.extensions.values() if app in (None, ext.app)]
    for ext in candidates:
        block = ext.blocks.get(name)
        if block is not None and block.is_embed == embed:
            return block
    kind = "app embed" if embed else "app block"
    raise ValueError(f"no {kind} named {name!r} in the loaded theme app extensions")


def place_block(rt: Devstore, template: str, name: str, settings: dict, app: str | None) -> dict:
    template = TEMPLATE_ALIASES.get(template, template)
    if template not in ("index", "product", "collection", "cart", "search"):
        raise ValueError(f"unknown template {template!r}")
    block = find_block(rt, name, app, embed=False)
    placement = {"id": f"{block.app}_{block.name}_{secrets.token_hex(4)}", "app": block.app, "template": template,
                 "block": block.name, "settings": dict(settings)}
    with rt.store.lock:
        rt.store.theme.blocks.append(placement)
    return placement


def set_embed(rt: Devstore, name: str, enabled: bool, settings: dict | None, app: str | None) -> dict:
    block = find_block(rt, name, app, embed=True)
    with rt.store.lock:
        state = dict(embed_state(rt, block.app, block.name))
        state["enabled"] = enabled
        if settings is not None:
            state["settings"] = dict(settings)
        rt.store.theme.embeds[(block.app, block.name)] = state
    return {"app": block.app, "block": block.name, **state}


@bp.get("/cdn/extensions/<handle>/assets/<path:filename>")
def asset(handle: str, filename: str):
    ext = runtime().extensions.get(handle)
    if ext is None:
        abort(404)
    return send_from_directory(ext.directory / "assets", filename, max_age=300)
