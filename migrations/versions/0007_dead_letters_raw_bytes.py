"""keep a dead letter's raw bytes

A parked message was kept as text: a value PostgreSQL cannot hold as text (a NUL byte) could not be parked
at all, and invalid UTF-8 was replaced on the way in, so a replay did not send back what had come. The
value and key are now kept as bytes, with their headers; `payload` and `key` stay as readable previews.

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: Union[str, Sequence[str], None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_letters = sa.table("dead_letters", sa.column("id", sa.BigInteger), sa.column("key", sa.String),
                    sa.column("payload", sa.Text), sa.column("value", sa.LargeBinary),
                    sa.column("raw_key", sa.LargeBinary))


def upgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("raw_key", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))
    connection = op.get_bind()
    # The old rows held their text as it was decoded: its UTF-8 bytes are the closest to what came.
    for row in connection.execute(sa.select(_letters.c.id, _letters.c.key, _letters.c.payload)).all():
        connection.execute(_letters.update().where(_letters.c.id == row.id).values(
            value=row.payload.encode(), raw_key=row.key.encode() if row.key is not None else None))
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.LargeBinary(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("headers")
        batch_op.drop_column("raw_key")
        batch_op.drop_column("value")
