"""regions path prefix

An index on regions.path with text_pattern_ops, so that "the regions under this one" (a LIKE on a path prefix)
is an index range on PostgreSQL under any collation; the plain index serves equality and ordering.

Revision ID: 0019
Revises: 0018
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0019"
down_revision: Union[str, Sequence[str], None] = "0018"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index("ix_regions_path_prefix", ["path"], unique=False,
                              postgresql_ops={"path": "text_pattern_ops"})


def downgrade() -> None:
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index("ix_regions_path_prefix")
