"""What may be hired: a referral becomes a hire only while it is pending, its vacancy has a place left, and,
for a full-time post, the labourer holds no other full-time job in the same days."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from labour.vocabulary import PENDING_REFERRALS


@dataclass(frozen=True)
class Job:
    """A hire the labourer holds: its days (open-ended without `end`) and whether it is full time."""

    start: date
    end: date | None
    full_time: bool

    def overlaps(self, other: Job) -> bool:
        return (self.end is None or other.start <= self.end) and (other.end is None or self.start <= other.end)


@dataclass(frozen=True)
class Opening:
    """A vacancy as a hire sees it."""

    status: str  # open, filled or closed
    count: int
    hired: int
    full_time: bool
    start: date
    end: date | None


def hire_refusal(referral_status: str, opening: Opening, jobs: list[Job], start: date) -> str | None:
    """Why the labourer of a referral in `referral_status` may not be hired into `opening` from `start`, holding
    `jobs`; None when they may. A hire takes a place, so a vacancy never holds more hires than places."""
    if referral_status not in PENDING_REFERRALS:
        return f"the referral is {referral_status}, no longer waiting for a decision"
    if opening.status != "open" or opening.hired >= opening.count:
        return "the vacancy is closed" if opening.status == "closed" else "the vacancy is filled"
    if start < opening.start or (opening.end is not None and start > opening.end):
        return "the start date is outside the vacancy's dates"
    wanted = Job(start, opening.end, opening.full_time)
    if wanted.full_time and any(job.full_time and job.overlaps(wanted) for job in jobs):
        return "the labourer already holds a full-time job in these days"
    return None


def ends_pending_referral(hire: Job, other: Opening) -> bool:
    """Whether a pending referral to `other` ends once `hire` is made: both full time and in the same days."""
    return hire.full_time and other.full_time and hire.overlaps(Job(other.start, other.end, other.full_time))
