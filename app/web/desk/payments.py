"""Paying a site's approved month at the desk: the batch, its bank file, and the bank's results file."""
from __future__ import annotations

from collections import Counter

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.api.access import Principal
from app.api.context import reading, unit_of_work
from app.db.models import PaymentBatch
from app.pay.bank_file import CONTENT_TYPE, bank_file_name, render_bank_file
from app.pay.payments import NothingToPay, pay_period, record_bank_results
from app.pay.periods import PeriodConflict
from app.web.desk.area import actor, blp, checked_month, site_in_scope
from app.web.desk.bank_results import BankResultsRefused, read_bank_results
from app.web.desk.site_month import conflict_message, refused
from app.web.pages import authorize_page


@blp.post("/sites/<site_id>/months/<month>/pay")
def pay(site_id: str, month: str) -> Response | tuple[str, int]:
    try:
        with unit_of_work() as session:
            principal = authorize_page(session)
            site_in_scope(principal, session, site_id)
            batch = pay_period(session, site_id, checked_month(month), actor(principal))
            lines, batch_id = len(batch.lines), batch.id
    except NothingToPay:
        return refused(site_id, month, _("Nothing is owed for this month: every line is paid or with the bank."),
                       409)
    except PeriodConflict:
        return refused(site_id, month, lambda session: conflict_message(session, site_id, month, "pay"), 409)
    flash(_("Payment batch %(batch)d is made with %(lines)d lines: download its bank file for the bank.",
            batch=batch_id, lines=lines), "notice")
    return redirect(url_for("desk.site_month", site_id=site_id, month=month, _anchor="payments"), 303)


def _batch(session: Session, batch_id: int) -> tuple[Principal, PaymentBatch]:
    """The batch, whose site must lie in the principal's scope as the API checks it."""
    principal = authorize_page(session)
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        abort(404)
    site_in_scope(principal, session, batch.site_id)
    return principal, batch


@blp.get("/batches/<int:batch_id>/bank.csv")
def bank_file(batch_id: int) -> Response:
    """The API's bank file (app.pay.bank_file), the same bytes, for a person signed in."""
    with reading() as session:
        _principal, batch = _batch(session, batch_id)
        content = render_bank_file(batch)
    response = Response(content, content_type=CONTENT_TYPE)
    response.headers.set("Content-Disposition", "attachment", filename=bank_file_name(batch_id))
    return response


@blp.post("/batches/<int:batch_id>/results")
def bank_results(batch_id: int) -> Response | tuple[str, int]:
    with reading() as session:
        _principal, batch = _batch(session, batch_id)
        site_id, month, answered = batch.site_id, batch.month, {line.id: line.status for line in batch.lines}
    upload = request.files.get("results")
    if upload is None or not upload.filename:
        return refused(site_id, month, _("Choose the bank's results file to upload."), 422)
    try:
        results = read_bank_results(upload.read(), answered)
    except BankResultsRefused as refusal:
        return refused(site_id, month, refusal.problems, 422)
    try:
        with unit_of_work() as session:
            _principal, batch = _batch(session, batch_id)
            record_bank_results(session, batch, results)
    except PeriodConflict:  # answered by someone else between the check and the write
        return refused(site_id, month, _("Someone recorded the bank's answer for this batch at the same moment. "
                                         "Check the file against the lines below."), 409)
    counts = Counter(result.status for result in results)
    flash(_("The bank's answer is recorded: %(confirmed)d confirmed, %(failed)d failed.",
            confirmed=counts["confirmed"], failed=counts["failed"]), "notice")
    return redirect(url_for("desk.site_month", site_id=site_id, month=month, _anchor="payments"), 303)
