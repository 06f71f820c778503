"""vacancy interests

Interest shown in a vacancy on its public page: a name and a phone (encrypted) for the cadre of the village the
labourer gave, new until the cadre has handled it.

Revision ID: 0018
Revises: 0017
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: Union[str, Sequence[str], None] = "0017"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("vacancy_interests",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("vacancy_id", sa.String(length=64), nullable=False),
    sa.Column("region_code", sa.String(length=32), nullable=False),
    sa.Column("name_encrypted", sa.Text(), nullable=False),
    sa.Column("phone_encrypted", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("handled_by", sa.String(length=200), nullable=True),
    sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_vacancy_interests_region_code_regions")),
    sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], name=op.f("fk_vacancy_interests_vacancy_id_vacancies")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancy_interests"))
    )
    with op.batch_alter_table("vacancy_interests", schema=None) as batch_op:
        batch_op.create_index("ix_vacancy_interests_region_created", ["region_code", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_vacancy_interests_vacancy_id"), ["vacancy_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vacancy_interests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vacancy_interests_vacancy_id"))
        batch_op.drop_index("ix_vacancy_interests_region_created")
    op.drop_table("vacancy_interests")
