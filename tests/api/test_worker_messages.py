"""Word of a worker's pay: a text message when their month is approved and when a payment is made or fails,
written in the same transaction as the event, once each, and sent by the delivery loop with retries."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db.models import MessageAttempt, Worker, WorkerMessage
from app.db.models.types import utcnow
from app.messages.outbox import deliver_due_messages
from app.messages.senders import GatewaySender, Sent

LI_PHONE = "13907971234"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, webhook_max_attempts=2, webhook_backoff_base_s=1.0)


@pytest.fixture
def march(api, checker, world, build, consume, runtime):
    """Li (with a phone) and Wang (without one) worked March at the sewing workshop, which is closed."""
    with runtime.sessions.begin() as session:
        session.get(Worker, world.li).phone = LI_PHONE
    events = [build.attendance(world.li, world.sewing, "2026-03-11", minutes=480),
              build.attendance(world.wang, world.sewing, "2026-03-11")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    assert api.post(f"/sites/{world.sewing}/periods/2026-03/close", {}).status_code == 200
    return world


def messages(runtime) -> list[tuple[str, str, int, str]]:
    with runtime.sessions() as session:
        return [(m.id, m.worker_id, m.amount_fen, m.status) for m in
                session.scalars(select(WorkerMessage).order_by(WorkerMessage.id))]


def pay(api, site: str, status: str) -> tuple[int, list[dict]]:
    batch = api.post(f"/sites/{site}/periods/2026-03/pay").get_json()
    results = [{"line_id": line["id"], "status": status, "bank_reference": "B-1"} for line in batch["lines"]]
    for _ in range(2):  # the bank's answer said twice changes nothing the second time
        assert api.post(f"/payment-batches/{batch['id']}/results", {"lines": results}).status_code == 200
    return batch["id"], batch["lines"]


def test_an_approved_month_writes_one_message_to_each_worker_with_a_phone(api, checker, march, runtime):
    assert checker.post(f"/sites/{march.sewing}/periods/2026-03/approve", {}).status_code == 200

    assert messages(runtime) == [(f"approved/{march.sewing}/2026-03/{march.li}", march.li, 14000, "pending")]


def test_a_bulk_approval_writes_the_same_messages(api, checker, march, runtime):
    assert checker.post("/periods/2026-03/approve", {"region_code": march.county}).status_code == 200

    assert messages(runtime) == [(f"approved/{march.sewing}/2026-03/{march.li}", march.li, 14000, "pending")]


def test_a_payment_made_and_a_payment_failed_write_one_message_each(api, checker, march, runtime):
    assert checker.post(f"/sites/{march.sewing}/periods/2026-03/approve", {}).status_code == 200
    _batch, lines = pay(api, march.sewing, "failed")
    [li_line] = [line for line in lines if line["worker_id"] == march.li]
    _again, paid_lines = pay(api, march.sewing, "confirmed")
    [li_paid] = [line for line in paid_lines if line["worker_id"] == march.li]

    assert [row[0] for row in messages(runtime)] == [
        f"approved/{march.sewing}/2026-03/{march.li}", f"failed/{li_line['id']}", f"paid/{li_paid['id']}"]


class Gateway:
    def __init__(self, *answers: int):
        self.answers, self.sent = list(answers), []

    def __call__(self, url, body, headers, timeout) -> int:
        self.sent.append(body.decode())
        return self.answers.pop(0)


def test_the_delivery_loop_sends_each_message_once_in_chinese(api, checker, march, runtime):
    assert checker.post(f"/sites/{march.sewing}/periods/2026-03/approve", {}).status_code == 200
    gateway = Gateway(200)
    sender = GatewaySender("https://sms.example/send", "", 5.0, post=gateway)

    tries = deliver_due_messages(runtime.sessions, runtime.settings, sender)
    again = deliver_due_messages(runtime.sessions, runtime.settings, sender)

    assert (tries, again) == (1, 0)
    [body] = gateway.sent
    assert LI_PHONE in body and "Sewing workshop2026年3月的工资已审核，金额¥140.00" in body
    assert messages(runtime)[0][3] == "delivered"


def test_a_gateway_that_fails_is_tried_again_with_backoff_then_given_up(api, checker, march, runtime):
    assert checker.post(f"/sites/{march.sewing}/periods/2026-03/approve", {}).status_code == 200
    sender = GatewaySender("https://sms.example/send", "", 5.0, post=Gateway(503, 503))
    now = utcnow()

    first = deliver_due_messages(runtime.sessions, runtime.settings, sender, now=now)
    too_soon = deliver_due_messages(runtime.sessions, runtime.settings, sender, now=now)
    second = deliver_due_messages(runtime.sessions, runtime.settings, sender, now=now + timedelta(hours=1))

    assert (first, too_soon, second) == (1, 0, 1)
    assert messages(runtime)[0][3] == "failed"
    with runtime.sessions() as session:
        assert [(a.attempt, a.status_code) for a in session.scalars(select(MessageAttempt).order_by(MessageAttempt.id))
                ] == [(1, 503), (2, 503)]


def test_a_sender_that_raises_no_answer_is_a_failed_try_not_a_crash():
    def unreachable(*_args):
        raise OSError("connection refused")

    sent = GatewaySender("https://sms.example/send", "", 5.0, post=unreachable).send(LI_PHONE, "text")

    assert sent == Sent(None, "OSError: connection refused")
