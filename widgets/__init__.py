"""The shopper's door: everything the storefront reaches, through the platform's app proxy.

``door`` is the one check and reply every storefront route shares (signature, capped bodies,
JSON errors, ETag/304, the bot-and-consent gate); ``capture``, ``events`` and
``recommendations`` are the routes of one feature each, and never import one another.
``emails`` serves the links in triggered emails, which shoppers open outside the store.
``src/`` holds the readable storefront scripts that esbuild builds into ``static/``.
"""

from . import capture, emails, events, recommendations


def init_app(app, services) -> None:
    for part in (capture, emails, events, recommendations):
        app.register_blueprint(part.bp)
