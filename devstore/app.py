"""``create_app``: one Flask app = one shop, wired from its parts.

Builds the clock, the seeded store and the webhook thread, registers every
blueprint, and makes Jinja autoescape everything (SVG and HTML alike). The
session cookie has its own name because the app under test usually runs on
the same 127.0.0.1 host, where cookies are shared across ports.
"""

from __future__ import annotations

import secrets

from flask import Flask, render_template

from . import (admin, app_proxy, control, graphql_api, graphql_bulk, images, oauth, storefront, theme,
               theme_editor)
from .clock import Clock
from .runtime import Devstore
from .seed import seed_store
from .settings import Settings
from .state import Store
from .webhooks import WebhookDispatcher


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__, static_folder="static", static_url_path="/static/devstore")
    app.secret_key = secrets.token_hex(32)
    app.config.update(SESSION_COOKIE_NAME="devstore_session", SESSION_COOKIE_SAMESITE="Lax",
                      MAX_CONTENT_LENGTH=5 * 1024 * 1024)
    app.jinja_env.autoescape = True
    clock = Clock()
    store = Store(settings, clock)
    seed_store(store)
    dispatcher = WebhookDispatcher(store, settings, clock)
    runtime = Devstore(settings=settings, clock=clock, store=store, dispatcher=dispatcher)
    app.extensions["devstore"] = runtime
    theme.load_extensions(runtime)
    for module in (oauth, graphql_api, graphql_bulk, admin, storefront, images, app_proxy, theme, theme_editor,
                   control):
        app.register_blueprint(module.bp)

    @app.context_processor
    def shop_context():
        with store.lock:
            installed = [a for a in settings.apps if store.installation(a.handle)]
        return {"shop_name": settings.shop_name, "shop_domain": settings.shop_domain, "nav_apps": installed,
                "currency": settings.currency}

    @app.errorhandler(400)
    @app.errorhandler(404)
    @app.errorhandler(405)
    def http_error(error):
        return render_template("store/message.html", title=error.name, message=error.description), error.code

    dispatcher.start()
    return app
