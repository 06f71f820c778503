"""A worker's own pay as they read it on their phone: their months, and one month's days, lines and payments.

Every read is by the worker's id alone (the caller's, app.api.access.require_self): nothing here takes
another worker's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Adjustment, Assignment, PaymentBatch, PaymentLine, Site, WageLine, Worker
from app.pay.balances import Balance, worker_balances
from payroll.explain import Explanation, explain_line


@dataclass(frozen=True)
class Month:
    balance: Balance

    @property
    def state(self) -> str:
        """paid (all approved is paid), approved (some still to pay) or pending (earned, not yet approved)."""
        b = self.balance
        if b.approved_fen and b.outstanding_fen <= 0 and b.pending_fen <= 0:
            return "paid"
        return "approved" if b.approved_fen and b.pending_fen <= 0 else "pending"


@dataclass(frozen=True)
class Line:
    work_date: date
    site_id: str
    site_name: str
    scheme: str
    amount_fen: int
    facts: dict
    explanation: Explanation | None  # None: the scheme no longer says how this amount came about


@dataclass(frozen=True)
class Correction:
    site_name: str
    adjusts_month: str
    amount_fen: int


@dataclass(frozen=True)
class Payment:
    site_name: str
    month: str
    amount_fen: int
    status: str  # pending (with the bank), confirmed or failed
    on: datetime
    account_end: str | None  # the last digits of the account paid into


@dataclass(frozen=True)
class MonthDetail:
    month: Month
    lines: list[Line]
    corrections: list[Correction]
    payments: list[Payment]

    @property
    def days(self) -> Decimal:
        credits = {"present": Decimal(1), "half_day": Decimal("0.5")}
        by_day = sum(credits.get(line.facts.get("status"), Decimal(0)) for line in self.lines if "status" in line.facts)
        return by_day + sum(Decimal(line.facts.get("credits", "0")) for line in self.lines)

    @property
    def minutes(self) -> int:
        return sum(line.facts.get("minutes") or 0 for line in self.lines)

    @property
    def pieces(self) -> int:
        return sum(output["quantity"] for line in self.lines for output in line.facts.get("outputs", []))


def worker_name(session: Session, worker_id: str) -> str:
    return session.scalar(select(Worker.name).where(Worker.id == worker_id)) or ""


def own_months(session: Session, worker_id: str) -> list[Month]:
    """The worker's months, newest first."""
    return [Month(balance) for balance in reversed(worker_balances(session, worker_id)[1])]


def own_month(session: Session, worker_id: str, month: str) -> MonthDetail:
    """One month of the worker's: each wage line explained, the corrections paid in it, its payments."""
    balance = worker_balances(session, worker_id, month)[0]
    rows = session.execute(select(WageLine, Assignment.scheme, Site.name)
                           .join(Assignment, Assignment.id == WageLine.assignment_id)
                           .join(Site, Site.id == WageLine.site_id)
                           .where(WageLine.worker_id == worker_id, WageLine.period == month)
                           .order_by(WageLine.work_date, WageLine.id))
    lines = [Line(line.work_date, line.site_id, site_name, line.scheme, line.amount_fen, line.facts,
                  _explained(scheme, line)) for line, scheme, site_name in rows]
    corrections = [Correction(name, adjustment.adjusts_month, adjustment.amount_fen) for adjustment, name in
                   session.execute(select(Adjustment, Site.name).join(Site, Site.id == Adjustment.site_id)
                                   .where(Adjustment.worker_id == worker_id, Adjustment.in_month == month)
                                   .order_by(Adjustment.id))]
    payments = [Payment(name, line.month, line.amount_fen, line.status, line.resolved_at or created,
                        _account_end(line.bank_account_masked))
                for line, created, name in session.execute(
                    select(PaymentLine, PaymentBatch.created_at, Site.name)
                    .join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id)
                    .join(Site, Site.id == PaymentLine.site_id)
                    .where(PaymentLine.worker_id == worker_id, PaymentLine.month == month)
                    .order_by(PaymentLine.id))]
    return MonthDetail(Month(balance), lines, corrections, payments)


def _explained(scheme: dict, line: WageLine) -> Explanation | None:
    try:
        explanation = explain_line(payroll.scheme_from_dict(scheme), line.facts)
    except (payroll.InvalidScheme, payroll.InvalidWorkRecord, KeyError, ValueError):
        return None
    return explanation if explanation.amount_fen == line.amount_fen else None


def _account_end(masked: str | None) -> str | None:
    return masked[-4:] if masked and len(masked) >= 4 else None
