"""``storelift email dkim-key|suppress|unsuppress|suppressed``: a shop's signing key, and its do-not-mail list by hand.

``dkim-key`` makes a new RSA key for the shop's sending domain, keeps the
private half in the store (never printed), and prints the DNS TXT record to
publish; mail is signed with it once the sender address is on that domain.
"""

from __future__ import annotations

import sys

from ..clock import now_ms
from ..services import Services
from . import dkim_keys
from .suppressions import parse_address, suppress_by_hand


def _dkim_key(args) -> int:
    try:
        domain, selector = dkim_keys.validate_domain(args.domain), dkim_keys.validate_selector(args.selector)
    except ValueError as exc:
        print(f"storelift: {exc}", file=sys.stderr)
        return 2
    pair = dkim_keys.generate()
    Services.open().store.emails.save_dkim_key(args.shop, domain=domain, selector=selector,
                                               private_pem=pair.private_pem.decode(), public_b64=pair.public_b64,
                                               now=now_ms())
    name, value = dkim_keys.txt_record(selector, domain, pair.public_b64)
    print(f"Publish this DNS TXT record, then send from an address @{domain}:")
    print(f"  name:  {name}")
    print(f"  value: {value}")
    print("(a value over 255 characters is split into several quoted strings in a zone file)")
    return 0


def _address(args) -> str | None:
    """The command's ADDRESS as the list keeps it, or None after saying why it is refused."""
    address = parse_address(args.address)
    if address is None:
        print(f"storelift: {args.address!r} is not an email address", file=sys.stderr)
    return address


def _suppress(args) -> int:
    address = _address(args)
    if address is None:
        return 2
    added, skipped = suppress_by_hand(Services.open().store, args.shop, address, now_ms())
    print(f"{address} {'suppressed' if added else 'was already suppressed'}; {skipped} planned email(s) skipped")
    return 0


def _unsuppress(args) -> int:
    address = _address(args)
    if address is None:
        return 2
    removed = Services.open().store.emails.unsuppress(args.shop, address)
    print(f"{address} {'may be mailed again' if removed else 'was not suppressed'}")
    return 0 if removed else 1


def _suppressed(args) -> int:
    rows = Services.open().store.emails.suppressions(args.shop)
    if not rows:
        print("no suppressed addresses")
    for row in rows:
        print(f"{row['email']:<40} {row['reason']}")
    return 0


def register(commands) -> None:
    email = commands.add_parser("email", help="triggered emails: DKIM key, suppressed addresses")
    email_cmds = email.add_subparsers(dest="email_command", required=True, metavar="ACTION")
    key = email_cmds.add_parser("dkim-key", help="make a DKIM key for a shop and print the DNS record to publish")
    key.add_argument("--shop", required=True)
    key.add_argument("--domain", required=True, help="the domain of the shop's sender address")
    key.add_argument("--selector", default="storelift", help="the DKIM selector (default: storelift)")
    key.set_defaults(func=_dkim_key)
    for name, func, help_ in (("suppress", _suppress, "never email ADDRESS again"),
                              ("unsuppress", _unsuppress, "allow emailing ADDRESS again")):
        command = email_cmds.add_parser(name, help=help_)
        command.add_argument("address", metavar="ADDRESS")
        command.add_argument("--shop", required=True)
        command.set_defaults(func=func)
    listed = email_cmds.add_parser("suppressed", help="the shop's suppressed addresses and why")
    listed.add_argument("--shop", required=True)
    listed.set_defaults(func=_suppressed)
