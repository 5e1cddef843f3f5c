"""The app factory: the one module that wires config, store and edges together.

Edges are registered by dotted name so that nothing below this module ever
imports an edge (design.md, enforced by tests/test_layers.py).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Mapping

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .config import load_config
from .jobs import InProcessWorker
from .safe_input import InputError
from .services import Services
from .store import Store

BLUEPRINTS = (
    "plugin.install.routes:bp",
    "plugin.admin.routes:bp",
    "plugin.admin.capture:bp",
    "plugin.admin.segments:bp",
    "plugin.admin.recommendations:bp",
    "widgets.routes:bp",
    "widgets.recommendations:bp",
)
# WSGI layers in front of Flask, for the hottest paths.
MIDDLEWARE = ("webhooks.routes:install",)
# Each registers its kinds of background work on services.jobs (plugin/jobs).
JOB_KINDS = (
    "webhooks.worker:register",
    "plugin.people.refresh:register_jobs",
    "plugin.capture.pool:register_jobs",
    "plugin.platform.push_customers:register_jobs",
    "plugin.install.routes:register_jobs",
)

# Routes under these prefixes are APIs: their errors are JSON, never HTML.
JSON_PREFIXES = ("/admin/api/", "/webhooks", "/proxy/")


def _load(dotted: str):
    module, _, attr = dotted.partition(":")
    return getattr(importlib.import_module(module), attr)


def build_services(overrides: Mapping[str, Any] | None = None) -> Services:
    """Config, a migrated store and every job kind: what the app and ``storelift worker`` share."""
    config = load_config(overrides=overrides)
    logging.getLogger("storelift").setLevel(config.log_level)
    store = Store(config.db_path)
    store.migrate()
    services = Services(config=config, store=store)
    register_job_kinds(services.jobs)
    return services


def register_job_kinds(jobs) -> None:
    for dotted in JOB_KINDS:
        _load(dotted)(jobs)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build a Storelift app; ``overrides`` replaces config fields (tests, demo)."""
    services = build_services(overrides)
    config = services.config

    app = Flask("plugin")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    app.extensions["storelift"] = services
    for dotted in BLUEPRINTS:
        app.register_blueprint(_load(dotted))
    for dotted in MIDDLEWARE:
        _load(dotted)(app, app.extensions["storelift"])
    if config.run_worker:
        app.extensions["storelift.worker"] = InProcessWorker(services)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.path.startswith("/admin"):
            # Framed only by the platform's admin and by the shop this request proved with a
            # verified session token (g.shop, set by the admin's session check); a request that
            # proved nothing gets the platform's admin alone. Never built from a parameter.
            origins = config.admin_origins(g.get("shop"))
            response.headers.setdefault("Content-Security-Policy", f"frame-ancestors {' '.join(origins)};")
            # Merchant pages and customers' data: never kept by a browser or proxy cache.
            response.headers.setdefault("Cache-Control", "no-store")
        else:
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.errorhandler(InputError)
    def bad_input(exc: InputError):
        """Hostile or malformed input from any door (plugin.safe_input): a 4xx with the reason, never a 500."""
        error = "payload_too_large" if exc.status == 413 else "bad_request"
        return jsonify(error=error, reason=exc.reason), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith(JSON_PREFIXES):
            return jsonify(error=exc.name.lower(), message=exc.description), exc.code
        return exc

    return app
