from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.access import authorize, require_region_field, require_site
from app.api.context import reading, unit_of_work
from app.api.schemas import SiteIn, SiteOut
from app.db.models import Site

blp = Blueprint("sites", __name__, url_prefix="/api/v1/sites", description="Workshops and welfare posts")


@blp.route("")
class Sites(MethodView):
    @blp.arguments(SiteIn)
    @blp.response(201, SiteOut)
    def post(self, data):
        """Create a workshop or a post in a region of the caller's (admin)"""
        with unit_of_work() as session:
            principal = authorize(session)
            require_region_field(principal, session, data["region_code"], "region_code")
            if "id" in data and session.get(Site, data["id"]) is not None:
                abort(409, message=f"site {data['id']} exists")
            site = Site(**data)
            session.add(site)
            session.flush()
            return site


@blp.route("/<site_id>")
class SiteById(MethodView):
    @blp.response(200, SiteOut)
    def get(self, site_id):
        """A site the caller supervises or that lies in their region"""
        with reading() as session:
            principal = authorize(session)
            site = session.get(Site, site_id) or abort(404, message="no such site")
            require_site(principal, session, site)
            return site
