from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import bindparam, exists, select, tuple_

from app.access.tokens import bearer_alongside
from app.api.access import authorize_with, require_worker_at
from app.api.context import reading, reading_rows
from app.api.pagination import decode_cursor, encode_cursor, iso_date, row_id
from app.api.schemas.ledger import BalanceArgs, BalanceOut, WageArgs, WagePageOut
from app.db import Reader
from app.db.models import Assignment, Household, Region, TokenSite, WageLine, Worker
from app.pay.balances import worker_balances

blp = Blueprint("earnings", __name__, url_prefix="/api/v1/workers", description="Balances and wage lines")


def _as_dict(balance) -> dict:
    return {"period": balance.period, "earned_fen": balance.earned_fen, "approved_fen": balance.approved_fen,
            "paid_fen": balance.paid_fen, "outstanding_fen": balance.outstanding_fen,
            "pending_fen": balance.pending_fen}


# The caller, the worker's region path, and (for a supervisor) whether the worker is assigned at the
# site of each row, in one round trip: the balance is the API's hottest read, and under load each
# round trip is another wait for the GIL behind a POST (docs/benchmarks.md).
_workers, _households, _regions = Worker.__table__, Household.__table__, Region.__table__
_assignments, _token_sites = Assignment.__table__, TokenSite.__table__
_WORKER_ID = bindparam("worker_id")
_WORKER_PATH = (
    select(_regions.c.path)
    .join_from(_workers, _households, _households.c.id == _workers.c.household_id)
    .join(_regions, _regions.c.code == _households.c.region_code)
    .where(_workers.c.id == _WORKER_ID)
    .correlate(None)  # the caller's statement reads regions too: for its own region
    .scalar_subquery()
)
_AT_ROW_SITE = exists().where(_assignments.c.worker_id == _WORKER_ID, _assignments.c.site_id == _token_sites.c.site_id)
_CALLER_AND_WORKER = bearer_alongside(_WORKER_PATH.label("worker_path"), _AT_ROW_SITE.label("at_site"))


def _readable_worker(reader: Reader, worker_id: str) -> None:
    """401 or 403 unless the caller may read this worker's pay; 404 when there is no such worker."""
    principal, rows = authorize_with(reader, _CALLER_AND_WORKER, {"worker_id": worker_id})
    if rows[0].worker_path is None:
        abort(404, message="no such worker")
    require_worker_at(principal, rows[0].worker_path, lambda: any(row.at_site for row in rows))


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
