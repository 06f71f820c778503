"""one national id, one worker

The national id's lookup hash gets a unique index. Before it is built, every stored id is hashed afresh
under the newest lookup key (rows written under an older one would otherwise escape the index), which
needs the data keys when there are ids (an empty database needs none). Ids already shared by several
workers stay with the first registered (earliest, then smallest id); the others keep their number but lose
its hash, so searches and the index no longer find them, and each is written to the audit log (endpoint
`migration 0016`, the first holder in `after`) and named on the terminal, for a person to correct.

Revision ID: 0016
Revises: 0015
"""
import sys
from datetime import UTC, datetime
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import context, op

revision: str = "0016"
down_revision: Union[str, Sequence[str], None] = "0015"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

workers = sa.table("workers", sa.column("id", sa.String), sa.column("household_id", sa.String),
                   sa.column("created_at", sa.DateTime), sa.column("national_id_encrypted", sa.Text),
                   sa.column("national_id_hash", sa.String))
households = sa.table("households", sa.column("id", sa.String), sa.column("region_code", sa.String))
regions = sa.table("regions", sa.column("code", sa.String), sa.column("path", sa.String))
audit_log = sa.table("audit_log", sa.column("at", sa.DateTime), sa.column("actor_role", sa.String),
                     sa.column("endpoint", sa.String), sa.column("action", sa.String),
                     sa.column("table_name", sa.String), sa.column("row_key", sa.String),
                     sa.column("region_path", sa.String), sa.column("before", sa.JSON), sa.column("after", sa.JSON))
BATCH = 1000


def upgrade() -> None:
    if context.is_offline_mode():
        raise RuntimeError("migration 0016 hashes national ids with the data keys: "
                           "run it online (flask --app app migrate)")
    _rehash()
    op.drop_index("ix_workers_national_id_hash", table_name="workers")
    op.create_index("ix_workers_national_id_hash", "workers", ["national_id_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_workers_national_id_hash", table_name="workers")
    op.create_index("ix_workers_national_id_hash", "workers", ["national_id_hash"], unique=False)


def _rehash() -> None:
    """Hash every stored id under the newest lookup key; unhash the later holders of a shared one."""
    bind = op.get_bind()
    select = (sa.select(workers.c.id, workers.c.national_id_encrypted, regions.c.path)
              .join(households, households.c.id == workers.c.household_id)
              .join(regions, regions.c.code == households.c.region_code)
              .where(workers.c.national_id_encrypted.is_not(None))
              .order_by(workers.c.created_at, workers.c.id))
    holders: dict[str, str] = {}  # hash -> the first worker holding it
    # The rows are read whole before the first update (SQLite sorts them first; psycopg's cursor is client-side).
    ring = None
    for rows in bind.execute(select).partitions(BATCH):
        ring = ring or _keyring()
        for row in rows:
            digest = ring.lookup_hash(ring.decrypt(row.national_id_encrypted))
            first = holders.setdefault(digest, row.id)
            bind.execute(workers.update().where(workers.c.id == row.id)
                         .values(national_id_hash=digest if first == row.id else None))
            if first != row.id:
                _report_shared(row.id, row.path, first)



def _report_shared(worker_id: str, region_path: str, first: str) -> None:
    op.get_bind().execute(audit_log.insert().values(
        at=datetime.now(UTC), actor_role="system", endpoint="migration 0016", action="update",
        table_name="workers", row_key=worker_id, region_path=region_path,
        before={"national_id_shared_with": first}, after={"national_id_found_by_search": False}))
    print(f"migration 0016: worker {worker_id} has the national id of worker {first}, who keeps it; "
          f"correct one of them (the audit log lists every such worker)", file=sys.stderr, flush=True)


def _keyring():
    from app.access.data_keys import open_keyring
    from app.settings import Settings

    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    return open_keyring(Settings.from_env(), url)
