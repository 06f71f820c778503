"""the ledger's work records and wage lines partitioned by month on PostgreSQL

On PostgreSQL `attendance_records` (by work_date) and `wage_lines` (by period) become partitioned tables with a
partition a month (of every month their rows hold, this month and the next two) and a DEFAULT one
(app/db/partitions.py); the rows are moved in. A unique key of a partitioned table holds its partition key:
wage_lines' primary key becomes (id, period) and its unique (assignment_id, work_date) takes the period too,
which a line's work date decides, so that nothing it allowed or refused changes. SQLite keeps plain tables,
with the same unique key as the models declare. A downgrade makes plain tables of the rows again; a month
archived (detached) stays out of them.

Revision ID: 0035
Revises: 0034
"""
from datetime import date
from typing import Sequence, Union

from alembic import op
from sqlalchemy import text

from app.db.partitions import MONTHS_AHEAD, PARTITIONED, months_from, months_of_rows

revision: str = "0035"
down_revision: Union[str, Sequence[str], None] = "0034"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The keys and indexes each table has, partitioned (the models' own) and plain (before this revision).
PARTITIONED_KEYS = {
    "attendance_records": [
        "ALTER TABLE attendance_records ADD CONSTRAINT pk_attendance_records "
        "PRIMARY KEY (worker_id, site_id, work_date)",
    ],
    "wage_lines": [
        "ALTER TABLE wage_lines ADD CONSTRAINT pk_wage_lines PRIMARY KEY (id, period)",
        "ALTER TABLE wage_lines ADD CONSTRAINT uq_wage_lines_assignment_id_work_date_period "
        "UNIQUE (assignment_id, work_date, period)",
    ],
}
PLAIN_KEYS = {
    "attendance_records": PARTITIONED_KEYS["attendance_records"],
    "wage_lines": [
        "ALTER TABLE wage_lines ADD CONSTRAINT pk_wage_lines PRIMARY KEY (id)",
        "ALTER TABLE wage_lines ADD CONSTRAINT uq_wage_lines_assignment_id_work_date UNIQUE (assignment_id, work_date)",
    ],
}
INDEXES = {
    "attendance_records": [
        "CREATE INDEX ix_attendance_records_site_date ON attendance_records (site_id, work_date)",
        "CREATE INDEX ix_attendance_records_stamp ON attendance_records USING brin (stamp) WITH (autosummarize = on)",
    ],
    "wage_lines": [
        "CREATE INDEX ix_wage_lines_worker_period ON wage_lines (worker_id, period)",
        "CREATE INDEX ix_wage_lines_site_period ON wage_lines (site_id, period)",
        "ALTER TABLE wage_lines ADD CONSTRAINT fk_wage_lines_assignment_id_assignments "
        "FOREIGN KEY (assignment_id) REFERENCES assignments (id)",
    ],
}
SEQUENCES = {"wage_lines": "wage_lines_id_seq"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("wage_lines") as batch_op:
            batch_op.drop_constraint("uq_wage_lines_assignment_id_work_date", type_="unique")
            batch_op.create_unique_constraint("uq_wage_lines_assignment_id_work_date_period",
                                              ["assignment_id", "work_date", "period"])
        return
    for spec in PARTITIONED:
        _set_aside(spec.table, "plain")
        op.execute(f"CREATE TABLE {spec.table} (LIKE {spec.table}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
                   f"{spec.clause}")
        months = months_of_rows(op.get_bind(), [spec], lambda s: f"{s.table}_plain")
        for month in sorted(months | set(months_from(date.today(), MONTHS_AHEAD))):
            op.execute(f"CREATE TABLE {spec.partition(month)} PARTITION OF {spec.table} {spec.bounds(month)}")
        op.execute(f"CREATE TABLE {spec.default} PARTITION OF {spec.table} DEFAULT")
        _move_in(spec.table, "plain", PARTITIONED_KEYS[spec.table])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        with op.batch_alter_table("wage_lines") as batch_op:
            batch_op.drop_constraint("uq_wage_lines_assignment_id_work_date_period", type_="unique")
            batch_op.create_unique_constraint("uq_wage_lines_assignment_id_work_date", ["assignment_id", "work_date"])
        return
    for spec in PARTITIONED:
        _set_aside(spec.table, "parted")
        op.execute(f"CREATE TABLE {spec.table} (LIKE {spec.table}_parted INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        _move_in(spec.table, "parted", PLAIN_KEYS[spec.table])


def _set_aside(table: str, suffix: str) -> None:
    """Rename the table and its indexes (whose names are the schema's, one namespace) out of the way."""
    op.execute(f"ALTER TABLE {table} RENAME TO {table}_{suffix}")
    indexes = op.get_bind().scalars(text(
        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t "
        "ON t.oid = x.indrelid WHERE t.relname = :t AND pg_table_is_visible(t.oid)"), {"t": f"{table}_{suffix}"})
    for index in list(indexes):
        op.execute(f"ALTER INDEX {index} RENAME TO {index}_{suffix}")


def _move_in(table: str, suffix: str, keys: list[str]) -> None:
    """Copy the rows set aside into `table`, then build its keys and indexes (faster after than during the copy),
    give it the sequence of its ids, and drop what was set aside."""
    op.execute(f"INSERT INTO {table} SELECT * FROM {table}_{suffix}")
    for statement in keys + INDEXES[table]:
        op.execute(statement)
    if table in SEQUENCES:
        op.execute(f"ALTER SEQUENCE {SEQUENCES[table]} OWNED BY {table}.id")
    op.execute(f"DROP TABLE {table}_{suffix} CASCADE")
