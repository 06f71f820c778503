"""payment lines keep the account they are sent to

Each payment line gets `bank_account_encrypted`, the full account its line was made for (a Fernet token, as the
worker's own), so the bank file names the line's account rather than the worker's account of the day.

Lines made before this revision are filled from their worker's account as it is now: the token is copied as it
is, so no data key is needed. That is an approximation: a line whose worker changed account after its batch was
made gets the new account, not the one it was sent to; it is the account the bank file of such a line showed
before this revision anyway, and the line's masked account (kept since the batch was made) still says which
account was used.

Revision ID: 0022
Revises: 0021
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: Union[str, Sequence[str], None] = "0021"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

payment_lines = sa.table("payment_lines", sa.column("worker_id", sa.String),
                         sa.column("bank_account_encrypted", sa.Text))
workers = sa.table("workers", sa.column("id", sa.String), sa.column("bank_account_encrypted", sa.Text))


def upgrade() -> None:
    # A plain ADD COLUMN: rebuilding `payment_lines` on SQLite would trip the foreign keys to it.
    op.add_column("payment_lines", sa.Column("bank_account_encrypted", sa.Text(), nullable=True))
    current = (sa.select(workers.c.bank_account_encrypted)
               .where(workers.c.id == payment_lines.c.worker_id).scalar_subquery())
    op.execute(payment_lines.update().values(bank_account_encrypted=current))


def downgrade() -> None:
    op.drop_column("payment_lines", "bank_account_encrypted")
