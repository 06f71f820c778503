"""Bulk writes on PostgreSQL. The event log (the outbox for Kafka), by COPY: every field comes back as it
was staged, in staging order, and only once the unit of work commits. `insert_rows` refuses a table
whose columns COPY would store wrong. `update_rows` sets many rows in one statement. `among`'s arrays
match exactly the values listed."""
from __future__ import annotations

from datetime import date

import pytest
from psycopg.adapt import PyFormat
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import Column, Date, MetaData, String, Table, event, func, insert, select

from app.db.models import Assignment, AttendanceRecord, Household, Region, Site, WageLine, Worker
from app.db.queries import among
from app.db.rows import insert_rows, update_rows
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
        insert_rows(session, Worker.__table__, [{"id": "w-copy", "national_id_encrypted": "360702198912291234"}])


def _statements(session) -> list[str]:
    """The SQL statements `session`'s connection runs from now on; an executemany counts once per row."""
    seen: list[str] = []
    event.listen(session.connection(), "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, context, many:
                 seen.extend([statement] * (len(parameters) if many else 1)))
    return seen


def test_many_rows_are_updated_in_one_statement_each_with_its_own_values(pg_runtime):
    days = [date(2026, 3, d) for d in (2, 3, 4)]
    with pg_runtime.sessions.begin() as session:
        for row in (Region(code="36-upd", name="U", level="county", path="/36-upd/"),
                    Household(id="h-upd", region_code="36-upd", size=3, status="poor"),
                    Worker(id="w-upd", household_id="h-upd", name="Wang"),
                    Site(id="s-upd", kind="workshop", name="S", region_code="36-upd"),
                    Assignment(id="a-upd", worker_id="w-upd", site_id="s-upd", start_date=days[0],
                               scheme={"kind": "daily", "day_rate_fen": 100})):
            session.add(row)
            session.flush()  # in this order: the models declare no relationships for the flush to follow
        insert_rows(session, WageLine.__table__, [
            {"assignment_id": "a-upd", "worker_id": "w-upd", "site_id": "s-upd", "period": "2026-03", "work_date": d,
             "scheme": "daily", "amount_fen": 100, "facts": {"status": "present"}} for d in days])
        insert_rows(session, AttendanceRecord.__table__, [
            {"worker_id": "w-upd", "site_id": "s-upd", "work_date": d, "event_id": f"e{d.day}",
             "recorded_at": "2026-03-05T00:00:00.000000Z", "status": "present", "minutes": 480, "check_in": None,
             "check_out": None} for d in days])
    with pg_runtime.sessions.begin() as session:
        lines = {line.work_date: line for line in session.scalars(select(WageLine).where(WageLine.site_id == "s-upd"))}
        written = {d: lines[d].updated_at for d in days}
        statements = _statements(session)
        update_rows(session, WageLine.__table__, [
            {"id": lines[days[0]].id, "amount_fen": 50, "facts": {"status": "half_day", "note": "\u5de5 \"q\""}},
            {"id": lines[days[2]].id, "amount_fen": 0, "facts": {}}])
        update_rows(session, AttendanceRecord.__table__, [
            {"worker_id": "w-upd", "site_id": "s-upd", "work_date": days[1], "event_id": "e3b",
             "recorded_at": "2026-03-06T00:00:00.000000Z", "status": "absent", "minutes": None,
             "check_in": "08:00", "check_out": None}])
        assert len(statements) == 2 and all(s.lstrip().startswith("UPDATE") for s in statements)
    with pg_runtime.sessions() as session:
        lines = {line.work_date: line for line in session.scalars(select(WageLine).where(WageLine.site_id == "s-upd"))}
        assert [(lines[d].amount_fen, lines[d].facts) for d in days] == [
            (50, {"status": "half_day", "note": "\u5de5 \"q\""}), (100, {"status": "present"}), (0, {})]
        assert lines[days[0]].updated_at > written[days[0]] and lines[days[1]].updated_at == written[days[1]]
        records = {r.work_date: r for r in session.scalars(select(AttendanceRecord).where(
            AttendanceRecord.site_id == "s-upd"))}
        assert [(r.event_id, r.status, r.minutes, r.check_in) for r in (records[d] for d in days)] == [
            ("e2", "present", 480, None), ("e3b", "absent", None, "08:00"), ("e4", "present", 480, None)]


_SPELLINGS = ["w-li", "", " ", "NULL", "null", "{a,b}", '"quoted"', "back\\slash", "com,ma", "\u5de5 \u65f6", "x" * 64]


def test_among_finds_exactly_the_listed_values_however_they_are_spelled(pg_runtime):
    # Lists go to PostgreSQL as binary arrays (app.db.base): no quoting for a brace, comma, quote or NULL to get wrong.
    table = Table("among_spellings", MetaData(), Column("id", String(64)), Column("day", Date), prefixes=["TEMPORARY"])
    days = [date(2026, 3, 1), date(2026, 3, 2)]
    with pg_runtime.sessions.begin() as session:
        assert session.connection().connection.dbapi_connection.adapters.get_dumper(
            list, PyFormat.AUTO) is ListBinaryDumper
        table.create(session.connection())
        session.execute(insert(table), [{"id": value, "day": day} for value in _SPELLINGS for day in days])
        for wanted in ([], ["w-li"], _SPELLINGS[1:6], _SPELLINGS[6:], _SPELLINGS):
            found = session.execute(select(table.c.id).where(among(session, table.c.id, set(wanted)),
                                                             among(session, table.c.day, {days[1]}))).scalars().all()
            assert sorted(found) == sorted(wanted)
