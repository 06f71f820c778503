"""A test client for the pages, as a browser uses them: over HTTPS (the session cookie is Secure), signed in
with an account, and sending each form with the CSRF token of the last page it was given."""
from __future__ import annotations

import itertools
import re

from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.db.models import Account, AccountSite

PASSWORD = "a long enough password"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_logins = itertools.count(1)
_PASSWORD_HASH = PasswordHasher().hash(PASSWORD)  # hashed once: each hash costs tens of milliseconds


class PageClient:
    def __init__(self, app: Flask, language: str | None = None):
        self.client = app.test_client()
        self.client.environ_base["wsgi.url_scheme"] = "https"
        if language:
            self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        self.token: str | None = None

    def get(self, path: str, **kwargs) -> TestResponse:
        return self._seen(self.client.get(path, **kwargs))

    def post(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs) -> TestResponse:
        if csrf and self.token is None:
            self.get("/", follow_redirects=True)  # any page has a form (the language's), with a token
        form = {**({"csrf_token": self.token} if csrf else {}), **(data or {})}
        return self._seen(self.client.post(path, data=form, **kwargs))

    def sign_in(self, login: str, password: str = PASSWORD) -> TestResponse:
        self.get("/login")
        response = self.post("/login", {"login": login, "password": password})
        if response.status_code == 302:
            self.token = None  # a new session: the token of its first page
        return response

    def enter_as(self, account_id: str) -> None:
        """Signed in as the account, without a password: for tests about what a page shows, not signing in."""
        with self.client.session_transaction() as session:
            session["account"], session["version"] = account_id, 1
        self.token = None  # a new session: the token of its first page

    def _seen(self, response: TestResponse) -> TestResponse:
        if response.mimetype == "text/html":
            found = _CSRF.search(response.get_data(as_text=True))
            if found:
                self.token = found.group(1)
        return response


def make_account(runtime, role: str, region: str | None = None, sites: tuple[str, ...] = (),
                 login: str | None = None) -> str:
    """An account in the database with the password `PASSWORD` (app.access.accounts makes them for real:
    tests/web/test_signin.py); its login."""
    login = login or f"{role}-{next(_logins)}"
    with runtime.sessions.begin() as session:
        account = Account(login=login, name=login, password_hash=_PASSWORD_HASH, role=role, region_code=region,
                          failed_logins=0, session_version=1)
        session.add(account)
        session.flush()
        session.add_all(AccountSite(account_id=account.id, site_id=site) for site in sites)
    return login


def account_id(runtime, login: str) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(Account.id).where(Account.login == login))


def signed_in(app: Flask, runtime, role: str, region: str | None = None, sites: tuple[str, ...] = (),
              language: str | None = None) -> PageClient:
    """A page client signed in with a new account of `role`."""
    pages = PageClient(app, language)
    response = pages.sign_in(make_account(runtime, role, region, sites))
    assert response.status_code == 302, response.get_data(as_text=True)
    return pages
