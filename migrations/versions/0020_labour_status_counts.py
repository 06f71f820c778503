"""labour status counts

Counts of labourers by status kept per area (a household's region, and the county it lies in), week and day, as
the moves a history makes: +1 on the first day of a run of one status, -1 on the status before it; and indexes
that let the referrals and hires of a period be found by their time. Filled here from the histories kept.

Revision ID: 0020
Revises: 0019
"""
from collections import Counter
from datetime import timedelta
from itertools import groupby
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: Union[str, Sequence[str], None] = "0019"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

HISTORIES = """SELECT c.worker_id, h.region_code, coalesce(p.willing_to_go_out, false), c.status, c.effective_date,
c.recorded_at, c.event_id, c.until FROM labour_status_changes c JOIN workers w ON w.id = c.worker_id
JOIN households h ON h.id = w.household_id LEFT JOIN labour_profiles p ON p.worker_id = c.worker_id
ORDER BY c.worker_id"""


def upgrade() -> None:
    for table, day in (("labour_status_weeks", "week"), ("labour_status_days", "day")):
        op.create_table(
            table,
            sa.Column("region_code", sa.String(length=32), nullable=False),
            sa.Column(day, sa.Date(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("willing", sa.Boolean(), nullable=False),
            sa.Column("change", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("region_code", day, "status", "willing", name=op.f(f"pk_{table}")),
        )
    op.create_index("ix_referrals_referred_at", "referrals", ["referred_at"])
    op.create_index("ix_referrals_hired_at", "referrals", ["hired_at"])
    _fill()


def downgrade() -> None:
    op.drop_index("ix_referrals_hired_at", table_name="referrals")
    op.drop_index("ix_referrals_referred_at", table_name="referrals")
    op.drop_table("labour_status_days")
    op.drop_table("labour_status_weeks")


def _fill() -> None:
    bind = op.get_bind()
    regions = dict(bind.execute(sa.text("SELECT code, path FROM regions")).all())
    counties = {code for (code,) in bind.execute(sa.text("SELECT code FROM regions WHERE level = 'county'"))}
    days: Counter = Counter()
    histories = sa.text(HISTORIES).columns(
        sa.column("worker_id"), sa.column("region_code"), sa.column("willing", sa.Boolean), sa.column("status"),
        sa.column("effective_date", sa.Date), sa.column("recorded_at"), sa.column("event_id"),
        sa.column("until", sa.Date))
    for (_, region, keen), rows in groupby(bind.execute(histories), key=lambda row: tuple(row[:3])):
        codes = regions[region].strip("/").split("/")
        county = next((code for code in codes if code in counties), None)
        for (first, state), n in _moves([tuple(row[3:]) for row in rows]).items():
            for area in (region,) if county in (None, region) else (region, county):
                days[(area, first, state, bool(keen))] += n
    weeks: Counter = Counter()
    for (area, first, state, keen), n in days.items():
        weeks[(area, first - timedelta(days=first.weekday()), state, keen)] += n
    for table, day, counts in (("labour_status_days", "day", days), ("labour_status_weeks", "week", weeks)):
        rows = [{"region_code": area, day: on, "status": state, "willing": keen, "change": n}
                for (area, on, state, keen), n in sorted(counts.items()) if n]
        if rows:
            bind.execute(sa.table(table, sa.column("region_code"), sa.column(day, sa.Date), sa.column("status"),
                                  sa.column("willing", sa.Boolean), sa.column("change")).insert(), rows)


def _moves(history: list[tuple]) -> Counter:
    """(first day, status) -> +1 where a run of the status begins, -1 for the one before it (labour.status)."""
    ordered = sorted(history, key=lambda change: change[1:4])  # effective, recorded, event id
    runs: list = []
    for n, (status, effective, _, _, until) in enumerate(ordered):
        following = ordered[n + 1][1] if n + 1 < len(ordered) else None
        if following == effective:
            continue
        parts = [(effective, status)] if until is None or until >= effective else []
        if until is not None and (following is None or until + timedelta(days=1) < following):
            parts.append((max(until + timedelta(days=1), effective), "idle"))
        for part in parts:
            if not runs or runs[-1][1] != part[1]:
                runs.append(part)
    moves: Counter = Counter()
    for n, (first, state) in enumerate(runs):
        moves[(first, state)] += 1
        if n:
            moves[(first, runs[n - 1][1])] -= 1
    return moves
