"""Bearer tokens: issued (shown once), listed (never the token nor its hash) and revoked, by admins."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import and_, or_

from app.access.tokens import create_token, expiry_in, revoke_token, sites_of, tokens_within
from app.api.access import authorize, require_region_field, require_token
from app.api.context import reading, unit_of_work
from app.api.pagination import decode_cursor, encode_cursor, instant, text_id
from app.api.schemas.access import TokenIn, TokenInfoOut, TokenOut, TokenPageOut
from app.api.schemas.base import PageArgs
from app.db.models import ApiToken

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="Bearer tokens")


def _shown(record: ApiToken, site_ids: list[str]) -> dict:
    return {"id": record.id, "name": record.name, "role": record.role, "region_code": record.region_code,
            "site_ids": site_ids, "created_at": record.created_at, "expires_at": record.expires_at,
            "revoked_at": record.revoked_at}


@blp.route("")
class Tokens(MethodView):
    @blp.arguments(TokenIn)
    @blp.response(201, TokenOut)
    def post(self, data):
        """Issue a token for a role in a region of the caller's (admin); shown once"""
        with unit_of_work() as session:
            principal = authorize(session)
            if data["region_code"] is None:
                if principal.region_path is not None:
                    abort(403, message="only a nationwide admin issues nationwide tokens")
            else:
                require_region_field(principal, session, data["region_code"], "region_code")
            try:
                record, token = create_token(session, name=data["name"], role=data["role"],
                                             region_code=data["region_code"], site_ids=data["site_ids"],
                                             expires_at=expiry_in(data["expires_in_days"]))
            except ValueError as error:
                abort(422, message=str(error))
            return {**_shown(record, sites_of(session, [record])[record.id]), "token": token}

    @blp.arguments(PageArgs, location="query")
    @blp.response(200, TokenPageOut)
    def get(self, args):
        """The tokens of the caller's region, oldest first, revoked and expired ones included (admin)"""
        with reading() as session:
            principal = authorize(session)
            query = tokens_within(principal.region_path).limit(args["limit"] + 1)
            after = decode_cursor(args["cursor"], instant, text_id)
            if after is not None:
                query = query.where(or_(ApiToken.created_at > after[0],
                                        and_(ApiToken.created_at == after[0], ApiToken.id > after[1])))
            tokens = session.scalars(query).all()
            more = len(tokens) > args["limit"]
            tokens = tokens[: args["limit"]]
            sites = sites_of(session, tokens)
            last = tokens[-1] if more else None
            return {"items": [_shown(token, sites[token.id]) for token in tokens],
                    "next_cursor": encode_cursor(last.created_at, last.id) if last else None}


@blp.route("/<token_id>/revoke")
class Revoke(MethodView):
    @blp.response(200, TokenInfoOut)
    def post(self, token_id):
        """Revoke a token of the caller's region: it is refused from the next request on (admin)"""
        with unit_of_work() as session:
            principal = authorize(session)
            record = session.get(ApiToken, token_id) or abort(404, message="no such token")
            require_token(principal, session, record)
            revoke_token(session, record.id)
            return _shown(record, sites_of(session, [record])[record.id])
