"""The labour registry: a labourer's profile, their employment status (changes are events the consumers apply),
and the migrant workforce baseline of a region."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import authorize, require_region, require_region_field, require_worker
from app.api.context import reading, unit_of_work
from app.api.job_events import stage, staged
from app.api.registry import get_in_scope
from app.api.schemas.jobs import (
    BaselineArgs,
    BaselineIn,
    BaselineOut,
    BaselinesTaken,
    ProfileIn,
    ProfileOut,
    Staged,
    StatusIn,
    StatusOut,
)
from app.db.models import LabourBaseline, LabourProfile, LabourStatus, LabourStatusChange, Worker
from app.jobs.baselines_file import BaselinesRefused, read_baselines, take_baselines
from app.jobs.profiles import save_profile
from app.sheets import XLSX_CONTENT_TYPE as XLSX
from events import LABOUR_STATUS_CHANGED

blp = Blueprint("labour", __name__, url_prefix="/api/v1", description="Labourers and the migrant baseline")


@blp.route("/labourers/<worker_id>/profile")
class Profile(MethodView):
    @blp.response(200, ProfileOut)
    def get(self, worker_id):
        """A labourer's profile: skills, education, limits, how far they can go, ties, preferences"""
        with reading() as session:
            get_in_scope(session, authorize(session), Worker, worker_id, require_worker)
            profile = session.get(LabourProfile, worker_id)
            return profile if profile is not None else {**ProfileIn().load({}), "worker_id": worker_id}

    @blp.arguments(ProfileIn)
    @blp.response(200, ProfileOut)
    def put(self, data, worker_id):
        """Replace a labourer's profile whole"""
        with unit_of_work() as session:
            get_in_scope(session, authorize(session), Worker, worker_id, require_worker)
            return save_profile(session, worker_id, data)


@blp.route("/labourers/<worker_id>/status")
class Status(MethodView):
    @blp.response(200, StatusOut)
    def get(self, worker_id):
        """A labourer's current employment status and its history, latest first"""
        with reading() as session:
            get_in_scope(session, authorize(session), Worker, worker_id, require_worker)
            history = session.scalars(select(LabourStatusChange).where(LabourStatusChange.worker_id == worker_id)
                                      .order_by(LabourStatusChange.effective_date.desc(),
                                                LabourStatusChange.recorded_at.desc())).all()
            return {"worker_id": worker_id, "current": session.get(LabourStatus, worker_id), "history": history}

    @blp.arguments(StatusIn)
    @blp.response(202, Staged)
    @blp.alt_response(409, description="the change cannot be applied")
    def post(self, data, worker_id):
        """Record a change of employment status (labour.status_changed), applied by the consumers in a moment"""
        with unit_of_work() as session:
            principal = authorize(session)
            get_in_scope(session, principal, Worker, worker_id, require_worker)
            event = stage(session, principal, LABOUR_STATUS_CHANGED, {"worker_id": worker_id, **data})
            return staged(event)


@blp.route("/labour-baselines")
class Baselines(MethodView):
    @blp.arguments(BaselineArgs, location="query")
    @blp.response(200, BaselineOut(many=True))
    @blp.alt_response(404, description="no such region")
    def get(self, args):
        """The migrant workforce baselines of a region (every year, or one)"""
        with reading() as session:
            require_region(authorize(session), session, args["region"])
            query = select(LabourBaseline).where(LabourBaseline.region_code == args["region"])
            if args["year"] is not None:
                query = query.where(LabourBaseline.year == args["year"])
            return session.scalars(query.order_by(LabourBaseline.year)).all()

    @blp.arguments(BaselineIn)
    @blp.response(200, BaselineOut)
    def post(self, data):
        """Record (or correct) a region's migrant workforce at the end of a year"""
        with unit_of_work() as session:
            principal = authorize(session)
            require_region_field(principal, session, data["region_code"], "region_code")
            baseline = session.get(LabourBaseline, (data["region_code"], data["year"])) or LabourBaseline(
                region_code=data["region_code"], year=data["year"])
            baseline.migrant_workers, baseline.poor_migrant_workers = (data["migrant_workers"],
                                                                       data["poor_migrant_workers"])
            baseline.source, baseline.recorded_by = "api", principal.token_id
            session.add(baseline)
            session.flush()
            return baseline


BASELINES_FILE = {
    "required": True,
    "description": "A county office's baseline file, CSV (UTF-8 or GB18030/GBK) or XLSX (its first sheet): "
                   "a header row, in Chinese or English, columns in any order: 区划代码 / region_code, 年份 / year, "
                   "外出务工人数 / migrant_workforce, and optionally 其中脱贫人口 / poor_migrant_workforce. All rows "
                   "or none; a row equal to the one recorded changes nothing. An XLSX file goes as the `file` "
                   f"field, or as the whole body with Content-Type {XLSX}.",
    "content": {
        "text/csv": {"schema": {"type": "string"},
                     "example": "区划代码,年份,外出务工人数,其中脱贫人口\n360702,2025,1180,310\n"},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
    },
}


@blp.route("/labour-baselines/import")
class BaselinesImport(MethodView):
    @blp.doc(requestBody=BASELINES_FILE)
    @blp.response(200, BaselinesTaken)
    @blp.alt_response(400, description="neither CSV nor XLSX, or not UTF-8 or GB18030")
    @blp.alt_response(403, description="a row for a region outside the caller's")
    @blp.alt_response(415, description="not text/csv, XLSX or multipart/form-data")
    @blp.alt_response(422, description='every bad row and column, e.g. {"row 3": {"年份": ["not a year"]}}')
    def post(self):
        """Record the migrant workforce baselines of a CSV or XLSX file, all rows or none"""
        data = _upload()
        try:
            rows = read_baselines(data)
        except BaselinesRefused as refused:
            abort(422 if refused.errors else 400, message=str(refused), errors=refused.errors or None)
        with unit_of_work() as session:
            principal = authorize(session)
            try:
                taken = take_baselines(session, rows, principal.token_id, principal.covers)
            except BaselinesRefused as refused:
                abort(422, message=str(refused), errors=refused.errors)
            except PermissionError as refused:
                abort(403, message=str(refused))
            return taken


def _upload() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(422, message="no file uploaded", errors={"file": ["Missing data for required field."]})
        return upload.read()
    if request.mimetype not in ("text/csv", XLSX):
        abort(415, message=f"send the file as text/csv or {XLSX}, or as the `file` field of multipart/form-data")
    return request.get_data()
