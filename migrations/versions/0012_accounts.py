"""accounts: people who sign in to the pages

An account carries a token's role, region and sites, with a password hash, a count of failed sign-ins
and a lock-out, and a session version that a password reset bumps.

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: Union[str, Sequence[str], None] = "0011"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("login", name=op.f("uq_accounts_login")),
        sa.ForeignKeyConstraint(["region_code"], ["regions.code"], name=op.f("fk_accounts_region_code_regions")),
    )
    op.create_table(
        "account_sites",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "site_id", name=op.f("pk_account_sites")),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_account_sites_account_id_accounts")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_account_sites_site_id_sites")),
    )


def downgrade() -> None:
    op.drop_table("account_sites")
    op.drop_table("accounts")
