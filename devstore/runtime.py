"""The running shop's parts, reachable from any request via ``runtime()``.

create_app builds one ``Devstore`` and stores it in ``app.extensions``;
blueprints fetch it here instead of importing the factory (no cycles).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask import abort, current_app, request, session

from .clock import Clock
from .settings import Settings
from .state import Store
from .throttle import FailureInjector, LeakyBucket
from .webhooks import WebhookDispatcher


@dataclass
class Devstore:
    settings: Settings
    clock: Clock
    store: Store
    dispatcher: WebhookDispatcher
    buckets: dict[str, LeakyBucket] = field(default_factory=dict)
    failures: FailureInjector = field(default_factory=FailureInjector)
    extensions: dict = field(default_factory=dict)  # app handle → theme.Extension
    # (image id, width) → its PNG: images never change
    png_images: dict[tuple[int, int], bytes] = field(default_factory=dict)

    def bucket(self, app_handle: str) -> LeakyBucket:
        """One cost bucket per app and shop, as on the platform."""
        with self.store.lock:
            if app_handle not in self.buckets:
                self.buckets[app_handle] = LeakyBucket(self.settings.graphql_bucket_size,
                                                       self.settings.graphql_restore_rate, self.clock)
            return self.buckets[app_handle]

    def close(self) -> None:
        self.dispatcher.stop()


def runtime() -> Devstore:
    return current_app.extensions["devstore"]


def csrf_token() -> str:
    """devstore's own form token, bound to the browser session."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_hex(16)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="The form expired. Go back, reload the page and try again.")
