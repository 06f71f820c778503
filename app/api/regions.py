from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.access import authorize, require_region, require_region_field
from app.api.context import reading, unit_of_work
from app.api.registry import refuse_taken
from app.api.schemas.registry import RegionIn, RegionOut
from app.db.models import Region

blp = Blueprint("regions", __name__, url_prefix="/api/v1/regions", description="Administrative areas")


@blp.route("")
class Regions(MethodView):
    @blp.arguments(RegionIn)
    @blp.response(201, RegionOut)
    def post(self, data):
        """Create a region (admin), inside the caller's region unless nationwide"""
        with unit_of_work() as session:
            principal = authorize(session)
            refuse_taken(session, Region, data["code"])
            if data["parent_code"] is None:
                if principal.region_path is not None:
                    abort(403, message="only a nationwide admin creates top-level regions")
                path = f"/{data['code']}/"
            else:
                parent = require_region_field(principal, session, data["parent_code"], "parent_code")
                path = f"{parent.path}{data['code']}/"
            region = Region(**data, path=path)
            session.add(region)
            return region


@blp.route("/<code>")
class RegionByCode(MethodView):
    @blp.response(200, RegionOut)
    def get(self, code):
        """A region inside the caller's"""
        with reading() as session:
            return require_region(authorize(session), session, code)
