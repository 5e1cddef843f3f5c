"""What is checked again just before every send: the flow's exits, consent, and one contact-pressure budget.

A step planned an hour ago may be wrong now: the shopper bought, emptied the
cart, finished the checkout, unsubscribed, or got another email. ``decide``
runs at the moment of sending and answers go, skip (with the reason the
Emails page shows) or wait (quiet hours). The budget is one per person across
every flow, which no peer has (docs/emails.md, market.md §3):

- at most one triggered email per ``gap_hours`` (16 h, Klaviyo's Smart Sending
  window); the welcome email is exempt;
- when two flows want the same person, the higher priority wins: checkout >
  cart > browse > win-back (Barilliance's rule-priority list);
- a flow that mailed someone for one trigger waits ``cooldown_days`` (7 days,
  Barilliance) before mailing them for another; a series' own later steps go;
- nothing goes out between ``quiet_from_hour`` and ``quiet_until_hour`` in the
  shopper's time zone (from their address, else the shop's): it waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.core import get_global

from plugin.clock import HOUR_MS
from plugin.store import Send, Store

PRIORITY = {"checkout": 1, "cart": 2, "browse": 3, "winback": 4}  # welcome is outside the budget
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class Verdict:
    action: str  # "go" | "skip" | "wait"
    reason: str | None = None
    until: int | None = None  # "wait": when to look again


GO = Verdict("go")


def decide(store: Store, send: Send, settings: dict, now: int, *, customer_ids: list[str],
           country_code: str | None, shop_zone: str | None) -> Verdict:
    """Go, skip (why) or wait (until when) for one due step, given the shop's email ``settings``; ``shop_zone``
    is the shop's own time zone from the platform, kept when the merchant names none in the budget."""
    emails = store.emails
    flow = settings["flows"][send.flow]
    if not flow["enabled"]:
        return Verdict("skip", "flow turned off")
    suppressed = emails.suppression(send.shop, send.email)
    if suppressed is not None:
        return Verdict("skip", f"suppressed: {suppressed['reason']}")
    if not emails.consented(send.shop, send.email):
        return Verdict("skip", "no marketing consent")
    if send.flow != "welcome" and emails.ordered_since(send.shop, send.email, customer_ids, send.trigger_at):
        return Verdict("skip", "ordered since")
    if send.flow == "checkout":
        checkout = emails.checkout(send.shop, send.trigger_key)
        if checkout is None or checkout["completed_at"] is not None:
            return Verdict("skip", "checkout completed")
    if send.flow in PRIORITY:
        over = _over_budget(store, send, settings["budget"], now)
        if over:
            return Verdict("skip", over)
    return _quiet_hours(settings["budget"], now, country_code, shop_zone) or GO


def _over_budget(store: Store, send: Send, budget: dict, now: int) -> str | None:
    gap_ms, cooldown_ms = budget["gap_hours"] * HOUR_MS, budget["cooldown_days"] * DAY_MS
    reached = [s for s in store.emails.reached(send.shop, send.email, now - max(gap_ms, cooldown_ms))
               if s.id != send.id and s.flow in PRIORITY]
    if any(s.updated_at >= now - gap_ms for s in reached):
        return f"budget: emailed in the last {budget['gap_hours']} h"
    rivals = [s for s in store.emails.planned(send.shop, send.email, now + gap_ms)
              if s.id != send.id and PRIORITY.get(s.flow, 99) < PRIORITY[send.flow]]
    if rivals:
        return f"budget: the {rivals[0].flow} email comes first"
    if send.step == 1 and any(s.flow == send.flow and s.trigger_key != send.trigger_key
                              and s.updated_at >= now - cooldown_ms for s in reached):
        return f"cooldown: a {send.flow} email in the last {budget['cooldown_days']} days"
    return None


def _quiet_hours(budget: dict, now: int, country_code: str | None, shop_zone: str | None) -> Verdict | None:
    start, end = budget["quiet_from_hour"], budget["quiet_until_hour"]
    if start == end:
        return None
    moment = datetime.fromtimestamp(now / 1000, timezone.utc)
    zone = shopper_zone(budget["timezone"] or _known(shop_zone) or "UTC", country_code, moment)
    local = moment.astimezone(zone)
    quiet = (start <= local.hour or local.hour < end) if start > end else (start <= local.hour < end)
    if not quiet:
        return None
    resume = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if resume <= local:
        resume += timedelta(days=1)
    return Verdict("wait", f"quiet hours until {end:02d}:00 ({zone.key})", int(resume.timestamp() * 1000))


def _known(zone: str | None) -> str | None:
    """``zone`` when this machine's time zone data knows it (the platform's list can be newer)."""
    try:
        return ZoneInfo(zone).key if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def shopper_zone(shop_zone: str, country_code: str | None, at: datetime) -> ZoneInfo:
    """The shopper's time zone: their country's when its clocks all agree at ``at``, else the shop's.

    Babel's CLDR territory data lists each country's zones. Germany's two show the
    same time, so a German address places the shopper; the US's do not, so an
    American address alone cannot, and the shop's zone is used (or kept when it is
    one of the country's own).
    """
    zones = get_global("territory_zones").get((country_code or "").upper(), ())
    if not zones or shop_zone in zones:
        return ZoneInfo(shop_zone)
    offsets = {at.astimezone(ZoneInfo(zone)).utcoffset() for zone in zones}
    return ZoneInfo(zones[0] if len(offsets) == 1 else shop_zone)
