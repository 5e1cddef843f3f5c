"""The theme editor's deep link for adding an app block: ``/admin/themes/current/editor``.

The platform's link ``?template=product&addAppBlockId={api_key}/{block}&target=newAppsSection`` opens
the editor on that template with the app's block being added; the owner adjusts its settings and
saves. devstore's version is one page: the block's schema settings with their defaults, and an "Add
block" button (a form POST with devstore's CSRF token) that places it on the template. The owner
then lands on a storefront page of that template, showing the block. devstore's theme has one list
of blocks per template, so ``newAppsSection`` and ``mainSection`` place it the same way; section
groups and ``sectionId:`` targets are refused with a 400 (its theme has neither).

The link for an app embed, ``?context=apps&activateAppId={api_key}/{embed}``, opens the editor's
App embeds panel with that embed being turned on; devstore's page asks once and saves it on, then
shows the storefront.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request

from .runtime import check_csrf, runtime
from .theme import TEMPLATE_ALIASES, Block, find_block, place_block, set_embed

bp = Blueprint("theme_editor", __name__)
TARGETS = ("newAppsSection", "mainSection")
TEMPLATES = ("index", "product", "collection", "cart", "search")


def _app_and_handle(parameter: str):
    """The app (installed here) and block handle a deep link's ``{api_key}/{handle}`` names; 400 otherwise."""
    rt = runtime()
    api_key, _, name = request.args.get(parameter, "").partition("/")
    app = next((a for a in rt.settings.apps if a.api_key == api_key), None)
    if app is None or not name:
        abort(400, description=f"{parameter} must be {{api_key}}/{{block handle}} of an app on this platform.")
    if rt.store.installation(app.handle) is None:
        abort(400, description=f"{app.name} is not installed on this store.")
    return app, name


def _request_embed() -> Block:
    app, name = _app_and_handle("activateAppId")
    try:
        return find_block(runtime(), name, app.handle, embed=True)
    except ValueError:
        abort(400, description=f"{app.name} has no app embed named {name!r}.")


def _request_block() -> tuple[str, Block]:
    """The link's template and block after the platform's checks; 400 with the reason otherwise."""
    rt = runtime()
    template = TEMPLATE_ALIASES.get(request.args.get("template", ""), request.args.get("template", ""))
    if template not in TEMPLATES:
        abort(400, description=f"Unknown template. Use one of: {', '.join(TEMPLATES)}.")
    target = request.args.get("target", "newAppsSection")
    if target not in TARGETS:
        abort(400, description="This theme has no section groups or named sections: use target=newAppsSection.")
    app, name = _app_and_handle("addAppBlockId")
    try:
        return template, find_block(rt, name, app.handle, embed=False)
    except ValueError:
        abort(400, description=f"{app.name} has no app block named {name!r}.")


def _settings(block: Block, form) -> dict:
    """The submitted settings, each checked against the block's schema (selects, ranges, text)."""
    values = {}
    for spec in block.schema.get("settings", []):
        key = spec.get("id")
        if key is None or key not in form:
            continue
        text = form[key]
        if spec.get("type") == "select" and text not in {o["value"] for o in spec.get("options", [])}:
            abort(400, description=f"{spec.get('label', key)}: not one of the choices.")
        if spec.get("type") == "range":
            if not text.lstrip("-").isdigit() or not spec.get("min", 0) <= int(text) <= spec.get("max", 10**6):
                abort(400, description=f"{spec.get('label', key)}: a whole number from {spec.get('min')} to {spec.get('max')}.")
            values[key] = int(text)
            continue
        if len(text) > 200:
            abort(400, description=f"{spec.get('label', key)}: at most 200 characters.")
        values[key] = text
    return values


def _preview_path(template: str) -> str:
    """A storefront page rendered with ``template``."""
    if template == "product":
        rt = runtime()
        with rt.store.lock:
            product = next((p for p in rt.store.products.values() if p.visible and p.available), None)
        return f"/products/{product.handle}" if product else "/collections/all"
    return {"index": "/", "cart": "/cart", "collection": "/collections/all", "search": "/search"}[template]


def _embed_link() -> bool:
    return request.args.get("context") == "apps" and "activateAppId" in request.args


@bp.get("/admin/themes/current/editor")
def editor():
    if _embed_link():
        embed = _request_embed()
        return render_template("admin/theme_embed.html", block=embed, app=runtime().store.app(embed.app))
    template, block = _request_block()
    return render_template("admin/theme_editor.html", template=template, block=block, defaults=block.defaults,
                           app=runtime().store.app(block.app))


@bp.post("/admin/themes/current/editor")
def add_block():
    check_csrf()
    if _embed_link():
        embed = _request_embed()
        set_embed(runtime(), embed.name, True, None, embed.app)
        return redirect("/", code=303)
    template, block = _request_block()
    place_block(runtime(), template, block.name, _settings(block, request.form), block.app)
    return redirect(_preview_path(template), code=303)
