"""devstore: a simulated Shopify-style shop, the other side of Storelift's wire.

It imports nothing from Storelift; every signature, payload and rule is its
own implementation of the platform protocol (shared/docs/platform.md), which
is what makes end-to-end tests against it meaningful.
"""

from .app import create_app
from .mailbox import Mailbox
from .mailbox_web import MailboxServer, serve_mailbox
from .server import serve_in_thread
from .settings import AppRegistration, Settings

__all__ = ["AppRegistration", "Mailbox", "MailboxServer", "Settings", "create_app", "serve_in_thread", "serve_mailbox"]
