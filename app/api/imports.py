from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError

from app.api.access import authorize, forbidden_sites
from app.api.context import runtime, unit_of_work
from app.ledger.checks import work_today
from app.ledger.register import (
    MAX_ROWS,
    RegisterRejected,
    RegisterTooLarge,
    RegisterUnreadable,
    parse_register,
    read_register,
    take_register,
)

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports", description="Registers uploaded as files")

_COLUMNS = (
    "Header row required, columns in any order: worker_id, site_id, date (YYYY-MM-DD), status "
    "(present | half_day | absent | leave); optional check_in and check_out (local HH:MM) or minutes, "
    "id (event UUID; a fresh one when absent) and time (RFC 3339 with offset; the upload time when absent). "
    "Chinese headers are taken too (人员编号 or 工号, 站点, 日期, 出勤状态, 签到, 签退, 工时(分钟), "
    "事件编号, 记录时间), "
    "and the status words 出勤, 半天, 缺勤, 请假. "
    "An empty cell is an absent value; other columns are refused. UTF-8 (a byte-order mark is fine) or GB18030/GBK, "
    f"at most {MAX_ROWS} rows, one row per worker, site and day."
)
REGISTER_BODY = {
    "required": True,
    "description": _COLUMNS,
    "content": {
        "text/csv": {"schema": {"type": "string"},
                     "example": "worker_id,site_id,date,status,check_in,check_out\n"
                                "w-li,ws-sewing,2026-03-02,present,08:00,17:00\n"},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
    },
}


class ImportOut(ma.Schema):
    rows = ma.fields.Integer(metadata={"description": "data rows in the file"})
    accepted = ma.fields.Integer()
    duplicates = ma.fields.Integer(metadata={"description": "rows whose event id was already taken"})


@blp.route("/attendance")
class AttendanceImport(MethodView):
    @blp.doc(requestBody=REGISTER_BODY)
    @blp.response(202, ImportOut)
    @blp.alt_response(400, description="neither UTF-8 nor GB18030 text, or not CSV")
    @blp.alt_response(403, description="a row for a site the caller may not log work for")
    @blp.alt_response(413, description=f"more than {MAX_ROWS} rows, or a file over MAX_IMPORT_BYTES (8 MiB)")
    @blp.alt_response(415, description="neither text/csv nor multipart/form-data")
    @blp.alt_response(422, description='every bad row and column, e.g. {"row 5": {"date": ["Not a valid date."]}}')
    def post(self):
        """Take a CSV attendance register as attendance.recorded events: all rows valid or none taken"""
        with runtime().sessions() as session:  # read only: an Idempotency-Key is reserved by the write below
            authorize(session)  # strangers are refused before 20,000 rows are read
        try:
            register = read_register(_upload(), datetime.now(UTC))
        except RegisterUnreadable as error:
            abort(400, message=str(error))
        except RegisterTooLarge as error:
            abort(413, message=str(error))
        except RegisterRejected as rejected:
            abort(422, message="the register's header is not right; no row was taken", errors=rejected.errors)
        events, errors = parse_register(register)
        for attempt in (1, 2):
            try:
                return _take(register, events, errors)
            except IntegrityError:
                # Another request took one of these ids meanwhile; the second pass sees it.
                if attempt == 2:
                    raise


def _upload() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(422, message="no register uploaded", errors={"file": ["Missing data for required field."]})
        return upload.read()
    if request.mimetype != "text/csv":
        abort(415, message="send the register as text/csv, or as the `file` field of multipart/form-data")
    return request.get_data()


def _take(register, events, errors):
    with unit_of_work() as session:
        principal = authorize(session)
        denied = forbidden_sites(principal, session, {event.site_id for event in events.values()})
        if denied:
            abort(403, message=f"you may not log work for site(s) {', '.join(denied)}")
        try:
            settings = runtime().settings
            result = take_register(session, runtime().bus, settings.topic_work_events, register, events, errors,
                                   work_today(settings))
        except RegisterRejected as rejected:
            abort(422, message="invalid rows; none was taken", errors=rejected.errors)
    return {"rows": result.rows, "accepted": result.accepted, "duplicates": result.duplicates}
