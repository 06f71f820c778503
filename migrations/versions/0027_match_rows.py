"""matching's narrow rows: one a labourer with a profile and one an open vacancy, indexed by each level of the
region tree so that a ring's best candidates come out under a LIMIT; filled from the tables they are kept from

Revision ID: 0027
Revises: 0026
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: Union[str, Sequence[str], None] = "0026"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LEVELS = ("province", "city", "county", "township", "village")


def _levels() -> list[sa.Column]:
    return [sa.Column(level, sa.String(length=32), nullable=True) for level in LEVELS]


def upgrade() -> None:
    op.create_table(
        "match_labourers",
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("household_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=600), nullable=False),
        *_levels(),
        sa.Column("reach", sa.Integer(), nullable=False),
        sa.Column("heaviest", sa.Integer(), nullable=False),
        sa.Column("busy_from", sa.Date(), nullable=True),
        sa.Column("busy_until", sa.Date(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("travel_range", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("open_alert", sa.Boolean(), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_match_labourers_worker_id_workers")),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_match_labourers")))
    op.create_index("ix_match_labourers_household_id", "match_labourers", ["household_id"])
    op.create_table(
        "match_vacancies",
        sa.Column("vacancy_id", sa.String(length=64), nullable=False),
        *_levels(),
        sa.Column("demand", sa.Integer(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], name=op.f("fk_match_vacancies_vacancy_id_vacancies")),
        sa.PrimaryKeyConstraint("vacancy_id", name=op.f("pk_match_vacancies")))
    for level in LEVELS:
        op.create_index(f"ix_match_labourers_{level}", "match_labourers", [level, "priority", "worker_id"])
        op.create_index(f"ix_match_vacancies_{level}", "match_vacancies", [level, "vacancy_id"])
    from app.jobs.match_rows import refill_match_rows  # the rows of what is already stored
    refill_match_rows(op.get_bind())


def downgrade() -> None:
    op.drop_table("match_vacancies")
    op.drop_table("match_labourers")
