from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.access import authorize, require_region_field
from app.api.context import unit_of_work
from app.api.schemas import TokenIn, TokenOut
from app.tokens import issue_token

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="Bearer tokens")


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(TokenIn)
    @blp.response(201, TokenOut)
    def post(self, data):
        """Issue a token for a role in a region of the caller's (admin); shown once"""
        with unit_of_work() as session:
            principal = authorize(session, "admin")
            if data["region_code"] is None:
                if principal.region_path is not None:
                    abort(403, message="only a nationwide admin issues nationwide tokens")
            else:
                require_region_field(principal, session, data["region_code"], "region_code")
            try:
                token = issue_token(session, **data)
            except ValueError as error:
                abort(422, message=str(error))
            return {"token": token, **data}
