"""index wage lines by site and month

Approval, the period report and the payroll sheet read one site's month; without this index
each reads every line of the month (month close grew with sites x lines: docs/benchmarks.md).

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0005"
down_revision: Union[str, Sequence[str], None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_wage_lines_site_period", "wage_lines", ["site_id", "period"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_wage_lines_site_period", table_name="wage_lines")
