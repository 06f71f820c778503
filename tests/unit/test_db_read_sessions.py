"""Read-only sessions on SQLite: they refuse writes, and they do not queue behind a writer (a deferred
BEGIN under WAL reads the last committed snapshot, where a unit of work takes the write lock)."""
from __future__ import annotations

from sqlalchemy import select
from support.read_sessions import assert_reads_and_refuses_writes, county

from app.db.models import Region


def test_a_read_session_reads_and_refuses_every_write(runtime):
    assert_reads_and_refuses_writes(runtime)


def test_a_read_does_not_wait_for_a_writer_and_sees_only_what_is_committed(runtime):
    with runtime.sessions.begin() as writer:
        writer.add(county())
        writer.flush()  # the writer now holds SQLite's write lock, uncommitted
        with runtime.readers() as reader:  # would wait out the 30 s busy timeout, then fail, if it locked
            assert reader.scalars(select(Region.code)).all() == []
    with runtime.readers() as reader:
        assert reader.scalars(select(Region.code)).all() == ["360702"]
