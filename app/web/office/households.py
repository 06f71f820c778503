"""A household's page for its poverty office: the members and their work, twelve months of per-capita income
against the monitoring line (a chart, and a table of the same numbers for anyone without it), and the alerts
raised on it with what was done."""
from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from flask import abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from app.alerts.evaluation import thresholds_from
from app.alerts.household import HouseholdPage, household_page
from app.alerts.inbox import alert_names
from app.api.access import require_household
from app.api.context import reading, runtime
from app.db.models import Alert, Household
from app.web.charts import income_chart
from app.web.i18n import money, month
from app.web.office.words import HOUSEHOLD_STATUSES, KINDS, SCHEMES, SITE_KINDS, STATUSES
from app.web.pages import authorize_page


def household(household_id: str) -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        found = reader.get(Household, household_id)
        if found is None:
            abort(404)
        require_household(principal, reader, found)
        settings = runtime().settings
        page = household_page(reader, household_id, settings.today(), thresholds_from(settings))
        # the alerts as the inbox shows them, so that their moves work here too
        alerts = list(reader.scalars(select(Alert).where(Alert.household_id == household_id)
                                     .order_by(Alert.month.desc(), Alert.created_at.desc(), Alert.id)))
        return render_template(
            "office/household.html", page=page, chart=_chart(page), alerts=alerts, names=alert_names(reader, alerts),
            kinds=KINDS, statuses=STATUSES, household_statuses=HOUSEHOLD_STATUSES, schemes=SCHEMES,
            site_kinds=SITE_KINDS, back=request.path)


def _chart(page: HouseholdPage) -> Markup:
    """The months' per-capita income as an inline SVG (the chart module escapes every word it is given)."""
    values = [row.per_capita_fen for row in page.income]
    return Markup(income_chart(
        values, page.line_fen, month_labels=[_short_month(row.month) for row in page.income],
        point_titles=[_("%(month)s: %(income)s a person", month=month(row.month), income=money(row.per_capita_fen))
                      for row in page.income],
        money=_yuan, line_label=_("Monitoring line %(line)s", line=money(page.line_fen)),
        title=_("Per-capita income by month"),
        desc=_("Per-capita income in each of the last %(count)s months against the monitoring line of "
               "%(line)s a person a month; %(below)s months fall below it.", count=len(values),
               line=money(page.line_fen), below=sum(value < page.line_fen for value in values))))


def _short_month(value: str) -> str:
    """5月, or May: the chart's label under each month (the table beside it names the year)."""
    return format_skeleton("MMM", date.fromisoformat(f"{value}-01"), locale=get_locale())


def _yuan(fen: int) -> str:
    """An axis tick: whole yuan, as ticks are round amounts."""
    return money(fen).removesuffix(".00")
