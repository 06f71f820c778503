"""Raising a month's review flags: every rule of fraud/ over the facts of the sites' months, each finding kept
once per kind, subject, site and month, so raising again adds nothing (and a dismissed flag stays dismissed)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import fraud
from app.db.models import ReviewFlag
from app.db.queries import among, key_slices
from app.review.facts import MonthFacts, SiteMonthFacts, read_month_facts


def raise_flags(session: Session, month: str, site_ids: list[str],
                limits: fraud.Thresholds = fraud.Thresholds()) -> list[ReviewFlag]:
    """Run the rules for the sites' month and store the flags not yet raised; the new ones."""
    facts = read_month_facts(session, month, site_ids)
    travelling = fraud.supervisor_far_apart(facts.receipts, limits)
    found = [(site, finding) for site in facts.sites.values()
             for finding in site_findings(facts, site, travelling, limits)]
    if not found:
        return []
    known = set()
    for chunk in key_slices(session, sorted(facts.sites)):
        keys = select(ReviewFlag.kind, ReviewFlag.subject_id, ReviewFlag.site_id).where(
            ReviewFlag.month == month, among(session, ReviewFlag.site_id, chunk))
        known.update(tuple(row) for row in session.execute(keys))
    new = [ReviewFlag(kind=f.kind, subject_type=f.subject_type, subject_id=f.subject_id, site_id=site.site_id,
                      month=month, region_path=site.region_path, reason_code=f.reason.code,
                      reason_params=f.reason.params, reason=f.reason.english(), status="open")
           for site, f in found if (f.kind, f.subject_id, site.site_id) not in known]
    try:
        with session.begin_nested():
            session.add_all(new)
    except IntegrityError:  # raised meanwhile by a concurrent run: theirs stand
        return []
    return new


def site_findings(facts: MonthFacts, site: SiteMonthFacts, travelling: list[fraud.Finding],
                  limits: fraud.Thresholds) -> list[fraud.Finding]:
    """What the rules find in one site's month about its workers at work in it, and which of the `travelling`
    supervisors sent records for it."""
    month = facts.month
    this_month = [a for a in site.attendance if a.day.isoformat()[:7] == month]
    steady = [f for f in fraud.never_absent(site.attendance, limits) if f.subject_id in site.workers]
    found = [*fraud.cloned_attendance(this_month, limits), *steady,
             *fraud.two_sites_one_day(site.elsewhere, limits), *fraud.output_spikes(site.outputs, month, limits),
             *fraud.shared_contacts(facts.contacts, site.workers)]
    supervisors = {r.supervisor_id for r in facts.receipts if r.site_id == site.site_id}
    return found + [f for f in travelling if f.subject_id in supervisors]
