"""area weeks

Counts kept per area (a site's region, and the county it lies in) and ISO week: the workers at work, the poor
ones among them and the workshops resumed, with the rows that make each worker and workshop count once
(area_week_workers, site_weeks), so that the county at a glance reads a row per village and week. Filled here
from the weeks at work already kept (site_week_workers), a statement for each table.

Revision ID: 0017
Revises: 0016
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: Union[str, Sequence[str], None] = "0016"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# each site's areas: its own region, and the county above it, found up the parents
AREAS = """
WITH RECURSIVE above(site_id, code, level, parent_code, depth) AS (
    SELECT s.id, r.code, r.level, r.parent_code, 0 FROM sites s JOIN regions r ON r.code = s.region_code
    UNION ALL
    SELECT a.site_id, p.code, p.level, p.parent_code, a.depth + 1 FROM above a JOIN regions p ON p.code = a.parent_code
    WHERE a.level <> 'county'
), areas AS (SELECT DISTINCT site_id, code FROM above WHERE depth = 0 OR level = 'county')
"""
FILL = (
    AREAS + """INSERT INTO area_week_workers (week, region_code, worker_id, sites)
SELECT w.week, a.code, w.worker_id, count(*) FROM site_week_workers w JOIN areas a ON a.site_id = w.site_id
GROUP BY w.week, a.code, w.worker_id""",
    """INSERT INTO site_weeks (week, site_id, workers)
SELECT week, site_id, count(*) FROM site_week_workers GROUP BY week, site_id""",
    AREAS + """, at_work AS (
    SELECT a.week, a.region_code, count(*) AS workers,
           count(CASE WHEN h.status IN ('poor', 'monitored') THEN 1 END) AS poor
    FROM area_week_workers a JOIN workers w ON w.id = a.worker_id JOIN households h ON h.id = w.household_id
    GROUP BY a.week, a.region_code
), resumed AS (
    SELECT sw.week, a.code AS region_code, count(*) AS workshops
    FROM site_weeks sw JOIN sites s ON s.id = sw.site_id JOIN areas a ON a.site_id = sw.site_id
    WHERE s.kind = 'workshop' GROUP BY sw.week, a.code
)
INSERT INTO area_weeks (week, region_code, workers_at_work, poor_workers_at_work, workshops_resumed)
SELECT w.week, w.region_code, w.workers, w.poor, coalesce(r.workshops, 0)
FROM at_work w LEFT JOIN resumed r ON r.week = w.week AND r.region_code = w.region_code""",
)


def upgrade() -> None:
    op.create_table(
        "area_week_workers",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("sites", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "region_code", "worker_id", name=op.f("pk_area_week_workers")),
    )
    op.create_table(
        "site_weeks",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "site_id", name=op.f("pk_site_weeks")),
    )
    op.create_table(
        "area_weeks",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("workers_at_work", sa.Integer(), nullable=False),
        sa.Column("poor_workers_at_work", sa.Integer(), nullable=False),
        sa.Column("workshops_resumed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("week", "region_code", name=op.f("pk_area_weeks")),
    )
    for statement in FILL:
        op.execute(statement)


def downgrade() -> None:
    for table in ("area_weeks", "site_weeks", "area_week_workers"):
        op.drop_table(table)
