"""The platform's door: webhook deliveries in (``routes``), checked (``verify``), handled by the
inbox worker (``worker``, ``handlers/``), and the inbox's commands (``commands``)."""

from .routes import WebhookIntake
from .worker import start_in_thread


def init_app(app, services) -> None:
    """The intake in front of the Flask app (the busiest URL skips Flask), and the in-process
    worker when the config asks for one."""
    app.wsgi_app = WebhookIntake(app.wsgi_app, services)
    if services.config.run_worker:
        app.extensions["storelift.worker"] = start_in_thread(services.store)
