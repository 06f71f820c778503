"""leave a fifth of each wage_lines page free, for the monthly lines' rewrites

A public-welfare post's line (one a month) is rewritten with each attendance day of its month. On
pages that COPY had filled, each rewrite put the new row on another page and a new entry into each of
the table's four indexes. With room on the page PostgreSQL rewrites the row in place and touches no
index (a HOT update: no indexed column changes), at half the cost (docs/benchmarks.md). A fifth fits
the day's rewrite of the monthly lines that share a page with day lines; pages of day lines only are a
quarter larger. Existing pages keep their fill until rewritten. SQLite has no such setting.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE wage_lines SET (fillfactor = 80)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE wage_lines RESET (fillfactor)")
