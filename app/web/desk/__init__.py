"""The welfare-post manager's desk (公益岗位管理员): a region's pay months, a site's month with its payroll
sheet, and the moves and payments a manager makes on them (app.web.desk.area says who may)."""
from __future__ import annotations

from flask_babel import lazy_gettext

from app.web.desk import flags, months, payments, site_month, village  # noqa: F401  (the views register on `blp`)
from app.web.desk.area import blp

# Workers' disputes (app.web.register.disputes) after the desk's own page: a manager still lands on the months.
MENU = (("desk.months", lazy_gettext("Pay months")), ("register.disputes", lazy_gettext("Disputes")))

__all__ = ["MENU", "blp"]
