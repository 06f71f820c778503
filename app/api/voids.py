"""Voids that arrived before their output: waiting (never paid), or settled when it came."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import authorize, require_site
from app.api.context import reading
from app.api.pagination import page_by_id, row_id
from app.api.schemas.ledger import VoidArgs, VoidPageOut
from app.db.models import PendingVoid, Region, Site

blp = Blueprint("voids", __name__, url_prefix="/api/v1/voids", description="Voids that came before their output")


@blp.route("")
class Voids(MethodView):
    @blp.arguments(VoidArgs, location="query")
    @blp.response(200, VoidPageOut)
    def get(self, args):
        """Voids that arrived before their output, oldest first: a supervisor's sites, an admin's region"""
        with reading() as session:
            principal = authorize(session)
            query = (select(PendingVoid).join(Site, PendingVoid.site_id == Site.id)
                     .join(Region, Site.region_code == Region.code))
            if principal.role == "supervisor":
                query = query.where(PendingVoid.site_id.in_(principal.site_ids))
            elif principal.region_path is not None:
                query = query.where(Region.path.startswith(principal.region_path, autoescape=True))
            if args["site"] is not None:
                site = session.get(Site, args["site"]) or abort(422, errors={"site": [f"unknown site {args['site']}"]})
                require_site(principal, session, site)
                query = query.where(PendingVoid.site_id == site.id)
            if args["status"] is not None:
                query = query.where(PendingVoid.status == args["status"])
            return page_by_id(session, query, PendingVoid.id, args, row_id)
