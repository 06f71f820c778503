"""a vacancy's interests name it by id alone: a rebuild empties the vacancies, which the replay then posts again

Revision ID: 0034
Revises: 0030
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0034"
down_revision: Union[str, Sequence[str], None] = "0030"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("vacancy_interests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_vacancy_interests_vacancy_id_vacancies"), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("vacancy_interests", schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f("fk_vacancy_interests_vacancy_id_vacancies"), "vacancies",
                                    ["vacancy_id"], ["id"])
