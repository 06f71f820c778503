"""The disputes of a supervisor's sites (工资申诉): each worker's word about a day, accepted (the correcting work
goes through the intake, as the API's acceptance does) or rejected with a reason the worker reads. A post manager
reads those of their region here too."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.api.access import require_site
from app.api.context import reading, runtime, unit_of_work
from app.db.models import Dispute, Site, Worker
from app.review.disputes import DisputeRefused, accept_dispute, reject_dispute
from app.web.me.disputes import kinds
from app.web.pages import authorize_page

SHOWN = 200  # the answered disputes shown below the open ones, newest first
MAX_REASON = 500


def add_routes(blp: Blueprint) -> None:
    """This module's views, on the register's blueprint (app.web.register)."""
    blp.add_url_rule("/disputes", view_func=disputes, methods=["GET"])
    blp.add_url_rule("/disputes/<dispute_id>/<any(accept, reject):answer>", view_func=answer_dispute,
                     methods=["POST"])


def disputes() -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        query = select(Dispute, Worker.name, Site.name).join(Worker, Worker.id == Dispute.worker_id).join(
            Site, Site.id == Dispute.site_id)
        if principal.role == "supervisor":
            query = query.where(Dispute.site_id.in_(sorted(principal.site_ids)))
        elif principal.region_path is not None:
            query = query.where(Dispute.region_path.startswith(principal.region_path))
        rows = reader.execute(query.order_by(Dispute.status != "open", Dispute.raised_at.desc()).limit(SHOWN)).all()
    return render_template("register/disputes.html", rows=rows, kinds=kinds(), max_reason=MAX_REASON,
                           answers=principal.role in ("supervisor", "admin"))


def answer_dispute(dispute_id: str, answer: str) -> Response:
    reason = request.form.get("reason", "").strip()[:MAX_REASON]
    settings = runtime().settings
    try:
        with unit_of_work() as session:
            principal = authorize_page(session)
            dispute = session.get(Dispute, dispute_id, with_for_update=True) or abort(404)
            require_site(principal, session, session.get(Site, dispute.site_id))
            if answer == "accept":
                accept_dispute(session, runtime().bus, settings.topic_work_events, dispute, principal.token_id,
                               settings.today())
            else:
                reject_dispute(session, runtime().bus, settings.topic_work_events, dispute, principal.token_id,
                               reason)
    except DisputeRefused as refused:
        flash(_("Say why you reject it: the worker reads it.") if refused.status == 422 and answer == "reject"
              else _("This dispute could not be answered: %(why)s", why=refused.message), "error")
    else:
        flash(_("Accepted: the correction is sent and shows once processed.") if answer == "accept"
              else _("Rejected: the worker reads your reason."), "notice")
    return redirect(url_for("register.disputes"), 303)
