"""index work records by site and day

The alert evaluation reads each site's last recorded days: walked down an index of the site's days,
a step a day, where without one it sorted a year of every site's records.

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0011"
down_revision: Union[str, Sequence[str], None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_attendance_records_site_date", "attendance_records", ["site_id", "work_date"])
    op.create_index("ix_output_records_site_date", "output_records", ["site_id", "work_date"])


def downgrade() -> None:
    op.drop_index("ix_output_records_site_date", table_name="output_records")
    op.drop_index("ix_attendance_records_site_date", table_name="attendance_records")
