"""The merchant's install door: the OAuth routes a shop owner passes through to install Storelift.

``routes`` holds the blueprint (``install``): the App URL ``/``, the install link ``/install`` and the
OAuth callback ``/auth/callback`` (platform.md §1). It is a door, like ``plugin.admin`` (the
merchant's other door), ``webhooks`` and ``widgets``: it checks each request with ``plugin.auth``,
talks to the platform through ``plugin.platform`` and never imports another door.
"""

from . import routes


def init_app(app, services) -> None:
    app.register_blueprint(routes.bp)
