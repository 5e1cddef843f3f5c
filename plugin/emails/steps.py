"""One due step, as a job: check it again, render, sign, mark it ``sending``, hand it to SMTP, record the answer.

At most once: the ``sending`` mark is committed before the handover, so a
worker killed in between leaves the job to be claimed again when its lease
runs out, and the next attempt finds ``sending`` and closes the step as
``unknown`` instead of sending it twice. A transient refusal plans the step
again after a backoff; a permanent one suppresses the address. A step that
must wait (quiet hours, a code still on its way) gets a job of its own for
when it may go.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from email.utils import parseaddr

from plugin.capture import pool
from plugin.capture.settings import CAPTURE
from plugin.clock import HOUR_MS, backoff_ms, now_ms
from plugin.experiments.assignment import CONTROL, exposed_arm
from plugin.people.refresh import person_for
from plugin.store import Send

from . import checks, opens, smtp
from .content import SLOTS, Links, NothingToSend, build, fill_shop
from .flows import STEP_KIND, step_job_key
from .message import build_message, sign
from .render import Rendered, render
from .settings import EMAILS
from .tokens import Holder, issue, tagged

log = logging.getLogger("storelift.emails")

MAX_HANDOVERS = 6  # transient refusals before a step is given up as failed
HELD_OUT = "holdout: would have been sent"  # the control's record of the email it did not get
CODE_WAIT_MS = 60_000  # a welcome step whose code is still on its way looks again this much later
CODE_PATIENCE_MS = 24 * HOUR_MS
RATE_WINDOW_MS = 60_000


def register_jobs(jobs) -> None:
    jobs.register(STEP_KIND, run_step)


def run_step(services, job) -> None:
    store, config = services.store, services.config
    send = store.emails.get(job.shop, job.payload["send_id"])
    now = now_ms()
    if send is None:  # erased with its person since it was planned
        return
    if send.status == "sending":  # the attempt before this one stopped between the mark and the answer
        store.emails.unknown(send.shop, send.id, now)
        return
    if send.status != "scheduled" or send.due_at > now:  # finished, or postponed to a job of its own
        return
    settings = EMAILS.read(store, send.shop)[0]
    problem = _cannot_send(config, settings)
    if problem:
        store.emails.skip(send.shop, send.id, problem, now)
        return
    customer_ids, country_code = store.emails.customers_of(send.shop, send.email)
    verdict = checks.decide(store, send, settings, now, customer_ids=customer_ids, country_code=country_code,
                            shop_zone=_shop_zone(store, send.shop))
    if verdict.action == "go" and _held_out(store, send, now):
        verdict = checks.Verdict("skip", HELD_OUT)
    code = _code(store, send, settings, now) if verdict.action == "go" else None
    if verdict.action == "go" and send.flow == "welcome" and code is None and now < send.trigger_at + CODE_PATIENCE_MS:
        verdict = checks.Verdict("wait", "waiting for the subscriber's code", now + CODE_WAIT_MS)
    if verdict.action == "skip":
        store.emails.skip(send.shop, send.id, verdict.reason, now)
    elif verdict.action == "wait":
        _later(store, send, verdict.until, verdict.reason, now)
    elif store.emails.handed_over_since(send.shop, now - RATE_WINDOW_MS) >= settings["sender"]["per_minute"]:
        _later(store, send, now + RATE_WINDOW_MS // 4, "the shop's send rate", now)
    else:
        _send(services, send, settings, code, now)


def _held_out(store, send: Send, now: int) -> bool:
    """Whether the recipient is in the flow's holdout: exposed (first time recorded) when the step would
    go, so the control is everyone who would have got this flow's email and did not."""
    person_id = send.person_id
    if person_id is None:  # planned from a checkout or cart by address: their person, made if need be
        with store.database.write():
            person_id = person_for(store, send.shop, now, customer_id=None, email=send.email)
    return exposed_arm(store, send.shop, flow_experiment(send.flow), person_id, now) == CONTROL


def flow_experiment(flow: str) -> str:
    return f"emails:{flow}"


def _shop_zone(store, shop: str) -> str | None:
    row = store.shops.get(shop)
    return row.iana_timezone if row else None


def _cannot_send(config, settings: dict) -> str | None:
    if not config.smtp_url:
        return "no mail server (STORELIFT_SMTP_URL is not set)"
    if not settings["sender"]["address"]:
        return "no sender address in the email settings"
    return None


def _code(store, send: Send, settings: dict, now: int) -> str | None:
    """The discount code this step carries: the welcome email's is the subscriber's own; a checkout's last
    step, when the merchant asks for it, takes one from the capture pool (kept on the step, so a retry
    sends the same code)."""
    if send.flow == "welcome":
        subscriber = store.capture.subscriber(send.shop, send.email)
        return subscriber["code"] if subscriber else None
    flow = settings["flows"][send.flow]
    if send.code is not None or not (flow.get("last_step_code") and send.step == len(flow["delays_minutes"])):
        return send.code
    return _pool_code(store, send, now)


def carries_code(flow: str, settings: dict) -> bool:
    """Whether some step of ``flow`` carries a discount code, so its preview shows a sample one."""
    return flow == "welcome" or bool(settings["flows"][flow].get("last_step_code"))


class _StepMoved(Exception):
    """Another worker moved the step, or gave it a code, while this one took a code: roll back."""


def _pool_code(store, send: Send, now: int) -> str | None:
    """One unique code from the pool, recorded on the step in the same transaction; None when the pool is
    dry (the email goes without one, and a refill is asked for as when a sign-up finds it dry)."""
    code = None
    try:
        with store.database.write():
            campaign = store.capture.current_campaign(send.shop)
            code = store.capture.take_code(send.shop, campaign["id"], now) if campaign else None
            if code is not None and not store.emails.give_code(send.shop, send.id, code, now):
                raise _StepMoved(send.id)
    except _StepMoved:
        return None
    if code is None or pool.pool_low(store, send.shop, CAPTURE.read(store, send.shop)[0], now):
        pool.queue_refill(store, send.shop)
    return code


def _later(store, send: Send, due_at: int, reason: str, now: int) -> None:
    with store.database.write():
        if store.emails.postpone(send.shop, send.id, due_at, reason, now):
            store.jobs.enqueue(send.shop, STEP_KIND, step_job_key(send.id, due_at), {"send_id": send.id},
                               due_at=due_at)


def _send(services, send: Send, settings: dict, code: str | None, now: int) -> None:
    store, config = services.store, services.config
    sender = settings["sender"]
    unsubscribe = unsubscribe_url(config, send.shop, send.id)
    link_token = issue(config.api_secrets, "link", Holder(send.shop, send.id))
    links = Links(button=tagged(button_url(config, store, send), link_token), unsubscribe=unsubscribe,
                  app_url=config.app_url, slot_token=link_token)
    try:
        content = build(config, store, send, settings, links, opens.choose(services, send, SLOTS[send.flow], now))
    except NothingToSend as reason:
        store.emails.skip(send.shop, send.id, str(reason), now)
        return
    content = replace(content, code=code)
    message_id = f"storelift.{send.id}.{now}@{sender_domain(sender)}"
    message = signed_message(store, send.shop, sender, send.email, render(content), unsubscribe=unsubscribe,
                             message_id=message_id, now=now)
    if not store.emails.begin_sending(send.shop, send.id, now, message_id=message_id, code=code):
        return  # another worker moved it meanwhile
    outcome = services.mailer.hand_over(smtp.parse(config.smtp_url), sender["address"], send.email, message)
    _record(store, send, outcome, now_ms())


def unsubscribe_url(config, shop: str, send_id: int) -> str:
    """The footer's and the List-Unsubscribe header's one-click link for one send."""
    return f"{config.app_url}/email/u/{issue(config.api_secrets, 'unsubscribe', Holder(shop, send_id))}"


def sender_domain(sender: dict) -> str:
    """The domain of the sender address: the Message-ID's right half, and the DKIM key that signs must be for it."""
    return parseaddr(sender["address"])[1].rpartition("@")[2]


def signed_message(store, shop: str, sender: dict, to: str, rendered: Rendered, *, unsubscribe: str,
                   message_id: str, now: int) -> bytes:
    """The message's bytes as handed to SMTP, DKIM-signed when the shop's key is for the sender's domain.

    The one way a message is assembled, shared by the steps and the admin's test send, so a test is
    the very message a shopper would get. ValueError for an address that is not plain ASCII.
    """
    domain = sender_domain(sender)
    message = build_message(
        sender_name=fill_shop(store, sender["name"], shop), sender_address=sender["address"], to=to,
        subject=rendered.subject, html=rendered.html, text=rendered.text, unsubscribe_url=unsubscribe,
        message_id=message_id, sent_at_ms=now, reply_to=sender["reply_to"] or None).as_bytes()
    key = store.emails.dkim_key(shop)
    if key is not None and key["domain"] == domain:
        message = sign(message, domain=key["domain"], selector=key["selector"],
                       private_key_pem=key["private_pem"].encode())
    return message


def button_url(config, store, send: Send) -> str:
    """Where the email's button goes: the checkout to recover, the cart, or the storefront."""
    storefront = config.shop_base_url(send.shop)
    if send.flow == "checkout":
        checkout = store.emails.checkout(send.shop, send.trigger_key)
        if checkout and checkout["abandoned_checkout_url"]:
            return checkout["abandoned_checkout_url"]
    return f"{storefront}/cart" if send.flow == "cart" else storefront


def _record(store, send: Send, outcome: smtp.Outcome, now: int) -> None:
    emails = store.emails
    if outcome.kind == "sent":
        emails.sent(send.shop, send.id, now)
    elif outcome.kind == "unknown":
        emails.unknown(send.shop, send.id, now)
    elif outcome.kind == "refused":
        with store.database.write():
            emails.failed(send.shop, send.id, f"refused: {outcome.detail}", now)
            emails.suppress(send.shop, send.email, f"refused by the mail server: {outcome.detail}", now)
    elif send.attempts + 1 >= MAX_HANDOVERS:
        emails.failed(send.shop, send.id, f"gave up after {MAX_HANDOVERS} tries: {outcome.detail}", now)
    else:
        due_at = now + backoff_ms(send.attempts + 1, 60_000, HOUR_MS)
        with store.database.write():
            emails.retry(send.shop, send.id, outcome.detail, due_at, now)
            store.jobs.enqueue(send.shop, STEP_KIND, step_job_key(send.id, due_at), {"send_id": send.id},
                               due_at=due_at)
    log.info("email %s (%s step %s): %s %s", send.id, send.flow, send.step, outcome.kind, outcome.detail)
