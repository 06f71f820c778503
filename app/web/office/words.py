"""The office's words for what the alerts hold: kinds and statuses as the glossary names them, moments in
China's time."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import lazy_gettext

from app.web.i18n import day
from app.web.signin import CHINA

KINDS = {
    "income_drop": lazy_gettext("Income drop"),
    "below_line": lazy_gettext("Below the monitoring line"),
    "projected_below_line": lazy_gettext("Projected below the line"),
    "no_work": lazy_gettext("No work"),
    "wage_arrears": lazy_gettext("Wage arrears"),
}
STATUSES = {
    "open": lazy_gettext("Open"),
    "acknowledged": lazy_gettext("Acknowledged"),
    "resolved": lazy_gettext("Resolved"),
}
HOUSEHOLD_STATUSES = {
    "poor": lazy_gettext("Poor household"),
    "monitored": lazy_gettext("Monitored household"),
    "other": lazy_gettext("Other household"),
}

SCHEMES = {
    "hourly": lazy_gettext("Hourly"),
    "daily": lazy_gettext("Daily"),
    "piece": lazy_gettext("Piece rate"),
    "monthly": lazy_gettext("Monthly stipend"),
}
SITE_KINDS = {  # a site's kind, or for an employer's own site the employer's (labour.vocabulary.EMPLOYER_KINDS)
    "workshop": lazy_gettext("Poverty-alleviation workshop"),
    "post": lazy_gettext("Public-welfare post"),
    "employer": lazy_gettext("Employer"),
    "industrial_base": lazy_gettext("Industrial base"),
    "cooperative": lazy_gettext("Cooperative"),
    "family_farm": lazy_gettext("Family farm"),
    "enterprise": lazy_gettext("Enterprise"),
}


def when(moment: datetime | None) -> str:
    """A stored instant as the office reads it: its day and time in China."""
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)
    return f"{day(local.date())} {local:%H:%M}"

