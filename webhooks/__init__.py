"""The platform's door: webhook deliveries in (``routes``), checked (``verify``), and handled as the
job runner's first kind (``worker``, ``handlers/``)."""

from .routes import WebhookIntake


def init_app(app, services) -> None:
    """The intake in front of the Flask app: the busiest URL skips Flask."""
    app.wsgi_app = WebhookIntake(app.wsgi_app, services)
