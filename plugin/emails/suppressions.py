"""The do-not-mail list by hand (the ``storelift email`` commands and the Emails page), one way for both.

Listing an address also skips every step still planned for it, in the same
transaction, so nothing already queued slips out after the merchant said no.
"""

from __future__ import annotations

from plugin.store import Store

from .settings import ADDRESS_RE

BY_HAND = "by hand"


def parse_address(value) -> str | None:
    """``value`` as the list keeps addresses (trimmed, lower case), or None when it is not an email address."""
    value = value.strip().lower() if isinstance(value, str) else ""
    return value if ADDRESS_RE.fullmatch(value) else None


def suppress_by_hand(store: Store, shop: str, email: str, now: int) -> tuple[bool, int]:
    """List ``email`` (a ``parse_address`` result) and skip its planned steps: (newly listed, steps skipped)."""
    with store.database.write():
        added = store.emails.suppress(shop, email, BY_HAND, now)
        skipped = store.emails.skip_planned(shop, email, "suppressed", now)
    return added, skipped
