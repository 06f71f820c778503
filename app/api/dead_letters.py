from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import authorize, require_nationwide
from app.api.context import reading, runtime, unit_of_work
from app.api.pagination import page_by_id, row_id
from app.api.schemas.ledger import DeadLetterArgs, DeadLetterOut, DeadLetterPageOut
from app.db.models import DeadLetter
from app.ledger.dead_letters import TooLargeToReplay, replay

blp = Blueprint("dead_letters", __name__, url_prefix="/api/v1/dead-letters",
                description="Events that could not be applied")


@blp.route("")
class DeadLetters(MethodView):
    @blp.arguments(DeadLetterArgs, location="query")
    @blp.response(200, DeadLetterPageOut)
    def get(self, args):
        """Parked events with the reason each could not be applied, oldest first (a nationwide admin)

        Found by `event_id` if given. `payload` is a readable preview of the message (bytes that are not
        UTF-8, and NUL, as \\xNN escapes); a replay sends back its exact bytes."""
        with reading() as session:
            require_nationwide(authorize(session))
            query = select(DeadLetter)
            if args["status"] is not None:
                query = query.where(DeadLetter.status == args["status"])
            if args["event_id"] is not None:
                query = query.where(DeadLetter.event_id == args["event_id"])
            return page_by_id(session, query, DeadLetter.id, args, row_id)


@blp.route("/<row_id:letter_id>/replay")
class ReplayDeadLetter(MethodView):
    @blp.response(202, DeadLetterOut)
    def post(self, letter_id):
        """Send a parked event through the consumer again, once its cause is fixed (a nationwide admin)"""
        with unit_of_work() as session:
            require_nationwide(authorize(session))
            letter = session.get(DeadLetter, letter_id) or abort(404, message="no such dead letter")
            if letter.status != "parked":
                abort(409, message=f"dead letter {letter_id} is {letter.status}, not parked")
            try:
                replay(session, runtime().bus, letter)
            except TooLargeToReplay as error:
                abort(409, message=f"dead letter {letter_id} is too large to send back: {error}")
            return letter
