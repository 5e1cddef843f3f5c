"""A typed email address made into the one key a subscriber is stored under, or refused with a reason."""

from __future__ import annotations

import re
import unicodedata


_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
MAX_EMAIL = 254


class InvalidEmail(ValueError):
    """The address is not one we can send to; ``str(exc)`` is a message for the shopper."""


def normalize_email(raw) -> str:
    """``Name@Exämple.COM `` → ``name@xn--exmple-cua.com``, or InvalidEmail.

    Dot-atom local part (no quoted strings, comments or IP literals: mail systems
    and the platform refuse them too), an internationalised domain converted to
    ASCII, everything lowercased so shop + email is one key, at most 254 chars.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidEmail("Enter your email address.")
    value = unicodedata.normalize("NFC", raw.strip())
    if len(value) > MAX_EMAIL:
        raise InvalidEmail("That email address is too long.")
    if value.count("@") != 1:
        raise InvalidEmail("Enter a valid email address, like name@example.com.")
    local, domain = value.split("@")
    if not local or len(local) > 64 or not _LOCAL_RE.fullmatch(local):
        raise InvalidEmail("Enter a valid email address, like name@example.com.")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidEmail("Enter a valid email address, like name@example.com.") from None
    labels = ascii_domain.split(".")
    if (len(labels) < 2 or not all(_LABEL_RE.fullmatch(label) for label in labels)
            or labels[-1].isdigit() or len(labels[-1]) < 2):
        raise InvalidEmail("Enter a valid email address, like name@example.com.")
    email = f"{local.lower()}@{ascii_domain}"
    if len(email) > MAX_EMAIL:
        raise InvalidEmail("That email address is too long.")
    return email
