"""The county at a glance: week by week, in the county and in each village, the workers at work, the poor ones
among them, the workshops resumed (the province's resumption rate) and the welfare posts filled, each with a
sparkline of the weeks. An office sees its own county; an admin picks one."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from babel.numbers import format_percent
from flask import abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from app.alerts.stats import AreaWeeks, WeekCounts, county_glance
from app.api.access import require_region
from app.api.context import reading, runtime
from app.review.disputes import dispute_counts
from app.web.charts import trend_line
from app.web.counties import county_choices, own_county
from app.web.pages import authorize_page

WEEKS = 12


def county() -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        code = request.args.get("region", "").strip() or own_county(reader, principal)
        counties = county_choices(reader, principal)
        if not code:
            return render_template("office/county.html", glance=None, region=None, counties=counties, rows=[])
        region = require_region(principal, reader, code)
        if region.level != "county":
            abort(404)  # a glance is a county's: its own figures are kept, not those of a region above or below
        today = runtime().settings.today()
        glance = county_glance(reader, region, today - timedelta(weeks=WEEKS - 1), today)
        disputes = dispute_counts(reader, region.path)
    # translated once, filled a sparkline at a time: a county's hundred villages draw four each
    title = Trend(_("The last %(count)s weeks: %(values)s"), get_locale().list_patterns["standard"]["middle"]
                  .format("", ""))  # ", " or "、"
    rows = [_row(area, glance, title) for area in (*glance.villages, glance.total)]
    return render_template("office/county.html", glance=glance, region=region, counties=counties, rows=rows,
                           percent=_percent, disputes=disputes)


def _percent(rate) -> str:
    return format_percent(rate, locale=get_locale())


MEASURES: dict[str, Callable[[WeekCounts], int]] = {
    "workers": lambda week: week.workers_at_work,
    "poor": lambda week: week.poor_workers_at_work,
    "resumed": lambda week: week.workshops_resumed,
    "filled": lambda week: week.posts_filled,
}


@dataclass(frozen=True)
class Trend:
    title: str  # the untranslated message's translation, with its %(count)s and %(values)s
    joiner: str

    def draw(self, values: list[int]) -> Markup:
        title = self.title % {"count": len(values), "values": self.joiner.join(map(str, values))}
        return Markup(trend_line(values, title=title))


def _row(area: AreaWeeks, glance, trend: Trend) -> dict:
    """An area's latest week and a sparkline of every week, for each measure. The weeks are named once, above
    the table: a sparkline's title says only its values."""
    trends = {name: trend.draw([measure(week) for week in area.weeks]) for name, measure in MEASURES.items()}
    return {"area": area, "last": area.weeks[-1], "trends": trends, "total": area is glance.total}
