"""Fraud signals: pure functions over plain facts, no I/O, standard library only.

Each rule takes the facts of a site's month (and what it needs of before) and returns Findings: the kind of
review flag, its subject, and a Reason (a code and its parameters, worded in English here and translated by
the pages). A finding asks a person to look, it proves nothing.

RULES (kind: raised when ...)
- cloned_attendance: two or more workers checked in and out at the very same minutes on at least
  `min_days` days, at least `min_share` of the days either of them has times.
- shared_bank_account, shared_phone: one bank account (or phone) belongs to workers of different households.
- never_absent: a worker with times on at least `min_days` days of the months read was never absent, on
  leave or half a day, and checked in and out at the same minutes on at least `min_share` of them.
- two_sites_one_day: a worker's credited work on one day, across two or more sites, passes `day_limit`
  minutes (a day the intake accepts, at most 24 hours, that no one works).
- output_spike: a worker's output on a day of the month scores above `limit` on a robust z-score (median and
  median absolute deviation of their own days), so one spike in the history does not hide the next.
- supervisor_far_apart: one supervisor sent records for sites in different townships within `minutes`
  minutes of each other, in separate requests (one request may carry a phone's queue of several sites).
"""
from fraud.attendance import (
    Attendance,
    cloned_attendance,
    never_absent,
    two_sites_one_day,
)
from fraud.findings import KINDS, Finding, Reason, Thresholds
from fraud.identity import Contact, shared_contacts
from fraud.output import DayOutput, output_spikes, robust_score
from fraud.supervisors import Receipt, far_apart, supervisor_far_apart

__all__ = [
    "KINDS", "Attendance", "Contact", "DayOutput", "Finding", "Reason", "Receipt", "Thresholds",
    "cloned_attendance", "far_apart", "never_absent", "output_spikes", "robust_score", "shared_contacts",
    "supervisor_far_apart", "two_sites_one_day",
]
