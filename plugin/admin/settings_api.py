"""A feature's settings over the admin API: ``GET`` the saved ones with their version, ``PUT`` a new version.

The pages whose settings answer is just the settings (emails, recommendations, holdouts) share
these two views' bodies, so a refused save reads the same everywhere: 422 with each field's reason.
"""

from __future__ import annotations

from flask import current_app, g, jsonify

from ..services import Services
from ..settings import Feature, SettingsError
from .body import json_body


def saved(feature: Feature):
    settings, version = feature.read(Services.of(current_app).store, g.shop)
    return jsonify(settings=settings, version=version)


def save(feature: Feature, refusal: str = "not accepted"):
    """Validate and store the request's settings as the next version, or 422 naming each bad field."""
    try:
        settings, version = feature.save(Services.of(current_app).store, g.shop, json_body())
    except SettingsError as exc:
        return jsonify(error="invalid_settings", message=refusal, errors=exc.errors), 422
    return jsonify(settings=settings, version=version)
