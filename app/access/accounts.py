"""Accounts: people who sign in to the pages with a login (a user name or a phone number) and a password.

Passwords are hashed with Argon2id (argon2-cffi's defaults, rehashed when they change). After
`MAX_FAILURES` wrong passwords in a row an account is locked for `LOCKOUT`; an admin's password reset
unlocks it and signs out every session made before it (the session version). A disabled account enabled
again has no password until an admin resets it, as for a new person. An account carries the
role, region and sites a bearer token does, so the pages obey the same access policy as the API.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.access.tokens import Bearer, scoped_within, supervised_sites
from app.db.models import Account, AccountSite, Region, Site
from app.db.models.auth import ROLES
from app.db.models.types import utcnow

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
LOGIN = re.compile(r"^[A-Za-z0-9_.@+-]{3,64}$")

NO_PASSWORD = "!"  # never an Argon2 hash, so no password matches it
_UNAMBIGUOUS = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand
_hasher = PasswordHasher()
# Verified when the login is unknown, so an unknown login takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("no such account")


# Why an account cannot be made or changed, by reason (a page says each in its own words, by the same key).
REASONS = {
    "login_format": "a login is 3 to 64 letters, digits or . _ @ + -",
    "login_taken": "the login {login} is taken",
    "name_missing": "a name is required",
    "short_password": f"a password has at least {MIN_PASSWORD_LENGTH} characters",
    "wrong_password": "the current password is wrong",
    "unknown_role": f"role must be one of {', '.join(ROLES)}",
    "unknown_region": "unknown region {region}",
    "nationwide": "only an admin account may be nationwide (without a region)",
    "unknown_site": "unknown site {site}",
    "site_outside": "site {site} lies outside region {region}",
    "no_account": "no such account",
}


class AccountError(ValueError):
    """An account cannot be made or changed as asked: `field` names the input at fault, `reason` the rule
    (a key of `REASONS`, whose English is the message)."""

    def __init__(self, field: str, reason: str, **params: str):
        super().__init__(REASONS[reason].format(**params))
        self.field, self.reason, self.params = field, reason, params


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the account when the password was right, else why not."""

    account: Account | None
    refusal: str | None = None  # "wrong" (login or password) or "locked"
    locked_until: datetime | None = None


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", "short_password")


def create_account(session: Session, *, login: str, name: str, password: str, role: str,
                   region_code: str | None = None, site_ids: list[str] = ()) -> Account:
    """Make an account; raises AccountError for a taken or malformed login, a short password, an unknown
    role, region or site, a nationwide account that is not an admin's, or a site outside the region."""
    if not LOGIN.match(login):
        raise AccountError("login", "login_format")
    if session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise AccountError("login", "login_taken", login=login)
    if not name.strip():
        raise AccountError("name", "name_missing")
    check_password(password)
    _check_scope(session, role, region_code, site_ids)
    account = Account(login=login, name=name, password_hash=_hasher.hash(password), role=role,
                      region_code=region_code, failed_logins=0, session_version=1)
    session.add(account)
    session.flush()
    session.add_all(AccountSite(account_id=account.id, site_id=site_id) for site_id in dict.fromkeys(site_ids))
    session.flush()
    return account


def _check_scope(session: Session, role: str, region_code: str | None, site_ids: list[str]) -> None:
    if role not in ROLES:
        raise AccountError("role", "unknown_role")
    region = session.get(Region, region_code) if region_code is not None else None
    if region_code is not None and region is None:
        raise AccountError("region", "unknown_region", region=region_code)
    if region is None and role != "admin":
        raise AccountError("region", "nationwide")
    for site_id in site_ids:
        site = session.get(Site, site_id)
        if site is None:
            raise AccountError("sites", "unknown_site", site=site_id)
        if region is not None and not session.get(Region, site.region_code).path.startswith(region.path):
            raise AccountError("sites", "site_outside", site=site_id, region=region_code)


def sign_in(session: Session, login: str, password: str) -> SignIn:
    """Check a login and password, counting failures and locking the account after too many."""
    account = session.scalar(select(Account).where(Account.login == login.strip()))
    if account is None or account.disabled_at is not None or needs_password(account):
        _verify(_DUMMY_HASH, password)
        return SignIn(None, "wrong")
    now = utcnow()
    if is_locked(account):
        return SignIn(None, "locked", _aware(account.locked_until))
    if not _verify(account.password_hash, password):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILURES:
            account.failed_logins, account.locked_until = 0, now + LOCKOUT
            return SignIn(None, "locked", account.locked_until)
        return SignIn(None, "wrong")
    account.failed_logins, account.locked_until = 0, None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return SignIn(account)


def reset_password(session: Session, account_id: str, password: str) -> Account:
    """Set a new password (an admin's act): unlocks the account and ends its sessions."""
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError("account", "no_account")
    check_password(password)
    account.password_hash = _hasher.hash(password)
    account.failed_logins, account.locked_until = 0, None
    account.session_version += 1
    session.flush()
    return account


def change_password(session: Session, account_id: str, current: str, password: str) -> Account:
    """A person's own new password, given the current one: ends their other sessions (the caller keeps
    its own by taking the new session version)."""
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError("account", "no_account")
    if not _verify(account.password_hash, current):
        raise AccountError("current", "wrong_password")
    check_password(password)
    account.password_hash = _hasher.hash(password)
    account.session_version += 1
    session.flush()
    return account


def disable_account(session: Session, account_id: str) -> Account:
    """Stop an account from signing in and end its sessions at once (disabling it again keeps the first time)."""
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError("account", "no_account")
    if account.disabled_at is None:
        account.disabled_at = utcnow()
        account.session_version += 1
        session.flush()
    return account


def enable_account(session: Session, account_id: str) -> Account:
    """Let a disabled account back in, without its old password (whoever it was disabled against may know it):
    it signs in once an admin has reset the password. Enabling an account that is not disabled changes nothing."""
    account = session.get(Account, account_id)
    if account is None:
        raise AccountError("account", "no_account")
    if account.disabled_at is not None:
        account.disabled_at, account.password_hash = None, NO_PASSWORD
        account.failed_logins, account.locked_until = 0, None
        session.flush()
    return account


def needs_password(account: Account) -> bool:
    return account.password_hash == NO_PASSWORD


def new_password() -> str:
    """A password for an admin to hand over: 12 random letters and digits that cannot be misread, in groups."""
    letters = "".join(secrets.choice(_UNAMBIGUOUS) for _ in range(12))
    return "-".join(letters[start:start + 4] for start in range(0, 12, 4))


def accounts_within(region_path: str | None) -> Select[tuple[Account]]:
    """The accounts of a region and the regions inside it, oldest first; None: every account."""
    return scoped_within(Account, region_path)


def account_page(session: Session, region_path: str | None, search: str, limit: int,
                 after: tuple[datetime, str] | None = None) -> tuple[list[Account], tuple[datetime, str] | None]:
    """Up to `limit` accounts of the region, oldest first, whose login or name holds `search` (any case; ""
    for all), after the key `after`; and the key of the last one when more follow."""
    query = accounts_within(region_path).limit(limit + 1)
    if search:
        query = query.where(Account.login.icontains(search, autoescape=True)
                            | Account.name.icontains(search, autoescape=True))
    if after is not None:
        created, last_id = after
        query = query.where((Account.created_at > created)
                            | ((Account.created_at == created) & (Account.id > last_id)))
    accounts = list(session.scalars(query))
    more = len(accounts) > limit
    accounts = accounts[:limit]
    return accounts, (accounts[-1].created_at, accounts[-1].id) if more else None


def sites_of_accounts(session: Session, accounts: list[Account]) -> dict[str, list[str]]:
    """The supervised sites of each account, by account id."""
    return supervised_sites(session, AccountSite.account_id, AccountSite.site_id, [account.id for account in accounts])


def is_locked(account: Account) -> bool:
    return account.locked_until is not None and _aware(account.locked_until) > utcnow()


def account_by_login(session: Session, login: str) -> Account | None:
    return session.scalar(select(Account).where(Account.login == login))


def signed_in(session: Session, account_id: str, session_version: int) -> Bearer | None:
    """The principal of a page request: the account of its session cookie, with its region's path and
    sites, or None when the account is gone, disabled, or its password was reset after the sign-in."""
    row = session.execute(
        select(Account.id, Account.role, Account.session_version, Account.disabled_at, Region.path)
        .outerjoin(Region, Region.code == Account.region_code).where(Account.id == account_id)).first()
    if row is None or row.disabled_at is not None or row.session_version != session_version:
        return None
    sites = session.scalars(select(AccountSite.site_id).where(AccountSite.account_id == account_id))
    return Bearer(row.id, row.role, row.path, frozenset(sites))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
