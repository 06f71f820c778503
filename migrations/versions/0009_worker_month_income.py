"""worker month income

A worker's income per month (wage lines dated in it plus the adjustments of it), kept by the consumers
with the lines they write, so that alerts read income without summing every wage line. Filled here from
the lines and adjustments already stored.

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: Union[str, Sequence[str], None] = "0008"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FILL = """
INSERT INTO worker_month_income (worker_id, month, income_fen)
SELECT worker_id, month, sum(amount_fen) FROM (
    SELECT worker_id, period AS month, amount_fen FROM wage_lines
    UNION ALL
    SELECT worker_id, adjusts_month AS month, amount_fen FROM adjustments
) AS income
GROUP BY worker_id, month
HAVING sum(amount_fen) <> 0
"""


def upgrade() -> None:
    op.create_table(
        "worker_month_income",
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("income_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "month", name=op.f("pk_worker_month_income")),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("worker_month_income")
