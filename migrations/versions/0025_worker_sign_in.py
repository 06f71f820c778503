"""workers sign in with their phone: its lookup hash, one-time codes, and the outbox of their messages

Every stored phone's lookup hash (a column of 0024) is made again from the number as a worker signs in with it
(app.db.phones: a mainland mobile, however written; any other phone has none), under the newest lookup key, which
needs the data keys when there are phones (an empty database needs none). A downgrade leaves these hashes.

Revision ID: 0025
Revises: 0024
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

revision: str = "0025"
down_revision: Union[str, Sequence[str], None] = "0024"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

workers = sa.table("workers", sa.column("id", sa.String), sa.column("phone_encrypted", sa.Text),
                   sa.column("phone_hash", sa.String))


def upgrade() -> None:
    _hash_phones()
    op.create_table(
        "sign_in_codes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")))
    op.create_index("ix_sign_in_codes_phone_created", "sign_in_codes", ["phone_hash", "created_at"], unique=False)
    op.create_index(op.f("ix_sign_in_codes_expires_at"), "sign_in_codes", ["expires_at"], unique=False)
    op.create_table(
        "worker_messages",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["worker_id"], ["workers.id"], name=op.f("fk_worker_messages_worker_id_workers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_messages")))
    op.create_index("ix_worker_messages_due", "worker_messages", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_worker_messages_worker_id"), "worker_messages", ["worker_id"], unique=False)
    op.create_table(
        "message_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["worker_messages.id"],
                                name=op.f("fk_message_attempts_message_id_worker_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attempts")))
    op.create_index(op.f("ix_message_attempts_message_id"), "message_attempts", ["message_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_message_attempts_message_id"), table_name="message_attempts")
    op.drop_table("message_attempts")
    op.drop_index(op.f("ix_worker_messages_worker_id"), table_name="worker_messages")
    op.drop_index("ix_worker_messages_due", table_name="worker_messages")
    op.drop_table("worker_messages")
    op.drop_index(op.f("ix_sign_in_codes_expires_at"), table_name="sign_in_codes")
    op.drop_index("ix_sign_in_codes_phone_created", table_name="sign_in_codes")
    op.drop_table("sign_in_codes")


def _hash_phones() -> None:
    """The lookup hash of every stored phone that is a mainland mobile number; none for any other."""
    if context.is_offline_mode():
        raise RuntimeError("migration 0025 hashes phones with the data keys: run it online (flask --app app migrate)")
    bind = op.get_bind()
    rows = bind.execute(sa.select(workers.c.id, workers.c.phone_encrypted)
                        .where(workers.c.phone_encrypted.is_not(None))).all()
    if not rows:
        return
    from app.db.phones import mobile_number, phone_lookup_value

    ring = _keyring()
    for worker_id, stored in rows:
        number = mobile_number(ring.decrypt(stored))
        bind.execute(workers.update().where(workers.c.id == worker_id).values(
            phone_hash=None if number is None else ring.lookup_hash(phone_lookup_value(number))))


def _keyring():
    from app.access.data_keys import open_keyring
    from app.settings import Settings

    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    return open_keyring(Settings.from_env(), url)
