"""workers dispute a day of their pay: the disputes and the supervisor's answers

Revision ID: 0026
Revises: 0025
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: Union[str, Sequence[str], None] = "0025"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("region_path", sa.String(length=600), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("claimed", sa.String(length=16), nullable=True),
        sa.Column("product", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("corrections", sa.JSON(), nullable=False),
        sa.Column("last_event_id", sa.String(length=64), nullable=False),
        sa.Column("answer_event_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")))
    op.create_index("ix_disputes_worker_month", "disputes", ["worker_id", "month"], unique=False)
    op.create_index("ix_disputes_site_month_status", "disputes", ["site_id", "month", "status"], unique=False)
    op.create_index("ix_disputes_region_path_status", "disputes", ["region_path", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_disputes_region_path_status", table_name="disputes")
    op.drop_index("ix_disputes_site_month_status", table_name="disputes")
    op.drop_index("ix_disputes_worker_month", table_name="disputes")
    op.drop_table("disputes")
