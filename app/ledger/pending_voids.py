"""Voids that arrived before their output: they wait, and settle the moment the output is recorded.

A device that was offline sends its day in any order, and the wages must not depend on it: a void of an
output not yet recorded waits (never paid, never a dead letter), and the output it names is then recorded
as voided at once, in the same transaction, so it is never paid. A waiting void whose output turns out to
be another worker's or site's is refused, and the output stays paid, exactly as when the void comes after
it (then it is a dead letter). Several voids of one output: the smallest event id is the one recorded.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import PendingVoid
from app.db.models.types import utcnow
from app.db.queries import among, key_slices
from app.db.rows import Row, insert_rows, update_rows
from events import WorkEvent

_pending = PendingVoid.__table__
ANOTHER_WORKER = "the output event belongs to another worker or site"


@dataclass
class PendingVoids:
    """The waiting voids a batch's outputs may settle, and the voids the batch makes wait; written by `save`."""

    waiting: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))  # by output id
    new: list[Row] = field(default_factory=list)
    settled: list[Row] = field(default_factory=list)  # stored rows whose status changed

    @classmethod
    def load(cls, session: Session, output_ids: Iterable[str]) -> "PendingVoids":
        voids = cls()
        for chunk in key_slices(session, sorted(set(output_ids))):
            for row in session.execute(select(_pending.c.id, _pending.c.event_id, _pending.c.output_id,
                                              _pending.c.worker_id, _pending.c.site_id).where(
                    among(session, _pending.c.output_id, chunk), _pending.c.status == "pending")).mappings():
                voids.waiting[row["output_id"]].append(dict(row))
        return voids

    def wait(self, event: WorkEvent) -> None:
        """`event`, a void of an output not recorded yet, waits for it."""
        row = {"event_id": event.id, "output_id": event.data["output_id"], "worker_id": event.worker_id,
               "site_id": event.site_id, "status": "pending", "reason": None, "received_at": utcnow(),
               "settled_at": None}
        self.new.append(row)
        self.waiting[row["output_id"]].append(row)

    def settle(self, output: Row) -> str | None:
        """Settle the voids waiting for `output`, a record just made; the id of the void that cancels it, if any."""
        waiting = self.waiting.pop(output["event_id"], [])
        now = utcnow()
        applied = None
        for row in sorted(waiting, key=lambda r: r["event_id"]):
            if (row["worker_id"], row["site_id"]) == (output["worker_id"], output["site_id"]):
                row["status"], row["reason"] = "applied", None
                applied = applied or row["event_id"]
            else:
                row["status"], row["reason"] = "refused", ANOTHER_WORKER
            row["settled_at"] = now
            if "id" in row:
                self.settled.append(row)
        return applied

    def save(self, session: Session) -> None:
        insert_rows(session, _pending, self.new)
        update_rows(session, _pending, [{"id": row["id"], "status": row["status"], "reason": row["reason"],
                                         "settled_at": row["settled_at"]} for row in self.settled])
