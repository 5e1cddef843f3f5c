"""The shopper's door: the storefront scripts and the app-proxy API (email capture, events,
recommendation blocks)."""

from . import recommendations, routes


def init_app(app, services) -> None:
    app.register_blueprint(routes.bp)
    app.register_blueprint(recommendations.bp)
