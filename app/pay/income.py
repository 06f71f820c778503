"""Household income per month: wages earned by its workers for work dated in the month, with
adjustments counted in the month they adjust (docs/domain.md, "Balances and income").

Income is read from `worker_month_income`, which the consumers keep in the transaction that writes
the wage lines and adjustments (`add_income`), so that a read never sums a year of wage lines."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import ARRAY, ColumnElement, bindparam, delete, func, insert, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import payroll
from app.db.models import Adjustment, AlertBaseline, Household, WageLine, Worker, WorkerMonthIncome
from app.db.stamps import change_stamp
from app.registry.households import sizes_in_months

_income = WorkerMonthIncome.__table__
IncomeKey = tuple[str, str]  # (worker id, month)


def household_income(session: Session, months: list[str], household_ids: list[str] | None = None, *,
                     where: Iterable[ColumnElement[bool]] = ()) -> dict[str, dict[str, int]]:
    """household id -> month -> income in fen, for the months asked and the households listed, or those of the
    workers `where` keeps (the alert evaluation's chunk); a month without income is absent."""
    query = (select(Worker.household_id, _income.c.month, func.sum(_income.c.income_fen))
             .join(Worker, Worker.id == _income.c.worker_id)
             .where(_income.c.month.in_(months), _income.c.income_fen != 0, *where)
             .group_by(Worker.household_id, _income.c.month))
    if household_ids is not None:
        query = query.where(Worker.household_id.in_(household_ids))
    income: dict[str, dict[str, int]] = defaultdict(dict)
    for household_id, month, amount in session.execute(query):
        income[household_id][month] = int(amount)
    return dict(income)


@dataclass(frozen=True)
class MonthIncome:
    month: str
    income_fen: int
    per_capita_fen: int  # income / size, half-up
    size: int  # the household's size in the month


def monthly_income(session: Session, household: Household, last: str, count: int) -> list[MonthIncome]:
    """The household's income and per-capita income (by its size in each month) in each of the `count` months
    ending with `last`, oldest first; a month without income is 0."""
    months = [*payroll.previous_months(last, count - 1), last]
    income = household_income(session, months, [household.id]).get(household.id, {})
    sizes = sizes_in_months(session, household, months)
    return [MonthIncome(month, income.get(month, 0),
                        payroll.round_half_up(Fraction(income.get(month, 0), sizes[month])), sizes[month])
            for month in months]


def add_income(session: Session, changes: Mapping[IncomeKey, int]) -> None:
    """Add each (worker, month)'s change of income in one upsert. A month whose income comes to 0 may keep a
    row of 0: reads skip it, and removing it would cost every batch a statement more."""
    keys = sorted(key for key, fen in changes.items() if fen)  # in key order: two writers lock rows alike
    if not keys:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_upsert_postgresql(keys, changes))
    else:  # one statement compiled once, run for each row by the driver
        session.execute(_adding(sqlite.insert(_income)),
                        [{"worker_id": w, "month": m, "income_fen": changes[(w, m)]} for w, m in keys])


def refill_income(session: Session) -> None:
    """Compute the whole aggregate again from the wage lines and adjustments stored; the months' alert
    baselines go, as a month whose income comes to nothing leaves no row stamped."""
    session.execute(delete(AlertBaseline))
    session.execute(delete(_income))
    lines = select(WageLine.worker_id, WageLine.period.label("month"), WageLine.amount_fen)
    adjustments = select(Adjustment.worker_id, Adjustment.adjusts_month.label("month"), Adjustment.amount_fen)
    both = union_all(lines, adjustments).subquery()
    total = func.sum(both.c.amount_fen)
    session.execute(insert(_income).from_select(
        ["worker_id", "month", "income_fen"],
        select(both.c.worker_id, both.c.month, total).group_by(both.c.worker_id, both.c.month).having(total != 0)))


def _upsert_postgresql(keys: list[IncomeKey], changes: Mapping[IncomeKey, int]):
    # the rows as three arrays: one parameter each, where a VALUES list binds three a row (app.db.rows)
    given = select(*(func.unnest(bindparam(name, values, type_=ARRAY(_income.c[name].type))).label(name)
                     for name, values in (("worker_id", [w for w, _ in keys]), ("month", [m for _, m in keys]),
                                          ("income_fen", [changes[key] for key in keys])))).subquery("given")
    statement = postgresql.insert(_income).from_select(["worker_id", "month", "income_fen"], select(given))
    return _adding(statement)


def _adding(statement):
    # an upsert's update leaves out the columns' update defaults: the change stamp is set here
    return statement.on_conflict_do_update(
        index_elements=[_income.c.worker_id, _income.c.month],
        set_={"income_fen": _income.c.income_fen + statement.excluded.income_fen, "stamp": change_stamp()})
