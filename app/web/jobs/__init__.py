"""The jobs pages: the county office's return-to-work statistics, and a vacancy's public page, where a labourer
leaves a name and phone that reach their village's cadre."""
from __future__ import annotations

from flask_babel import lazy_gettext

from app.web.jobs import returns
from app.web.pages import MenuItem, page_blueprint

blp = page_blueprint("jobs", __name__, url_prefix="/jobs")

blp.add_url_rule("/return-to-work", view_func=returns.page, methods=["GET"])
blp.add_url_rule("/return-to-work.xlsx", view_func=returns.workbook_file, methods=["GET"])

MENU: tuple[MenuItem, ...] = (
    ("jobs.page", lazy_gettext("Return to work")),
)
