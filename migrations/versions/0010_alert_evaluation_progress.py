"""alert evaluation progress

The scheduled alert evaluation commits chunk by chunk: a month's row says whether every chunk is done,
and which chunk was done last, so that an evaluator stopped part-way resumes after it. The months
evaluated before were evaluated in one piece: they are done.

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: Union[str, Sequence[str], None] = "0009"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("alert_evaluations") as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="done"))
        batch_op.add_column(sa.Column("done_subjects", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("done_through", sa.String(length=64), nullable=True))
    with op.batch_alter_table("alert_evaluations") as batch_op:
        # the default only fills the rows already there: a new evaluation states its status
        batch_op.alter_column("status", server_default=None)


def downgrade() -> None:
    # a month evaluated part-way is evaluated again from the start, the alerts already raised skipped
    op.execute("DELETE FROM alert_evaluations WHERE status <> 'done'")
    with op.batch_alter_table("alert_evaluations") as batch_op:
        batch_op.drop_column("done_through")
        batch_op.drop_column("done_subjects")
        batch_op.drop_column("status")
