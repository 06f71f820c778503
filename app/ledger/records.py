"""The stored work records (attendance and output) and their keys: how a batch loads those its events may
update, changes them as plain rows, and writes what changed in a few multi-row statements when it ends."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Row as StoredRow
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import AttendanceRecord, OutputRecord, ProcessedEvent
from app.db.queries import among, key_slices
from app.db.rows import Row, insert_rows, update_rows
from app.ledger.pending_voids import PendingVoids
from app.ledger.weeks import WORKED, WeekChanges, keep_weeks
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED, WorkEvent

WageKey = tuple[str, date]  # (assignment id, work date); monthly schemes key on the 1st of the month
AttendanceKey = tuple[str, str, date]  # (worker id, site id, work date)

_attendance = AttendanceRecord.__table__
_outputs = OutputRecord.__table__


@dataclass
class BatchRecords:
    """The stored records a batch's events may update, loaded once per batch (a query per kind, not one per
    event), and what the batch changes in them, written at its end by `save`."""

    attendance: dict[AttendanceKey, Row] = field(default_factory=dict)  # every stored key of the batch's events
    outputs: dict[str, Row] = field(default_factory=dict)  # void targets, and outputs of the batch
    stored_attendance: set[AttendanceKey] = field(default_factory=set)
    changed_attendance: set[AttendanceKey] = field(default_factory=set)
    stored_outputs: set[str] = field(default_factory=set)
    changed_outputs: set[str] = field(default_factory=set)
    processed: list[Row] = field(default_factory=list)
    pending_voids: PendingVoids = field(default_factory=PendingVoids)
    week_changes: WeekChanges = field(default_factory=lambda: WeekChanges([], []))  # what `save` did to the weeks

    @classmethod
    def load(cls, session: Session, events: Iterable[WorkEvent]) -> "BatchRecords":
        keys, output_ids, recorded = set(), set(), set()
        for event in events:
            if event.type == ATTENDANCE_RECORDED:
                keys.add((event.worker_id, event.site_id, event.data["date"]))
            elif event.type == OUTPUT_VOIDED:
                output_ids.add(event.data["output_id"])
            elif event.type == OUTPUT_RECORDED:
                recorded.add(event.id)
        records = cls()
        for row in attendance_records(session, keys):
            records.attendance[(row.worker_id, row.site_id, row.work_date)] = dict(row._mapping)
        records.stored_attendance = set(records.attendance)
        for chunk in key_slices(session, sorted(output_ids)):
            for row in session.execute(select(_outputs).where(among(session, _outputs.c.event_id, chunk))).mappings():
                records.outputs[row["event_id"]] = dict(row)
        records.stored_outputs = set(records.outputs)
        records.pending_voids = PendingVoids.load(session, recorded)
        return records

    def processed_event(self, event_id: str, content_hash: str) -> None:
        self.processed.append({"event_id": event_id, "content_hash": content_hash})

    def save(self, session: Session) -> None:
        """Write what the batch changed: inserts and updates by primary key, each one multi-row statement, and
        the weeks at work of the records changed."""
        insert_rows(session, _attendance, [self.attendance[key]
                                           for key in sorted(self.changed_attendance - self.stored_attendance)])
        update_rows(session, _attendance, [self.attendance[key]
                                           for key in sorted(self.changed_attendance & self.stored_attendance)])
        insert_rows(session, _outputs, [self.outputs[key]
                                        for key in sorted(self.changed_outputs - self.stored_outputs)])
        update_rows(session, _outputs, [{"event_id": key, "voided_by": self.outputs[key]["voided_by"]}
                                        for key in sorted(self.changed_outputs & self.stored_outputs)])
        insert_rows(session, ProcessedEvent.__table__, self.processed)
        self.pending_voids.save(session)
        self.week_changes = keep_weeks(session, self._changed_days())

    def _changed_days(self) -> Iterator[tuple[str, str, date, bool, bool]]:
        """(worker, site, date, a day at work now, stored before the batch) of each record changed."""
        for key in self.changed_attendance:
            yield *key, self.attendance[key]["status"] in WORKED, key in self.stored_attendance
        for key in self.changed_outputs:
            output = self.outputs[key]
            yield (output["worker_id"], output["site_id"], output["work_date"], output["voided_by"] is None,
                   key in self.stored_outputs)


def attendance_records(session: Session, keys: set[tuple[str, str, date]]) -> Iterator[StoredRow]:
    """The stored attendance records of these (worker, site, date) keys. Each query is worker among (...)
    AND date among (...), a superset, of which the exact keys are kept: far cheaper than a row-value IN list."""
    for chunk in key_slices(session, sorted(keys)):
        wanted = set(chunk)
        for record in session.execute(select(_attendance).where(
                among(session, _attendance.c.worker_id, {k[0] for k in chunk}),
                among(session, _attendance.c.work_date, {k[2] for k in chunk}))):
            if (record.worker_id, record.site_id, record.work_date) in wanted:
                yield record
