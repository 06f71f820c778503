"""Signing in to the pages: passwords, lock-out, reset, sign-out, CSRF, cookies and headers."""
from __future__ import annotations

import re

from support.pages import PASSWORD, PageClient, make_account

from app.access.accounts import MAX_FAILURES, account_by_login, reset_password


def test_a_right_password_signs_in_with_a_secure_httponly_samesite_cookie(app, runtime):
    pages = PageClient(app)
    login = make_account(runtime, "admin")

    response = pages.sign_in(login)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert pages.get("/", follow_redirects=True).status_code == 200  # the role's main page


def test_a_wrong_password_is_refused_in_chinese_first_and_in_english_when_asked(app, runtime):
    login = make_account(runtime, "admin")

    chinese = PageClient(app).sign_in(login, "not the password")
    english = PageClient(app, language="en-GB,en;q=0.9").sign_in(login, "not the password")

    assert chinese.status_code == english.status_code == 401
    assert "用户名或密码错误" in chinese.get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese.get_data(as_text=True)
    assert "Wrong login or password." in english.get_data(as_text=True)


def test_an_unknown_login_is_refused_like_a_wrong_password(app):
    response = PageClient(app).sign_in("nobody-here", PASSWORD)

    assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)


def test_repeated_failures_lock_the_account_until_an_admin_resets_the_password(app, runtime):
    login = make_account(runtime, "admin")
    pages = PageClient(app)
    answers = [pages.sign_in(login, f"wrong password {n}") for n in range(MAX_FAILURES)]

    locked = pages.sign_in(login)  # the right password, while locked

    assert [answer.status_code for answer in answers] == [401] * MAX_FAILURES
    assert "已锁定" in answers[-1].get_data(as_text=True) and "已锁定" in locked.get_data(as_text=True)
    assert locked.status_code == 401
    with runtime.sessions.begin() as session:
        reset_password(session, account_by_login(session, login).id, "a brand new password")
    assert pages.sign_in(login, "a brand new password").status_code == 302


def test_a_password_reset_signs_out_the_sessions_made_before_it(app, runtime):
    login = make_account(runtime, "admin")
    pages = PageClient(app)
    pages.sign_in(login)
    with runtime.sessions.begin() as session:
        reset_password(session, account_by_login(session, login).id, "a brand new password")

    response = pages.get("/")

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_signing_out_ends_the_session(app, runtime):
    pages = PageClient(app)
    pages.sign_in(make_account(runtime, "admin"))
    pages.get("/")

    assert pages.post("/logout").status_code == 302
    assert pages.get("/").headers["Location"].startswith("/login")


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(app, runtime):
    pages = PageClient(app)
    pages.sign_in(make_account(runtime, "admin"))

    refused = pages.post("/logout", csrf=False)
    forged = pages.post("/logout", {"csrf_token": "forged"})

    assert refused.status_code == forged.status_code == 400
    assert "表单" in refused.get_data(as_text=True)
    assert pages.get("/", follow_redirects=True).status_code == 200  # still signed in


def test_a_page_asked_for_before_signing_in_comes_back_after_it_but_never_another_site(app, runtime):
    login = make_account(runtime, "admin")
    pages = PageClient(app)

    assert pages.get("/").headers["Location"] == "/login?next=/"
    pages.get("/login?next=/")
    back = pages.post("/login?next=/", {"login": login, "password": PASSWORD})
    elsewhere = PageClient(app)
    elsewhere.get("/login")
    away = elsewhere.post("/login?next=//evil.example/", {"login": login, "password": PASSWORD})

    assert back.headers["Location"] == "/"
    assert away.headers["Location"] == "/"


def test_the_language_chosen_is_kept(app, runtime):
    pages = PageClient(app)
    pages.sign_in(make_account(runtime, "admin"))

    pages.post("/language", {"lang": "en", "next": "/"})

    english = pages.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'lang="en"' in english and "Sign out" in english
    pages.post("/language", {"lang": "zh", "next": "/"})
    chinese = pages.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'lang="zh-CN"' in chinese and "退出" in chinese


def test_pages_forbid_inline_script_and_are_not_cached(app):
    response = PageClient(app).get("/login")
    html = response.get_data(as_text=True)

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "style-src 'self'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [] and " style=" not in html
