"""Matches both ways: the labourers for a vacancy, the vacancies for a labourer, best first, with reasons in the
language of the request."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.alerts.evaluation import thresholds_from
from app.api.access import authorize, require_worker
from app.api.context import reading, runtime
from app.api.pagination import decode_cursor, encode_cursor
from app.api.registry import get_in_scope
from app.api.schemas.matching import LabourerMatchPageOut, MatchArgs, VacancyMatchPageOut
from app.db.models import Household, Vacancy, Worker
from app.jobs import matching
from app.jobs.reasons import reason_out

blp = Blueprint("matching", __name__, url_prefix="/api/v1", description="Matching labourers and vacancies")


def request_language() -> str:
    """"zh" or "en" from the Accept-Language header; Chinese when it names neither."""
    return "en" if request.accept_languages.best_match(["zh", "zh-CN", "en"], default="zh") == "en" else "zh"


def _page(matches: list, args: dict) -> tuple[list, str | None]:
    start = (decode_cursor(args["cursor"], int) or [0])[0]
    if start < 0:
        abort(422, errors={"cursor": ["not a cursor this list gave out"]})
    end = start + args["limit"]
    return matches[start:end], encode_cursor(end) if end < len(matches) else None


def _vacancy_out(match, vacancy: Vacancy, language: str) -> dict:
    return {"vacancy_id": match.vacancy_id, "title": vacancy.title, "region_code": vacancy.region_code,
            "score": match.score, "reasons": [reason_out(reason, language) for reason in match.reasons]}


def household_vacancies(session, household_id: str | None) -> list[dict]:
    """The best vacancies for a household's idle members, for an answer (none without a household)."""
    if household_id is None:
        return []
    settings, language = runtime().settings, request_language()
    return [{"worker_id": found.worker_id, "name": found.name, **_vacancy_out(found.match, found.vacancy, language)}
            for found in matching.vacancies_for_household(session, household_id, settings.today(),
                                                          thresholds_from(settings))]


@blp.route("/vacancies/<vacancy_id>/matches")
class VacancyMatches(MethodView):
    @blp.arguments(MatchArgs, location="query")
    @blp.response(200, LabourerMatchPageOut)
    def get(self, args, vacancy_id):
        """The labourers of the caller's region for an open vacancy, best first (none for a vacancy not open)"""
        with reading() as session:
            principal = authorize(session)
            vacancy = session.get(Vacancy, vacancy_id) or abort(404, message="no such vacancy")
            settings = runtime().settings
            ranked = matching.labourers_for(session, vacancy, args["as_of"] or settings.today(),
                                            thresholds_from(settings), within=principal.region_path)
            page, cursor = _page(ranked.matches, args)
            people = {row.id: row for row in session.execute(
                select(Worker.id, Worker.name, Worker.household_id, Household.region_code)
                .join(Household, Household.id == Worker.household_id)
                .where(Worker.id.in_([match.labourer_id for match in page])))}
            language = request_language()
            return {"language": language, "next_cursor": cursor, "items": [{
                "worker_id": match.labourer_id, "name": people[match.labourer_id].name,
                "household_id": people[match.labourer_id].household_id,
                "region_code": people[match.labourer_id].region_code, "score": match.score,
                "reasons": [reason_out(reason, language) for reason in match.reasons]} for match in page]}


@blp.route("/labourers/<worker_id>/matches")
class LabourerMatches(MethodView):
    @blp.arguments(MatchArgs, location="query")
    @blp.response(200, VacancyMatchPageOut)
    def get(self, args, worker_id):
        """The open vacancies for a labourer of the caller's region, best first"""
        with reading() as session:
            get_in_scope(session, authorize(session), Worker, worker_id, require_worker)
            settings = runtime().settings
            today = args["as_of"] or settings.today()
            labourer = matching.labourer(session, worker_id, today, thresholds_from(settings))
            if labourer is None:
                abort(404, message="this worker has no labour profile")
            ranked = matching.vacancies_for(session, labourer, today)
            page, cursor = _page(ranked.matches, args)
            language = request_language()
            return {"language": language, "next_cursor": cursor,
                    "items": [_vacancy_out(match, ranked.vacancies[match.vacancy_id], language) for match in page]}
