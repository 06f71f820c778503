"""Accounts: an admin's list of the people of their region (a page at a time, searched by login or name), a new
account, a password reset, disabling one and enabling it again; and anyone's own password. Accounts are scoped
as tokens are: an admin sees and changes only those whose region lies inside their own (a nationwide admin: all).
"""
from __future__ import annotations

from flask import Response, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.accounts import (
    AccountError,
    account_page,
    change_password,
    create_account,
    disable_account,
    enable_account,
    is_locked,
    needs_password,
    new_password,
    reset_password,
    sites_of_accounts,
)
from app.api.access import Principal, require_region, require_token
from app.api.context import reading, unit_of_work
from app.api.pagination import decode_cursor, encode_cursor, instant, text_id
from app.db.models import Account, Region
from app.web.pages import authorize_page, page_blueprint

blp = page_blueprint("people", __name__)
MENU = (("people.accounts", lazy_gettext("Accounts")),)

ROLE_NAMES = {"admin": lazy_gettext("Administrator"), "supervisor": lazy_gettext("Workshop supervisor"),
              "post_manager": lazy_gettext("Welfare-post manager"),
              "poverty_office": lazy_gettext("County poverty office")}
# app.access.accounts.REASONS in the pages' words.
REFUSALS = {
    "login_format": lazy_gettext("A login is 3 to 64 letters, digits or . _ @ + -"),
    "login_taken": lazy_gettext("The login %(login)s is taken."),
    "name_missing": lazy_gettext("Enter the person's name."),
    "short_password": lazy_gettext("A password has at least 10 characters."),
    "wrong_password": lazy_gettext("The current password is wrong."),
    "unknown_role": lazy_gettext("Choose a role."),
    "unknown_region": lazy_gettext("There is no region %(region)s."),
    "nationwide": lazy_gettext("Only an administrator may be nationwide: choose a region."),
    "unknown_site": lazy_gettext("There is no site %(site)s."),
    "site_outside": lazy_gettext("The site %(site)s lies outside the region %(region)s."),
    "no_account": lazy_gettext("There is no such account."),
}
REGION_CHOICES = 500  # offered as the region field is typed; any region of the admin's may still be entered
PAGE_SIZE = 25  # as the office's inbox: a page read on a phone, served quickly however many people a region has
SEARCH_LENGTH = 64  # a login's longest; a name is found by a part of it


@blp.context_processor
def _names() -> dict:
    return {"role_names": ROLE_NAMES}


@blp.get("/accounts")
def accounts() -> str:
    search = request.args.get("q", "").strip()[:SEARCH_LENGTH]
    after = decode_cursor(request.args.get("cursor") or None, instant, text_id)
    with reading() as reader:
        principal = authorize_page(reader)
        people, last = account_page(reader, principal.region_path, search, PAGE_SIZE, after and (after[0], after[1]))
        shown = _shown(reader, people)
    more = url_for("people.accounts", q=search or None, cursor=encode_cursor(*last)) if last else None
    return render_template("people/accounts.html", accounts=shown, search=search, more=more)


@blp.route("/accounts/new", methods=["GET", "POST"])
def create() -> Response | str:
    form = {key: request.form.get(key, "").strip() for key in ("login", "name", "role", "region", "sites")}
    if request.method == "GET":
        with reading() as reader:
            principal = authorize_page(reader)
            form["region"] = _code(principal.region_path)
            return render_template("people/new.html", form=form, errors={}, regions=_regions(reader, principal))
    sites = form["sites"].replace(",", " ").split()
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        _require_region_of(principal, unit, form["region"] or None)
        try:
            account = create_account(unit, login=form["login"], name=form["name"], role=form["role"],
                                     password=request.form.get("password", ""),
                                     region_code=form["region"] or None, site_ids=sites)
        except AccountError as error:
            page = render_template("people/new.html", form=form, errors=_errors(error),
                                   regions=_regions(unit, principal))
            return make_response(page, 422)
        flash(_("The account %(login)s is made: give its person the login and the first password.",
                login=account.login))
        return redirect(url_for("people.account", account_id=account.id), 303)


@blp.get("/accounts/<account_id>")
def account(account_id: str) -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        return _account_page(reader, principal, _account_in_scope(principal, reader, account_id))


@blp.post("/accounts/<account_id>/password")
def reset(account_id: str) -> Response | str:
    typed = request.form.get("password", "")
    password = typed or new_password()
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        person = _account_in_scope(principal, unit, account_id)
        try:
            reset_password(unit, person.id, password)
        except AccountError as error:
            return make_response(_account_page(unit, principal, person, errors=_errors(error)), 422)
        if not typed:  # shown once, on this answer only: never kept in the session cookie or a log
            return _account_page(unit, principal, person, generated=password)
    flash(_("The password of %(login)s is reset: the account is unlocked and its sessions are signed out.",
            login=person.login))
    return redirect(url_for("people.account", account_id=account_id), 303)


@blp.post("/accounts/<account_id>/disable")
def disable(account_id: str) -> Response | str:
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        person = _account_in_scope(principal, unit, account_id)
        if person.id == principal.token_id:
            errors = {"disable": _("You cannot disable your own account.")}
            return make_response(_account_page(unit, principal, person, errors=errors), 422)
        disable_account(unit, person.id)
    flash(_("The account %(login)s is disabled: it cannot sign in, and its sessions are ended.", login=person.login))
    return redirect(url_for("people.account", account_id=account_id), 303)


@blp.post("/accounts/<account_id>/enable")
def enable(account_id: str) -> Response:
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        person = _account_in_scope(principal, unit, account_id)
        was_disabled = person.disabled_at is not None
        enable_account(unit, person.id)
    if was_disabled:  # an account already active keeps its password, and nothing is said
        flash(_("The account %(login)s is enabled. Its old password no longer works: reset it, and give the "
                "person the new one.", login=person.login))
    return redirect(url_for("people.account", account_id=account_id), 303)


@blp.route("/password", methods=["GET", "POST"])
def own_password() -> Response | str:
    if request.method == "GET":
        with reading() as reader:
            authorize_page(reader)
            return render_template("people/password.html", errors={})
    new, again = request.form.get("password", ""), request.form.get("again", "")
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        if new != again:
            return make_response(render_template("people/password.html", errors={
                "again": _("The two new passwords differ.")}), 422)
        try:
            version = change_password(unit, principal.token_id, request.form.get("current", ""), new).session_version
        except AccountError as error:
            return make_response(render_template("people/password.html", errors=_errors(error)), 422)
    session["version"] = version  # this session goes on; the person's other sessions end
    flash(_("Your password is changed. Your other sessions are signed out."))
    return redirect(url_for("people.own_password"), 303)


def _account_in_scope(principal: Principal, reader: Session, account_id: str) -> Account:
    person = reader.get(Account, account_id)
    if person is None:
        abort(404)
    require_token(principal, reader, person)
    return person


def _require_region_of(principal: Principal, unit: Session, region_code: str | None) -> None:
    """The new account's region inside the admin's (403 otherwise); an unknown one is the form's error."""
    if region_code is None:
        if principal.region_path is not None:
            abort(403)
    elif unit.get(Region, region_code) is not None:
        require_region(principal, unit, region_code)


def _account_page(reader: Session, principal: Principal, person: Account, errors: dict | None = None,
                  generated: str | None = None) -> str:
    [shown] = _shown(reader, [person])
    return render_template("people/account.html", account=shown, errors=errors or {},
                           generated=generated, itself=person.id == principal.token_id)


def _shown(reader: Session, people: list[Account]) -> list[dict]:
    """What the pages show of each account, with its region's name and its sites (three queries in all)."""
    sites = sites_of_accounts(reader, people)
    codes = {person.region_code for person in people if person.region_code}
    names = dict(reader.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())
    return [{"id": person.id, "login": person.login, "name": person.name, "role": person.role,
             "region": names.get(person.region_code), "sites": sites[person.id], "locked": is_locked(person),
             "disabled": person.disabled_at is not None, "needs_password": needs_password(person),
             "created": person.created_at} for person in people]


def _regions(reader: Session, principal: Principal) -> list[Region]:
    query = select(Region).order_by(Region.path).limit(REGION_CHOICES)
    if principal.region_path is not None:
        query = query.where(Region.path.startswith(principal.region_path, autoescape=True))
    return list(reader.scalars(query))


def _errors(error: AccountError) -> dict[str, str]:
    return {error.field: str(REFUSALS[error.reason]) % error.params}


def _code(region_path: str | None) -> str:
    """A region's code from its path ("/36/3607/360731/" -> "360731"); "" for nationwide."""
    return region_path.rstrip("/").rpartition("/")[2] if region_path else ""

