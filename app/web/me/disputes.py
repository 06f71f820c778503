"""A worker disputes a day of their pay (我要申诉): on the page of a wage line or a missing day, a short form
(what is wrong, the right number where it applies, a note); and the same as JSON at /me/api/disputes. Both go
through app.review.disputes, as the worker signed in, and never name another worker."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.api.access import require_self
from app.api.context import reading, runtime, unit_of_work
from app.api.problems import problem
from app.db.models import Assignment, Dispute, Site
from app.review.disputes import Claim, DisputeRefused, own_disputes, raise_dispute
from app.web.pages import authorize_page
from events.schemas import DISPUTE_KINDS

MAX_NOTE = 500


def add_routes(blp: Blueprint) -> None:
    """This module's views, on the worker's blueprint (app.web.me)."""
    blp.add_url_rule("/disputes/new", view_func=new_dispute, methods=["GET", "POST"])
    blp.add_url_rule("/api/disputes", view_func=api_disputes, methods=["GET"])
    blp.add_url_rule("/api/disputes", view_func=api_raise, methods=["POST"])


def kinds() -> dict[str, str]:
    """What can be wrong with a day, as the worker reads it."""
    return {"worked": _("I worked that day"), "hours": _("My hours were different"),
            "output": _("My output was different"), "other": _("Something else")}


def new_dispute() -> Response | str | tuple[str, int]:
    form = request.form if request.method == "POST" else request.args
    with reading() as reader:
        worker_id = require_self(authorize_page(reader))
        sites = _own_sites(reader, worker_id)
    fields = {name: form.get(name, "").strip() for name in ("site_id", "date", "kind", "claimed", "product", "note")}
    if request.method == "GET":
        return render_template("me/dispute.html", fields=fields, sites=sites, kinds=kinds(), errors={})
    try:
        claim = _claim(fields)
        with unit_of_work() as session:
            worker_id = require_self(authorize_page(session))
            dispute = raise_dispute(session, runtime().bus, runtime().settings.topic_work_events, worker_id, claim,
                                    runtime().settings.today())
    except DisputeRefused as refused:
        errors = {name: _refusal_words(name) for name in (refused.errors or {"": None})}
        if refused.status == 409:
            errors = {"": _("This day is disputed already: wait for the answer.")}
        return render_template("me/dispute.html", fields=fields, sites=sites, kinds=kinds(), errors=errors), 422
    flash(_("Sent to the supervisor of %(site)s. You see the answer here.", site=sites.get(claim.site_id, "")),
          "notice")
    return redirect(url_for("me.month", month=dispute.month), 303)


def api_disputes() -> dict:
    """The worker's own disputes and their answers, newest first (JSON)."""
    with reading() as reader:
        worker_id = require_self(authorize_page(reader))
        return {"items": [as_json(dispute) for dispute in own_disputes(reader, worker_id, request.args.get("month"))]}


def api_raise() -> Response | tuple[dict, int]:
    """Raise a dispute (JSON: site_id, date, kind, claimed, product, note); 202 with the dispute as it stands."""
    with unit_of_work() as session:
        worker_id = require_self(authorize_page(session))  # who asks, before what they ask is read
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return problem(400, "the body is not a JSON object")
        fields = {name: "" if body.get(name) is None else str(body.get(name)).strip()
                  for name in ("site_id", "date", "kind", "claimed", "product", "note")}
        try:
            dispute = raise_dispute(session, runtime().bus, runtime().settings.topic_work_events, worker_id,
                                    _claim(fields), runtime().settings.today())
        except DisputeRefused as refused:
            return problem(refused.status, refused.message, errors=refused.errors)
        return as_json(dispute), 202


def as_json(dispute: Dispute) -> dict:
    return {"id": dispute.id, "site_id": dispute.site_id, "month": dispute.month,
            "date": dispute.work_date.isoformat(), "kind": dispute.kind, "claimed": dispute.claimed,
            "product": dispute.product, "note": dispute.note, "status": dispute.status,
            "reason": dispute.reason, "corrections": list(dispute.corrections or [])}


def _claim(fields: dict[str, str]) -> Claim:
    errors: dict[str, list[str]] = {}
    try:
        day = date.fromisoformat(fields["date"])
    except ValueError:
        day, errors["date"] = date.min, ["a day YYYY-MM-DD"]
    if fields["kind"] not in DISPUTE_KINDS:
        errors["kind"] = [f"one of {', '.join(DISPUTE_KINDS)}"]
    claimed = None
    if fields["claimed"]:
        try:
            claimed = Decimal(fields["claimed"])
        except InvalidOperation:
            errors["claimed"] = ["a number"]
        else:
            if not (claimed.is_finite() and 0 <= claimed <= 100_000 and claimed == claimed.quantize(Decimal("0.01"))):
                errors["claimed"] = ["a number from 0 to 100000, at most two decimals"]
    if not fields["site_id"]:
        errors["site_id"] = ["required"]
    if len(fields["note"]) > MAX_NOTE or len(fields["product"]) > 64:
        errors["note" if len(fields["note"]) > MAX_NOTE else "product"] = ["too long"]
    if errors:
        raise DisputeRefused(422, "the dispute could not be read", errors)
    if fields["kind"] == "output" and claimed is not None and claimed != claimed.to_integral_value():
        raise DisputeRefused(422, "pieces are whole", {"claimed": ["a whole number of pieces"]})
    return Claim(fields["site_id"], day, fields["kind"], claimed, fields["product"] or None, fields["note"] or None)


def _refusal_words(field: str) -> str:
    return {"date": _("Choose the day."), "kind": _("Choose what is wrong."),
            "claimed": _("Write the right number: hours, or pieces."), "product": _("Choose the product."),
            "site_id": _("Choose the workshop or post of that day."), "note": _("The note is too long.")}.get(
        field, _("Check the form and send it again."))


def _own_sites(reader, worker_id: str) -> dict[str, str]:
    """The sites the worker is assigned to (any time), by id: the places a day of theirs can be disputed at."""
    rows = reader.execute(select(Site.id, Site.name).join(Assignment, Assignment.site_id == Site.id)
                          .where(Assignment.worker_id == worker_id).distinct().order_by(Site.name))
    return dict(rows.all())

