"""Signing in and out, the landing page, and the choice of language; the pages' own static files."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.access.accounts import sign_in
from app.api.context import reading, unit_of_work
from app.web.i18n import LANGUAGE_COOKIE, LANGUAGES, day
from app.web.pages import authorize_page, main_page, page_blueprint, safe_next, signed_in_principal

blp = page_blueprint("web", __name__, static_folder="static", static_url_path="/assets")

YEAR_S = 365 * 24 * 3600
CHINA = ZoneInfo("Asia/Shanghai")  # the people who read the pages live in one time zone


@blp.get("/")
def home() -> Response:
    with reading() as reader:
        principal = authorize_page(reader)
    target = main_page(principal)
    return redirect(target) if target else render_template("home.html")


@blp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if request.method == "GET":
        with reading() as reader:
            if signed_in_principal(reader) is not None:
                return redirect(url_for("web.home"))
        return render_template("login.html", login="")
    login_name = request.form.get("login", "").strip()
    with unit_of_work() as unit:  # a failure is counted even though the answer is a refusal
        outcome = sign_in(unit, login_name, request.form.get("password", ""))
        account = outcome.account and (outcome.account.id, outcome.account.session_version)
    if account is None:
        if outcome.refusal == "locked":
            error = _("Too many wrong passwords: this account is locked until %(time)s. An administrator can "
                      "unlock it by resetting the password.", time=_time(outcome.locked_until))
        else:
            error = _("Wrong login or password.")
        return make_response(render_template("login.html", login=login_name, error=error), 401)
    session.clear()  # a new session for a new sign-in: nothing carried over from before it
    session.permanent = True
    session["account"], session["version"] = account
    return redirect(safe_next(request.args.get("next")) or url_for("web.home"))


@blp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("web.login"))


@blp.post("/language")
def language() -> Response:
    chosen = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")) or url_for("web.home"))
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=YEAR_S, secure=request.is_secure,
                            httponly=True, samesite="Lax")
    return response


def _time(moment: datetime) -> str:
    local = moment.astimezone(CHINA)
    return f"{day(local.date())} {local:%H:%M}"
