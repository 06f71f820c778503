"""Raising a month's review flags: every rule of fraud/ over the facts of the sites' months, each finding kept
once per kind, subject, site and month, so raising again adds nothing (and a dismissed flag stays dismissed)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import fraud
from app.db.models import ReviewFlag
from app.db.queries import among, key_slices
from app.review.facts import SiteMonthFacts, read_month_facts


def raise_flags(session: Session, month: str, site_ids: list[str],
                limits: fraud.Thresholds = fraud.Thresholds()) -> list[ReviewFlag]:
    """Run the rules for the sites' month and store the flags not yet raised; the new ones."""
    facts = read_month_facts(session, month, site_ids)
    shared = fraud.shared_contacts(facts.contacts)
    travelling = fraud.supervisor_far_apart(facts.receipts, limits)
    sent_by: dict[str, set[str]] = defaultdict(set)  # site -> the supervisors who sent its records
    for receipt in facts.receipts:
        sent_by[receipt.site_id].add(receipt.supervisor_id)
    found = [(site, finding) for site in facts.sites.values()
             for finding in site_findings(facts.month, site, shared, travelling, sent_by[site.site_id], limits)]
    if not found:
        return []
    known = set()
    for chunk in key_slices(session, sorted(facts.sites)):
        keys = select(ReviewFlag.kind, ReviewFlag.subject_id, ReviewFlag.site_id).where(
            ReviewFlag.month == month, among(session, ReviewFlag.site_id, chunk))
        known.update(tuple(row) for row in session.execute(keys))
    new = []
    for site, f in found:
        if (f.kind, f.subject_id, site.site_id) not in known:
            known.add((f.kind, f.subject_id, site.site_id))
            new.append(ReviewFlag(kind=f.kind, subject_type=f.subject_type, subject_id=f.subject_id,
                                  site_id=site.site_id, month=month, region_path=site.region_path,
                                  reason_code=f.reason.code, reason_params=f.reason.params,
                                  reason=f.reason.english(), status="open"))
    try:
        with session.begin_nested():
            session.add_all(new)
    except IntegrityError:  # raised meanwhile by a concurrent run: theirs stand
        return []
    return new


def site_findings(month: str, site: SiteMonthFacts, shared: list[fraud.Finding], travelling: list[fraud.Finding],
                  supervisors: set[str], limits: fraud.Thresholds) -> list[fraud.Finding]:
    """What the rules find in one site's month about its workers at work in it (of the `shared` contacts found
    county-wide, theirs), and which of the `travelling` supervisors sent records for it."""
    first = date(int(month[:4]), int(month[5:7]), 1)
    this_month = [a for a in site.attendance if a.day >= first]
    steady = [f for f in fraud.never_absent(site.attendance, limits) if f.subject_id in site.workers]
    return [*fraud.cloned_attendance(this_month, limits), *steady,
            *fraud.two_sites_one_day(site.elsewhere, limits), *fraud.output_spikes(site.outputs, month, limits),
            *(f for f in shared if f.subject_id in site.workers),
            *(f for f in travelling if f.subject_id in supervisors)]
