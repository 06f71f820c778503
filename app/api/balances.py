from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import bindparam, select, tuple_

from app.api.access import authorize, require_worker_at
from app.api.context import reading, reading_rows
from app.api.pagination import decode_cursor, encode_cursor, iso_date, row_id
from app.api.schemas import BalanceArgs, BalanceOut, WageArgs, WagePageOut
from app.balances import worker_balances
from app.db import Reader
from app.db.models import Household, Region, WageLine, Worker

blp = Blueprint("earnings", __name__, url_prefix="/api/v1/workers", description="Balances and wage lines")


def _as_dict(balance) -> dict:
    return {"period": balance.period, "earned_fen": balance.earned_fen, "approved_fen": balance.approved_fen,
            "paid_fen": balance.paid_fen, "outstanding_fen": balance.outstanding_fen,
            "pending_fen": balance.pending_fen}


# The worker's region path, in one round trip: all that deciding who may read their pay needs.
_workers, _households, _regions = Worker.__table__, Household.__table__, Region.__table__
_WORKER_REGION = (
    select(_workers.c.id, _regions.c.path)
    .join(_households, _households.c.id == _workers.c.household_id)
    .join(_regions, _regions.c.code == _households.c.region_code)
    .where(_workers.c.id == bindparam("worker_id"))
)


def _readable_worker(reader: Reader, worker_id: str) -> None:
    """401 or 403 unless the caller may read this worker's pay; 404 when there is no such worker."""
    principal = authorize(reader)
    row = reader.execute(_WORKER_REGION, {"worker_id": worker_id}).first() or abort(404, message="no such worker")
    require_worker_at(principal, reader, worker_id, row.path)


@blp.route("/<worker_id>/balance")
class WorkerBalance(MethodView):
    @blp.arguments(BalanceArgs(), location="query")  # an instance: webargs would build one per request
    @blp.response(200, BalanceOut)
    def get(self, args, worker_id):
        """Earned, approved, paid, outstanding and pending, overall (or for ?period=) and per period"""
        with reading_rows() as reader:
            _readable_worker(reader, worker_id)
            total, periods = worker_balances(reader, worker_id, args.get("period"))
            return {"worker_id": worker_id, **_as_dict(total), "periods": [_as_dict(p) for p in periods]}


@blp.route("/<worker_id>/wages")
class WorkerWages(MethodView):
    @blp.arguments(WageArgs, location="query")
    @blp.response(200, WagePageOut)
    def get(self, args, worker_id):
        """Wage lines by work date, with the facts each came from (monthly schemes: one line per month)"""
        with reading() as session:
            _readable_worker(session, worker_id)
            query = select(WageLine).where(WageLine.worker_id == worker_id)
            if args["from_"] is not None:
                query = query.where(WageLine.work_date >= args["from_"])
            if args["to"] is not None:
                query = query.where(WageLine.work_date <= args["to"])
            after = decode_cursor(args["cursor"], iso_date, row_id)
            if after is not None:
                query = query.where(tuple_(WageLine.work_date, WageLine.id) > tuple(after))
            lines = session.scalars(query.order_by(WageLine.work_date, WageLine.id).limit(args["limit"] + 1)).all()
            more = len(lines) > args["limit"]
            lines = lines[: args["limit"]]
            cursor = encode_cursor(lines[-1].work_date.isoformat(), lines[-1].id) if more else None
            return {"items": lines, "next_cursor": cursor}
