"""retention of the intake, outbox and dedupe stores: how far each id store has been purged, and the time indexes
the purge finds old rows by (BRIN on PostgreSQL: the rows come in time order; a B-tree on SQLite)

Revision ID: 0030
Revises: 0027
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: Union[str, Sequence[str], None] = "0027"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TIME_INDEXES = (("ix_received_events_received_at", "received_events", "received_at"),
                ("ix_processed_events_processed_at", "processed_events", "processed_at"),
                ("ix_event_log_created_at", "event_log", "created_at"))


def upgrade() -> None:
    op.create_table(
        "retention_horizons",
        sa.Column("store", sa.String(length=64), nullable=False),
        sa.Column("horizon", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("store", name=op.f("pk_retention_horizons")))
    for name, table, column in TIME_INDEXES:
        op.create_index(name, table, [column], unique=False, postgresql_using="brin")


def downgrade() -> None:
    for name, table, _ in TIME_INDEXES:
        op.drop_index(name, table_name=table, postgresql_using="brin")
    op.drop_table("retention_horizons")
