from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.access import authorize, require_region_field, require_site
from app.api.context import reading, unit_of_work
from app.api.registry import add_new, get_in_scope
from app.api.schemas.registry import SiteIn, SiteOut
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
            return add_new(session, Site, data)


@blp.route("/<site_id>")
class SiteById(MethodView):
    @blp.response(200, SiteOut)
    def get(self, site_id):
        """A site the caller supervises or that lies in their region"""
        with reading() as session:
            return get_in_scope(session, authorize(session), Site, site_id, require_site)
