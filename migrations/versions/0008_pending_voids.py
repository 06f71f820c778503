"""pending voids

A void may arrive before the output it cancels (a device that was offline sends its day in any
order): it waits here, never paid, until its output is recorded, and is then applied or refused.

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, Sequence[str], None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "pending_voids",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("output_id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_voids")),
        sa.UniqueConstraint("event_id", name=op.f("uq_pending_voids_event_id")),
    )
    with op.batch_alter_table("pending_voids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_voids_output_id"), ["output_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_voids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_voids_output_id"))
    op.drop_table("pending_voids")
