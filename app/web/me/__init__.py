"""A worker's own pay (我的工资) on a basic phone: sign in with the mobile number and a one-time code, then this
month so far and the months before, each wage line with the rule that made it, in words.

Codes are asked for under limits per number and per address (RATE_LIMIT_SIGN_IN_NUMBER,
RATE_LIMIT_SIGN_IN_ADDRESS), and each code takes a few wrong tries before it is spent, so guesses are bounded
by the codes asked; every answer is the same whether the number is a worker's or not.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import structlog
from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select

from app.access.worker_sign_in import ask_code, phone_seal, redeem_code
from app.api.access import require_self
from app.api.context import reading, runtime, unit_of_work
from app.db.models import Site
from app.db.phones import mobile_number
from app.messages.senders import mask_phone, sender_for
from app.messages.texts import code_text
from app.pay.own_pay import own_month, own_months, worker_name
from app.review.disputes import own_disputes
from app.web.me.disputes import add_routes
from app.web.me.disputes import kinds as dispute_kinds
from app.web.me.words import explanation_words, hours
from app.web.pages import authorize_page, page_blueprint

blp = page_blueprint("me", __name__, url_prefix="/me")
MENU = (("me.months", lazy_gettext("My pay")),)
add_routes(blp)  # a dispute of a day (app.web.me.disputes)

log = structlog.get_logger("app.web.me")
MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@blp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("me/login.html", phone="")
    typed = request.form.get("phone", "")
    number = mobile_number(typed)
    if number is None:
        return render_template("me/login.html", phone=typed, error=_("Write a mobile number of 11 digits.")), 422
    _limit("sign_in_address", f"address:{request.remote_addr}")
    with unit_of_work() as unit:
        asked = ask_code(unit, number, runtime().settings.sign_in_code_minutes)
        _limit("sign_in_number", f"phone:{asked.phone_hash}")
    session["sign_in_phone"] = number
    response = redirect(url_for("me.code"), 303)
    if asked.worker_id is not None:
        # Sent once the answer is out: a number that is a worker's is answered as fast as one that is not.
        response.call_on_close(_code_sender(number, asked.code))
    return response


@blp.route("/code", methods=["GET", "POST"])
def code() -> Response | str | tuple[str, int]:
    number = session.get("sign_in_phone")
    if not isinstance(number, str):
        return redirect(url_for("me.login"))
    if request.method == "GET":
        return render_template("me/code.html", phone=mask_phone(number))
    with unit_of_work() as unit:  # a wrong code is counted even though the answer is a refusal
        worker = redeem_code(unit, number, request.form.get("code", ""))
        signed = worker and (worker.id, phone_seal(worker))
    if not signed:
        error = _("This code is wrong or has expired. Ask for a new one if it does not arrive.")
        return render_template("me/code.html", phone=mask_phone(number), error=error), 401
    session.clear()  # a new session for a new sign-in: nothing carried over from before it
    session.permanent = True
    session["worker"], session["phone_seal"] = signed
    return redirect(url_for("me.months"), 303)


@blp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("me.login"))


@blp.get("/")
def months() -> str:
    with reading() as reader:
        worker_id = require_self(authorize_page(reader))
        shown = own_months(reader, worker_id)
        this_month = runtime().settings.today().strftime("%Y-%m")
        current = own_month(reader, worker_id, this_month)
        return render_template("me/months.html", name=worker_name(reader, worker_id), months=shown,
                               this_month=this_month, current=current, hours=hours)


@blp.get("/months/<month>")
def month(month: str) -> str:
    if not MONTH.match(month):
        abort(404)
    with reading() as reader:
        worker_id = require_self(authorize_page(reader))
        detail = own_month(reader, worker_id, month)
        disputes = own_disputes(reader, worker_id, month)
        return render_template("me/month.html", name=worker_name(reader, worker_id), month=month, detail=detail,
                               words=explanation_words, hours=hours, disputes=disputes,
                               disputed={(d.site_id, d.work_date): d for d in reversed(disputes)},
                               kinds=dispute_kinds(), sites=_site_names(reader, disputes))


def _site_names(reader, disputes) -> dict[str, str]:
    ids = {dispute.site_id for dispute in disputes}
    return dict(reader.execute(select(Site.id, Site.name).where(Site.id.in_(ids))).all()) if ids else {}


def _limit(scope: str, caller: str) -> None:
    if current_app.extensions["rate_limits"].refusal(scope, caller) is not None:
        abort(429)


def _code_sender(number: str, code: str) -> Callable[[], None]:
    """Sends the code (read the settings now: the request is over when it runs)."""
    settings = runtime().settings
    sender, text = sender_for(settings), code_text(code, settings.sign_in_code_minutes)

    def send() -> None:
        sent = sender.send(number, text)
        if not sent.delivered:  # the worker asks again, as for a code that never came
            log.warning("sign-in code not sent", to=mask_phone(number), outcome=sent.error or sent.status_code)

    return send

