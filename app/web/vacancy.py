"""A vacancy's public page (`/v/<id>`, the link shared in village groups): no sign-in and no personal data; a
labourer leaves a name, a phone and their village, which reach that village's cadre as a referral request.
Posting is limited per address (RATE_LIMIT_INTEREST) and carries a CSRF token like every form."""
from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.api.context import reading, runtime, unit_of_work
from app.db.models import Vacancy
from app.jobs.group_message import dates_in_words, pay_in_words, qr_code
from app.jobs.interest import InterestRefused, record_interest, villages_for
from app.jobs.notices import notice_for, public_description
from app.web.pages import page_blueprint

blp = page_blueprint("vacancy", __name__, url_prefix="/v")


@blp.get("/<vacancy_id>")
def show(vacancy_id: str) -> str:
    with reading() as reader:
        return _page(reader, _vacancy(reader, vacancy_id), sent=request.args.get("sent") == "1")


@blp.post("/<vacancy_id>/interest")
def interest(vacancy_id: str) -> Response | tuple[str, int]:
    refusal = current_app.extensions["rate_limits"].refusal("interest", f"address:{request.remote_addr}")
    if refusal is not None:
        abort(429)
    form = {name: request.form.get(name, "") for name in ("name", "phone", "village")}
    try:
        with unit_of_work() as unit:
            record_interest(unit, _vacancy(unit, vacancy_id), **form)
    except InterestRefused as refused:
        with reading() as reader:
            return _page(reader, _vacancy(reader, vacancy_id), errors=refused.errors, form=form), 422
    return redirect(url_for("vacancy.show", vacancy_id=vacancy_id, sent=1), 303)


@blp.get("/<vacancy_id>/qr.<any(png, svg):kind>")
def qr(vacancy_id: str, kind: str) -> Response:
    with reading() as reader:
        _vacancy(reader, vacancy_id)
    content_type = {"png": "image/png", "svg": "image/svg+xml"}[kind]
    return Response(qr_code(vacancy_link(vacancy_id), kind), content_type=content_type)


def vacancy_link(vacancy_id: str) -> str:
    """The public page's address as shared: PUBLIC_BASE_URL's, or this request's host's."""
    base = runtime().settings.public_base_url or request.url_root.rstrip("/")
    return base + url_for("vacancy.show", vacancy_id=vacancy_id)


def _vacancy(reader, vacancy_id: str) -> Vacancy:
    vacancy = reader.get(Vacancy, vacancy_id)
    if vacancy is None:
        abort(404)
    return vacancy


def _page(reader, vacancy: Vacancy, sent: bool = False, errors: dict | None = None, form: dict | None = None) -> str:
    notice = notice_for(reader, vacancy)
    problems = {"name": _("Write your name."), "phone": _("Write a mobile number of 11 digits."),
                "village": _("Choose your village."), "vacancy": _("This vacancy is no longer open.")}
    return render_template("vacancy/show.html", vacancy=vacancy, notice=notice, pay=pay_in_words(notice.scheme),
                           dates=dates_in_words(notice.start, notice.end), description=public_description(vacancy),
                           villages=villages_for(reader, vacancy), sent=sent, form=form or {},
                           errors={field: problems[field] for field in (errors or {})})
