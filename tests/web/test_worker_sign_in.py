"""A worker signs in with their mobile number and a one-time code: short-lived, single-use, limited per number
and per address, kept hashed, and answered alike whether the number is a worker's or not."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import structlog
from sqlalchemy import select
from support.own_pay import LI_PHONE, WANG_PHONE, ask_code, catch_texts, give_phone, sign_in_worker
from support.pages import PageClient

from app.access.worker_sign_in import MAX_WRONG_TRIES, redeem_code
from app.access.worker_sign_in import ask_code as ask_code_for
from app.db.models import AuditEntry, SignInCode
from app.db.models.types import utcnow
from app.messages import senders


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, rate_limit_sign_in_number="2/hour", rate_limit_sign_in_address="4/hour")


@pytest.fixture
def texts(monkeypatch, world, runtime):
    give_phone(runtime, world.wang, WANG_PHONE)
    give_phone(runtime, world.li, LI_PHONE)
    return catch_texts(monkeypatch)


def test_a_worker_signs_in_with_the_code_texted_to_their_phone(app, texts):
    pages = sign_in_worker(app, texts, "138 0013 8000")

    page = pages.get("/me/")

    assert page.status_code == 200 and "Wang Jianguo" in page.get_data(as_text=True)
    assert [to for to, _text in texts.sent] == [WANG_PHONE]
    assert "10分钟内有效" in texts.sent[0][1]


def test_the_code_is_sent_after_the_answer_so_a_workers_number_takes_no_longer(app, texts):
    pages = PageClient(app)
    pages.get("/me/login")

    answer = pages.post("/me/login", {"phone": WANG_PHONE})
    before_it_went = list(texts.sent)
    answer.close()

    assert answer.status_code == 303 and before_it_went == [] and len(texts.sent) == 1


def test_a_code_signs_in_once(app, texts):
    sign_in_worker(app, texts, WANG_PHONE)
    again = PageClient(app)
    with again.client.session_transaction() as session:
        session["sign_in_phone"] = WANG_PHONE
    again.get("/me/code")

    response = again.post("/me/code", {"code": texts.code_for(WANG_PHONE)})

    assert response.status_code == 401 and "验证码错误或已过期" in response.get_data(as_text=True)


def test_an_expired_code_is_refused(runtime, world, texts):
    asked_at = utcnow()
    with runtime.sessions.begin() as session:
        asked = ask_code_for(session, WANG_PHONE, minutes=10, now=asked_at)
    with runtime.sessions.begin() as session:
        late = redeem_code(session, WANG_PHONE, asked.code, now=asked_at + timedelta(minutes=10, seconds=1))
    with runtime.sessions.begin() as session:
        in_time = redeem_code(session, WANG_PHONE, asked.code, now=asked_at + timedelta(minutes=9))

    assert late is None and in_time is not None and in_time.id == world.wang


def test_a_newer_code_spends_the_older_one(runtime, world, texts):
    with runtime.sessions.begin() as session:
        older = ask_code_for(session, WANG_PHONE, minutes=10)
    with runtime.sessions.begin() as session:
        ask_code_for(session, WANG_PHONE, minutes=10)
    with runtime.sessions.begin() as session:
        assert redeem_code(session, WANG_PHONE, older.code) is None


def test_wrong_codes_spend_the_code(runtime, world, texts):
    with runtime.sessions.begin() as session:
        asked = ask_code_for(session, WANG_PHONE, minutes=10)
    wrong = f"{(int(asked.code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_WRONG_TRIES):
        with runtime.sessions.begin() as session:
            assert redeem_code(session, WANG_PHONE, wrong) is None

    with runtime.sessions.begin() as session:
        assert redeem_code(session, WANG_PHONE, asked.code) is None


def test_the_code_is_kept_only_as_a_keyed_hash(runtime, world, texts):
    with runtime.sessions.begin() as session:
        asked = ask_code_for(session, WANG_PHONE, minutes=10)
    with runtime.sessions() as session:
        row = session.scalars(select(SignInCode)).one()

    assert asked.code not in str([getattr(row, column.key) for column in SignInCode.__table__.columns])
    assert len(row.code_hash) == 64


def test_an_unknown_number_is_answered_as_a_workers_number_is(app, texts):
    known, unknown = PageClient(app), PageClient(app)

    asked = [ask_code(pages, phone) for pages, phone in ((known, WANG_PHONE), (unknown, "13700000000"))]
    shown = [pages.get("/me/code").get_data(as_text=True) for pages in (known, unknown)]
    tried = [pages.post("/me/code", {"code": "123456"}) for pages in (known, unknown)]

    assert [(r.status_code, r.headers["Location"]) for r in asked] == [(303, "/me/code")] * 2
    assert _without_token(shown[0].replace("138****8000", "N")) == _without_token(shown[1].replace("137****0000", "N"))
    assert [r.status_code for r in tried] == [401, 401] or texts.code_for(WANG_PHONE) == "123456"  # 1 in a million
    assert [to for to, _text in texts.sent] == [WANG_PHONE]


def _without_token(page: str) -> str:
    return "\n".join(line for line in page.splitlines() if "csrf" not in line.lower())


def test_codes_are_limited_per_number(app, texts):
    answers = [ask_code(PageClient(app), WANG_PHONE).status_code for _ in range(3)]
    another = ask_code(PageClient(app), LI_PHONE).status_code

    assert (answers, another) == ([303, 303, 429], 303)
    assert len(texts.sent) == 3


def test_codes_are_limited_per_address(app, texts):
    numbers = [f"1390000000{n}" for n in range(5)]

    answers = [ask_code(PageClient(app), number).status_code for number in numbers]

    assert answers == [303, 303, 303, 303, 429]


def test_an_office_changing_the_number_ends_the_workers_sessions_and_is_audited(app, api, runtime, texts, world):
    pages = sign_in_worker(app, texts, WANG_PHONE)

    changed = api.client.patch(f"/api/v1/workers/{world.wang}", json={"phone": "13912345678"},
                               headers={"Authorization": f"Bearer {api.token}"})
    after = pages.get("/me/")

    assert changed.status_code == 200
    assert after.status_code == 302 and after.headers["Location"].startswith("/me/login")
    with runtime.sessions() as session:
        changes = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "workers",
                                                           AuditEntry.action == "update")).all()
    assert any("phone" in (entry.after or {}) for entry in changes)


class TestWithAnSmsGateway:
    @pytest.fixture
    def settings(self, settings):
        return dataclasses.replace(settings, sms_gateway_url="https://sms.example/send",
                                   sms_gateway_token="gateway-secret")

    def test_the_code_goes_to_the_gateway_and_never_into_the_log(self, app, runtime, world, monkeypatch):
        give_phone(runtime, world.wang, WANG_PHONE)
        posted = []
        monkeypatch.setattr(senders, "http_post",
                            lambda url, body, headers, timeout: posted.append((url, body, headers)) or 200)

        with structlog.testing.capture_logs() as logged:
            response = ask_code(PageClient(app), WANG_PHONE)

        [(url, body, headers)] = posted
        code = body.decode().split("验证码：")[1][:6]
        assert response.status_code == 303 and url == "https://sms.example/send"
        assert headers["authorization"] == "Bearer gateway-secret" and f'"to": "{WANG_PHONE}"' in body.decode()
        assert code not in str(logged)


def test_migration_0025_hashes_the_phones_already_registered(tmp_path, monkeypatch):
    import sqlite3

    from support.data_keys import TEST_DATA_KEY

    from app.db.crypto import KeyRing
    from app.db.phones import phone_lookup_value
    from app.migrate import upgrade_database

    path = tmp_path / "before.db"
    upgrade_database(f"sqlite:///{path}", "0018")
    ring = KeyRing.from_keys([TEST_DATA_KEY])
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            INSERT INTO regions (code, name, level, path) VALUES ('36', 'Jiangxi', 'province', '/36/');
            INSERT INTO households (id, region_code, size, status, created_at)
                VALUES ('h-1', '36', 2, 'poor', '2026-03-01 00:00:00');""")
        connection.executemany(
            "INSERT INTO workers (id, household_id, name, phone_encrypted, created_at) "
            "VALUES (?, 'h-1', ?, ?, '2026-03-01 00:00:00')",
            [("w-1", "w-1", ring.encrypt("+86 138-0013-8000")), ("w-2", "w-2", ring.encrypt("0797 123456")),
             ("w-3", "w-3", None)])
    connection.close()
    monkeypatch.setenv("STABLEWORK_DATA_KEYS", TEST_DATA_KEY)

    upgrade_database(f"sqlite:///{path}")

    with sqlite3.connect(path) as connection:
        hashes = dict(connection.execute("SELECT id, phone_hash FROM workers").fetchall())
    connection.close()
    assert hashes == {"w-1": ring.lookup_hash(phone_lookup_value(WANG_PHONE)), "w-2": None, "w-3": None}
