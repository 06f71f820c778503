from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.access import authorize, require_region, require_region_field
from app.api.context import unit_of_work
from app.api.schemas import HouseholdIn, HouseholdOut
from app.db.models import Household

blp = Blueprint("households", __name__, url_prefix="/api/v1/households", description="Households")


@blp.route("")
class Households(MethodView):
    @blp.arguments(HouseholdIn)
    @blp.response(201, HouseholdOut)
    def post(self, data):
        """Register a household in a village of the caller's region"""
        with unit_of_work() as session:
            principal = authorize(session, "admin", "poverty_office")
            require_region_field(principal, session, data["region_code"], "region_code")
            if "id" in data and session.get(Household, data["id"]) is not None:
                abort(409, message=f"household {data['id']} exists")
            household = Household(**data)
            session.add(household)
            session.flush()
            return household


@blp.route("/<household_id>")
class HouseholdById(MethodView):
    @blp.response(200, HouseholdOut)
    def get(self, household_id):
        """A household of the caller's region"""
        with unit_of_work() as session:
            principal = authorize(session, "admin", "poverty_office", "post_manager")
            household = session.get(Household, household_id) or abort(404, message="no such household")
            require_region(principal, session, household.region_code)
            return household
