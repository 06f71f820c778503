"""An admin's accounts pages: the people of their region, a new account, a password reset, disabling one;
and anyone's own password. An admin never sees or changes an account outside their region."""
from __future__ import annotations

import re

from sqlalchemy import select
from support.authorization import COUNTY, OTHER_COUNTY, SITE
from support.pages import PASSWORD, PageClient, account_id, make_account, signed_in

from app.access.accounts import MAX_FAILURES, check_password, new_password
from app.db.models import Account, AuditEntry

NEW = {"login": "13900000001", "name": "Wang Fang", "role": "supervisor", "region": COUNTY, "sites": SITE,
       "password": "a first password"}


def _admin(app, runtime, region=COUNTY, language=None):
    return signed_in(app, runtime, "admin", region, language=language)


def _accounts(runtime) -> dict[str, Account]:
    with runtime.sessions() as session:
        return {account.login: account for account in session.scalars(select(Account))}


def test_an_admin_lists_the_accounts_of_their_region_and_never_another_regions(app, runtime, world):
    make_account(runtime, "supervisor", COUNTY, (SITE,), login="sewing-lead")
    make_account(runtime, "poverty_office", OTHER_COUNTY, login="nankang-office")
    make_account(runtime, "admin", None, login="the-nation")

    county = _admin(app, runtime).get("/accounts").get_data(as_text=True)
    nationwide = _admin(app, runtime, None).get("/accounts").get_data(as_text=True)

    assert "sewing-lead" in county and SITE in county and "车间负责人" in county
    assert "nankang-office" not in county and "the-nation" not in county
    assert all(login in nationwide for login in ("sewing-lead", "nankang-office", "the-nation"))


def test_an_admin_makes_a_supervisor_who_then_signs_in_and_the_audit_log_says_who(app, runtime, world):
    admin = _admin(app, runtime)
    admin.get("/accounts/new")

    made = admin.post("/accounts/new", NEW)
    shown = admin.get(made.headers["Location"]).get_data(as_text=True)

    assert made.status_code == 303
    assert "13900000001" in shown and "Wang Fang" in shown and SITE in shown
    person = PageClient(app)
    assert person.sign_in("13900000001", "a first password").status_code == 302
    made_id, admin_id = account_id(runtime, "13900000001"), account_id(runtime, admin_login(runtime))
    with runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "accounts",
                                                         AuditEntry.row_key == made_id)).one()
    assert (entry.actor_token_id, entry.actor_role) == (admin_id, "admin")
    assert entry.after["login"] == "13900000001" and "password_hash" not in entry.after
    assert entry.region_path.startswith(f"/36/3607/{COUNTY}/")


def test_a_new_account_is_refused_field_by_field_and_nothing_is_made(app, runtime, world):
    make_account(runtime, "supervisor", COUNTY, login="taken-login")
    admin = _admin(app, runtime)
    admin.get("/accounts/new")
    cases = {
        "短": ({**NEW, "password": "short"}, "密码至少10个字符"),
        "taken": ({**NEW, "login": "taken-login"}, "用户名 taken-login 已被使用"),
        "bad login": ({**NEW, "login": "a b"}, "用户名为3至64个"),
        "no name": ({**NEW, "name": " "}, "请填写姓名"),
        "unknown site": ({**NEW, "sites": "ws-nowhere"}, "没有站点 ws-nowhere"),
        "site outside": ({**NEW, "region": world.village, "sites": "ws-far"}, "不在区域"),
        "unknown region": ({**NEW, "region": "999999"}, "没有区域 999999"),
    }

    answers = {case: admin.post("/accounts/new", form) for case, (form, _) in cases.items()}

    for case, (form, message) in cases.items():
        assert answers[case].status_code == 422, case
        page = answers[case].get_data(as_text=True)
        assert message in page, (case, page)
        assert f'value="{form["login"]}"' in page  # what was typed is kept (never the password)
        assert form["password"] not in page
    assert set(_accounts(runtime)) == {"taken-login", admin_login(runtime)}


def admin_login(runtime) -> str:
    return next(login for login, account in _accounts(runtime).items() if account.role == "admin")


def test_a_new_account_outside_the_admins_region_or_nationwide_is_refused(app, runtime, world):
    admin = _admin(app, runtime)
    admin.get("/accounts/new")

    other = admin.post("/accounts/new", {**NEW, "region": OTHER_COUNTY, "sites": ""})
    nationwide = admin.post("/accounts/new", {**NEW, "role": "admin", "region": "", "sites": ""})

    assert other.status_code == nationwide.status_code == 403
    assert "13900000001" not in _accounts(runtime)


def test_a_nationwide_supervisor_is_refused_in_english_when_asked(app, runtime, world):
    admin = _admin(app, runtime, None, language="en")
    admin.get("/accounts/new")

    answer = admin.post("/accounts/new", {**NEW, "region": ""})

    assert answer.status_code == 422
    assert "Only an administrator may be nationwide" in answer.get_data(as_text=True)


def test_only_an_admin_may_open_the_accounts(app, runtime, world):
    for role, sites in (("supervisor", (SITE,)), ("post_manager", ()), ("poverty_office", ())):
        pages = signed_in(app, runtime, role, COUNTY, sites)
        assert pages.get("/accounts").status_code == 403
        assert pages.post("/accounts/new", NEW).status_code == 403
    assert "13900000001" not in _accounts(runtime)


def test_a_reset_unlocks_the_account_and_signs_out_its_sessions(app, runtime, world):
    login = make_account(runtime, "supervisor", COUNTY, (SITE,))
    person = PageClient(app)
    person.sign_in(login)
    stranger = PageClient(app)
    for attempt in range(MAX_FAILURES):
        stranger.sign_in(login, f"a wrong guess {attempt}")
    admin = _admin(app, runtime)
    listed = admin.get("/accounts").get_data(as_text=True)
    admin.get(f"/accounts/{account_id(runtime, login)}")

    reset = admin.post(f"/accounts/{account_id(runtime, login)}/password", {"password": "the admin's choice"})

    assert "已锁定" in listed
    assert reset.status_code == 303
    assert "已重置" in admin.get(reset.headers["Location"]).get_data(as_text=True)
    assert person.get("/").headers["Location"].startswith("/login")
    assert PageClient(app).sign_in(login, "the admin's choice").status_code == 302


def test_a_password_made_by_the_page_is_shown_once_and_signs_in(app, runtime, world):
    login = make_account(runtime, "post_manager", COUNTY)
    admin = _admin(app, runtime)
    page = f"/accounts/{account_id(runtime, login)}"
    admin.get(page)

    answer = admin.post(f"{page}/password", {"password": ""})

    assert answer.status_code == 200
    [password] = re.findall(r"<code>([a-z2-9-]+)</code>", answer.get_data(as_text=True))
    assert password not in answer.headers.get("Set-Cookie", "")
    assert password not in admin.get(page).get_data(as_text=True)
    assert PageClient(app).sign_in(login, password).status_code == 302
    assert PageClient(app).sign_in(login, PASSWORD).status_code == 401


def test_made_passwords_are_long_enough_cannot_be_misread_and_differ():
    passwords = [new_password() for _ in range(200)]

    for password in passwords:
        check_password(password)  # raises when too short
        assert re.fullmatch(r"[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}", password)
    assert len(set(passwords)) == len(passwords)


def test_a_short_reset_password_is_refused_and_the_old_one_still_works(app, runtime, world):
    login = make_account(runtime, "post_manager", COUNTY)
    admin = _admin(app, runtime)
    page = f"/accounts/{account_id(runtime, login)}"
    admin.get(page)

    answer = admin.post(f"{page}/password", {"password": "short"})

    assert answer.status_code == 422 and "密码至少10个字符" in answer.get_data(as_text=True)
    assert PageClient(app).sign_in(login, PASSWORD).status_code == 302


def test_an_admin_cannot_see_reset_or_disable_an_account_of_another_region(app, runtime, world):
    outside = {login: account_id(runtime, login) for login in (
        make_account(runtime, "supervisor", OTHER_COUNTY, ("ws-far",)), make_account(runtime, "admin", None))}
    admin = _admin(app, runtime)
    admin.get("/accounts")

    answers = [answer for ident in outside.values() for answer in (
        admin.get(f"/accounts/{ident}"), admin.post(f"/accounts/{ident}/password", {"password": "ten letters plus"}),
        admin.post(f"/accounts/{ident}/disable"))]

    assert [answer.status_code for answer in answers] == [403] * 6
    assert admin.get("/accounts/no-such-account").status_code == 404
    for login in outside:
        assert PageClient(app).sign_in(login, PASSWORD).status_code == 302


def test_disabling_an_account_ends_its_sessions_at_once_and_refuses_its_sign_in(app, runtime, world):
    login = make_account(runtime, "poverty_office", COUNTY)
    person = PageClient(app)
    person.sign_in(login)
    admin = _admin(app, runtime)
    page = f"/accounts/{account_id(runtime, login)}"
    admin.get(page)

    answer = admin.post(f"{page}/disable")

    assert answer.status_code == 303
    assert "已停用" in admin.get(page).get_data(as_text=True)
    assert person.get("/").headers["Location"].startswith("/login")
    assert PageClient(app).sign_in(login, PASSWORD).status_code == 401
    assert _accounts(runtime)[login].disabled_at is not None
    with runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.row_key == account_id(runtime, login),
                                                         AuditEntry.action == "update")).one()
    assert (entry.actor_token_id, entry.actor_role, entry.endpoint) == (
        account_id(runtime, admin_login(runtime)), "admin", "people.disable")
    assert entry.after["disabled_at"] and "password_hash" not in entry.after


def test_an_admin_cannot_disable_their_own_account(app, runtime, world):
    admin = _admin(app, runtime)
    page = f"/accounts/{account_id(runtime, admin_login(runtime))}"
    admin.get(page)

    answer = admin.post(f"{page}/disable")

    assert answer.status_code == 422 and "不能停用自己的账号" in answer.get_data(as_text=True)
    assert admin.get("/accounts").status_code == 200


def test_anyone_changes_their_own_password_keeping_this_session_and_ending_the_others(app, runtime, world):
    login = make_account(runtime, "supervisor", COUNTY, (SITE,))
    here, elsewhere = PageClient(app), PageClient(app)
    here.sign_in(login)
    elsewhere.sign_in(login)
    here.get("/password")

    changed = here.post("/password", {"current": PASSWORD, "password": "my own new password",
                                      "again": "my own new password"})

    assert changed.status_code == 303
    assert "密码已修改" in here.get("/password").get_data(as_text=True)
    assert elsewhere.get("/").headers["Location"].startswith("/login")
    assert PageClient(app).sign_in(login, "my own new password").status_code == 302


def test_a_new_own_password_is_refused_when_the_current_is_wrong_the_two_differ_or_it_is_short(app, runtime, world):
    login = make_account(runtime, "post_manager", COUNTY)
    pages = PageClient(app)
    pages.sign_in(login)
    pages.get("/password")
    new = "my own new password"
    cases = {"当前密码错误": {"current": "not my password", "password": new, "again": new},
             "两次输入的新密码不一致": {"current": PASSWORD, "password": new, "again": "my own new pass"},
             "密码至少10个字符": {"current": PASSWORD, "password": "short", "again": "short"}}

    for message, form in cases.items():
        answer = pages.post("/password", form)
        assert answer.status_code == 422 and message in answer.get_data(as_text=True), message
    assert PageClient(app).sign_in(login, PASSWORD).status_code == 302


def test_an_admin_lands_on_the_accounts_which_the_menu_names(app, runtime, world):
    admin = _admin(app, runtime)

    landing = admin.get("/")
    page = admin.get(landing.headers["Location"]).get_data(as_text=True)

    assert landing.headers["Location"] == "/accounts"
    assert '<a href="/accounts">账号管理</a>' in page and "修改密码" in page


# --- many accounts: a page at a time, found by login or name; a disabled one enabled again -----------------


def _shown_logins(page: str) -> list[str]:
    return re.findall(r'<a href="/accounts/[0-9a-f]+">([^<]+)</a>', page)


def _more(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return found and found.group(1).replace("&amp;", "&")


def test_the_accounts_come_25_a_page_each_once_and_only_the_regions(app, runtime, world):
    made = [make_account(runtime, "supervisor", COUNTY, login=f"county-{n:02d}") for n in range(30)]
    make_account(runtime, "supervisor", OTHER_COUNTY, login="nankang-person")
    admin = _admin(app, runtime)

    first = admin.get("/accounts").get_data(as_text=True)
    second = admin.get(_more(first)).get_data(as_text=True)

    assert len(_shown_logins(first)) == 25
    assert sorted(_shown_logins(first) + _shown_logins(second)) == sorted([*made, admin_login(runtime)])
    assert _more(second) is None and "nankang-person" not in first + second
    assert admin.get("/accounts?cursor=not-a-cursor").status_code == 422


def test_an_admin_finds_accounts_of_their_region_by_login_or_name(app, runtime, world):
    people = {"wang-fang": ("王芳", COUNTY), "13900000002": ("李伟", COUNTY), "li-na": ("李娜", COUNTY),
              "li-far": ("李远", OTHER_COUNTY)}
    for login, (_name, region) in people.items():
        make_account(runtime, "supervisor", region, login=login)
    with runtime.sessions.begin() as session:
        for person in session.scalars(select(Account).where(Account.login.in_(people))):
            person.name = people[person.login][0]
    admin = _admin(app, runtime)

    by_name = admin.get("/accounts", query_string={"q": "李"}).get_data(as_text=True)
    by_login = admin.get("/accounts", query_string={"q": "WANG"}).get_data(as_text=True)
    by_nothing = admin.get("/accounts", query_string={"q": "100%_"}).get_data(as_text=True)

    assert sorted(_shown_logins(by_name)) == ["13900000002", "li-na"]
    assert _shown_logins(by_login) == ["wang-fang"] and 'value="WANG"' in by_login
    assert _shown_logins(by_nothing) == [] and "没有符合的账号" in by_nothing


def test_an_enabled_account_signs_in_only_after_its_password_is_reset_and_the_log_says_who(app, runtime, world):
    login = make_account(runtime, "supervisor", COUNTY, (SITE,))
    admin = _admin(app, runtime)
    page = f"/accounts/{account_id(runtime, login)}"
    admin.get(page)
    assert admin.post(f"{page}/enable").status_code == 303  # already active: nothing changes, nothing is said
    assert "已启用" not in admin.get(page).get_data(as_text=True)
    assert PageClient(app).sign_in(login, PASSWORD).status_code == 302
    admin.post(f"{page}/disable")

    enabled = admin.post(f"{page}/enable")

    assert enabled.status_code == 303
    shown = admin.get(page).get_data(as_text=True)
    assert "需要重置密码" in shown and "已启用" in shown
    assert PageClient(app).sign_in(login, PASSWORD).status_code == 401  # the old password is gone
    assert admin.post(f"{page}/password", {"password": "a handed-over password"}).status_code == 303
    assert PageClient(app).sign_in(login, "a handed-over password").status_code == 302
    with runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.row_key == account_id(runtime, login),
                                                         AuditEntry.endpoint == "people.enable")).one()
    assert (entry.actor_token_id, entry.actor_role) == (account_id(runtime, admin_login(runtime)), "admin")
    assert entry.before["disabled_at"] and entry.after["disabled_at"] is None
    assert "password_hash" not in entry.after
