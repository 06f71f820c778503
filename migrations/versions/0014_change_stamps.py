"""change stamps

The rows the alert rules read carry the stamp of the transaction that last wrote them (app/db/stamps.py), and
each month's last complete evaluation by schedule is kept as a baseline: a second evaluation of the month reads
only the households and sites whose rows were written since. The rows already stored have no stamp: every
evaluation's watermark is after them.

Revision ID: 0014
Revises: 0012
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: Union[str, Sequence[str], None] = "0012"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STAMPED = ("worker_month_income", "households", "assignments", "attendance_records", "output_records",
           "period_transitions", "approved_pay", "payment_lines")
INDEXED = ("attendance_records", "output_records", "approved_pay", "payment_lines")  # the large ones
POSTGRESQL_STAMP = "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)"  # as app/db/stamps.py writes it


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in STAMPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("stamp", sa.BigInteger(), nullable=True))
        if postgresql:
            # for the rows written by COPY; set after the column is added, so that the rows stored keep NULL
            op.execute(f"ALTER TABLE {table} ALTER COLUMN stamp SET DEFAULT {POSTGRESQL_STAMP}")
    for table in INDEXED:
        op.create_index(f"ix_{table}_stamp", table, ["stamp"], postgresql_using="brin",
                        postgresql_with={"autosummarize": "on"})
    with op.batch_alter_table("alert_evaluations") as batch_op:
        batch_op.add_column(sa.Column("stamp", sa.BigInteger(), nullable=True))
    op.create_table(
        "alert_baselines",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        sa.Column("thresholds", sa.Text(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_alert_baselines")),
    )
    clock = op.create_table(
        "change_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_clock")),
    )
    op.bulk_insert(clock, [{"id": 1, "stamp": 0}])


def downgrade() -> None:
    op.drop_table("change_clock")
    op.drop_table("alert_baselines")
    with op.batch_alter_table("alert_evaluations") as batch_op:
        batch_op.drop_column("stamp")
    for table in INDEXED:
        op.drop_index(f"ix_{table}_stamp", table_name=table)
    for table in STAMPED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("stamp")
