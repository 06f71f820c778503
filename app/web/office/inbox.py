"""The alert inbox: the county's alerts a page at a time, filtered by kind, village, status and month; each
acknowledged with a note, then resolved with the help given, by a plain form or in place with htmx. The
moves are the API's (app.alerts.status), with its conflicts answered as a message on the alert as it is now."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from app.alerts.inbox import AlertFilter, alert_names, alert_page, villages
from app.alerts.status import AlertConflict, acknowledge_alert, resolve_alert
from app.api.access import Principal, require_alert, require_region
from app.api.context import reading, unit_of_work
from app.api.pagination import decode_cursor, encode_cursor, text_id
from app.api.schemas.alerts import AcknowledgeIn, ResolveIn
from app.api.schemas.base import MONTH
from app.db.models import Alert
from app.web.office.vacancies import alert_vacancies
from app.web.office.words import KINDS, STATUSES, when
from app.web.pages import authorize_page, safe_next

PAGE_SIZE = 25  # each card carries its own form: a page is served in well under 100 ms, and read on a phone
VILLAGE_CHOICES = 1000  # a county's villages fit a list to choose from; a province's do not (a code is typed)
FILTERS = ("kind", "village", "status", "month")


def alerts() -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        chosen, shown = _filter(reader, principal, request.args)
        after = decode_cursor(request.args.get("cursor") or None, _month, text_id)
        page, last = alert_page(reader, chosen, PAGE_SIZE, after and (after[0], after[1]))
        context = {"alerts": page, "names": alert_names(reader, page), "shown": shown,
                   "villages": villages(reader, principal.region_path, VILLAGE_CHOICES)}
    more = url_for("office.alerts", **shown, cursor=encode_cursor(*last)) if last else None
    return render_template("office/inbox.html", **context, more=more, kinds=KINDS, statuses=STATUSES,
                           back=request.full_path.rstrip("?"))


def _filter(reader: Session, principal: Principal, args: Mapping[str, str]) -> tuple[AlertFilter, dict[str, str]]:
    """The filter the query asks for, and the query's values to keep in the form and the links; 400 for a kind,
    status or month the form does not offer. Without a status, the open alerts: what is still to be done."""
    shown = {name: args.get(name, "").strip() for name in FILTERS}
    if "status" not in args:
        shown["status"] = "open"
    if shown["kind"] not in ("", *KINDS) or shown["status"] not in ("", *STATUSES) or (
            shown["month"] and not MONTH.match(shown["month"])):
        abort(400)
    region = require_region(principal, reader, shown["village"]) if shown["village"] else None
    return AlertFilter(principal.region_path, region and region.path, shown["kind"] or None,
                       shown["status"] or None, shown["month"] or None), shown


def _month(value) -> str:
    if not isinstance(value, str) or not MONTH.match(value):
        raise ValueError(f"not a month: {value!r}")
    return value


def alert(alert_id: str) -> str:
    with reading() as reader:
        found = _alert(reader, authorize_page(reader), alert_id)
        return render_template("office/alert.html", **_row(reader, found), vacancies=alert_vacancies(reader, found))


def acknowledge(alert_id: str) -> Response | tuple[str, int]:
    def move(found: Alert, actor: str) -> str:
        note = AcknowledgeIn().load({"note": request.form.get("note", "").strip() or None})["note"]
        acknowledge_alert(found, actor, note)
        return _("Acknowledged. Resolve it once help is given.")
    return _moved(alert_id, move)


def resolve(alert_id: str) -> Response | tuple[str, int]:
    def move(found: Alert, actor: str) -> str:
        help_given = ResolveIn().load({"help_given": request.form.get("help_given", "").strip()})["help_given"]
        resolve_alert(found, actor, help_given)
        return _("Resolved.")
    return _moved(alert_id, move)


def _moved(alert_id: str, move: Callable[[Alert, str], str]) -> Response | tuple[str, int]:
    """Make the move as the signed-in person, in one transaction; then back to the page the form was on
    (PRG), or, for htmx, the alert as it is now. A refusal is the alert as it is now with the reason."""
    in_place = request.headers.get("HX-Request") == "true"
    with unit_of_work() as unit:
        principal = authorize_page(unit)
        found = _alert(unit, principal, alert_id)
        status, message, refused = 200, None, None
        try:
            message = move(found, principal.token_id)
        except AlertConflict:
            status, refused = 409, _conflict(unit, found)
        except ValidationError:
            status, refused = 422, (_("Say what help was given, in at most 2,000 characters.")
                                    if request.endpoint == "office.resolve" else
                                    _("A note has at most 2,000 characters."))
        if status == 200 and not in_place:
            flash(message, "notice")
            return redirect(safe_next(request.form.get("next")) or url_for("office.alerts"), 303)
        unit.flush()
        row = _row(unit, found, notice=message, refused=refused)
        return render_template("office/_alert.html" if in_place else "office/alert.html", **row), status


def _alert(session: Session, principal: Principal, alert_id: str) -> Alert:
    """An alert of the caller's region; one outside it is not found, as in the API."""
    found = session.get(Alert, alert_id)
    if found is None:
        abort(404)
    require_alert(principal, found.region_path)
    return found


def _conflict(session: Session, found: Alert) -> str:
    """Why the move could not be made, as the alert now stands (someone else may just have moved it)."""
    names = alert_names(session, [found]).actors
    if found.status == "acknowledged":
        return _("%(who)s acknowledged this alert on %(when)s; it can now only be resolved.",
                 who=names.get(found.acknowledged_by, "?"), when=when(found.acknowledged_at))
    if found.status == "resolved":
        return _("%(who)s resolved this alert on %(when)s; nothing more can be done to it.",
                 who=names.get(found.resolved_by, "?"), when=when(found.resolved_at))
    return _("Acknowledge this alert before resolving it.")


def _row(session: Session, found: Alert, **messages: str | None) -> dict:
    return {"alert": found, "names": alert_names(session, [found]), "kinds": KINDS, "statuses": STATUSES,
            "back": safe_next(request.form.get("next")) or url_for("office.alerts"), **messages}
