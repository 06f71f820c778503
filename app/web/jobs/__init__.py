"""The jobs pages: the county office's return-to-work statistics, and a vacancy's public page, where a labourer
leaves a name and phone that reach their village's cadre."""
from __future__ import annotations

from flask_babel import lazy_gettext

from app.web.jobs import requests, returns
from app.web.pages import MenuItem, page_blueprint

blp = page_blueprint("jobs", __name__, url_prefix="/jobs")

blp.add_url_rule("/return-to-work", view_func=returns.page, methods=["GET"])
blp.add_url_rule("/return-to-work.xlsx", view_func=returns.workbook_file, methods=["GET"])
blp.add_url_rule("/vacancies/<vacancy_id>/share", view_func=requests.share, methods=["GET"])
blp.add_url_rule("/requests", view_func=requests.interests, methods=["GET"])
blp.add_url_rule("/requests/<interest_id>/handled", view_func=requests.handled, methods=["POST"])

MENU: tuple[MenuItem, ...] = (
    ("jobs.page", lazy_gettext("Return to work")),
    ("jobs.interests", lazy_gettext("Referral requests")),
)
