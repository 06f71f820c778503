from __future__ import annotations

from fractions import Fraction

from flask.views import MethodView
from flask_smorest import Blueprint, abort

import payroll
from app.api.access import authorize, require_household, require_region_field
from app.api.context import reading, runtime, unit_of_work
from app.api.registry import add_new, get_in_scope
from app.api.schemas.registry import HouseholdChange, HouseholdIn, HouseholdOut, IncomeArgs, IncomeOut
from app.db.models import Household
from app.pay.income import monthly_income
from app.registry.households import change_household

blp = Blueprint("households", __name__, url_prefix="/api/v1/households", description="Households")


@blp.route("")
class Households(MethodView):
    @blp.arguments(HouseholdIn)
    @blp.response(201, HouseholdOut)
    def post(self, data):
        """Register a household in a village of the caller's region"""
        with unit_of_work() as session:
            principal = authorize(session)
            require_region_field(principal, session, data["region_code"], "region_code")
            return add_new(session, Household, data)


@blp.route("/<household_id>")
class HouseholdById(MethodView):
    @blp.response(200, HouseholdOut)
    def get(self, household_id):
        """A household of the caller's region"""
        with reading() as session:
            return get_in_scope(session, authorize(session), Household, household_id, require_household)


@blp.route("/<household_id>/income")
class HouseholdIncome(MethodView):
    @blp.arguments(IncomeArgs, location="query")
    @blp.response(200, IncomeOut)
    def get(self, args, household_id):
        """Monthly income and per-capita income over the last `months` months up to `to`"""
        with reading() as session:
            household = get_in_scope(session, authorize(session), Household, household_id, require_household)
            last = args["to"] or runtime().settings.today().strftime("%Y-%m")
            rows = monthly_income(session, household, last, args["months"])
            # each month's income over that month's size, rounded once
            per_capita = sum((Fraction(row.income_fen, row.size) for row in rows), Fraction(0))
            return {"household_id": household_id, "size": household.size, "status": household.status,
                    "months": rows, "total_fen": sum(row.income_fen for row in rows),
                    "per_capita_total_fen": payroll.round_half_up(per_capita)}


@blp.route("/<household_id>", endpoint="HouseholdChanges", methods=["PATCH"])
class HouseholdChanges(MethodView):
    @blp.arguments(HouseholdChange)
    @blp.response(200, HouseholdOut)
    def patch(self, changes, household_id):
        """Change a household's status, region or size (from a month, this month unless `size_from` says)"""
        with unit_of_work() as session:
            principal = authorize(session)
            household = get_in_scope(session, principal, Household, household_id, require_household)
            if "region_code" in changes:
                require_region_field(principal, session, changes["region_code"], "region_code")
            this_month = runtime().settings.today().strftime("%Y-%m")
            if changes.get("size_from", this_month) > this_month:
                abort(422, errors={"size_from": [f"a size changes from this month ({this_month}) or an earlier one"]})
            change_household(session, household, changes, this_month)
            return household

