"""household sizes

A household's size from a month on, kept once its size first changes, so that each month's per-capita income and
the alert rules divide by the size of that month.

Revision ID: 0021
Revises: 0020
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: Union[str, Sequence[str], None] = "0020"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("household_sizes",
    sa.Column("household_id", sa.String(length=64), nullable=False),
    sa.Column("from_month", sa.String(length=7), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["household_id"], ["households.id"],
                            name=op.f("fk_household_sizes_household_id_households")),
    sa.PrimaryKeyConstraint("household_id", "from_month", name=op.f("pk_household_sizes"))
    )


def downgrade() -> None:
    op.drop_table("household_sizes")
