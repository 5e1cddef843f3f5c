"""A worker's kept SMTP session (``smtp.Mailer``), against a real aiosmtpd server on loopback that
records which connection each message came over and can hang up when told."""

from __future__ import annotations

import asyncio
import time

import pytest

from devstore.mailbox import AnyPortController
from plugin.emails import smtp

SENDER = "hello@shop.example"
MESSAGE = b"From: hello@shop.example\r\nTo: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n"


class Recorder:
    """Keeps (connection, recipients) per message; ``hang_up`` closes the connection after the next
    message is taken ("after") or while it is being taken, before any reply ("during")."""

    def __init__(self):
        self.received: list[tuple[tuple, tuple[str, ...]]] = []
        self.hang_up: str | None = None
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_up == "during":
            self.hang_up = None
            server.transport.close()
            return "250 never heard"
        self.received.append((session.peer, tuple(envelope.rcpt_tos)))
        if self.hang_up == "after":
            self.hang_up = None
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 OK"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def server():
    recorder = Recorder()
    controller = AnyPortController(recorder, hostname="127.0.0.1", port=0, server_hostname="mx.test")
    controller.start()
    port = controller.port
    try:
        yield recorder, smtp.Server("127.0.0.1", port, tls=False, user=None, password=None)
    finally:
        controller.stop()


def _connections(recorder: Recorder) -> int:
    return len({peer for peer, _ in recorder.received})


def test_a_run_of_messages_goes_over_one_session(server):
    recorder, address = server
    mailer = smtp.Mailer()
    outcomes = [mailer.hand_over(address, SENDER, f"p{n}@example.com", MESSAGE) for n in range(5)]
    assert [o.kind for o in outcomes] == ["sent"] * 5
    assert [rcpts for _, rcpts in recorder.received] == [(f"p{n}@example.com",) for n in range(5)]
    assert _connections(recorder) == 1


def test_a_session_the_server_hung_up_is_replaced_and_the_message_still_goes(server):
    recorder, address = server
    mailer = smtp.Mailer()
    recorder.hang_up = "after"
    assert mailer.hand_over(address, SENDER, "a@example.com", MESSAGE).kind == "sent"
    time.sleep(0.3)  # the server closes its side
    assert mailer.hand_over(address, SENDER, "b@example.com", MESSAGE).kind == "sent"
    assert [rcpts for _, rcpts in recorder.received] == [("a@example.com",), ("b@example.com",)]
    assert _connections(recorder) == 2


def test_after_a_refusal_the_session_is_reset_and_the_next_recipient_is_taken(server):
    recorder, address = server
    recorder.refuse.add("gone@example.com")
    mailer = smtp.Mailer()
    refused = mailer.hand_over(address, SENDER, "gone@example.com", MESSAGE)
    assert (refused.kind, refused.detail[:3]) == ("refused", "550")
    assert mailer.hand_over(address, SENDER, "b@example.com", MESSAGE).kind == "sent"
    assert [rcpts for _, rcpts in recorder.received] == [("b@example.com",)]


def test_a_session_that_broke_during_the_message_is_unknown_and_never_reused(server):
    recorder, address = server
    mailer = smtp.Mailer()
    assert mailer.hand_over(address, SENDER, "a@example.com", MESSAGE).kind == "sent"
    recorder.hang_up = "during"
    assert mailer.hand_over(address, SENDER, "b@example.com", MESSAGE).kind == "unknown"
    assert mailer.hand_over(address, SENDER, "c@example.com", MESSAGE).kind == "sent"
    assert [rcpts for _, rcpts in recorder.received] == [("a@example.com",), ("c@example.com",)]
    assert _connections(recorder) == 2


def test_a_session_idle_too_long_is_closed_and_a_new_one_opened(server):
    recorder, address = server
    clock = Clock()
    mailer = smtp.Mailer(clock=clock)
    mailer.hand_over(address, SENDER, "a@example.com", MESSAGE)
    clock.now += smtp.IDLE_S - 1
    mailer.hand_over(address, SENDER, "b@example.com", MESSAGE)
    clock.now += smtp.IDLE_S + 1
    mailer.hand_over(address, SENDER, "c@example.com", MESSAGE)
    peers = [peer for peer, _ in recorder.received]
    assert peers[0] == peers[1] != peers[2]


def test_a_server_that_is_down_is_a_retry(server):
    _, address = server
    closed = smtp.Server("127.0.0.1", 9, tls=False, user=None, password=None)
    outcome = smtp.Mailer().hand_over(closed, SENDER, "a@example.com", MESSAGE)
    assert outcome.kind == "retry" and "could not connect" in outcome.detail
