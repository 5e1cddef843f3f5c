"""A mail catcher: a real SMTP server on loopback that keeps what it receives, in memory.

The demo and the end-to-end tests need the other side of Storelift's SMTP wire the way they need
devstore for the platform's: a real socket that speaks SMTP, so the sending code under test runs
exactly as in production, and something to look at afterwards. Nothing is delivered anywhere.

Tests also need the server to say no: a permanent refusal (5xx) must get an address suppressed and a
transient one (4xx) must be retried, so ``fail`` scripts the replies for chosen recipients.
"""

from __future__ import annotations

import email
import email.policy
import functools
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from itertools import count
from typing import Callable, Literal

from aiosmtpd.controller import Controller

KEEP = 500

# Reply texts from RFC 5321 section 4.2.3 ("Reply Codes in Numeric Order"), with an enhanced status
# code from RFC 3463 so a sender that reads either finds the usual one.
_REPLY_TEXTS = {
    421: "4.3.2 Service not available, closing transmission channel",
    450: "4.2.1 Requested mail action not taken: mailbox unavailable",
    451: "4.3.0 Requested action aborted: local error in processing",
    452: "4.2.2 Requested action not taken: insufficient system storage",
    550: "5.1.1 Requested action not taken: mailbox unavailable",
    551: "5.1.6 User not local",
    552: "5.2.2 Requested mail action aborted: exceeded storage allocation",
    553: "5.1.3 Requested action not taken: mailbox name not allowed",
    554: "5.7.1 Transaction failed",
}


@dataclass(frozen=True)
class Kept:
    """One received message: the envelope as the client gave it, the bytes, and their parse.

    The parse happens when something first reads the message, not while the sender waits for the
    reply to DATA: parsing takes longer than receiving, and a mail server that makes its client wait
    for work the client does not need slows every sender measured against it (bench/emails.py).
    """

    id: int
    mail_from: str
    recipients: tuple[str, ...]
    received_at: datetime
    raw: bytes

    @functools.cached_property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def sender(self) -> str:
        """The From header, or the envelope sender when the message has none."""
        return str(self.message.get("From", "")) or self.mail_from

    @property
    def to(self) -> str:
        """The To header, or the envelope recipients when the message has none."""
        return str(self.message.get("To", "")) or ", ".join(self.recipients)

    @property
    def text(self) -> str | None:
        return _body(self.message, "plain")

    @property
    def html(self) -> str | None:
        return _body(self.message, "html")

    def is_for(self, address: str) -> bool:
        return _normal(address) in {_normal(r) for r in self.recipients}


def _body(message: EmailMessage, subtype: str) -> str | None:
    """The message's text/<subtype> body with its line breaks as ``\n``: on the wire they are CRLF,
    text's canonical form (RFC 2046 section 4.1.1), which a reader converts to local newlines.
    A part in an unknown charset is read as UTF-8 rather than hidden, because a catcher exists to
    show what was sent, mistakes included."""
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        content = (part.get_payload(decode=True) or b"").decode("utf-8", errors="replace")
    return content.replace("\r\n", "\n")


def _normal(address: str) -> str:
    """Addresses compare case-insensitively, as every mailbox provider in practice treats them
    (RFC 5321 section 2.4 lets a server treat the local part case-sensitively; none of ours does)."""
    return address.strip().casefold()


@dataclass
class _Failure:
    address: str
    stage: Literal["rcpt", "data"]
    reply: str
    times: int | None  # None: every time


class _Handler:
    """aiosmtpd's handler hooks (https://aiosmtpd.aio-libs.org/en/latest/handlers.html): they run on
    the controller's event-loop thread and hand every decision to the mailbox."""

    def __init__(self, mailbox: Mailbox):
        self._mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self._mailbox._refusal([address], "rcpt")
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        refusal = self._mailbox._refusal(envelope.rcpt_tos, "data")
        if refusal:
            return refusal
        kept = self._mailbox._keep(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)
        return f"250 2.0.0 Ok: kept as {kept.id}"


class AnyPortController(Controller):
    """aiosmtpd 1.4's Controller checks it is up by connecting to the port it was given, so port 0
    (any free port) fails; this one connects to the port the OS chose instead.
    Known limitation: https://github.com/aio-libs/aiosmtpd/issues/388 (fix proposed in PR #381)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps the newest ``keep`` messages in memory.

    Use as a context manager, or ``start()`` and ``stop()``. Every method is safe from any thread.
    """

    def __init__(self, port: int = 0, keep: int = KEEP):
        self._kept: deque[Kept] = deque(maxlen=keep)
        self._failures: list[_Failure] = []
        self._ids = count(1)
        self._changed = threading.Condition()
        # server_hostname is fixed because aiosmtpd's default asks socket.getfqdn(), a DNS lookup;
        # SMTPUTF8 (RFC 6531) is on because the large mailbox providers accept internationalized addresses.
        self._controller = AnyPortController(_Handler(self), hostname="127.0.0.1", port=port,
                                              server_hostname="mailbox.devstore.test", enable_SMTPUTF8=True)

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def smtp_port(self) -> int:
        """The port the server listens on (the chosen one once started with port 0)."""
        return self._controller.port

    @property
    def smtp_url(self) -> str:
        """The address in the form STORELIFT_SMTP_URL takes."""
        return f"smtp://127.0.0.1:{self.smtp_port}"

    def fail(self, address: str, code: int = 550, message: str | None = None, times: int | None = None,
             at: Literal["rcpt", "data"] = "rcpt") -> None:
        """Answer ``code message`` for the next ``times`` messages to ``address`` (None: until
        ``stop_failing``), at RCPT TO (the usual place for "no such user"; smtplib raises
        SMTPRecipientsRefused when no recipient is left) or after DATA (where content and quota
        refusals come; smtplib raises SMTPDataError). Refusals for one address queue up in order,
        so ``fail(a, 451, times=2)`` then ``fail(a, 550)`` is "twice transient, then permanent".
        """
        if not 400 <= code <= 599:
            raise ValueError(f"an SMTP refusal is a 4xx or 5xx reply, not {code}")
        if times is not None and times < 1:
            raise ValueError("times is a positive count, or None for every time")
        if at not in ("rcpt", "data"):
            raise ValueError(f"at is 'rcpt' or 'data', not {at!r}")
        text = message or _REPLY_TEXTS.get(code) or ("Requested action not taken" if code >= 500 else "Try again later")
        with self._changed:
            self._failures.append(_Failure(_normal(address), at, f"{code} {text}", times))

    def stop_failing(self, address: str | None = None) -> None:
        """Forget the scripted refusals for ``address``, or for everyone."""
        with self._changed:
            self._failures = [f for f in self._failures if address is not None and f.address != _normal(address)]

    def messages(self, to: str | None = None) -> list[Kept]:
        """The kept messages, newest first; with ``to``, only those whose envelope names that recipient."""
        with self._changed:
            return [k for k in self._kept if to is None or k.is_for(to)]

    def get(self, message_id: int) -> Kept | None:
        with self._changed:
            return next((k for k in self._kept if k.id == message_id), None)

    def wait_for(self, predicate: Callable[[Kept], bool], timeout: float = 10.0) -> Kept:
        """The newest kept message that satisfies ``predicate``, waiting up to ``timeout`` seconds
        for one to arrive. Messages kept before the call count too, so a test cannot miss one that
        came early; ``clear()`` first when only new ones should. The predicate runs under the
        mailbox's lock: it must not block."""
        found: list[Kept] = []

        def arrived() -> bool:
            found[:] = [k for k in self._kept if predicate(k)][:1]
            return bool(found)

        with self._changed:
            if not self._changed.wait_for(arrived, timeout):
                raise TimeoutError(f"no matching message within {timeout} s ({len(self._kept)} kept)")
            return found[0]

    def clear(self) -> None:
        """Forget every kept message (ids keep increasing; scripted refusals stay)."""
        with self._changed:
            self._kept.clear()

    def _refusal(self, recipients: list[str], stage: str) -> str | None:
        """The reply scripted for the first of ``recipients`` that has one at this stage, counting it used."""
        with self._changed:
            for recipient in recipients:
                failure = next((f for f in self._failures
                                if f.address == _normal(recipient) and f.stage == stage), None)
                if failure is None:
                    continue
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times == 0:
                        self._failures.remove(failure)
                return failure.reply
        return None

    def _keep(self, mail_from: str, recipients: list[str], raw: bytes) -> Kept:
        with self._changed:
            kept = Kept(id=next(self._ids), mail_from=mail_from, recipients=tuple(recipients),
                        received_at=datetime.now(timezone.utc), raw=raw)
            self._kept.appendleft(kept)
            self._changed.notify_all()
        return kept
