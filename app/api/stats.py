from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import fields

from app.alerts.stats import Counts, employment
from app.api.access import authorize, require_region_field
from app.api.context import reading
from app.api.schemas.base import DAY, Strict
from app.review.disputes import dispute_counts

blp = Blueprint("stats", __name__, url_prefix="/api/v1/stats", description="Employment statistics")


class EmploymentArgs(ma.Schema):
    region = fields.String(load_default=None, metadata={"description": "default: the caller's region"})
    date = fields.Date(required=True, validate=DAY)


class CountsOut(Strict):
    sites = fields.Integer()
    active_sites = fields.Integer()
    resumption_rate = fields.String(metadata={"description": "active sites / sites, 4 decimals"})
    workers_at_work = fields.Integer()
    poor_workers_at_work = fields.Integer(metadata={"description": "of poor and monitored households"})


class RegionCountsOut(CountsOut):
    code = fields.String()
    name = fields.String()
    level = fields.String()


class EmploymentOut(Strict):
    date = fields.Date()
    region = fields.Nested(RegionCountsOut)
    children = fields.List(fields.Nested(RegionCountsOut), metadata={"description": "the regions one level down"})


def _asked_region(session, principal, code: str | None):
    """The region asked for, by default the caller's own (a nationwide caller must name one), in the caller's scope."""
    if code is None and principal.region_path is None:
        abort(422, errors={"region": ["a nationwide caller names the region"]})
    code = code or principal.region_path.strip("/").rsplit("/", 1)[-1]
    return require_region_field(principal, session, code, "region")


def _row(region, counts: Counts) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level, "sites": counts.sites,
            "active_sites": counts.active_sites, "resumption_rate": counts.resumption_rate,
            "workers_at_work": counts.workers_at_work, "poor_workers_at_work": counts.poor_workers_at_work}


@blp.route("/employment")
class Employment(MethodView):
    @blp.arguments(EmploymentArgs, location="query")
    @blp.response(200, EmploymentOut)
    def get(self, args):
        """Sites, sites at work (resumption rate), workers at work and poor workers at work on a date"""
        with reading() as session:
            principal = authorize(session)
            region = _asked_region(session, principal, args["region"])
            total, children = employment(session, region, args["date"])
            return {"date": args["date"], "region": _row(region, total),
                    "children": [_row(child, counts) for child, counts in children]}


class DisputeArgs(ma.Schema):
    region = fields.String(load_default=None, metadata={"description": "default: the caller's region"})


class SiteDisputesOut(Strict):
    site_id = fields.String()
    site_name = fields.String()
    raised = fields.Integer()
    open = fields.Integer()
    accepted = fields.Integer()
    rejected = fields.Integer()


class DisputesOut(Strict):
    region = fields.String()
    raised = fields.Integer()
    open = fields.Integer()
    accepted = fields.Integer()
    rejected = fields.Integer()
    sites = fields.List(fields.Nested(SiteDisputesOut), metadata={"description": "each site with any dispute"})


@blp.route("/disputes")
class Disputes(MethodView):
    @blp.arguments(DisputeArgs, location="query")
    @blp.response(200, DisputesOut)
    def get(self, args):
        """Workers' disputes of their pay, per site of the region and in all: raised, open, accepted, rejected"""
        with reading() as session:
            principal = authorize(session)
            region = _asked_region(session, principal, args["region"])
            sites = dispute_counts(session, region.path)
            return {"region": region.code, "sites": sites,
                    **{name: sum(getattr(site, name) for site in sites)
                       for name in ("raised", "open", "accepted", "rejected")}}
