"""Liveness and readiness, at the root (not under /api/v1)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import SQLAlchemyError

from app.api.context import runtime
from app.migrate import schema_is_at_head
from events.bus import BusUnavailable

blp = Blueprint("health", __name__, description="Liveness and readiness")


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(security=[])
    @blp.response(200)
    def get(self):
        """The process is alive"""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.doc(security=[])
    @blp.response(200)
    @blp.alt_response(503, description="the database or the bus is unreachable, or the schema is not migrated")
    def get(self):
        """The database is reachable and migrated, and the bus is reachable"""
        try:
            with runtime().engine.connect() as connection:
                at_head = schema_is_at_head(connection)
        except SQLAlchemyError:
            abort(503, message="the database is unreachable")
        if not at_head:
            abort(503, message="the database schema is not at the newest migration: run `flask --app app migrate`")
        try:
            runtime().bus.ping()
        except BusUnavailable:
            abort(503, message="the bus is unreachable")
        return {"status": "ready", "bus": runtime().settings.bus}
