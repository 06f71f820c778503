"""Return-to-work statistics of a region (app.jobs.stats): as of a day, week by week, and as a workbook."""
from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import fields, validates_schema

from app.api.access import Principal, authorize, require_region_field
from app.api.context import reading
from app.api.schemas.base import DAY, Strict
from app.jobs.stats import Figures, return_to_work, weekly
from app.jobs.stats_sheet import render_xlsx
from app.sheets import XLSX_CONTENT_TYPE

blp = Blueprint("return_to_work", __name__, url_prefix="/api/v1/stats/return-to-work",
                description="Return-to-work statistics")

_REGION = {"description": "default: the caller's region"}


class AsOfArgs(ma.Schema):
    region = fields.String(load_default=None, metadata=_REGION)
    date = fields.Date(required=True, validate=DAY)


class WeeksArgs(ma.Schema):
    region = fields.String(load_default=None, metadata=_REGION)
    start = fields.Date(data_key="from", required=True, validate=DAY, metadata={"description": "its week first"})
    end = fields.Date(data_key="to", required=True, validate=DAY, metadata={"description": "its week last"})

    @validates_schema
    def _forward(self, data, **_kwargs) -> None:
        if data["end"] < data["start"]:
            raise ma.ValidationError("before from", "to")


class FiguresOut(Strict):
    date = fields.Date(attribute="day", metadata={"description": "as of this day (a week's: its last day)"})
    baseline = fields.Integer(allow_none=True, metadata={
        "description": "the migrant workforce at the end of last year; null when none is recorded"})
    returned_to_work = fields.Integer(metadata={"description": "labourers at work, locally or away"})
    return_rate = fields.String(allow_none=True, metadata={"description": "returned / baseline, 4 decimals"})
    willing_to_go_out = fields.Integer(metadata={"description": "without work and willing to go out for it"})
    working_local = fields.Integer()
    working_away = fields.Integer()
    workshops = fields.Integer(metadata={"description": "workshops and industrial bases"})
    resumed = fields.Integer(metadata={"description": "of them with someone at work in the week"})
    resumption_rate = fields.String(allow_none=True, metadata={"description": "resumed / workshops, 4 decimals"})
    absorbed = fields.Integer(metadata={"description": "people at work there in the week"})
    absorbed_poor = fields.Integer(metadata={"description": "of them from poor and monitored households"})
    referrals = fields.Integer(metadata={"description": "since 1 January (in a week of a series: in it)"})
    hires = fields.Integer(metadata={"description": "since 1 January (in a week of a series: in it)"})
    median_days_to_hire = fields.String(allow_none=True, metadata={
        "description": "median days from the start of a hired labourer's time without work to the hire"})


class ReturnToWorkOut(Strict):
    region = fields.String()
    name = fields.String()
    figures = fields.Nested(FiguresOut)


class WeeksOut(Strict):
    region = fields.String()
    name = fields.String()
    weeks = fields.List(fields.Nested(FiguresOut))


def _out(figures: Figures) -> dict:
    rate = lambda value: None if value is None else f"{value:.4f}"  # noqa: E731
    return {**{name: getattr(figures, name) for name in FiguresOut._declared_fields if name != "date"},
            "day": figures.day, "return_rate": rate(figures.return_rate),
            "resumption_rate": rate(figures.resumption_rate),
            "median_days_to_hire": None if figures.median_days_to_hire is None else str(figures.median_days_to_hire)}


def _region(session, principal: Principal, code: str | None):
    if code is None:
        if principal.region_path is None:
            abort(422, errors={"region": ["a nationwide caller names the region"]})
        code = principal.region_path.strip("/").rsplit("/", 1)[-1]
    return require_region_field(principal, session, code, "region")


@blp.route("")
class AsOf(MethodView):
    @blp.arguments(AsOfArgs, location="query")
    @blp.response(200, ReturnToWorkOut)
    def get(self, args):
        """A region's return-to-work figures as of a day: referrals and hires since 1 January"""
        with reading() as session:
            region = _region(session, authorize(session), args["region"])
            figures = return_to_work(session, region, args["date"])
        return {"region": region.code, "name": region.name, "figures": _out(figures)}


@blp.route("/weeks")
class Weeks(MethodView):
    @blp.arguments(WeeksArgs, location="query")
    @blp.response(200, WeeksOut)
    def get(self, args):
        """A region's return-to-work figures week by week (ISO weeks, each as of its last day)"""
        with reading() as session:
            region = _region(session, authorize(session), args["region"])
            weeks = _weeks(session, region, args)
        return {"region": region.code, "name": region.name, "weeks": [_out(week) for week in weeks]}


@blp.route("/weeks.xlsx")
@blp.arguments(WeeksArgs, location="query")
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX_CONTENT_TYPE,
              description="The region and dates, then a header of the figures' names, then a row a week")
def weeks_xlsx(args):
    """A region's return-to-work figures week by week, as an Excel workbook"""
    with reading() as session:
        region = _region(session, authorize(session), args["region"])
        weeks = _weeks(session, region, args)
    return workbook(render_xlsx(f"{region.name} ({region.code}) {args['start']} – {args['end']}", weeks),
                    f"return-to-work-{region.code}-{args['start']}-{args['end']}.xlsx")


def _weeks(session, region, args) -> list[Figures]:
    try:
        return weekly(session, region, args["start"], args["end"])
    except ValueError as error:  # more weeks than a year holds
        abort(422, errors={"to": [str(error)]})


def workbook(content: bytes, filename: str) -> Response:
    response = Response(content, content_type=XLSX_CONTENT_TYPE)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response

