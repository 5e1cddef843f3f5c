"""The mailbox's web inbox, and running it with its SMTP server on loopback for the demo.

A person trying the demo should see the emails Storelift sends the way a shopper would: the HTML
part rendered whole, its images loaded, its links working. An email is someone else's HTML, though,
so it is only ever shown inside a sandboxed ``srcdoc`` iframe without ``allow-scripts``: its scripts
never run. The frame has ``allow-same-origin`` only so that the inbox's own script
(``static/mailbox/fit-frame.js``) can read how tall the email is and make the frame that tall; with
scripts off in the frame, the email gets nothing that could act on the inbox. Everything else on the
pages (subjects, addresses, headers, the text part) is data, escaped by Jinja's autoescape.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import Blueprint, Flask, Response, abort, redirect, render_template
from werkzeug.serving import make_server

from .mailbox import Mailbox
from .images import favicon_response

# The email's HTML inherits this policy inside its srcdoc frame (CSP Level 3, "Initialize a
# Document's CSP list": srcdoc documents inherit their parent's policy container). So: no scripts
# but the inbox's own files (and the frame's sandbox stops even those in the email), no forms
# posting anywhere, but images, fonts and inline styles from anywhere, as a mail client loads them
# when a message is opened.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; img-src http: https: data:; "
                           "font-src http: https: data:; style-src 'unsafe-inline'; form-action 'none'; "
                           "frame-ancestors 'self'")

_HEAD_TAG = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)


def inbox_blueprint(mailbox: Mailbox) -> Blueprint:
    """The inbox's pages, to register on any Flask app at a prefix (e.g. ``url_prefix="/mail"``)."""
    bp = Blueprint("mailbox", __name__, template_folder="templates", static_folder="static/mailbox",
                   static_url_path="/static")

    def page(template: str, **context) -> str:
        return render_template(template, smtp_url=mailbox.smtp_url, when=_when, **context)

    @bp.get("/")
    def inbox():
        return page("mailbox/inbox.html", messages=mailbox.messages())

    @bp.get("/<int:message_id>")
    def message(message_id: int):
        kept = mailbox.get(message_id) or abort(404)
        html = kept.html
        return page("mailbox/message.html", kept=kept, text=kept.text,
                    html=None if html is None else _links_open_outside(html),
                    headers=[(name, str(value)) for name, value in kept.message.items()])

    @bp.get("/<int:message_id>.eml")
    def raw(message_id: int):
        kept = mailbox.get(message_id) or abort(404)
        return Response(kept.raw, mimetype="message/rfc822",
                        headers={"Content-Disposition": f'attachment; filename="message-{kept.id}.eml"'})

    @bp.after_request
    def lock_down(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return bp


def _links_open_outside(html: str) -> str:
    """The email's HTML with ``<base target="_blank">`` first in its head: a link clicked in the
    sandboxed frame then opens a normal tab (allow-popups-to-escape-sandbox), as in a mail client,
    instead of loading a store page inside a frame where its cookies and scripts cannot work."""
    base = '<base target="_blank">'
    head = _HEAD_TAG.search(html)
    return html[:head.end()] + base + html[head.end():] if head else base + html


def _when(moment: datetime) -> str:
    """A received time in this machine's zone: the person reading the demo's inbox sits here."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def create_inbox_app(mailbox: Mailbox, prefix: str = "/mail") -> Flask:
    """A Flask app with only the inbox, at ``prefix``; its root redirects there."""
    app = Flask(__name__, static_folder=None)
    app.jinja_env.autoescape = True
    app.register_blueprint(inbox_blueprint(mailbox), url_prefix=prefix)

    @app.get("/")
    def home():
        return redirect(f"{prefix}/")

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask every origin for /favicon.ico; a 404 there is an error in the inbox tab's console."""
        return favicon_response("Mail")

    return app


@dataclass(frozen=True)
class MailboxServer:
    """A running mailbox and its web inbox; ``stop()`` ends both."""

    mailbox: Mailbox
    web_url: str
    stop: Callable[[], None]

    @property
    def smtp_url(self) -> str:
        return self.mailbox.smtp_url


def serve_mailbox(web_port: int = 0, smtp_port: int = 0, prefix: str = "/mail") -> MailboxServer:
    """Start the SMTP server and the web inbox on 127.0.0.1 (port 0 = any free port), the web one on
    a werkzeug threaded server in a daemon thread like ``serve_in_thread``. Loopback only: the inbox
    has no login, and what it holds are shoppers' emails."""
    mailbox = Mailbox(port=smtp_port)
    server = make_server("127.0.0.1", web_port, create_inbox_app(mailbox, prefix), threaded=True)
    try:
        mailbox.start()
    except BaseException:
        server.server_close()
        raise
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"mailbox-{server.server_port}", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        mailbox.stop()

    return MailboxServer(mailbox=mailbox, web_url=f"http://127.0.0.1:{server.server_port}{prefix}/", stop=stop)
