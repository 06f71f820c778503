"""index payment lines by worker

A worker's balance sums the payment lines the bank confirmed for them; the only index on
payment_lines starts with the site, so that sum read the whole table once payments existed.

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_payment_lines_worker_month", "payment_lines", ["worker_id", "month"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_payment_lines_worker_month", table_name="payment_lines")
