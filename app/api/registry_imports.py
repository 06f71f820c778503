from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError

from app.api.access import MANAGERS, authorize
from app.api.context import runtime, unit_of_work
from app.ledger.register import MAX_ROWS
from app.registry.imports import (
    Importer,
    ImportOutOfScope,
    RegistryRejected,
    import_registry,
    read_sheet,
)
from app.registry.sheet import COLUMNS, SheetTooLarge, sheet_rows
from app.sheets import XLSX_CONTENT_TYPE as XLSX
from app.sheets import SheetUnreadable

blp = Blueprint("registry_imports", __name__, url_prefix="/api/v1/imports",
                description="Households, workers and assignments uploaded as a sheet")

_HEADERS = "; ".join(f"{name} ({' / '.join(words)})" for name, words in COLUMNS.items())
SHEET_BODY = {
    "required": True,
    "description": (
        "One row per worker, the household's columns repeated on each of its workers' rows; a worker employed at "
        f"two sites has two rows. Columns, in any order, English or Chinese: {_HEADERS}. Required: household_number, "
        "village_code, household_size, household_status (poor 脱贫户 | monitored 监测户 | other 一般农户), name, "
        "national_id. The site columns employ the worker: site_id, start_date, scheme (hourly 计时工资 | daily 日工资 "
        "| monthly 月补贴), rate_yuan, required_days (monthly), end_date optional. CSV in UTF-8 or GB18030/GBK, or an "
        f"XLSX workbook (its first sheet) as the `file` field, or as the whole body with Content-Type {XLSX}; at most "
        f"{MAX_ROWS} rows (more with `flask import-registry`)."),
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
    },
}


class CountsOut(ma.Schema):
    added = ma.fields.Integer()
    unchanged = ma.fields.Integer(metadata={"description": "registered already, with the same values"})


class RegistryImportOut(ma.Schema):
    rows = ma.fields.Integer(metadata={"description": "data rows in the sheet"})
    changed = ma.fields.Boolean(metadata={"description": "false when every row was registered already"})
    households = ma.fields.Nested(CountsOut)
    workers = ma.fields.Nested(CountsOut)
    assignments = ma.fields.Nested(CountsOut)
    warnings = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), metadata={
        "description": 'what a manager should check, by row: {"row 4": ["bank_account fails the Luhn check ..."]}'})


@blp.route("/registry")
class RegistryImport(MethodView):
    @blp.doc(requestBody=SHEET_BODY)
    @blp.response(201, RegistryImportOut)
    @blp.alt_response(400, description="neither UTF-8 nor GB18030 CSV, nor an XLSX workbook")
    @blp.alt_response(403, description="a village or site outside the caller's region, or sites named by a role "
                                       "that may not employ")
    @blp.alt_response(413, description=f"more than {MAX_ROWS} rows, or a file over MAX_IMPORT_BYTES (8 MiB)")
    @blp.alt_response(415, description="neither text/csv, XLSX nor multipart/form-data")
    @blp.alt_response(422, description='every bad row and column, e.g. {"row 5": {"身份证号": ["the check '
                                       'digit ..."]}}; nothing is registered')
    def post(self):
        """Register the households, workers and assignments of a sheet: all rows or none; a row registered
        already adds nothing, so the same sheet imported again changes nothing"""
        with runtime().sessions() as session:  # read only: strangers are refused before the file is read
            authorize(session)
        try:
            sheet = read_sheet(sheet_rows(_upload(), MAX_ROWS), runtime().settings.today())
        except SheetUnreadable as error:
            abort(400, message=str(error))
        except SheetTooLarge as error:
            abort(413, message=str(error))
        except RegistryRejected as rejected:
            abort(422, message="the sheet cannot be read; nothing was registered", errors=rejected.errors)
        for attempt in (1, 2):
            try:
                return _register(sheet)
            except IntegrityError:
                # Another request registered one of these meanwhile; the second pass finds it registered.
                if attempt == 2:
                    raise


def _register(sheet):
    with unit_of_work() as session:
        principal = authorize(session)
        importer = Importer(region_path=principal.region_path, may_assign=principal.role in MANAGERS)
        try:
            result = import_registry(session, sheet, importer)
        except ImportOutOfScope as error:
            abort(403, message=str(error))
        except RegistryRejected as rejected:
            abort(422, message="invalid rows; nothing was registered", errors=rejected.errors)
    return {"rows": result.rows, "changed": result.changed, "households": result.households,
            "workers": result.workers, "assignments": result.assignments, "warnings": result.warnings}


def _upload() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(422, message="no sheet uploaded", errors={"file": ["Missing data for required field."]})
        return upload.read()
    if request.mimetype not in ("text/csv", XLSX):
        abort(415, message=f"send the sheet as text/csv, as {XLSX}, or as the `file` field of multipart/form-data")
    return request.get_data()
