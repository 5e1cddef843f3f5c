"""Triggered-email benchmark: render, sign and send throughput, and open-time slot image latency.

Sends a realistic checkout email (three items and a discount code) down the path a step takes:
``render``, ``build_message``, a DKIM ``sign`` with a 2048-bit key, and ``Mailer.hand_over`` on the
sender's kept session to devstore's mailbox (aiosmtpd on loopback, in a process of its own). Next to it,
the bare baseline: the same number of messages of the same size handed to the same mailbox with plain
``smtplib`` on one open connection, nothing rendered or signed. Both run in one process and in two, because dkimpy
signs in pure Python and a deployment sends from two workers on two cores. The split per stage shows
where the time goes.

Then times the open-time recommendation images, ``GET /email/o/<token>/<n>.png``, on a first open
(cold) and on a repeat open (cached), in ``bench.email_opens``. Run: ``python -m bench.emails``.

Targets on the 2-core reference machine: ≥ 100 emails/s sent; slot image p95 ≤ 300 ms cold, ≤ 20 ms cached.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import smtplib
import time
from dataclasses import dataclass, field
from typing import Self

from devstore.mailbox import Mailbox
from plugin.emails import dkim_keys, smtp
from plugin.emails.message import build_message, sign
from plugin.emails.render import Brand, EmailContent, Item, Texts, render

from .email_opens import open_benchmark

SEND_TARGET = 100.0  # emails/s
DOMAIN = "bench-shop.example"
SENDER = f"orders@{DOMAIN}"
SELECTOR = "storelift1"
STAGES = ("render", "build", "sign", "smtp")
SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter per worker, as a worker process is
WAIT_S = 60
ITEMS = ("Organic Linen Shirt", "Waxed Canvas Weekender Bag with Leather Handles", "Merino Beanie")


def checkout_email(n: int) -> EmailContent:
    """The checkout flow's default texts, three lines with images, and the shopper's own code."""
    return EmailContent(
        texts=Texts(subject="Complete your order at {shop}", preview="Your items are waiting",
                    heading="You're almost done",
                    body="Your checkout is saved. Finish your order whenever you're ready.",
                    button="Complete your order"),
        brand=Brand(shop_name="Bench Shop", postal_address="Bench Shop Ltd\n12 Harbour Street\nPortland, ME 04101",
                    color="#2f6f8f", logo_url=f"https://cdn.{DOMAIN}/logo.png"),
        currency="USD",
        button_url=f"https://{DOMAIN}/checkouts/{n:032x}/recover",
        unsubscribe_url=f"https://storelift.bench/email/u/bench-token-{n}",
        first_name="Alex" if n % 2 else None,
        discount="10%",
        code=f"SAVE10-{n:06X}",
        items=tuple(Item(title=title, price=f"{19 + 10 * k}.90", url=f"https://{DOMAIN}/products/p{k}",
                         image_url=f"https://cdn.{DOMAIN}/products/p{k}.png", variant_title="Medium / Blue",
                         quantity=1 + k % 2)
                    for k, title in enumerate(ITEMS)),
    )


def recipient(n: int) -> str:
    return f"shopper{n}@example.com"


def signed_email(n: int, private_pem: bytes, spent: dict[str, float]) -> bytes:
    """Email ``n`` the way ``plugin.emails.steps`` makes it, each stage's seconds added to ``spent``."""
    content = checkout_email(n)
    t0 = time.perf_counter()
    rendered = render(content)
    t1 = time.perf_counter()
    now = int(time.time() * 1000)
    message = build_message(sender_name=content.brand.shop_name, sender_address=SENDER, to=recipient(n),
                            subject=rendered.subject, html=rendered.html, text=rendered.text,
                            unsubscribe_url=content.unsubscribe_url, message_id=f"storelift.{n}.{now}@{DOMAIN}",
                            sent_at_ms=now).as_bytes()
    t2 = time.perf_counter()
    signed = sign(message, domain=DOMAIN, selector=SELECTOR, private_key_pem=private_pem)
    t3 = time.perf_counter()
    for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2)):
        spent[stage] += seconds
    return signed


def send_real(mailer: smtp.Mailer, server: smtp.Server, private_pem: bytes, n: int, spent: dict[str, float]) -> bool:
    """Email ``n`` rendered, built, signed and handed over as a worker does (its kept session), each stage's
    seconds added to ``spent``."""
    signed = signed_email(n, private_pem, spent)
    start = time.perf_counter()
    outcome = mailer.hand_over(server, SENDER, recipient(n), signed)
    spent["smtp"] += time.perf_counter() - start
    return outcome.kind == "sent"


def send_bare(client: smtplib.SMTP, message: bytes, n: int) -> bool:
    """The same bytes handed over with plain smtplib on one open connection: MAIL, RCPT, DATA."""
    try:
        client.sendmail(SENDER, [recipient(n)], message)
        return True
    except (OSError, smtplib.SMTPException):
        return False


def _sender_process(kind: str, smtp_url: str, private_pem: bytes, message: bytes, first: int, count: int,
                    barrier, results) -> None:
    """One worker: warm up (imports, template, first connection), wait for the others, send ``count`` emails."""
    server = smtp.parse(smtp_url)
    spent = dict.fromkeys(STAGES, 0.0)
    mailer = smtp.Mailer()
    client = smtplib.SMTP(server.host, server.port, timeout=smtp.TIMEOUT_S) if kind == "bare" else None

    def send(n: int) -> bool:
        return send_real(mailer, server, private_pem, n, spent) if kind == "real" else send_bare(client, message, n)

    send(first)
    spent.update(dict.fromkeys(STAGES, 0.0))  # the warm-up is not counted
    barrier.wait(WAIT_S)
    sent = sum(send(n) for n in range(first, first + count))
    results.put((sent, count - sent, spent))


@dataclass
class SendRun:
    emails: int
    failed: int
    seconds: float
    spent: dict[str, float] = field(default_factory=dict)  # seconds per stage, summed over the processes
    mailbox_cpu_ms: float = 0.0  # the mailbox's CPU per message during the run

    @property
    def per_second(self) -> float:
        return self.emails / self.seconds

    def ms_per_email(self, stage: str) -> float:
        return self.spent[stage] / max(1, self.emails + self.failed) * 1000


def run_senders(kind: str, processes: int, total: int, smtp_url: str, private_pem: bytes, message: bytes,
                first: int) -> SendRun:
    """``total`` emails split over ``processes`` workers, timed from the moment all are ready to the last one's end."""
    barrier = SPAWN.Barrier(processes + 1)
    results = SPAWN.Queue()
    shares = [total // processes + (1 if p < total % processes else 0) for p in range(processes)]
    starts = [first + sum(shares[:p]) for p in range(processes)]
    workers = [SPAWN.Process(target=_sender_process,
                             args=(kind, smtp_url, private_pem, message, start, share, barrier, results))
               for start, share in zip(starts, shares)]
    for worker in workers:
        worker.start()
    barrier.wait(WAIT_S)
    begin = time.perf_counter()
    reports = [results.get(timeout=WAIT_S) for _ in workers]
    seconds = time.perf_counter() - begin
    for worker in workers:
        worker.join()
    spent = {stage: sum(report[2][stage] for report in reports) for stage in STAGES}
    return SendRun(sum(r[0] for r in reports), sum(r[1] for r in reports), seconds, spent)


def _mailbox_process(conn) -> None:
    """devstore's mailbox, serving until told to stop; answers "cpu" with the CPU seconds it has used."""
    with Mailbox(keep=10) as mailbox:
        conn.send(mailbox.smtp_url)
        while conn.recv() == "cpu":
            conn.send(time.process_time())


class MailboxProcess:
    """The mailbox in a process of its own, so its parsing does not share the senders' interpreter lock."""

    def __enter__(self) -> Self:
        self._conn, child = SPAWN.Pipe()
        self._process = SPAWN.Process(target=_mailbox_process, args=(child,))
        self._process.start()
        self.url = self._conn.recv()
        return self

    def cpu_seconds(self) -> float:
        self._conn.send("cpu")
        return self._conn.recv()

    def __exit__(self, *exc_info) -> None:
        self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.terminate()


def measured(mailbox: MailboxProcess, kind: str, processes: int, emails: int, private_pem: bytes, message: bytes,
             first: int) -> SendRun:
    cpu_before = mailbox.cpu_seconds()
    run = run_senders(kind, processes, emails, mailbox.url, private_pem, message, first)
    run.mailbox_cpu_ms = (mailbox.cpu_seconds() - cpu_before) / emails * 1000
    return run


def send_benchmark(emails: int, rounds: int) -> None:
    private_pem = dkim_keys.generate().private_pem
    message = signed_email(0, private_pem, dict.fromkeys(STAGES, 0.0))
    pairs: dict[int, list[tuple[SendRun, SendRun]]] = {1: [], 2: []}
    firsts = itertools.count(0, emails)  # each run writes to recipients of its own
    with MailboxProcess() as mailbox:
        # Interleaved rounds, so a noisy neighbour on the machine hits both sides alike.
        for _ in range(rounds):
            for processes in (1, 2):
                pairs[processes].append(tuple(measured(mailbox, kind, processes, emails, private_pem, message,
                                                       next(firsts)) for kind in ("bare", "real")))

    print(f"render + sign + send, {emails} checkout emails (3 items, a code; {len(message):,} bytes signed) per run"
          f" to devstore's mailbox (aiosmtpd, loopback, its own process on the same 2 cores)")
    print("  bare = the same bytes via plain smtplib on one kept connection, nothing rendered or signed;"
          f" median of {rounds} interleaved rounds by real / bare")
    medians = {}
    for processes, runs in pairs.items():
        bare, real = medians[processes] = sorted(runs, key=_ratio)[len(runs) // 2]
        verdict = "meets" if real.per_second >= SEND_TARGET else "misses"
        every = ", ".join(f"{r.per_second:.0f}/{b.per_second:.0f}" for b, r in runs)
        print(f"  {_processes(processes)}  bare {bare.per_second:5.0f} emails/s   real {real.per_second:5.0f} emails/s"
              f"   real / bare {real.per_second / bare.per_second:6.1%}   (target ≥ {SEND_TARGET:.0f}: {verdict})"
              f"   failed {sum(b.failed + r.failed for b, r in runs)}   rounds real/bare {every}")
    print("  per email, mean ms: the real path by stage (wall time in each process; 2 processes share the 2 cores"
          " with the mailbox), a bare send, and the mailbox's CPU per message (real / bare), which caps both")
    for processes, (bare, real) in medians.items():
        split = "  ".join(f"{stage} {real.ms_per_email(stage):6.2f}" for stage in STAGES)
        print(f"    {_processes(processes)}  {split}   |  bare send {processes / bare.per_second * 1000:5.2f}"
              f"   |  mailbox CPU {real.mailbox_cpu_ms:5.2f} / {bare.mailbox_cpu_ms:5.2f}")
    cpu = {stage: medians[1][1].ms_per_email(stage) for stage in STAGES}
    print(f"  CPU per email on 2 cores: the sender's stages plus the mailbox's {medians[1][1].mailbox_cpu_ms:.1f} ms"
          f" come to about {sum(cpu.values()) + medians[1][1].mailbox_cpu_ms:.1f} ms, so 2 cores carry at most"
          f" {2000 / (sum(cpu.values()) + medians[1][1].mailbox_cpu_ms):.0f} emails/s with the mail server on them")


def _ratio(pair: tuple[SendRun, SendRun]) -> float:
    bare, real = pair
    return real.per_second / bare.per_second


def _processes(n: int) -> str:
    return f"{n} process{'es' if n > 1 else '  '}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emails", type=int, default=150, help="per send run (bare and real, 1 and 2 processes)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved bare/real rounds (median shown)")
    parser.add_argument("--opens", type=int, default=100, help="requests per slot image latency row")
    args = parser.parse_args()
    send_benchmark(args.emails, args.rounds)
    open_benchmark(args.opens)


if __name__ == "__main__":
    main()
