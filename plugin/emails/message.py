"""One triggered email as the bytes an SMTP server takes: MIME assembly, one-click unsubscribe, DKIM signature.

Merchant text (the shop's name, a subject) reaches headers here, so everything that
could end a header line is removed before it is written: a name cannot add a Bcc.
Mailbox providers file bulk mail without one-click unsubscribe and DKIM as spam
(https://support.google.com/a/answer/14229414); RFC 8058 says how both go together.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from urllib.parse import urlsplit

import dkim

from plugin.emails.dkim_keys import validate_domain, validate_selector

# SMTP line endings. Headers built from objects fold at 78 with RFC 2047 words for non-ASCII
# text; headers stored raw (refold_source="none") are written exactly as given: see _set_token.
POLICY = policy.SMTP.clone(refold_source="none")

# RFC 8058 §4: the DKIM signature's h= MUST cover List-Unsubscribe and List-Unsubscribe-Post.
# OpenDKIM's defaults leave the second out (https://www.spamresource.com/2024/06/list-unsub-post-in-your-dkim.html),
# so the list is spelled out rather than left to the library.
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"list-unsubscribe", b"list-unsubscribe-post",
                  b"mime-version", b"content-type")
# Relaxed header and body canonicalization (RFC 6376 §3.4.2, §3.4.4) survives the re-folding and
# trailing-whitespace changes relays make, which simple canonicalization turns into failures.
CANONICALIZATION = (b"relaxed", b"relaxed")
# RFC 8058 §3.1: the POST body a receiver sends to the List-Unsubscribe URL.
ONE_CLICK = "List-Unsubscribe=One-Click"
# RFC 5322 §2.1.1: a line MUST be at most 998 characters, CRLF excluded.
MAX_LINE = 998

# Characters that end a line for the email package (str.splitlines) or are control characters.
_LINE_BREAKING_RE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
# dot-atom "@" dot-atom: an addr-spec in its usual form (RFC 5322 §3.4.1, no quoted local parts or
# domain literals) and the inside of a Message-ID's angle brackets (RFC 5322 §3.6.4).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_DOT_ATOM_PAIR_RE = re.compile(rf"{_DOT_ATOM}@{_DOT_ATOM}")
MAX_ADDRESS = 254  # RFC 5321 §4.5.3.1.3: a path is at most 256 octets, its angle brackets included
# Characters no URI may hold unescaped (RFC 3986 §2), which would also end the <...> of RFC 2369.
_NOT_IN_URI_RE = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")


def build_message(*, sender_name: str, sender_address: str, to: str, subject: str, html: str, text: str,
                  unsubscribe_url: str, message_id: str, sent_at_ms: int, reply_to: str | None = None) -> EmailMessage:
    """The email, multipart/alternative with the plain text first and the HTML last (the preferred part, RFC 2046 §5.1.4).

    Addresses are plain ASCII addr-specs (``shopper@example.com``) and raise ValueError otherwise;
    ``sender_name`` and ``subject`` are any text, reduced to one line. The text part is
    quoted-printable (readable in the raw message) and the HTML part base64 (the standard library
    encodes it in C: a third of the time quoted-printable took for a 20 KB email, bench/emails.py),
    so the whole message is 7-bit: RFC 6376 §5.3 asks signers to do so, because a relay that
    converts 8-bit bodies to 7-bit would break the DKIM body hash.
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = Address(display_name=_one_line(sender_name), addr_spec=_address(sender_address))
    message["To"] = Address(addr_spec=_address(to))
    if reply_to is not None:
        message["Reply-To"] = Address(addr_spec=_address(reply_to))
    message["Subject"] = _one_line(subject)
    message["Date"] = datetime.fromtimestamp(sent_at_ms // 1000, timezone.utc)
    _set_token(message, "Message-ID", f"<{_message_id(message_id)}>")
    _set_token(message, "List-Unsubscribe", f"<{_https_url(unsubscribe_url)}>")
    _set_token(message, "List-Unsubscribe-Post", ONE_CLICK)
    message["MIME-Version"] = "1.0"
    message.make_alternative()
    message.attach(_part(text, "plain"))
    message.attach(_part(html, "html"))
    return message


def sign(message: bytes, *, domain: str, selector: str, private_key_pem: bytes) -> bytes:
    """The message with its DKIM-Signature header in front: rsa-sha256, relaxed/relaxed, h= the SIGNED_HEADERS.

    ``message`` is ``build_message(...).as_bytes()`` (CRLF line endings). Parsing the PEM costs
    a small part of a signature (the RSA operation dominates), and dkimpy takes no parsed key.
    """
    signature = dkim.sign(message, validate_selector(selector).encode("ascii"), validate_domain(domain).encode("ascii"),
                          private_key_pem, canonicalize=CANONICALIZATION, include_headers=list(SIGNED_HEADERS))
    return signature + message


def _one_line(value: str) -> str:
    """The text with each run of line breaks and control characters made one space: no header injection."""
    return _LINE_BREAKING_RE.sub(" ", value).strip()


def _address(value: str) -> str:
    """A bare ASCII addr-spec, or ValueError.

    Non-ASCII local parts need SMTPUTF8, which not every receiving server offers; the capture
    form stores addresses in ASCII already (international domains in their xn-- form).
    """
    if len(value) > MAX_ADDRESS or not _DOT_ATOM_PAIR_RE.fullmatch(value):
        raise ValueError(f"Not a plain ASCII email address (local@domain): {value!r}")
    return value


def _message_id(value: str) -> str:
    if not _DOT_ATOM_PAIR_RE.fullmatch(value):
        raise ValueError(f"A Message-ID is local@domain in dot-atom characters, not {value!r}")
    return value


def _https_url(url: str) -> str:
    """The URL, or ValueError: RFC 8058 §3.1 wants an HTTPS URI that a receiver can POST to.

    Plain http is let through for a loopback host only: the demo and the end-to-end tests run
    Storelift on 127.0.0.1, and a production app URL is https (``load_config`` refuses others).
    """
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if (parts.scheme != "https" and not loopback) or not parts.netloc or _NOT_IN_URI_RE.search(url):
        raise ValueError(f"The unsubscribe URL must be an https URL without spaces or quotes, not {url!r}")
    return url


def _set_token(message: EmailMessage, name: str, value: str) -> None:
    """Store a header of ASCII tokens exactly as written, on one line, never folded.

    The email package folds an over-long header by turning it into RFC 2047 encoded words, and
    an encoded ``<https://…>`` is no longer a URI to a receiver; these values have no spaces to
    fold at, so they stay on one line, within RFC 5322's limit.
    """
    if len(name) + 2 + len(value) > MAX_LINE:
        raise ValueError(f"The {name} header would be longer than {MAX_LINE} characters")
    message.set_raw(name, value)


def _part(content: str, subtype: str) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part.set_content(content, subtype=subtype, charset="utf-8",
                     cte="base64" if subtype == "html" else "quoted-printable")
    return part
