"""jobs registry

Labourers" profiles and employment status (a history and the current view), the migrant workforce baseline per
region and year, employers (each with a site of its own, through which its hires are paid), vacancies and
referrals.

Revision ID: 0015
Revises: 0014
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: Union[str, Sequence[str], None] = "0014"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table("labour_baselines",
    sa.Column("region_code", sa.String(length=32), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("migrant_workers", sa.Integer(), nullable=False),
    sa.Column("poor_migrant_workers", sa.Integer(), nullable=True),
    sa.Column("source", sa.String(length=16), nullable=False),
    sa.Column("recorded_by", sa.String(length=200), nullable=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_labour_baselines_region_code_regions")),
    sa.PrimaryKeyConstraint("region_code", "year", name=op.f("pk_labour_baselines"))
    )
    op.create_table("employers",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("region_code", sa.String(length=32), nullable=False),
    sa.Column("office_region_code", sa.String(length=32), nullable=False),
    sa.Column("site_id", sa.String(length=64), nullable=False),
    sa.Column("contact", sa.String(length=200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["office_region_code"], ["regions.code"],
                            name=op.f("fk_employers_office_region_code_regions")),
    sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_employers_region_code_regions")),
    sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_employers_site_id_sites")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_employers")),
    sa.UniqueConstraint("site_id", name=op.f("uq_employers_site_id"))
    )
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employers_office_region_code"), ["office_region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_employers_region_code"), ["region_code"], unique=False)

    op.create_table("labour_profiles",
    sa.Column("worker_id", sa.String(length=64), nullable=False),
    sa.Column("skills", sa.JSON(), nullable=False),
    sa.Column("tags", sa.JSON(), nullable=False),
    sa.Column("education", sa.String(length=24), nullable=True),
    sa.Column("birth_year", sa.Integer(), nullable=True),
    sa.Column("max_physical_demand", sa.String(length=8), nullable=False),
    sa.Column("health_note", sa.Text(), nullable=True),
    sa.Column("travel_range", sa.String(length=16), nullable=False),
    sa.Column("caregiving", sa.JSON(), nullable=False),
    sa.Column("willing_to_go_out", sa.Boolean(), nullable=False),
    sa.Column("preferred_kinds", sa.JSON(), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_labour_profiles_worker_id_workers")),
    sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_labour_profiles"))
    )
    op.create_table("labour_status_changes",
    sa.Column("event_id", sa.String(length=64), nullable=False),
    sa.Column("worker_id", sa.String(length=64), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("effective_date", sa.Date(), nullable=False),
    sa.Column("until", sa.Date(), nullable=True),
    sa.Column("region_code", sa.String(length=32), nullable=True),
    sa.Column("place", sa.String(length=200), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("assignment_id", sa.String(length=64), nullable=True),
    sa.Column("recorded_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_labour_status_changes_worker_id_workers")),
    sa.PrimaryKeyConstraint("event_id", name=op.f("pk_labour_status_changes"))
    )
    with op.batch_alter_table("labour_status_changes", schema=None) as batch_op:
        batch_op.create_index("ix_labour_status_changes_worker_date", ["worker_id", "effective_date"], unique=False)

    op.create_table("labour_statuses",
    sa.Column("worker_id", sa.String(length=64), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("effective_date", sa.Date(), nullable=False),
    sa.Column("until", sa.Date(), nullable=True),
    sa.Column("region_code", sa.String(length=32), nullable=True),
    sa.Column("place", sa.String(length=200), nullable=True),
    sa.Column("assignment_id", sa.String(length=64), nullable=True),
    sa.Column("event_id", sa.String(length=64), nullable=False),
    sa.Column("recorded_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_labour_statuses_worker_id_workers")),
    sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_labour_statuses"))
    )
    with op.batch_alter_table("labour_statuses", schema=None) as batch_op:
        batch_op.create_index("ix_labour_statuses_status", ["status"], unique=False)

    op.create_table("vacancies",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("site_id", sa.String(length=64), nullable=False),
    sa.Column("employer_id", sa.String(length=64), nullable=True),
    sa.Column("region_code", sa.String(length=32), nullable=False),
    sa.Column("office_region_code", sa.String(length=32), nullable=False),
    sa.Column("title", sa.String(length=200), nullable=False),
    sa.Column("kind", sa.String(length=24), nullable=True),
    sa.Column("count", sa.Integer(), nullable=False),
    sa.Column("hired", sa.Integer(), nullable=False),
    sa.Column("skills", sa.JSON(), nullable=False),
    sa.Column("physical_demand", sa.String(length=8), nullable=False),
    sa.Column("scheme", sa.JSON(), nullable=False),
    sa.Column("full_time", sa.Boolean(), nullable=False),
    sa.Column("start_date", sa.Date(), nullable=False),
    sa.Column("end_date", sa.Date(), nullable=True),
    sa.Column("housing", sa.Boolean(), nullable=False),
    sa.Column("poor_first", sa.Boolean(), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("status", sa.String(length=8), nullable=False),
    sa.Column("posted_event_id", sa.String(length=64), nullable=False),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("posted_by", sa.String(length=200), nullable=True),
    sa.Column("filled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("close_reason", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["employer_id"], ["employers.id"], name=op.f("fk_vacancies_employer_id_employers")),
    sa.ForeignKeyConstraint(["office_region_code"], ["regions.code"],
                            name=op.f("fk_vacancies_office_region_code_regions")),
    sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_vacancies_region_code_regions")),
    sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_vacancies_site_id_sites")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_vacancies"))
    )
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancies_employer_id"), ["employer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vacancies_office_region_code"), ["office_region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_vacancies_site_id"), ["site_id"], unique=False)
        batch_op.create_index("ix_vacancies_status_region", ["status", "region_code"], unique=False)

    op.create_table("referrals",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("vacancy_id", sa.String(length=64), nullable=False),
    sa.Column("worker_id", sa.String(length=64), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("referred_by", sa.String(length=200), nullable=True),
    sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("decline_reason", sa.Text(), nullable=True),
    sa.Column("hired_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("start_date", sa.Date(), nullable=True),
    sa.Column("assignment_id", sa.String(length=64), nullable=True),
    sa.Column("ended_reason", sa.Text(), nullable=True),
    sa.Column("last_event_id", sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(["assignment_id"], ["assignments.id"], name=op.f("fk_referrals_assignment_id_assignments")),
    sa.ForeignKeyConstraint(["vacancy_id"], ["vacancies.id"], name=op.f("fk_referrals_vacancy_id_vacancies")),
    sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_referrals_worker_id_workers")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    sa.UniqueConstraint("assignment_id", name=op.f("uq_referrals_assignment_id")),
    sa.UniqueConstraint("vacancy_id", "worker_id", name=op.f("uq_referrals_vacancy_id_worker_id"))
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_vacancy_id"), ["vacancy_id"], unique=False)
        batch_op.create_index("ix_referrals_worker_status", ["worker_id", "status"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_worker_status")
        batch_op.drop_index(batch_op.f("ix_referrals_vacancy_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("vacancies", schema=None) as batch_op:
        batch_op.drop_index("ix_vacancies_status_region")
        batch_op.drop_index(batch_op.f("ix_vacancies_site_id"))
        batch_op.drop_index(batch_op.f("ix_vacancies_office_region_code"))
        batch_op.drop_index(batch_op.f("ix_vacancies_employer_id"))

    op.drop_table("vacancies")
    with op.batch_alter_table("labour_statuses", schema=None) as batch_op:
        batch_op.drop_index("ix_labour_statuses_status")

    op.drop_table("labour_statuses")
    with op.batch_alter_table("labour_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_labour_status_changes_worker_date")

    op.drop_table("labour_status_changes")
    op.drop_table("labour_profiles")
    with op.batch_alter_table("employers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employers_region_code"))
        batch_op.drop_index(batch_op.f("ix_employers_office_region_code"))

    op.drop_table("employers")
    op.drop_table("labour_baselines")
