from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.alerts.evaluation import evaluate, thresholds_from
from app.alerts.inbox import AlertFilter, alert_page
from app.alerts.status import AlertConflict, acknowledge_alert, resolve_alert
from app.api.access import Principal, authorize, region_filter, require_alert
from app.api.context import reading, runtime, unit_of_work
from app.api.matching import household_vacancies
from app.api.pagination import decode_cursor, encode_cursor
from app.api.schemas.alerts import (
    AcknowledgeIn,
    AlertArgs,
    AlertOut,
    AlertPageOut,
    EvaluateIn,
    EvaluationOut,
    ResolveIn,
)
from app.api.schemas.matching import AlertWithVacanciesOut
from app.db.models import Alert

blp = Blueprint("alerts", __name__, url_prefix="/api/v1/alerts", description="Income-stability alerts")

def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"not text: {value!r}")
    return value


def _alert(session, principal: Principal, alert_id: str) -> Alert:
    """An alert of the caller's region; one outside it is answered as if it did not exist."""
    alert = session.get(Alert, alert_id) or abort(404, message="no such alert in your region")
    require_alert(principal, alert.region_path)
    return alert


@blp.route("/evaluate")
class Evaluate(MethodView):
    @blp.arguments(EvaluateIn)
    @blp.response(200, EvaluationOut)
    def post(self, body):
        """Run the alert rules for a month as things stand on `as_of`; each alert is raised once"""
        with unit_of_work() as session:
            principal = authorize(session)
            settings = runtime().settings
            raised = evaluate(session, runtime().bus, settings.topic_alerts, body["month"], body["as_of"],
                              thresholds_from(settings), within=principal.region_path)
            return {"month": body["month"], "as_of": body["as_of"], "raised": len(raised), "alerts": raised}


@blp.route("")
class Alerts(MethodView):
    @blp.arguments(AlertArgs, location="query")
    @blp.response(200, AlertPageOut)
    def get(self, args):
        """Alerts inside the caller's region, newest month first; filter by kind, status, region, month"""
        with reading() as session:
            principal = authorize(session)
            region = region_filter(principal, session, args["region"])
            chosen = AlertFilter(principal.region_path, region and region.path, args["kind"], args["status"],
                                 args["month"])
            after = decode_cursor(args["cursor"], _text, _text)
            alerts, last = alert_page(session, chosen, args["limit"], after and tuple(after))
            return {"items": alerts, "next_cursor": encode_cursor(*last) if last else None}


@blp.route("/<hex_id:alert_id>")
class AlertById(MethodView):
    @blp.response(200, AlertWithVacanciesOut)
    def get(self, alert_id):
        """One alert of the caller's region, with the best open vacancies for its household's idle members"""
        with reading() as session:
            alert = _alert(session, authorize(session), alert_id)
            shown = {name: getattr(alert, name) for name in AlertOut().fields}
            return {**shown, "vacancies": household_vacancies(session, alert.household_id)}


@blp.route("/<hex_id:alert_id>/acknowledge")
class Acknowledge(MethodView):
    @blp.arguments(AcknowledgeIn)
    @blp.response(200, AlertOut)
    @blp.alt_response(409, description="the alert is not open")
    def post(self, body, alert_id):
        """Say the office has seen the alert and is acting on it"""
        with unit_of_work() as session:
            principal = authorize(session)
            alert = _alert(session, principal, alert_id)
            try:
                return acknowledge_alert(alert, principal.token_id, body["note"])
            except AlertConflict as conflict:
                abort(409, message=str(conflict))


@blp.route("/<hex_id:alert_id>/resolve")
class Resolve(MethodView):
    @blp.arguments(ResolveIn)
    @blp.response(200, AlertOut)
    @blp.alt_response(409, description="the alert is not acknowledged")
    def post(self, body, alert_id):
        """Close an acknowledged alert, saying what help was given"""
        with unit_of_work() as session:
            principal = authorize(session)
            alert = _alert(session, principal, alert_id)
            try:
                return resolve_alert(alert, principal.token_id, body["help_given"])
            except AlertConflict as conflict:
                abort(409, message=str(conflict))
