from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.access import authorize, require_site
from app.api.context import reading, unit_of_work
from app.api.schemas.pay import BankResultsIn, PaymentBatchOut
from app.db.models import PaymentBatch, Site
from app.pay.bank_file import bank_file_name, render_bank_file
from app.pay.payments import LineResult, record_bank_results
from app.pay.periods import PeriodConflict

blp = Blueprint("payments", __name__, url_prefix="/api/v1/payment-batches",
                description="Payment batches: the bank's file and its answers")

def _batch(session, batch_id: int) -> PaymentBatch:
    principal = authorize(session)
    batch = session.get(PaymentBatch, batch_id) or abort(404, message="no such payment batch")
    require_site(principal, session, session.get(Site, batch.site_id))
    batch.lines  # loaded now: the answer is written after the session has closed
    return batch


@blp.route("/<row_id:batch_id>")
class Batch(MethodView):
    @blp.response(200, PaymentBatchOut)
    def get(self, batch_id):
        """A payment batch and its lines (bank accounts masked)"""
        with reading() as session:
            return _batch(session, batch_id)


@blp.route("/<row_id:batch_id>/bank.csv")
class BankFile(MethodView):
    @blp.response(200, content_type="text/csv")
    def get(self, batch_id):
        """The batch as a CSV file for the bank, with the full bank accounts (post managers and admins)"""
        with reading() as session:
            content = render_bank_file(_batch(session, batch_id))
        return Response(content, mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename={bank_file_name(batch_id)}"})


@blp.route("/<row_id:batch_id>/results")
class BankResults(MethodView):
    @blp.arguments(BankResultsIn)
    @blp.response(200, PaymentBatchOut)
    @blp.alt_response(409, description="a line already has another answer")
    def post(self, body, batch_id):
        """Record the bank's answer per line: confirmed, or failed (then owed again, payable in a later batch)"""
        with unit_of_work() as session:
            batch = _batch(session, batch_id)
            try:
                record_bank_results(session, batch, [LineResult(**line) for line in body["lines"]])
            except KeyError as unknown:
                abort(422, errors={"lines": [f"not lines of this batch: {unknown.args[0]}"]})
            except PeriodConflict as conflict:
                abort(409, message=str(conflict))
            return batch
