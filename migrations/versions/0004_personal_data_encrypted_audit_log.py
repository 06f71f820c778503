"""personal data encrypted at rest; the append-only audit log

Workers' national id, phone and bank account move to `*_encrypted` columns (Fernet tokens under
STABLEWORK_DATA_KEYS, read the way the application reads it: app.access.data_keys.open_keyring), with a keyed
lookup hash of the national id; the clear columns are emptied and dropped. An empty database needs no
key. Stored idempotent answers of POST /workers (they could hold an admin's clear answer) are forgotten:
a retry of one gets a 409, as for a lost answer. The audit log refuses UPDATE and DELETE by trigger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:02:59.274090

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

PERSONAL = ("national_id", "phone", "bank_account")

workers = sa.table("workers", sa.column("id", sa.String), sa.column("national_id_hash", sa.String),
                   *(sa.column(name, sa.String) for name in PERSONAL),
                   *(sa.column(f"{name}_encrypted", sa.Text) for name in PERSONAL))
idempotency_records = sa.table("idempotency_records", sa.column("method", sa.String), sa.column("path", sa.String),
                               sa.column("status_code", sa.Integer), sa.column("content_type", sa.String),
                               sa.column("response_body", sa.Text))

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_log_no_{action.lower()} BEFORE {action} ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for action in ("UPDATE", "DELETE")
]
POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END $$""",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    """Upgrade schema."""
    if context.is_offline_mode():
        # The clear values are encrypted in Python on the way: an SQL script would just drop them.
        raise RuntimeError("migration 0004 encrypts personal data: run it online (flask --app app migrate)")
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # Pages freed below (the clear values) are overwritten with zeros, not left in the file.
        op.execute("PRAGMA secure_delete = ON")

    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_token_id', sa.String(length=64), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('method', sa.String(length=8), nullable=True),
    sa.Column('endpoint', sa.String(length=200), nullable=True),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_key', sa.String(length=300), nullable=False),
    sa.Column('region_path', sa.String(length=600), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_region_path'), ['region_path'], unique=False)
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS:
        op.execute(statement)

    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('national_id_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('national_id_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_encrypted', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('bank_account_encrypted', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_workers_national_id_hash'), ['national_id_hash'], unique=False)
    _encrypt_clear_values()
    # A plain DROP COLUMN (SQLite >= 3.35 has it): rebuilding `workers` would trip the foreign keys to it.
    for name in PERSONAL:
        op.drop_column('workers', name)

    op.execute(idempotency_records.update()
               .where(idempotency_records.c.method == "POST", idempotency_records.c.path.like("/api/v1/workers%"))
               .values(status_code=None, content_type=None, response_body=None))


def downgrade() -> None:
    """Downgrade schema (the personal numbers come back in clear: it needs the data keys)."""
    for name, length in zip(PERSONAL, (64, 32, 64)):
        op.add_column('workers', sa.Column(name, sa.String(length=length), nullable=True))
    _decrypt_values()
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workers_national_id_hash'))
    for name in ('bank_account_encrypted', 'phone_encrypted', 'national_id_hash', 'national_id_encrypted'):
        op.drop_column('workers', name)

    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_region_path'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
    op.drop_table('audit_log')


def _keyring():
    from app.access.data_keys import open_keyring
    from app.settings import Settings

    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    return open_keyring(Settings.from_env(), url)


def _encrypt_clear_values() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(workers.c.id, *(workers.c[name] for name in PERSONAL))
                        .where(sa.or_(*(workers.c[name].is_not(None) for name in PERSONAL)))).all()
    if not rows:
        return  # an empty (or clean) database needs no key
    ring = _keyring()
    for row in rows:
        values = {f"{name}_encrypted": ring.encrypt(row._mapping[name]) for name in PERSONAL
                  if row._mapping[name] is not None}
        values["national_id_hash"] = ring.lookup_hash(row.national_id) if row.national_id is not None else None
        bind.execute(workers.update().where(workers.c.id == row.id)
                     .values(**values, **{name: None for name in PERSONAL}))


def _decrypt_values() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(workers.c.id, *(workers.c[f"{name}_encrypted"] for name in PERSONAL))
                        .where(sa.or_(*(workers.c[f"{name}_encrypted"].is_not(None) for name in PERSONAL)))).all()
    if not rows:
        return
    ring = _keyring()
    for row in rows:
        bind.execute(workers.update().where(workers.c.id == row.id).values(**{
            name: ring.decrypt(row._mapping[f"{name}_encrypted"]) for name in PERSONAL
            if row._mapping[f"{name}_encrypted"] is not None}))
