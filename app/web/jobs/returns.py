"""Return to work (返岗复工), for the county office: as of a day, the region's figures with their rates, then week
by week a table of the same figures with a chart of each, and the weeks as a workbook. An office sees its own
county; someone above a county picks one, as on the county at a glance."""
from __future__ import annotations

from datetime import date, timedelta

from babel.numbers import format_percent
from flask import Response, render_template, request
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import BadRequest

from app.api.access import require_region
from app.api.context import reading, runtime
from app.api.return_to_work import workbook
from app.jobs.stats import Figures, return_to_work, weekly
from app.jobs.stats_sheet import COLUMNS, render_xlsx
from app.web.charts import sparkline
from app.web.counties import county_choices, own_county
from app.web.i18n import day
from app.web.pages import authorize_page

WEEKS = 12
LABELS = {
    "day": lazy_gettext("Day"), "baseline": lazy_gettext("Migrant workers last year"),
    "returned_to_work": lazy_gettext("Returned to work"), "return_rate": lazy_gettext("Return rate"),
    "willing_to_go_out": lazy_gettext("Willing to go out"), "working_local": lazy_gettext("Working near home"),
    "working_away": lazy_gettext("Working away"), "workshops": lazy_gettext("Workshops and bases"),
    "resumed": lazy_gettext("Resumed"), "resumption_rate": lazy_gettext("Resumption rate"),
    "absorbed": lazy_gettext("People absorbed"), "absorbed_poor": lazy_gettext("Of whom poor"),
    "referrals": lazy_gettext("Referrals"), "hires": lazy_gettext("Hires"),
    "median_days_to_hire": lazy_gettext("Median days to a hire"),
}
CHARTED = ("returned_to_work", "working_local", "working_away", "willing_to_go_out", "resumed", "absorbed",
           "absorbed_poor", "referrals", "hires")


def page() -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        code = request.args.get("region", "").strip() or own_county(reader, principal)
        counties = county_choices(reader, principal)
        as_of = _day(request.args.get("date"))
        if not code:
            return render_template("jobs/return_to_work.html", region=None, counties=counties, as_of=as_of)
        region = require_region(principal, reader, code)
        figures = return_to_work(reader, region, as_of)
        weeks = weekly(reader, region, as_of - timedelta(weeks=WEEKS - 1), as_of)
    return render_template("jobs/return_to_work.html", region=region, counties=counties, as_of=as_of,
                           figures=figures, weeks=weeks, labels=LABELS, charts=_charts(region.name, weeks),
                           charted=CHARTED, percent=_percent)


def workbook_file() -> Response:
    with reading() as reader:
        principal = authorize_page(reader)
        region = require_region(principal, reader, request.args.get("region", "").strip())
        as_of = _day(request.args.get("date"))
        first = as_of - timedelta(weeks=WEEKS - 1)
        weeks = weekly(reader, region, first, as_of)
    title = _("%(region)s: return to work, week of %(first)s to %(last)s", region=region.name, first=day(first),
              last=day(as_of))
    return workbook(render_xlsx(title, weeks, [str(LABELS[name]) for name in COLUMNS]),
                    f"return-to-work-{region.code}-{as_of}.xlsx")


def _day(text: str | None) -> date:
    if not text:
        return runtime().settings.today()
    try:
        chosen = date.fromisoformat(text)
    except ValueError:
        raise BadRequest() from None
    if not date(2000, 1, 1) <= chosen <= date(2999, 12, 31):
        raise BadRequest()
    return chosen


def _percent(rate) -> str:
    return "" if rate is None else format_percent(rate, format="#,##0.0%", locale=get_locale())


def _charts(area: str, weeks: list[Figures]) -> dict[str, Markup]:
    """A sparkline of each charted figure over the weeks, each point titled with its week and value."""
    charts = {}
    for name in CHARTED:
        values = [getattr(week, name) for week in weeks]
        charts[name] = Markup(sparkline(
            values, width=160, height=36, title=_("%(area)s, %(figure)s: the last %(count)s weeks", area=area,
                                                 figure=LABELS[name], count=len(values)),
            point_titles=[_("Week to %(day)s: %(value)s", day=day(week.day), value=value)
                          for week, value in zip(weeks, values)]))
    return charts
