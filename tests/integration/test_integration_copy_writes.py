"""Bulk writes by COPY on PostgreSQL. The event log (the outbox for Kafka): every field comes back as it
was staged, in staging order, and only once the unit of work commits. `insert_rows` refuses a table
whose columns COPY would store wrong."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db.models import Worker
from app.db.rows import insert_rows
from events.bus.base import OutgoingMessage
from events.bus.log import append, event_log

pytestmark = pytest.mark.postgres

MESSAGES = [
    OutgoingMessage("stablework.work-events", "w-wang", b'{"id": "e1"}'),
    OutgoingMessage("stablework.work-events.dlt", None, b"\x00\xff not json \\ \t\n",
                    {"reason": "invalid event: \u5de5\u65f6 \"quoted\"", "source-offset": "7"}),
    OutgoingMessage("stablework.work-events", "w-li", b"{}", {}),
]


def _stored(session) -> list[OutgoingMessage]:
    rows = session.execute(select(event_log).order_by(event_log.c.seq)).all()
    return [OutgoingMessage(row.topic, row.key, bytes(row.value), row.headers or {}) for row in rows]


def test_staged_messages_come_back_whole_and_in_order(pg_runtime):
    with pg_runtime.sessions.begin() as session:
        before = session.scalar(select(func.count()).select_from(event_log))
        append(session, MESSAGES)
        append(session, MESSAGES[:1])
    with pg_runtime.sessions() as session:
        assert _stored(session)[before:] == [*MESSAGES, MESSAGES[0]]


def test_nothing_is_staged_when_the_unit_of_work_fails(pg_runtime):
    with pg_runtime.sessions() as session:
        before = session.scalar(select(func.count()).select_from(event_log))
    with pytest.raises(RuntimeError), pg_runtime.sessions.begin() as session:
        append(session, MESSAGES)
        raise RuntimeError("the request fails after staging")
    with pg_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(event_log)) == before


def test_rows_whose_columns_need_bind_processing_are_not_copied(pg_runtime):
    # COPY skips a TypeDecorator's bind processing: an Encrypted column would be stored in the clear.
    with pytest.raises(TypeError, match="national_id"), pg_runtime.sessions.begin() as session:
        insert_rows(session, Worker.__table__, [{"id": "w-copy", "national_id_encrypted": "360702199001011234"}])
