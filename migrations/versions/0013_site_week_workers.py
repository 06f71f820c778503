"""site week workers

Which workers were at work at which site in each ISO week, kept by the consumers with the work records they
write, so that the county at a glance counts a row a worker and week instead of reading every day. Filled
here from the work records already stored.

Revision ID: 0013
Revises: 0012
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONDAY = {"postgresql": "CAST(date_trunc('week', work_date) AS DATE)",
          "sqlite": "date(work_date, 'weekday 0', '-6 days')"}

FILL = """
INSERT INTO site_week_workers (worker_id, site_id, week)
SELECT worker_id, site_id, {monday} FROM attendance_records WHERE status IN ('present', 'half_day')
UNION
SELECT worker_id, site_id, {monday} FROM output_records WHERE voided_by IS NULL
"""


def upgrade() -> None:
    op.create_table(
        "site_week_workers",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("week", "site_id", "worker_id", name=op.f("pk_site_week_workers")),
    )
    op.execute(FILL.format(monday=MONDAY[op.get_bind().dialect.name]))


def downgrade() -> None:
    op.drop_table("site_week_workers")
