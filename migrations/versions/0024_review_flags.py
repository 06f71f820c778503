"""review flags

Review flags (app.review): signs of fraud in a site's month, one per kind, subject, site and month, open until
someone dismisses or confirms them. Workers get lookup hashes of their phone and bank account (keyed, as the
national id's) so that one number shared across households is found without decrypting every row; the stored
numbers are hashed here, which needs the data keys when there are any (an empty database needs none).

Revision ID: 0024
Revises: 0022
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

revision: str = "0024"
down_revision: Union[str, Sequence[str], None] = "0022"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CONTACTS = ("phone", "bank_account")
workers = sa.table("workers", sa.column("id", sa.String),
                   *(sa.column(f"{name}_encrypted", sa.Text) for name in CONTACTS),
                   *(sa.column(f"{name}_hash", sa.String) for name in CONTACTS))
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        for name in CONTACTS:
            batch_op.add_column(sa.Column(f"{name}_hash", sa.String(length=64), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_workers_{name}_hash"), [f"{name}_hash"], unique=False)
    _hash_contacts()
    op.create_table("review_flags",
    sa.Column("id", sa.String(length=64), nullable=False),
    sa.Column("kind", sa.String(length=32), nullable=False),
    sa.Column("subject_type", sa.String(length=16), nullable=False),
    sa.Column("subject_id", sa.String(length=64), nullable=False),
    sa.Column("site_id", sa.String(length=64), nullable=False),
    sa.Column("month", sa.String(length=7), nullable=False),
    sa.Column("region_path", sa.String(length=600), nullable=False),
    sa.Column("reason_code", sa.String(length=32), nullable=False),
    sa.Column("reason_params", sa.JSON(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("resolved_by", sa.String(length=64), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
    sa.UniqueConstraint("kind", "subject_id", "site_id", "month",
                        name=op.f("uq_review_flags_kind_subject_id_site_id_month"))
    )
    with op.batch_alter_table("review_flags", schema=None) as batch_op:
        batch_op.create_index("ix_review_flags_region_path_status", ["region_path", "status"], unique=False)
        batch_op.create_index("ix_review_flags_site_month_status", ["site_id", "month", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_review_flags_site_month_status")
        batch_op.drop_index("ix_review_flags_region_path_status")
    op.drop_table("review_flags")
    with op.batch_alter_table("workers", schema=None) as batch_op:
        for name in CONTACTS:
            batch_op.drop_index(batch_op.f(f"ix_workers_{name}_hash"))
            batch_op.drop_column(f"{name}_hash")


def _hash_contacts() -> None:
    """Hash every stored phone and bank account under the newest lookup key."""
    stored = sa.or_(*(workers.c[f"{name}_encrypted"].is_not(None) for name in CONTACTS))
    if context.is_offline_mode():
        raise RuntimeError("migration 0024 hashes phones and bank accounts with the data keys: "
                           "run it online (flask --app app migrate)")
    bind = op.get_bind()
    ring = None
    # The rows are read whole before the first update (SQLite sorts them first; psycopg's cursor is client-side).
    for rows in bind.execute(sa.select(workers).where(stored).order_by(workers.c.id)).partitions(BATCH):
        ring = ring or _keyring()
        for row in rows:
            values = {f"{name}_hash": ring.lookup_hash(ring.decrypt(row._mapping[f"{name}_encrypted"]))
                      for name in CONTACTS if row._mapping[f"{name}_encrypted"] is not None}
            bind.execute(workers.update().where(workers.c.id == row.id).values(**values))


def _keyring():
    from app.access.data_keys import open_keyring
    from app.settings import Settings

    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    return open_keyring(Settings.from_env(), url)
