"""The app factory: a composition root that lists Storelift's parts by dotted name and wires them.

Each part is a module with ``init_app(app, services)`` that registers what it
brings: its routes (blueprints or a WSGI layer), its admin page and menu entry
(``services.admin_menu``). Job kinds are listed the same way (``JOB_KINDS``):
each names a function that registers its kinds on ``services.jobs``, so
``storelift worker`` builds the very same registry without an app. The doors
are parts; a core feature becomes one when it has something to register in
the app (its CLI commands are listed by the CLI's own root, ``plugin.cli``).
Parts are imported by name so that nothing below this module ever imports a
door (docs/architecture.md, enforced by tests/test_layers.py), and the
per-process state they need hangs off ``services`` (``plugin.services``),
never a module.
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

# In registration order; the admin pages appear in the menu by the order each one gives.
PARTS = (
    "plugin.install",
    "plugin.admin",
    "plugin.admin.earned",
    "plugin.admin.capture",
    "plugin.admin.emails",
    "plugin.admin.segments",
    "plugin.admin.recommendations",
    "widgets",
    "webhooks",
)
# Each registers its kinds of background work on services.jobs (plugin/jobs); ``storelift worker``
# (plugin/cli/worker.py) registers the same list, so any process can run any job.
JOB_KINDS = (
    "webhooks.worker:register",
    "plugin.people.refresh:register_jobs",
    "plugin.capture.pool:register_jobs",
    "plugin.platform.push_customers:register_jobs",
    "plugin.install.routes:register_jobs",
    "plugin.emails.steps:register_jobs",
    "plugin.emails.unsubscribe:register_jobs",
    "plugin.emails.triggers:register_jobs",
)

# Routes under these prefixes are APIs: their errors are JSON, never HTML.
JSON_PREFIXES = ("/admin/api/", "/webhooks", "/proxy/")


def build_services(overrides: Mapping[str, Any] | None = None) -> Services:
    """Config, a migrated store and every job kind: what the app and ``storelift worker`` share."""
    config = load_config(overrides=overrides)
    logging.getLogger("storelift").setLevel(config.log_level)
    services = Services.open(config)
    register_job_kinds(services.jobs)
    return services


def register_job_kinds(jobs) -> None:
    """Every feature's kinds of background work on ``jobs`` (``services.jobs``)."""
    for dotted in JOB_KINDS:
        module, _, register = dotted.partition(":")
        getattr(importlib.import_module(module), register)(jobs)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build a Storelift app; ``overrides`` replaces config fields (tests, demo)."""
    services = build_services(overrides)
    config = services.config

    app = Flask("plugin")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    services.attach(app)
    for dotted in PARTS:
        importlib.import_module(dotted).init_app(app, services)
    if config.run_worker:  # the job runner in this process (``storelift worker`` runs it on its own)
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
