"""The subjects an evaluation looks at: all of them, or those whose facts changed since the month's baseline
(app/alerts/baseline.py says which)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db.models import Assignment, Household, Site, Worker
from app.db.queries import among

Only = frozenset[str] | None  # the subjects a rule need look at; None: all


@dataclass(frozen=True)
class Changed:
    """The households whose income, status or size, and the sites whose work or pay, changed: the rules need
    look at these alone. None: all of them."""
    households: Only = None
    work_sites: Only = None
    pay_sites: Only = None

    def chunked(self, session: Session, subjects: str) -> list:
        """The conditions on the households (or sites) that keep those the evaluation's chunks go through: the
        households changed, and those with a worker assigned at a site whose work changed (no_work runs in the
        households' chunks); the sites whose pay changed."""
        if subjects == "site":
            return [] if self.pay_sites is None else [among(session, Site.id, self.pay_sites)]
        if self.households is None or self.work_sites is None:
            return []
        at_sites = (select(Worker.household_id).join(Assignment, Assignment.worker_id == Worker.id)
                    .where(among(session, Assignment.site_id, self.work_sites)))
        return [or_(among(session, Household.id, self.households), Household.id.in_(at_sites))]


EVERYTHING = Changed()
