"""The review flags on PostgreSQL's statements: a month with one of each fraud raises each flag at its site and
no other, raising again adds nothing, and the closed month is approved only with an override; and the migration
that brings them hashes the phones and bank accounts already stored."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from support.data_keys import TEST_DATA_KEY
from support.review import EXPECTED, MONTH, SITES, build_fraud_month

from app.db.crypto import KeyRing
from app.migrate import upgrade_database
from app.pay.periods import Actor, FlaggedMonth, SiteScope, move_period, move_periods
from app.review.queue import FlagFilter, flag_page
from app.review.raising import raise_flags

LIU, ZHAO = Actor("person-liu", "post_manager"), Actor("person-zhao", "post_manager")


def test_flags_raised_once_and_approval_held_back_on_postgresql(pg_runtime):
    sessions = pg_runtime.sessions
    with sessions.begin() as session:
        build_fraud_month(session)
    with sessions.begin() as session:
        closed = move_periods(session, MONTH, "close", LIU, SiteScope())
    with sessions.begin() as session:
        raised = {(f.kind, f.subject_id, f.site_id) for f in flag_page(session, FlagFilter(), 100)[0]}
        again = raise_flags(session, MONTH, sorted(SITES))
    with sessions.begin() as session:
        bulk = move_periods(session, MONTH, "approve", ZHAO, SiteScope())

    assert closed.moved == sorted(SITES)
    assert raised == EXPECTED and again == []
    assert bulk.moved == [] and bulk.not_moved == {"flagged": 3}
    with pytest.raises(FlaggedMonth, match="5 open review flag"), sessions.begin() as session:
        move_period(session, "s-a", MONTH, "approve", ZHAO)
    with sessions.begin() as session:
        assert move_period(session, "s-p", MONTH, "approve", ZHAO, override="the order came in a rush") == "approved"


def test_the_migration_hashes_the_stored_phones_and_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("STABLEWORK_DATA_KEYS", TEST_DATA_KEY)
    ring = KeyRing.from_keys([TEST_DATA_KEY])
    url = f"sqlite:///{tmp_path / 'contacts.db'}"
    upgrade_database(url, "0018")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO regions (code, name, level, path) VALUES ('36', 'Jiangxi', 'province', "
                                "'/36/')"))
        connection.execute(text("INSERT INTO households (id, region_code, size, status, created_at) "
                                "VALUES ('h1', '36', 2, 'poor', '2026-01-01')"))
        connection.execute(text("INSERT INTO workers (id, household_id, name, phone_encrypted, bank_account_encrypted, "
                                "created_at) VALUES ('w1', 'h1', 'Li', :phone, :account, '2026-01-01'), "
                                "('w2', 'h1', 'Wang', NULL, NULL, '2026-01-01')"),
                           {"phone": ring.encrypt("13907970000"), "account": ring.encrypt("6222000000000000018")})
    upgrade_database(url, "0024")  # 0025 makes the phone's hash again, as a worker signs in with it
    with engine.connect() as connection:
        hashes = connection.execute(text("SELECT id, phone_hash, bank_account_hash FROM workers ORDER BY id")).all()
    engine.dispose()

    assert [tuple(row) for row in hashes] == [
        ("w1", ring.lookup_hash("13907970000"), ring.lookup_hash("6222000000000000018")), ("w2", None, None)]
